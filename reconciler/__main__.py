"""`python -m reconciler` runs the portctl CLI."""

from reconciler.cli import run

run()
