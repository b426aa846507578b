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

import functools
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

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

_work: tuple[Sequence[Any], Callable[[Any], Any]] | None = None
"""The run's items and what to do with each, set just before the workers are forked (they
inherit both: only ranges of indexes go to them, only results come back)."""

_T = TypeVar("_T")
_R = TypeVar("_R")


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


def in_workers(items: Sequence[_T], function: Callable[[_T], _R]) -> list[_R] | None:
    """`function` of every item, in order, computed by worker processes; None where a pool
    would not pay or is unsafe, or when it failed (the caller then does the work itself).

    For work that needs more of a file than its facts (a plan's desired orders): `function`
    and the items reach the workers by the fork, and its results come back pickled."""
    workers = usable_cores()
    if len(items) < POOL_THRESHOLD or workers <= 1 or not _can_fork():
        return None
    try:
        return _map_in_pool(items, function, workers)
    except (OSError, BrokenProcessPool):
        return None


FORK_SAFE = sys.platform.startswith("linux")
"""Whether a forked child of this process may go on running Python (see the docstring)."""


def _can_fork() -> bool:
    return (
        FORK_SAFE
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def _in_pool(jobs: Sequence[FileJob], options: CheckOptions, workers: int) -> list[FileFacts]:
    return _map_in_pool(jobs, functools.partial(_facts_of, options=options), workers)


def _facts_of(job: FileJob, *, options: CheckOptions) -> FileFacts:
    return check_file(job, options).facts


def _map_in_pool(items: Sequence[_T], function: Callable[[_T], _R], workers: int) -> list[_R]:
    global _work
    size = -(-len(items) // (workers * CHUNKS_PER_WORKER))
    ranges = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _work = (items, function)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        parts = list(pool.map(_run_range, ranges))
    finally:
        # on Ctrl-C (or any failure) the ranges not started are dropped, not checked first
        pool.shutdown(wait=True, cancel_futures=True)
        _work = None
    return [result for part in parts for result in part]


def _run_range(bounds: tuple[int, int]) -> list[Any]:
    """In a worker: the results of the items `bounds` (start, stop) of the run."""
    assert _work is not None, "a worker is forked after the work is set"
    items, function = _work
    start, stop = bounds
    return [function(item) for item in items[start:stop]]
