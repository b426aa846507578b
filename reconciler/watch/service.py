"""Running a watcher: the store, the worker and notifier threads, and uvicorn in front.

uvicorn owns the main thread and its signals: SIGINT or SIGTERM stop accepting webhooks and
let requests in flight finish; then the worker finishes the order in hand (the rest stays
pending in the store) and the notifier its delivery in hand. `kill -9` loses nothing either:
an event is committed before its webhook is answered, and marked done only after its order was
handled.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from reconciler.watch.app import create_app
from reconciler.watch.metrics import Metrics
from reconciler.watch.notify import Notifier
from reconciler.watch.store import Store
from reconciler.watch.worker import Worker, WorkerSettings

log = logging.getLogger(__name__)
JOIN_SECONDS = 60.0
"""How long shutdown waits for the order (or delivery) in hand."""


@dataclass(frozen=True)
class ServiceSettings:
    """Where to listen and keep state, and who to tell."""

    host: str
    port: int
    state_dir: Path
    token: str
    targets: Mapping[str, str]


def _notifier_loop(notifier: Notifier, wake: threading.Event, stopping: threading.Event) -> None:
    """Deliver due notifications until stopped; sleep until the next one is due or woken."""
    import time

    while not stopping.is_set():
        try:
            notifier.deliver_due()
        except Exception:
            log.exception("notifier error; will try again")
        due = notifier.store.next_delivery_at()
        pause = 30.0 if due is None else min(30.0, max(0.05, due - time.time()))
        wake.wait(timeout=pause)
        wake.clear()


def _note_signal(signum: int, _: object) -> None:
    """Handler uvicorn re-raises SIGINT/SIGTERM into after its own shutdown."""
    log.info("received signal %d", signum)


def _say(line: str) -> None:
    """The start-up line on stderr (the listening address; never the token)."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def serve(
    settings: ServiceSettings,
    worker_settings: WorkerSettings,
    *,
    announce: Callable[[str], None] = _say,
) -> None:
    """Run until SIGINT/SIGTERM; then stop gracefully."""
    store = Store(settings.state_dir)
    metrics = Metrics()
    metrics.watch_pending(lambda: float(store.pending_count()))
    notifier = Notifier(store, settings.targets, metrics)
    notify_wake, notify_stop = threading.Event(), threading.Event()
    worker = Worker(store, metrics, worker_settings, notify_wake=notify_wake.set)
    worker_thread = threading.Thread(target=worker.run, name="watch-worker")
    notifier_thread = threading.Thread(
        target=_notifier_loop, args=(notifier, notify_wake, notify_stop), name="watch-notifier"
    )
    app = create_app(
        store=store,
        metrics=metrics,
        token=settings.token,
        wake=worker.wake.set,
        healthy=worker_thread.is_alive,
    )
    # IPPROTO_TCP named explicitly: asyncio sets TCP_NODELAY on accepted connections only when
    # the listening socket's proto says TCP, and with Nagle on every keep-alive webhook waited
    # ~40 ms for a delayed ACK (90 webhooks/s instead of ~1,000 in tests/bench/bench_watch.py).
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    host, port = sock.getsockname()[:2]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=10,
            server_header=False,
        )
    )
    worker_thread.start()
    notifier_thread.start()
    shown = f"[{host}]" if ":" in host else host
    announce(
        f"portctl watch: listening on http://{shown}:{port} (webhooks: POST /hooks/<token>, "
        f"state in {settings.state_dir}); Ctrl-C stops"
    )
    stop_signals = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}
    previous = {sig: signal.signal(sig, _note_signal) for sig in stop_signals}
    try:
        # uvicorn handles the signals while it runs, then re-raises them into the handlers
        # found before: `_note_signal` keeps that from killing the process before the
        # worker has finished its order.
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("stopping: finishing the order in hand; pending events stay in the store")
        worker.stop()
        worker_thread.join(timeout=JOIN_SECONDS)
        notify_stop.set()
        notify_wake.set()
        notifier_thread.join(timeout=JOIN_SECONDS)
        notifier.close()
        store.close()
        sock.close()
        log.info("stopped")
