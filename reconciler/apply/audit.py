"""`--audit-log FILE`: one JSON line per applied item, appended, for whoever asks "who did that".

Each line says when, who (`GITHUB_ACTOR`, else `GITLAB_USER_LOGIN`, else `USER`/`USERNAME`),
from which commit (`GITHUB_SHA`/`CI_COMMIT_SHA`, else `git rev-parse HEAD` when git and a
repository are there), which order, which action, its outcome and the API calls it made.
Lines carry no secret values: items are redacted already, messages scrubbed, and the line is
scrubbed once more before it is written. Each item has two lines, `"event": "started"` written
before it sends anything and `"event": "finished"` with its outcome, each flushed at once, so a
killed apply leaves a record of every item that may have reached the API.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from reconciler.apply.executor import Timed, utc_now
from reconciler.planning.items import PlanItem
from reconciler.redact import scrub

ACTOR_VARIABLES = ("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "USER", "USERNAME")
COMMIT_VARIABLES = ("GITHUB_SHA", "CI_COMMIT_SHA")


def actor_from(environ: Mapping[str, str]) -> str | None:
    """Who runs apply, from the CI or the login environment."""
    return next((environ[v] for v in ACTOR_VARIABLES if environ.get(v, "").strip()), None)


def commit_from(environ: Mapping[str, str], cwd: Path | None = None) -> str | None:
    """The git commit the specs come from: CI variables first, else `git rev-parse HEAD`."""
    for name in COMMIT_VARIABLES:
        if environ.get(name, "").strip():
            return environ[name].strip()
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 (fixed argv, no shell)
            [git, "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    sha = done.stdout.strip()
    return sha if done.returncode == 0 and sha else None


@dataclass(frozen=True)
class AuditIdentity:
    """Who and what commit; read once per run."""

    actor: str | None
    commit: str | None


def _target(item: PlanItem) -> str | None:
    """What in the order the item acts on: the note, the document or the groups."""
    return item.note or item.document or (", ".join(item.groups) or None)


class AuditLog:
    """Appends one JSON line per finished item to an open text stream."""

    def __init__(
        self,
        stream: IO[str],
        identity: AuditIdentity,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._stream = stream
        self._identity = identity
        self._clock = clock

    def started(self, index: int, total: int, item: PlanItem) -> None:
        """Write a `started` line before the item sends anything, and flush it: a run killed
        mid-item still leaves a record of every item that may have reached the API."""
        self._write(
            {
                "event": "started",
                "time": self._clock().isoformat(),
                **self._about(item, item.order_id, str(item.kind)),
            }
        )

    def finished(self, index: int, total: int, timed: Timed) -> None:
        """Write the item's outcome line and flush it."""
        self._write(self.line(timed))

    def _write(self, line: dict[str, Any]) -> None:
        self._stream.write(scrub(json.dumps(line, ensure_ascii=False)) + "\n")
        self._stream.flush()

    def line(self, timed: Timed) -> dict[str, Any]:
        """The JSON object of an item's outcome line."""
        result = timed.result
        item = result.item
        return {
            "event": "finished",
            "time": timed.finished.isoformat(),
            "startedAt": timed.started.isoformat(),
            **self._about(item, result.order_id, result.action),
            "outcome": str(result.outcome),
            "message": result.message,
            "apiCalls": [c.to_dict() for c in result.calls],
        }

    def _about(self, item: PlanItem, order_id: int | None, action: str) -> dict[str, Any]:
        """Who acts on which order, and how: the part both lines of an item share."""
        return {
            "actor": self._identity.actor,
            "commit": self._identity.commit,
            "order": {"name": item.name, "reference": item.reference, "id": order_id},
            "action": action,
            "target": _target(item),
        }
