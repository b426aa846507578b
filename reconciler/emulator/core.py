"""`Emulator`: the single request handler of the fake Sinch Porting API.

`handle(httpx.Request) -> httpx.Response` serves the API under `/v1/projects/{projectId}`,
the token endpoint `/oauth2/token` and the control routes `/_emulator/...`. It is hosted
in-process (`transport()` gives an `httpx.MockTransport`), by `server.make_server` on a port,
and by `embedded.EmbeddedTransport` over a state file. Everything, including the virtual clock,
issued tokens, pending faults and the request log, round-trips through `to_dict`/`from_dict`.
The carrier simulation is described in `reconciler.emulator.world`.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx

from reconciler.emulator import routes
from reconciler.emulator.auth import Tokens
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.control import handle_control
from reconciler.emulator.errors import ErrorAnswer, FieldViolation, error_response
from reconciler.emulator.faults import ConnectionDropped, Fault
from reconciler.emulator.variants import check, is_default
from reconciler.emulator.webhooks import post_webhook
from reconciler.emulator.world import World, iso

log = logging.getLogger(__name__)
FORMAT_VERSION = 1
API_PREFIX = "/v1/projects/"
TOKEN_PATH = "/oauth2/token"  # noqa: S105 - a path, not a password
CONTROL_PREFIX = "/_emulator/"
LATENCY_EXTENSION = "emulator_latency_ms"
SECRET_FIELDS = ("existingPortOutPin", "accountNum")

WebhookSender = Callable[[str, dict[str, Any]], None]


def real_now() -> datetime:
    """The machine's current UTC time at second precision (a new world starts here)."""
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class RequestRecord:
    """One API or token request as the emulator saw it (no bodies: they may hold secrets)."""

    time: str
    method: str
    path: str
    status: int | None
    outcome: str
    latency_ms: int = 0


