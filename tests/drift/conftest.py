"""Fixtures of the drift tests (the world lives in `tests.drift.world`, shared with others)."""

from tests.drift.world import world

__all__ = ["world"]
