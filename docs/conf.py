"""Sphinx configuration of cw2v's documentation: the API reference (autodoc + numpydoc) and the Markdown
guides beside it (myst-parser).

Build (as .ci/run does; warnings are errors)::

    pip install ".[dev]"
    sphinx-build -W --keep-going -b html docs docs/_build/html

autodoc imports the installed cw2v (compiled extensions included), so build after installing it. No
intersphinx: the build reads nothing from the network.
"""
import cw2v

project = "cw2v"
author = "cw2v developers"
copyright = "cw2v developers, MIT License"
release = cw2v.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []
html_theme_options = {"description": "Fast word2vec with gensim 4's API", "page_width": "1100px"}

# ------------------------------------------------------------------------------------------------ autodoc
autodoc_member_order = "bysource"
autodoc_default_options = {"show-inheritance": True}
# The numpydoc docstrings give the types (with shapes and dtypes); the annotations stay in the signatures.
autodoc_typehints = "signature"
autodoc_preserve_defaults = True      # `sample=1e-3`, not its repr after evaluation

# ------------------------------------------------------------------------------------------------ numpydoc
numpydoc_show_class_members = False   # autodoc's :members: lists them (numpydoc's tables need autosummary)
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# Checks of the numpydoc docstrings of every documented object (warnings, so errors under -W):
# GL06/GL07 unknown section names and sections out of order, PR01/PR02 parameters missing from the
# "Parameters" section or listed there but not in the signature, PR10 a missing space before the colon,
# YD01 a generator without "Yields". Not PR03 (order): related parameters are documented together
# ("lowercase, to_lower, lower : bool").
numpydoc_validation_checks = {"GL06", "GL07", "PR01", "PR02", "PR10", "YD01"}

# ------------------------------------------------------------------------------------------------ myst
myst_heading_anchors = 3
# the guides link to files of the repository (benchmarks, tests) that are not part of the documentation
suppress_warnings = ["myst.xref_missing"]
