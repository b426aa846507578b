"""`portctl watch --status` output: the watcher's state database, as text or JSON.

The document is `Store.snapshot()`: event counts, notifications by state, every notification
not delivered (pending retries and failures, with the last error), and the latest actions and
notifications. Times are epoch seconds in the store; they are shown as UTC ISO-8601 here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

FORMAT_VERSION = 1


def _when(epoch: Any) -> str:
    return datetime.fromtimestamp(float(epoch), UTC).isoformat(timespec="seconds")


def _timed(rows: Any, key: str) -> list[dict[str, Any]]:
    return [{**row, key: _when(row[key])} for row in rows]


def render_watch_json(snapshot: Mapping[str, Any]) -> str:
    """The snapshot as one JSON document (`formatVersion` 1)."""
    data = {
        "formatVersion": FORMAT_VERSION,
        **snapshot,
        "undelivered": _timed(snapshot["undelivered"], "created"),
        "latestNotifications": _timed(snapshot["latestNotifications"], "created"),
        "latestActions": _timed(snapshot["latestActions"], "at"),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_watch_text(snapshot: Mapping[str, Any]) -> str:
    """A few lines for a person: counts first, then what was not delivered and why."""
    events, notes = snapshot["events"], snapshot["notifications"]
    lines = [
        f"Events: {events['pending']} pending, {events['done']} processed "
        f"(last resync: {snapshot['lastResync'] or 'never'})",
        "Notifications: " + ", ".join(f"{count} {state}" for state, count in notes.items()),
    ]
    undelivered = snapshot["undelivered"]
    if undelivered:
        lines.append("")
        lines.append("Not delivered:")
        for row in undelivered:
            error = f"; last error: {row['lastError']}" if row["lastError"] else ""
            lines.append(
                f"  {_when(row['created'])} {row['state']} to {row['target']} after "
                f"{row['attempts']} attempt(s): order {row['orderId']} ({row['reference']}) "
                f"{row['event']}{error}"
            )
            lines.append(f"    {row['message']}")
    actions = snapshot["latestActions"]
    if actions:
        lines.append("")
        lines.append("Latest actions:")
        for row in actions:
            lines.append(
                f"  {_when(row['at'])} {row['action']} {row['groups']} of order "
                f"{row['orderId']} ({row['reference']}): {row['outcome']}"
            )
    return "\n".join(lines) + "\n"
