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
import signal
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

_work: dict[int, tuple[Sequence[Any], Any]] = {}
"""Each pool's items and what every task of it shares, by pool, set just before its workers
are forked (they inherit it: only the tasks' ranges go to them, only results come back)."""

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
    facts = in_workers(jobs, options, _facts_of)
    return facts if facts is not None else [check_file(job, options).facts for job in jobs]


def in_workers(
    items: Sequence[_T], shared: Any, function: Callable[[_T, Any], _R]
) -> list[_R] | None:
    """`function(item, shared)` of every item, in order, computed by worker processes; None
    where a pool would not pay or is unsafe, or when it failed (the caller then does the work
    itself). For work that needs more of a file than its facts (a plan's desired orders)."""
    workers = Workers.start(items, shared)
    if workers is None:
        return None
    try:
        return workers.map(function)
    except (OSError, BrokenProcessPool):
        return None
    finally:
        workers.close()


class Workers:
    """Worker processes forked once for `items`, for one map after another (a plan checks its
    files, then, once they passed, builds its orders while it reads the API: the second map
    forks nothing, so it may run while other threads do).

    Each map's `function(item, shared)` must be picklable (a module's function, or a
    `functools.partial` of one with small arguments): it goes to the workers with every
    range; `items` and `shared` reach them by the fork only."""

    def __init__(self, items: Sequence[Any], shared: Any, count: int) -> None:
        self._key = id(self)
        self._size = len(items)
        self._count = count
        _work[self._key] = (items, shared)
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(
            max_workers=count, mp_context=context, initializer=_ignore_interrupts
        )

    @classmethod
    def start(cls, items: Sequence[Any], shared: Any) -> Workers | None:
        """Workers for `items`, or None where a pool would not pay or is unsafe."""
        count = usable_cores()
        if len(items) < POOL_THRESHOLD or count <= 1 or not _can_fork():
            return None
        return cls(items, shared, count)

    def map(self, function: Callable[[Any, Any], _R], *, background: bool = False) -> list[_R]:
        """`function(item, shared)` of every item, in order (raises `BrokenProcessPool` when
        a worker died). `background`: the workers yield the cores to this process from then
        on (`BACKGROUND_NICENESS`), for work done while it does more urgent work."""
        size = -(-self._size // (self._count * CHUNKS_PER_WORKER))
        tasks = [
            (function, self._key, start, min(start + size, self._size), background)
            for start in range(0, self._size, size)
        ]
        return [result for part in self._pool.map(_run_range, tasks) for result in part]

    def close(self) -> None:
        """Stop the workers; on Ctrl-C (or any failure) the ranges not started are dropped,
        not checked first."""
        try:
            self._pool.shutdown(wait=True, cancel_futures=True)
        finally:
            _work.pop(self._key, None)


FORK_SAFE = sys.platform.startswith("linux")
"""Whether a forked child of this process may go on running Python (see the docstring)."""


def _can_fork() -> bool:
    return (
        FORK_SAFE
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def _ignore_interrupts() -> None:
    """In a worker: leave Ctrl-C to the parent. A terminal sends SIGINT to every process of
    the group, and a worker interrupted while it waits for work printed a traceback; the
    parent stops the workers (`Workers.close`) and exits 130 as usual."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _facts_of(job: FileJob, options: CheckOptions) -> FileFacts:
    return check_file(job, options).facts


BACKGROUND_NICENESS = 10
"""How much lower the priority of workers doing background work is (a plan's bodies, built
while it reads the API: its reads wait on the network, but each answer must be taken and
parsed as soon as it comes, and the bodies have seconds to spare)."""


def _run_range(task: tuple[Callable[[Any, Any], _R], int, int, int, bool]) -> list[_R]:
    """In a worker: `function` of the items `start:stop` of its pool."""
    function, key, start, stop, background = task
    if background and os.getpriority(os.PRIO_PROCESS, 0) < BACKGROUND_NICENESS:
        os.setpriority(os.PRIO_PROCESS, 0, BACKGROUND_NICENESS)
    items, shared = _work[key]
    return [function(item, shared) for item in items[start:stop]]
