"""``python -m workflow`` runs the ``locum`` command line."""

import sys

from workflow.cli import main

sys.exit(main())
