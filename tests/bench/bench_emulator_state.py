"""Benchmark (run by hand): emulator state-file costs at 1,000 orders.

    .venv/bin/python -m tests.bench.bench_emulator_state

Prints save/load time of a 1,000-order state, one embedded mutation and one embedded read
(what every `--emulator` CLI request pays), and 30 virtual days of carrier simulation.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx

from reconciler.emulator import store
from reconciler.emulator.embedded import EmbeddedTransport
from tests.emulator.conftest import API
from tests.emulator.test_persistence import thousand_orders


def timed(action: Callable[[], object]) -> float:
    """Seconds one call of `action` takes."""
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def main() -> None:
    """Build the world, then time each operation once and print the figures."""
    emu = thousand_orders()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "emulator.json"
        save = timed(lambda: store.save(emu, path))
        load = timed(lambda: store.load(path))
        client = httpx.Client(
            transport=EmbeddedTransport(path), base_url=API, headers={"Authorization": "Bearer x"}
        )
        note = timed(lambda: client.post("/orders/portIns/897867/notes", json={"note": "n"}))
        read = timed(lambda: client.get("/orders/portIns/897867"))
        month = timed(lambda: emu.advance(timedelta(days=30)))
        print(
            f"1000 orders, {path.stat().st_size:,} bytes: save {save:.3f}s, load {load:.3f}s, "
            f"embedded note {note:.3f}s, embedded GET {read:.3f}s, 30 virtual days {month:.3f}s"
        )


if __name__ == "__main__":
    main()
