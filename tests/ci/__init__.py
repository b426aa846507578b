"""Tests of the CI integration shipped in the repository (.github/, .pre-commit-hooks.yaml)."""
