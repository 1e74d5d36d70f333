"""``python -m genlab ...``: the same program as the ``genlab`` command (window, or a subcommand)."""

import sys

from main import main

if __name__ == "__main__":
    sys.exit(main())
