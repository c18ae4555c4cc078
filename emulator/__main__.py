"""`python -m emulator` is `teg-emulator`."""

import sys

from emulator.cli import main

sys.exit(main())
