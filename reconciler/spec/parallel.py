"""Check the files of a large run on every core the process may use (issue 12).

Checking a file (`reconciler.spec.facts.check_file`) depends on nothing but the file, so the
files of a run split into ranges that worker processes check independently; the facts come
back in the files' order, whatever order the workers finish in, so the issues, their messages
and positions are those of a serial run. The workers are forked: they start with every module
already imported and the files already read (no file bytes are sent to them, only the facts
come back), which costs a few milliseconds where starting a fresh interpreter costs most of a
second. The files are checked here, one after the other, below `POOL_THRESHOLD` files, where
the process may run on one core only (its affinity, e.g. `taskset -c 0`; a container's CPU
quota is not seen, and there the workers share the quota), and where forking is not safe: on
Linux only (macOS' system libraries may crash in a forked child, which is why Python stopped
forking there by default), and not while another thread runs, whose locks a child could
inherit held. A pool that fails (a worker killed for memory) costs the time, never a result:
the files are then checked here.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from reconciler.spec.facts import CheckOptions, FileFacts, FileJob, check_file

POOL_THRESHOLD = 400
"""Fewest files worth a pool. Measured on an idle 2-core machine (typical specs of 20 numbers,
about 0.25 ms each): the pool breaks even at about 100 files and takes a quarter off at 400
(0.10 s -> 0.075 s) and a third at 800; its workers cost some CPU of their own (collecting
their facts, warming their caches), which a busy machine pays for without the gain, so small
runs, which are fast anyway, stay serial."""
CHUNKS_PER_WORKER = 16
"""Ranges per worker, so that a worker that drew the large files does not finish last alone,
and Ctrl-C waits for a few small ranges at most (the ones already handed out): 0.2 s at
10,000 files, where 4 ranges per worker made it 0.9 s."""

_work: tuple[Sequence[FileJob], CheckOptions] | None = None
"""The run's files, set just before the workers are forked (they inherit it)."""


def usable_cores() -> int:
    """The cores this process may run on (its affinity mask, e.g. under `taskset`)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def check_files(jobs: Sequence[FileJob], options: CheckOptions) -> list[FileFacts]:
    """The facts of every file of `jobs`, in order (see the module docstring for where)."""
    workers = usable_cores()
    if len(jobs) >= POOL_THRESHOLD and workers > 1 and _can_fork():
        try:
            return _in_pool(jobs, options, workers)
        except (OSError, BrokenProcessPool):
            pass  # checked here instead
    return [check_file(job, options).facts for job in jobs]


FORK_SAFE = sys.platform.startswith("linux")
"""Whether a forked child of this process may go on running Python (see the docstring)."""


def _can_fork() -> bool:
    return (
        FORK_SAFE
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def _in_pool(jobs: Sequence[FileJob], options: CheckOptions, workers: int) -> list[FileFacts]:
    global _work
    size = -(-len(jobs) // (workers * CHUNKS_PER_WORKER))
    ranges = [(start, min(start + size, len(jobs))) for start in range(0, len(jobs), size)]
    _work = (jobs, options)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        parts = list(pool.map(_check_range, ranges))
    finally:
        # on Ctrl-C (or any failure) the ranges not started are dropped, not checked first
        pool.shutdown(wait=True, cancel_futures=True)
        _work = None
    return [facts for part in parts for facts in part]


def _check_range(bounds: tuple[int, int]) -> list[FileFacts]:
    """In a worker: the facts of the files `bounds` (start, stop) of the run."""
    assert _work is not None, "a worker is forked after the work is set"
    jobs, options = _work
    start, stop = bounds
    return [check_file(job, options).facts for job in jobs[start:stop]]
