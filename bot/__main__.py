"""`python -m bot <command>`."""

import sys

from bot.cli import main

sys.exit(main())
