"""The watcher's durable state: one SQLite file (`watch.db`) in `--state`, in WAL mode.

SQLite because it is in the standard library, survives `kill -9` (a committed transaction is
on disk: `synchronous=FULL`) and lets `portctl watch --status` read while the watcher writes
(WAL: readers never block the writer). Four tables:

* `events`: every webhook accepted (and every order a resync queued), committed before the
  webhook is answered; `done_at` is set once the order was processed after it. Only the type
  and the order id are kept: a webhook's body may carry port-out data, and the worker re-reads
  the order anyway (a webhook is only a hint).
* `actions`: what the watcher did (activations), for `--status` and the tests.
* `notifications`: one row per (notification, target), keyed by the notification's dedup key
  (order, event kind, content); a row stays until delivered, and one that keeps failing stays
  `failed`, shown by `--status`: never dropped silently.
* `meta`: small facts (the last resync).

One connection shared by the threads of one process, under a lock (SQLite serialises writers
anyway); each method is one transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DB_NAME = "watch.db"

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received REAL NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    order_id INTEGER NOT NULL,
    done_at REAL
);
CREATE INDEX IF NOT EXISTS events_pending ON events (done_at, order_id);
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    order_id INTEGER NOT NULL,
    reference TEXT NOT NULL,
    action TEXT NOT NULL,
    groups TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
    key TEXT NOT NULL,
    target TEXT NOT NULL,
    created REAL NOT NULL,
    order_id INTEGER,
    reference TEXT NOT NULL,
    event TEXT NOT NULL,
    message TEXT NOT NULL,
    link TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at REAL,
    PRIMARY KEY (key, target)
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
LOGGED = "logged"
"""State of a notification no target is configured for: written to the log and kept here."""
FOLDED = "folded"
"""State of a notification sent as part of another (a carrier's note inside its rejection)."""


@dataclass(frozen=True)
class Delivery:
    """One notification due for one target."""

    key: str
    target: str
    order_id: int | None
    reference: str
    event: str
    message: str
    link: str
    attempts: int


class Store:
    """The state database of one watcher (`--state DIR`)."""

    def __init__(self, directory: Path, *, create: bool = True) -> None:
        self.path = directory / DB_NAME
        if create:
            directory.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise FileNotFoundError(f"no watcher state in {directory} ({DB_NAME} is missing)")
        self._lock = threading.Lock()
        self._db = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=10.0
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        if create:
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed on leaving (rolled back on an error)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- events ------------------------------------------------------------------------------

    def record_event(self, kind: str, order_id: int, *, source: str = "webhook") -> int:
        """Store one event durably (committed when this returns); its id."""
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO events (received, source, kind, order_id) VALUES (?, ?, ?, ?)",
                (time.time(), source, kind, order_id),
            )
        return int(cursor.lastrowid or 0)

    def enqueue(self, order_ids: Iterable[int], *, source: str) -> int:
        """Queue orders to look at (a resync), in one transaction; how many."""
        now = time.time()
        rows = [(now, source, source.upper(), i) for i in order_ids]
        with self._tx() as db:
            db.executemany(
                "INSERT INTO events (received, source, kind, order_id) VALUES (?, ?, ?, ?)", rows
            )
        return len(rows)

    def newest_pending(self) -> float | None:
        """When the newest unprocessed event arrived (epoch seconds), if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT MAX(received) FROM events WHERE done_at IS NULL"
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def oldest_pending(self) -> float | None:
        """When the oldest unprocessed event arrived (epoch seconds), if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(received) FROM events WHERE done_at IS NULL"
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def pending_count(self) -> int:
        """Events not processed yet."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM events WHERE done_at IS NULL").fetchone()
        return int(row[0])

    def pending_orders(self, limit: int) -> list[tuple[int, int]]:
        """Up to `limit` orders with unprocessed events, oldest first: (order id, newest
        event id). All events of an order are handled by one look at it (coalescing)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT order_id, MAX(id) FROM events WHERE done_at IS NULL "
                "GROUP BY order_id ORDER BY MIN(id) LIMIT ?",
                (limit,),
            ).fetchall()
        return [(int(order_id), int(upto)) for order_id, upto in rows]

    def finish(self, order_id: int, upto: int) -> None:
        """Mark the order's events up to `upto` processed (later ones stay pending)."""
        with self._tx() as db:
            db.execute(
                "UPDATE events SET done_at = ? WHERE order_id = ? AND id <= ? AND done_at IS NULL",
                (time.time(), order_id, upto),
            )

    def forget_done(self, older_than: float) -> None:
        """Delete processed events older than `older_than` (epoch seconds)."""
        with self._tx() as db:
            db.execute(
                "DELETE FROM events WHERE done_at IS NOT NULL AND done_at < ?", (older_than,)
            )

    # -- actions -----------------------------------------------------------------------------

    def record_action(
        self,
        *,
        order_id: int,
        reference: str,
        action: str,
        groups: Iterable[str],
        outcome: str,
        message: str,
    ) -> None:
        """Remember one action and how it ended."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO actions (at, order_id, reference, action, groups, outcome, message) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.time(), order_id, reference, action, ",".join(groups), outcome, message),
            )

    # -- notifications -----------------------------------------------------------------------

    def add_notification(
        self,
        *,
        key: str,
        targets: Iterable[str],
        order_id: int | None,
        reference: str,
        event: str,
        message: str,
        link: str,
    ) -> bool:
        """Queue a notification for each target, unless its key was seen before (dedup);
        without targets it is kept as `logged`. True when it is new."""
        now = time.time()
        names = list(targets)
        with self._tx() as db:
            if db.execute("SELECT 1 FROM notifications WHERE key = ?", (key,)).fetchone():
                return False
            rows = [(t, PENDING) for t in names] or [("log", LOGGED)]
            db.executemany(
                "INSERT INTO notifications (key, target, created, order_id, reference, event, "
                "message, link, state, next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (key, target, now, order_id, reference, event, message, link, state, now)
                    for target, state in rows
                ],
            )
        return True

    def seen(self, key: str) -> bool:
        """Whether a notification with this dedup key was queued (or folded into another)."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM notifications WHERE key = ?", (key,)).fetchone()
        return row is not None

    def mark_folded(self, keys: Iterable[str], *, into: str) -> None:
        """Remember notifications whose text went out inside another one (`into`'s key), so
        that they are not sent again on their own."""
        now = time.time()
        with self._tx() as db:
            db.executemany(
                "INSERT OR IGNORE INTO notifications (key, target, created, reference, event, "
                "message, link, state, next_at) VALUES (?, ?, ?, '', '', ?, '', ?, ?)",
                [(key, "folded", now, f"folded into {into}", FOLDED, now) for key in keys],
            )

    def due_deliveries(self, now: float, limit: int = 50) -> list[Delivery]:
        """Pending deliveries whose next attempt is due."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, target, order_id, reference, event, message, link, attempts "
                "FROM notifications WHERE state = ? AND next_at <= ? ORDER BY created LIMIT ?",
                (PENDING, now, limit),
            ).fetchall()
        return [Delivery(*row) for row in rows]

    def next_delivery_at(self) -> float | None:
        """When the next pending delivery is due (epoch seconds), if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT MIN(next_at) FROM notifications WHERE state = ?", (PENDING,)
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def delivered(self, key: str, target: str) -> None:
        """The target accepted the notification."""
        with self._tx() as db:
            db.execute(
                "UPDATE notifications SET state = ?, sent_at = ?, attempts = attempts + 1, "
                "last_error = '' WHERE key = ? AND target = ?",
                (SENT, time.time(), key, target),
            )

    def attempt_failed(self, key: str, target: str, error: str, *, retry_at: float | None) -> None:
        """A delivery failed: retry at `retry_at`, or (None) give up and keep it `failed`."""
        state, next_at = (PENDING, retry_at) if retry_at is not None else (FAILED, 0.0)
        with self._tx() as db:
            db.execute(
                "UPDATE notifications SET state = ?, next_at = ?, attempts = attempts + 1, "
                "last_error = ? WHERE key = ? AND target = ?",
                (state, next_at, error, key, target),
            )

    # -- meta and status ---------------------------------------------------------------------

    def set_meta(self, name: str, value: str) -> None:
        """Store a fact."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    def snapshot(self, *, recent: int = 20) -> dict[str, Any]:
        """What `portctl watch --status` shows: counts, the notifications not delivered
        (pending or failed, with their last error), the latest actions and notifications."""
        with self._lock:
            db = self._db
            events = dict(
                db.execute(
                    "SELECT CASE WHEN done_at IS NULL THEN 'pending' ELSE 'done' END, COUNT(*) "
                    "FROM events GROUP BY 1"
                ).fetchall()
            )
            webhooks = db.execute(
                "SELECT COUNT(*) FROM events WHERE source = 'webhook'"
            ).fetchone()[0]
            states = dict(
                db.execute("SELECT state, COUNT(*) FROM notifications GROUP BY state").fetchall()
            )
            undelivered = db.execute(
                "SELECT created, target, order_id, reference, event, message, state, attempts, "
                "last_error FROM notifications WHERE state IN (?, ?) ORDER BY created",
                (PENDING, FAILED),
            ).fetchall()
            latest = db.execute(
                "SELECT created, target, order_id, reference, event, message, state, attempts, "
                "last_error FROM notifications ORDER BY created DESC, target LIMIT ?",
                (recent,),
            ).fetchall()
            actions = db.execute(
                "SELECT at, order_id, reference, action, groups, outcome, message FROM actions "
                "ORDER BY id DESC LIMIT ?",
                (recent,),
            ).fetchall()
            meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        note_keys = (
            "created",
            "target",
            "orderId",
            "reference",
            "event",
            "message",
            "state",
            "attempts",
            "lastError",
        )
        action_keys = ("at", "orderId", "reference", "action", "groups", "outcome", "message")
        return {
            "events": {
                "pending": events.get("pending", 0),
                "done": events.get("done", 0),
                "webhooks": webhooks,
            },
            "notifications": {k: states.get(k, 0) for k in (PENDING, SENT, FAILED, LOGGED)},
            "undelivered": [dict(zip(note_keys, row, strict=True)) for row in undelivered],
            "latestNotifications": [dict(zip(note_keys, row, strict=True)) for row in latest],
            "latestActions": [dict(zip(action_keys, row, strict=True)) for row in actions],
            "lastResync": meta.get("last_resync"),
        }
