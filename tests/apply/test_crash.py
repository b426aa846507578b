"""Crash safety: a multi-order apply SIGKILLed right after its k-th API request, for every k.

The emulator is served over HTTP from this test process; a hook counts the apply process's API
requests and, once the k-th one has been fully processed and committed, SIGKILLs the process
and drops the connection (the answer is never sent), the worst moment for a client. Then apply
runs again (it must converge: exit 0, a fresh plan is empty, never two orders with one
reference) and a third time (it must make no mutating call).

The sweep forks the killed runs from this process (already imported, so 25 runs stay fast);
one more case starts `portctl apply` as a real subprocess and kills it the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.cli import main
from reconciler.emulator import ConnectionDropped, Emulator
from reconciler.emulator.server import EmulatorServer, make_server
from tests.apply.conftest import ENV, client_for, load, mutating, write_settings
from tests.apply.conftest import write_spec as spec
from tests.world import START, TODAY


class KillingEmulator(Emulator):
    """Kills `victim` right after the `kill_after`-th API request it processed.

    Plan-time reads run in parallel, so the victim may have another request in flight when it
    is killed; such a request is dropped unprocessed, as if the process had died first.
    """

    victim: int | None = None
    kill_after: int = 0
    api_requests: int = 0

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Count API requests; at the k-th, commit it, kill the client and drop the answer."""
        if not request.url.path.startswith("/v1/projects/"):
            return super().handle(request)
        if self.victim is not None and self.api_requests >= self.kill_after:
            # a read the dead process had in flight on another connection: it died first
            raise ConnectionDropped("client is dead", request=request)
        self.api_requests += 1
        response = super().handle(request)
        if self.victim is not None and self.api_requests == self.kill_after:
            os.kill(self.victim, signal.SIGKILL)
            raise ConnectionDropped("client killed", request=request)
        return response


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Specs: two creates (a note, a document), one update, one cancel; plus the env file."""
    root = tmp_path_factory.mktemp("crash")
    specs = root / "specs"
    (specs / "docs").mkdir(parents=True)
    (specs / "docs" / "loa.pdf").write_bytes(b"%PDF-1.4 fake LOA\n")
    write_settings(specs)
    setup = root / "setup"
    setup.mkdir()
    write_settings(setup)
    spec(setup, "gamma", ["+13125550161"])
    spec(setup, "delta", ["+13125550171"])
    spec(specs, "gamma", ["+13125550161"], city="Springfield")
    spec(specs, "delta", ["+13125550171"], state="canceled")
    spec(specs, "alpha", ["+13125550141", "+13125550142"], notes=["LOA signed"])
    spec(specs, "beta", ["+13125550151"], documents=True)
    (root / "apply.env").write_text("".join(f"{k}={v}\n" for k, v in ENV.items()), "utf-8")
    return root


def _world(project: Path) -> KillingEmulator:
    """gamma and delta exist as first applied; alpha and beta do not exist yet."""
    emu = KillingEmulator(now=START, project_id="demo")
    with client_for(emu) as client:
        for order in load(project / "setup").orders:
            client.create_order(order.body)
    emu.api_requests = 0
    emu.request_log.clear()
    return emu


@contextlib.contextmanager
def _served(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmulatorServer]:
    server = make_server(Emulator(now=START), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SINCH_PORTING_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
    monkeypatch.setenv("SINCH_ACCESS_TOKEN", "x")
    monkeypatch.setenv("PORTCTL_TODAY", TODAY.isoformat())
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _argv(project: Path) -> list[str]:
    return [
        "apply",
        str(project / "specs"),
        "--env-file",
        str(project / "apply.env"),
        "--auto-approve",
        "--max-cancels",
        "1",
    ]


def _run_in_process(argv: list[str], capsys: pytest.CaptureFixture[str]) -> int:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    capsys.readouterr()
    return int(exit_info.value.code or 0)


def _forked(argv: list[str]) -> tuple[int, Callable[[], None]]:
    """Fork a child that runs `main(argv)` once `go()` is called; returns (pid, go)."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() with threads (the served emulator's). The child only
        # runs portctl, which shares no lock with the server thread (idle between runs).
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            os.close(write_end)
            os.read(read_end, 1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            main(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            os._exit(code)
    os.close(read_end)

    def go() -> None:
        os.write(write_end, b"g")
        os.close(write_end)

    return pid, go


def _check_converges(
    emu: KillingEmulator, argv: list[str], capsys: pytest.CaptureFixture[str], k: int
) -> None:
    emu.victim = None
    assert _run_in_process(argv, capsys) == 0, f"rerun after a kill at request {k}"
    all_references = [r["order"]["customerOrderReference"] for r in emu.world.orders.values()]
    assert len(all_references) == len(set(all_references)), f"duplicate order (k={k})"
    assert sorted(all_references) == [f"gitops/{n}" for n in ("alpha", "beta", "delta", "gamma")]
    emu.request_log.clear()
    assert _run_in_process(argv, capsys) == 0
    assert mutating(emu.request_log) == [], f"third run mutated (k={k})"
    alpha = next(
        r["order"]
        for r in emu.world.orders.values()
        if r["order"]["customerOrderReference"] == "gitops/alpha"
    )
    assert [n["note"] for n in alpha["notes"]] == ["LOA signed"], f"note once (k={k})"
    beta = next(
        r["order"]
        for r in emu.world.orders.values()
        if r["order"]["customerOrderReference"] == "gitops/beta"
    )
    assert [d["documentName"] for d in beta["documents"]] == ["loa.pdf"]


def _requests_of_a_full_run(
    project: Path, server: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> int:
    emu = _world(project)
    server.target = emu
    emu.api_requests = 0
    assert _run_in_process(_argv(project), capsys) == 0
    return emu.api_requests


@pytest.mark.slow
def test_killed_after_every_request_then_rerun_converges(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _argv(project)
    with _served(monkeypatch) as server:
        total = _requests_of_a_full_run(project, server, capsys)
        assert total >= 19, "a multi-order apply with every kind of mutation"
        for k in range(1, total + 1):
            emu = _world(project)
            server.target = emu
            emu.kill_after = k
            pid, go = _forked(argv)
            emu.victim = pid
            go()
            _, status = os.waitpid(pid, 0)
            assert os.WIFSIGNALED(status), (k, status, emu.api_requests)
            assert os.WTERMSIG(status) == signal.SIGKILL
            assert emu.api_requests == k
            _check_converges(emu, argv, capsys, k)


@pytest.mark.slow
def test_portctl_subprocess_killed_right_after_creating_converges(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = _argv(project)
    with _served(monkeypatch) as server:
        emu = _world(project)
        server.target = emu
        probe = _world(project)
        server.target = probe
        assert _run_in_process(argv, capsys) == 0
        creates = [
            i
            for i, r in enumerate(probe.request_log, start=1)
            if r.method == "POST" and r.path.endswith("/orders/portIns")
        ]
        server.target = emu
        emu.kill_after = creates[0]
        portctl = Path(sys.executable).with_name("portctl")
        process = subprocess.Popen(
            [str(portctl), *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        emu.victim = process.pid
        assert process.wait(timeout=60) == -signal.SIGKILL
        assert emu.api_requests == creates[0]
        last = emu.request_log[-1]
        assert (last.method, last.path.rsplit("/", 2)[-2:]) == ("POST", ["orders", "portIns"])
        _check_converges(emu, argv, capsys, creates[0])
