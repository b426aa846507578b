"""A served emulator, a `portctl watch` process and a loopback notification receiver.

The emulator (`portctl emulator serve`) sends its webhooks to the watcher because its project
configuration's `webhookUrl` points at `/hooks/<token>`, as a user would configure Sinch; the
watcher's generic notification webhook (`PORTCTL_NOTIFY_URL`) points at `Receiver`, a stdlib
HTTP server in the test process that keeps every body it gets.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from reconciler.watch.store import Store
from tests.apply.conftest import ENV, PIN, write_settings
from tests.e2e.test_lifecycle import Lifecycle
from tests.served import PORTCTL, served_emulator

TOKEN = "e2e-watch-token-0123456789abcdef"


class Receiver:
    """A loopback HTTP server that records every JSON body POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length))
                with receiver.lock:
                    receiver.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"

    def received(self) -> list[dict[str, Any]]:
        """The bodies so far."""
        with self.lock:
            return list(self.bodies)

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def wait_for(what: str, check: Callable[[], Any], timeout: float = 40.0) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@dataclass
class Watcher:
    """One `portctl watch` process."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def hook_url(self) -> str:
        return f"{self.url}/hooks/{TOKEN}"

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace")

    def rss_kib(self) -> int:
        """Resident memory of the process (Linux `/proc`)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text("utf-8")
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        assert match, status
        return int(match.group(1))


@dataclass
class WatchWorld:
    """The emulator (`life`), a receiver, and the watchers started in the test."""

    life: Lifecycle
    receiver: Receiver
    state: Path
    watchers: list[Watcher] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SINCH_PORTING_URL": self.life.url,
            "SINCH_PROJECT_ID": "demo",
            "SINCH_ACCESS_TOKEN": "x",
            "PORTCTL_WATCH_TOKEN": TOKEN,
            "PORTCTL_NOTIFY_URL": self.receiver.url,
            "NO_COLOR": "1",
        }

    def start(self, *, resync: str = "1h") -> Watcher:
        """`portctl watch specs ...` on a free port; returns once it listens."""
        log = self.state.parent / f"watch-{len(self.watchers)}.log"
        with log.open("wb") as sink:
            process = self._spawn(sink, resync)

        def listening() -> str | None:
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", log.read_text("utf-8"))
            if found is None and process.poll() is not None:
                raise AssertionError(f"watch exited: {log.read_text('utf-8')}")
            return found.group(1) if found else None

        watcher = Watcher(process, wait_for("the watcher to listen", listening), log)
        self.watchers.append(watcher)
        return watcher

    def _spawn(self, sink: Any, resync: str = "1h") -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                PORTCTL,
                "watch",
                str(self.life.specs),
                "--env-file",
                str(self.life.root / "apply.env"),
                "--listen",
                "127.0.0.1:0",
                "--state",
                str(self.state),
                "--resync",
                resync,
                "--log-format",
                "json",
            ],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            stdin=subprocess.DEVNULL,
            env=self.env(),
        )

    def point_webhooks_at(self, watcher: Watcher) -> None:
        """The project configuration's webhookUrl, as set in Sinch (POST, then PUT)."""
        url = f"{self.life.url}/v1/projects/demo/configuration"
        headers = {"Authorization": "Bearer x"}
        body = {"webhookUrl": watcher.hook_url}
        answer = httpx.post(url, json=body, headers=headers, timeout=10)
        if answer.status_code == 409:
            answer = httpx.put(url, json=body, headers=headers, timeout=10)
        answer.raise_for_status()

    def status(self) -> dict[str, Any]:
        """The state database as `portctl watch --status` shows it (read in-process: polled)."""
        store = Store(self.state, create=False)
        try:
            return store.snapshot()
        finally:
            store.close()

    def status_cli(self) -> dict[str, Any]:
        """`portctl watch --status --format json`."""
        done = subprocess.run(
            [PORTCTL, "watch", "--status", "--state", str(self.state), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        data: dict[str, Any] = json.loads(done.stdout)
        return data

    def settled(self) -> bool:
        """Nothing pending in the store (every recorded event processed)."""
        return bool(self.status()["events"]["pending"] == 0)

    def requests(self, method: str, pattern: str) -> list[str]:
        """Paths of the emulator's logged API requests of `method` matching `pattern`."""
        log = self.life.control("GET", "/_emulator/state")["requestLog"]
        return [r["path"] for r in log if r["method"] == method and re.search(pattern, r["path"])]

    def assert_no_secrets(self) -> None:
        """Neither the token nor a PIN in any log or notification."""
        for watcher in self.watchers:
            text = watcher.log_text()
            assert TOKEN not in text
            assert PIN not in text
        sent = json.dumps(self.receiver.received())
        assert TOKEN not in sent
        assert PIN not in sent
        assert "0000" not in sent, "the rejected PIN is a secret too"


def stop(watcher: Watcher) -> None:
    """SIGTERM (graceful) and wait."""
    if watcher.process.poll() is None:
        watcher.process.send_signal(signal.SIGTERM)
        watcher.process.wait(timeout=60)


@contextlib.contextmanager
def served_lifecycle(root: Path) -> Iterator[Lifecycle]:
    """`portctl emulator serve` on a free port, specs dir with settings, clock 2026-11-26."""
    with served_emulator() as served:
        (root / "specs").mkdir(parents=True)
        write_settings(root / "specs")
        (root / "apply.env").write_text("".join(f"{k}={v}\n" for k, v in ENV.items()), "utf-8")
        life = Lifecycle(url=served.url, root=root)
        life.set_clock("2026-11-26T15:00:00Z")
        yield life


@contextlib.contextmanager
def watch_world(root: Path) -> Iterator[WatchWorld]:
    """A `WatchWorld` over a fresh emulator; every watcher is stopped at the end."""
    receiver = Receiver()
    with served_lifecycle(root) as life:
        world = WatchWorld(life=life, receiver=receiver, state=root / "watch-state")
        try:
            yield world
        finally:
            for watcher in world.watchers:
                if watcher.process.poll() is None:
                    watcher.process.kill()
                    watcher.process.wait(timeout=10)
            receiver.close()
