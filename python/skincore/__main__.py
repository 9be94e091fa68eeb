"""``python -m skincore`` runs the command line."""

import sys

from skincore.cli import main

sys.exit(main())
