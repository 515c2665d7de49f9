"""``python -m chimekit_emulator``."""

import sys

from ._cli import main

sys.exit(main())