class Emulator:
    """A stateful, deterministic Sinch Porting API on a virtual clock."""

    def __init__(
        self,
        *,
        now: datetime | None = None,
        project_id: str = "demo",
        config: EmulatorConfig | None = None,
        seed: int = 0,
        webhook_sender: WebhookSender | None = None,
    ) -> None:
        start = now if now is not None else real_now()
        if start.tzinfo is None:
            raise ValueError("the emulator clock needs an aware datetime")
        self.project_id = project_id
        self.seed = seed
        self.config = config or EmulatorConfig()
        self.world = World(now=start.astimezone(UTC), seed=seed, config=self.config)
        self.tokens = Tokens(seed=seed)
        self.faults: list[Fault] = []
        self.request_log: list[RequestRecord] = []
        self.webhook_sender: WebhookSender = (
            self._default_sender if webhook_sender is None else webhook_sender
        )
        self.defer_webhooks = False
        """Hosts that hold a lock while handling set this and call `deliver_webhooks` after."""

    # ----------------------------------------------------------------- clock and control

    @property
    def now(self) -> datetime:
        """The virtual clock (aware, UTC)."""
        return self.world.now

    @property
    def revision(self) -> int:
        """Grows on every change that must be persisted."""
        return self.world.revision

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward, running the carrier simulation."""
        self.world.advance(delta)
        self._flush()

    def set_clock(self, moment: datetime) -> None:
        """Set the clock to an aware datetime (forward runs the simulation)."""
        self.world.set_clock(moment)
        self._flush()

    def confirm_group(
        self, order_id: str | int, group: str, foc_date: str | None = None
    ) -> dict[str, Any]:
        """Have the losing carrier confirm a group now (`focDate` YYYY-MM-DD optional)."""
        order = self.world.confirm_group(str(order_id), group, foc_date)
        self._flush()
        return order

    def reject_group(self, order_id: str | int, group: str, reason: str) -> dict[str, Any]:
        """Have the losing carrier reject a group now."""
        order = self.world.reject_group(str(order_id), group, reason)
        self._flush()
        return order

    def exclude_number(self, order_id: str | int, number: str, reason: str) -> dict[str, Any]:
        """Drop one number from its order now (EXCLUDED with `exclusionReason`)."""
        order = self.world.exclude_number(str(order_id), number, reason)
        self._flush()
        return order

    def mark_nonportable(self, numbers: list[str]) -> None:
        """Portability checks (and creates) treat these numbers as not portable."""
        self.world.mark_nonportable(numbers)

    def set_variants(self, chosen: Mapping[str, str]) -> None:
        """Switch readings of the API (`reconciler.emulator.variants`); a default value clears
        the variant. Checked first: `VariantError` names the accepted values."""
        merged = dict(self.config.variants)
        for name, value in chosen.items():
            merged[name] = check(name, value)
            if is_default(name, merged[name]):
                del merged[name]
        self.config = replace(self.config, variants=merged)
        self.world.config = self.config
        self.world.touch()

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault rule (checked in order of addition)."""
        self.faults.append(fault)
        self.world.touch()

    def clear_faults(self) -> None:
        """Drop every pending fault rule."""
        self.faults.clear()
        self.world.touch()

    def reset(self) -> None:
        """An empty world with the clock at the real current time; config and seed kept."""
        revision = self.world.revision
        self.world = World(now=real_now(), seed=self.seed, config=self.config)
        self.world.revision = revision + 1
        self.tokens = Tokens(seed=self.seed)
        self.faults.clear()
        self.request_log.clear()

    # ----------------------------------------------------------------- hosting

    def transport(self) -> httpx.MockTransport:
        """An in-process transport for `httpx.Client(transport=...)`."""
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one request (API, token endpoint or control route).

        Raises `ConnectionDropped` (an `httpx.RemoteProtocolError`) after fully processing a
        request hit by a `drop-after-commit` fault.
        """
        path = request.url.path
        if path.startswith(CONTROL_PREFIX):
            response = self._answer(lambda: handle_control(self, request))
            self._flush()
            return response
        relative = self._relative(path)
        fault = self._take_fault(request.method, relative)
        latency = fault.latency_ms if fault is not None else 0
        if fault is not None and fault.mode == "status" and fault.status is not None:
            response = self._fault_response(fault)
            self._log(request, response.status_code, "fault", latency)
            return self._with_latency(response, latency)
        response = self._answer(lambda: self._serve(request, path))
        self._flush()
        if fault is not None and fault.mode == "drop-after-commit":
            self._log(request, None, "dropped", latency)
            raise ConnectionDropped(
                "Server disconnected without sending a response (emulator drop-after-commit)",
                request=request,
            )
        self._log(request, response.status_code, "ok" if response.is_success else "error", latency)
        return self._with_latency(response, latency)

    def _default_sender(self, url: str, payload: dict[str, Any]) -> None:
        post_webhook(url, payload, loopback_only=self.config.webhooks_loopback_only)

    def take_webhooks(self) -> list[tuple[str, dict[str, Any]]]:
        """Remove and return the queued webhooks (hosts send them after releasing locks)."""
        outbox, self.world.outbox = self.world.outbox, []
        return outbox

    def deliver_webhooks(self) -> None:
        """Send every queued webhook now."""
        self.send_webhooks(self.take_webhooks())

    def send_webhooks(self, outbox: list[tuple[str, dict[str, Any]]]) -> None:
        """Send webhooks through `webhook_sender` (never raises)."""
        for url, payload in outbox:
            try:
                self.webhook_sender(url, payload)
            except Exception:  # best effort by contract: a sender bug must not fail the API
                log.warning("webhook sender failed for %s", payload.get("type"), exc_info=True)

    # ----------------------------------------------------------------- internals

    def _flush(self) -> None:
        if not self.defer_webhooks:
            self.deliver_webhooks()

    @staticmethod
    def _relative(path: str) -> str:
        if path.startswith(API_PREFIX):
            rest = path[len(API_PREFIX) :]
            _, _, tail = rest.partition("/")
            return "/" + tail
        return path

    def _take_fault(self, method: str, relative: str) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, relative):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                self.world.touch()
                return fault
        return None

    @staticmethod
    def _fault_response(fault: Fault) -> httpx.Response:
        status = fault.status or 500
        headers = {} if fault.retry_after is None else {"Retry-After": fault.retry_after}
        # A documented 422 always names a field; an injected one must look the same.
        violations = [FieldViolation("body", "Injected fault")] if status == 422 else None
        return error_response(ErrorAnswer(status, "Injected fault", violations, headers))

    def _with_latency(self, response: httpx.Response, latency: int) -> httpx.Response:
        # Like any HTTP server the emulator says what time it is; its clock is the virtual one,
        # so clients can tell "today" in the emulated world (FOC and port-date notices).
        response.headers["Date"] = format_datetime(self.now.astimezone(UTC), usegmt=True)
        if latency:
            response.extensions[LATENCY_EXTENSION] = latency
        return response

    def _log(self, request: httpx.Request, status: int | None, outcome: str, latency: int) -> None:
        self.request_log.append(
            RequestRecord(iso(self.now), request.method, request.url.path, status, outcome, latency)
        )
        del self.request_log[: -self.config.request_log_limit]

    def _answer(self, run: Callable[[], tuple[int, Any]]) -> httpx.Response:
        try:
            status, payload = run()
        except ErrorAnswer as exc:
            return error_response(exc)
        except Exception:  # a handler bug answers 500, like a real server would
            log.exception("emulator handler failed")
            return error_response(ErrorAnswer(500, "Internal error in the emulator"))
        if payload is None:
            return httpx.Response(status)
        return httpx.Response(
            status,
            content=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )

    def _serve(self, request: httpx.Request, path: str) -> tuple[int, Any]:
        if path == TOKEN_PATH:
            if request.method != "POST":
                raise ErrorAnswer(405, "use POST", headers={"Allow": "POST"})
            response = self.tokens.issue(request, now=self.now, config=self.config)
            self.world.touch()
            return response.status_code, response.json()
        if not path.startswith(API_PREFIX):
            raise ErrorAnswer(404, f"No such resource: {path}")
        project, _, tail = path[len(API_PREFIX) :].partition("/")
        identity = self.tokens.check(request, now=self.now, config=self.config)
        if project != self.project_id:
            raise ErrorAnswer(
                401, "wrong project", headers={"WWW-Authenticate": 'Bearer realm="sinch"'}
            )
        call = routes.Call(
            method=request.method,
            path="/" + tail,
            params=request.url.params,
            content=request.content,
            identity=identity,
        )
        return routes.dispatch(self.world, call)

    # ----------------------------------------------------------------- persistence

    def to_dict(self, *, redact: bool = False) -> dict[str, Any]:
        """The whole state, JSON-safe; `redact=True` masks port-out PINs and account numbers."""
        world = self.world.to_dict()
        if redact:
            world = copy.deepcopy(world)
            for rec in world["orders"]:
                for number in rec["order"]["phoneNumbers"]:
                    info = number.get("portOutInfo", {})
                    for key in SECRET_FIELDS:
                        if key in info:
                            info[key] = "***"
                    if "newPortOutPin" in number:
                        number["newPortOutPin"] = "***"
        return {
            "formatVersion": FORMAT_VERSION,
            "projectId": self.project_id,
            "seed": self.seed,
            "now": iso(self.now),
            "config": self.config.to_dict(),
            "world": world,
            "tokens": self.tokens.to_dict(),
            "faults": [f.to_wire() for f in self.faults],
            "requestLog": [asdict(r) for r in self.request_log],
        }

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, webhook_sender: WebhookSender | None = None
    ) -> Emulator:
        """Rebuild an emulator saved with `to_dict()` (unredacted)."""
        if data.get("formatVersion") != FORMAT_VERSION:
            raise ValueError(f"unsupported emulator state format {data.get('formatVersion')!r}")
        emu = cls(
            now=datetime.fromisoformat(data["now"].replace("Z", "+00:00")),
            project_id=data["projectId"],
            config=EmulatorConfig.from_dict(data.get("config", {})),
            seed=int(data["seed"]),
            webhook_sender=webhook_sender,
        )
        emu.world.load(data["world"])
        emu.tokens.load(data.get("tokens", {}))
        emu.faults = [Fault.from_wire(f) for f in data.get("faults", [])]
        emu.request_log = [RequestRecord(**r) for r in data.get("requestLog", [])]
        return emu
