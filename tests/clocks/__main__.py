"""python -m tests.clocks: the suite under shifted clocks."""

import sys

from tests.clocks import main

sys.exit(main(sys.argv[1:]))
