"""Fixtures of the import tests (the emulator world is shared with the drift tests)."""

from tests.drift.world import world

__all__ = ["world"]
