"""`python -m emulator.cli` is `teg-emulator`."""

import sys

from emulator.cli import main

sys.exit(main())
