"""``python -m workflow`` runs the ``locum`` command line."""

from workflow.cli import run

run()
