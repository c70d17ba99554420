"""``python -m cw2v``: the same program as the ``cw2v`` command."""
import sys

from cw2v.cli import main

sys.exit(main())
