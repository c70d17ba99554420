"""Build script for the compiled parts of cw2v (Cython kernels over src_c/).

All metadata lives in pyproject.toml; this file only declares the extension modules.
No ``-march=native``: wheels must run on any CPU of their platform.
"""
import os
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("CW2V_DEBUG", "") not in ("", "0")

if sys.platform == "win32":
    extra_compile_args = ["/O2"]
else:
    extra_compile_args = ["-O3", "-fno-math-errno", "-Wno-unused-function"]
    if DEBUG:
        extra_compile_args = ["-O0", "-g", "-fno-omit-frame-pointer"]

directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": DEBUG,
    "nonecheck": False,
}

extensions = [
    Extension(
        "cw2v._kernels",
        sources=["cw2v/_kernels.pyx"],
        include_dirs=["src_c", np.get_include()],
        depends=["src_c/cw2v_rng.h", "src_c/cw2v_tables.h", "src_c/cw2v_mem.h", "src_c/cw2v_rowops.h"],
        extra_compile_args=extra_compile_args,
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    ),
    Extension(
        "cw2v._corpus",
        sources=["cw2v/_corpus.pyx"],
        include_dirs=["src_c"],
        depends=["src_c/cw2v_text.h"],
        extra_compile_args=extra_compile_args,
    ),
]

setup(ext_modules=cythonize(extensions, compiler_directives=directives))
