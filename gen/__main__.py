"""``python -m gen``: the gradsheet command."""

import sys

from gen.cli.main import main

sys.exit(main(sys.argv[1:]))
