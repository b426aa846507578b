"""`EmbeddedTransport`: the emulator inside the CLI process, its world kept in a state file.

This is what `--emulator` plugs into the API client (docs/design.md#cli): each request takes the
file lock, loads the state (reused from memory when the file did not change), is handled, and the
state is saved atomically when anything changed. Separate CLI runs, `portctl emulator` control
commands with `--state` and a served emulator on the same file therefore see one world. Which
file is the caller's choice (`reconciler.connect.emulator_state_path` for the CLI).
"""

from __future__ import annotations

from pathlib import Path

import httpx

from reconciler.emulator.core import WebhookSender
from reconciler.emulator.faults import ConnectionDropped
from reconciler.emulator.store import StateFile, file_lock


class EmbeddedTransport(httpx.BaseTransport):
    """An httpx transport answering from the emulator persisted at `state_path`."""

    def __init__(
        self,
        state_path: Path,
        *,
        project_id: str = "demo",
        webhook_sender: WebhookSender | None = None,
    ) -> None:
        self.state = StateFile(state_path, project_id=project_id, webhook_sender=webhook_sender)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Lock, load, handle, save if changed, unlock; then deliver webhooks."""
        request.read()
        dropped: ConnectionDropped | None = None
        response: httpx.Response | None = None
        with file_lock(self.state.path):
            emu = self.state.current()
            emu.defer_webhooks = True
            try:
                response = emu.handle(request)
            except ConnectionDropped as exc:
                dropped = exc
            self.state.commit()
            outbox = emu.take_webhooks()
        emu.send_webhooks(outbox)
        if dropped is not None or response is None:
            raise dropped or ConnectionDropped("no response", request=request)
        return response
