"""Fixtures of the watcher tests: the apply tests' world (specs on disk, in-process emulator)."""

from tests.apply.conftest import world

__all__ = ["world"]
