"""`python -m app` does what the `actionlens` command does."""

import sys

from app.cli import main

sys.exit(main())
