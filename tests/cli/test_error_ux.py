"""Bad input ends in one clear error line, the right exit code, no traceback, nothing lost.

Driven through `reconciler.cli.main` (the console script's entry point, which owns the exit
code mapping and the last-line-of-defence handlers), against the example specs with their
`demo.env`, and a served emulator in a thread where a real HTTP endpoint is needed. Ctrl-C
needs a real process, so that one test runs `portctl` as a subprocess.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import stamina

from reconciler.api.errors import ApiError, TransportFailure, Unauthorized
from reconciler.cli import main
from reconciler.connect import explain_api_error
from reconciler.emulator import Emulator
from reconciler.emulator.faults import Fault
from reconciler.emulator.server import make_server, running

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"
DEMO_ENV = SPECS / "demo.env"
API_COMMANDS = [
    ["plan"],
    ["apply", "--auto-approve"],
    ["drift"],
    ["status"],
]
SINCH_VARIABLES = [
    "SINCH_PROJECT_ID",
    "SINCH_ACCESS_TOKEN",
    "SINCH_KEY_ID",
    "SINCH_KEY_SECRET",
    "SINCH_PORTING_URL",
    "SINCH_AUTH_URL",
]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No real credentials leak in, the emulator state is per test, retries never sleep."""
    for name in SINCH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PORTCTL_TRACEBACK", raising=False)
    monkeypatch.setenv("PORTCTL_EMULATOR_STATE", str(tmp_path / "emulator.json"))
    monkeypatch.chdir(tmp_path)
    stamina.set_testing(True, attempts=1)
    yield
    stamina.set_testing(False)


def portctl(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the console entry point; (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    assert "Traceback" not in out + err
    return code, out, err


def use_api(monkeypatch: pytest.MonkeyPatch, url: str, token: str = "x") -> None:  # noqa: S107
    """Point portctl at `url` as the demo project, with `token` as the access token."""
    monkeypatch.setenv("SINCH_PORTING_URL", url)
    monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
    monkeypatch.setenv("SINCH_ACCESS_TOKEN", token)


def spec_args(command: list[str]) -> list[str]:
    return [*command, str(SPECS), "--env-file", str(DEMO_ENV)]


def all_api_invocations() -> list[list[str]]:
    return [spec_args(c) for c in API_COMMANDS] + [["import", "--out-dir", "imported"]]


@pytest.mark.parametrize("args", all_api_invocations(), ids=lambda a: a[0])
def test_no_credentials_is_one_paragraph_naming_the_variables_and_emulator(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, out, err = portctl(capsys, *args)

    assert code == 1
    assert out == ""
    for named in ("SINCH_PROJECT_ID", "SINCH_ACCESS_TOKEN", "SINCH_KEY_ID", "SINCH_KEY_SECRET"):
        assert named in err
    assert "--emulator" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("args", all_api_invocations(), ids=lambda a: a[0])
def test_plain_http_to_a_remote_host_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    use_api(monkeypatch, "http://example.com")

    code, _, err = portctl(capsys, *args)

    assert code == 1
    assert "SINCH_PORTING_URL" in err
    assert "refused" in err
    assert "loopback" in err


@pytest.mark.parametrize("args", all_api_invocations(), ids=lambda a: a[0])
def test_a_wrong_token_says_which_credential_was_refused_where(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    with running(Emulator()) as url:
        use_api(monkeypatch, url, token="wrong")
        code, out, err = portctl(capsys, *args)

    assert code == 1
    assert out == ""
    assert "401" in err
    assert url in err
    assert "SINCH_ACCESS_TOKEN was refused" in err


def closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was just free)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize("args", all_api_invocations(), ids=lambda a: a[0])
def test_an_emulator_that_is_down_is_named_by_url(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    url = closed_port_url()
    use_api(monkeypatch, url)

    code, out, err = portctl(capsys, *args)

    assert code == 1
    assert out == ""
    assert f"No answer from {url}" in err
    assert "SINCH_PORTING_URL" in err


def test_the_token_endpoint_and_a_forbidden_project_are_named() -> None:
    environ = {
        "SINCH_PROJECT_ID": "demo",
        "SINCH_KEY_ID": "key",
        "SINCH_KEY_SECRET": "secret",
        "SINCH_AUTH_URL": "http://127.0.0.1:9/oauth2/token",
        "SINCH_PORTING_URL": "http://127.0.0.1:8787",
    }
    down = TransportFailure(status=None, method="POST", path="/oauth2/token", message="x")
    refused = Unauthorized(status=401, method="POST", path="/oauth2/token", message="no")

    assert "No answer from http://127.0.0.1:9/oauth2/token: check SINCH_AUTH_URL" in (
        explain_api_error(down, emulator=False, environ=environ)
    )
    assert "SINCH_KEY_ID and SINCH_KEY_SECRET were refused" in (
        explain_api_error(refused, emulator=False, environ=environ)
    )
    forbidden = ApiError(status=403, method="GET", path="/orders/portIns", message="no")
    assert "refused access to project 'demo': check SINCH_PROJECT_ID" in (
        explain_api_error(forbidden, emulator=False, environ=environ)
    )
    assert explain_api_error(refused, emulator=True, environ=environ) == (
        "Porting API error: POST /oauth2/token: 401 no"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"FINE=1\nnot a binding\n", "bad.env:2: not a NAME=value line"),
        (b"\xff\xfe\x00", "bad.env: not a dotenv file (not UTF-8 text)"),
    ],
    ids=["malformed", "binary"],
)
def test_a_bad_env_file_is_an_error_naming_the_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, expected: str
) -> None:
    env_file = tmp_path / "bad.env"
    env_file.write_bytes(content)

    code, out, err = portctl(capsys, "plan", str(SPECS), "--emulator", "--env-file", str(env_file))

    assert code == 1
    assert out == ""
    assert expected in err
    assert not (tmp_path / "emulator.json").exists()  # no request was made
    assert not (tmp_path / "emulator.json").exists()


def test_a_malformed_env_line_is_not_echoed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file = tmp_path / "bad.env"
    env_file.write_text("ACME_PORT_PIN 'hunter2-pin'\n")

    _, _, err = portctl(capsys, "plan", str(SPECS), "--emulator", "--env-file", str(env_file))

    assert "hunter2-pin" not in err
    assert "bad.env:1" in err


def test_validate_reports_a_bad_env_file_the_same_way(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    env_file = tmp_path / "bad.env"
    env_file.write_bytes(b"not a binding\n")

    code, _, err = portctl(capsys, "validate", str(SPECS), "--env-file", str(env_file))

    assert code == 1
    assert err == f"Error: --env-file {env_file}:1: not a NAME=value line (dotenv syntax)\n"


def test_a_bad_portctl_today_is_a_usage_error_before_import_writes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PORTCTL_TODAY", "garbage")

    code, _, err = portctl(capsys, "import", "--emulator", "--out-dir", "imported")

    assert code == 64
    assert "PORTCTL_TODAY must be YYYY-MM-DD" in err
    assert not (tmp_path / "imported").exists()


def test_a_missing_env_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = portctl(capsys, "plan", str(SPECS), "--emulator", "--env-file", "nope.env")

    assert code == 64
    assert "nope.env" in err


CORRUPT_STATES = {"truncated": b'{"orders": [1,', "a list": b"[]", "foreign": b'{"foo": 1}'}


@pytest.mark.parametrize("content", CORRUPT_STATES.values(), ids=CORRUPT_STATES.keys())
@pytest.mark.parametrize("args", all_api_invocations(), ids=lambda a: a[0])
def test_a_corrupt_emulator_state_is_refused_and_left_untouched(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    content: bytes,
) -> None:
    state = tmp_path / "corrupt.json"
    state.write_bytes(content)
    monkeypatch.setenv("PORTCTL_EMULATOR_STATE", str(state))

    code, _, err = portctl(capsys, *args, "--emulator")

    assert code == 1
    assert f"{state}: not a readable emulator state file" in err
    assert "left untouched" in err
    assert state.read_bytes() == content


def test_emulator_control_on_a_corrupt_state_is_refused_and_left_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    state = tmp_path / "corrupt.json"
    state.write_bytes(b"{")

    code, _, err = portctl(capsys, "emulator", "confirm", "999", "no group", "--state", str(state))

    assert code == 1
    assert "not a readable emulator state file" in err
    assert state.read_bytes() == b"{"


def test_confirming_an_unknown_order_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = portctl(capsys, "emulator", "confirm", "999", "no group")

    assert code == 1
    assert out == ""
    assert "404" in err
    assert "Order 999 not found" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"garbage{", "not a readable plan file"), (b"{}", "not a portctl saved plan")],
    ids=["corrupt", "not-a-plan"],
)
def test_applying_a_bad_plan_file_applies_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, expected: str
) -> None:
    plan_file = tmp_path / "saved.plan"
    plan_file.write_bytes(content)
    args = ["apply", str(plan_file), str(SPECS), "--env-file", str(DEMO_ENV)]

    code, out, err = portctl(capsys, *args, "--emulator", "--auto-approve")

    assert code == 1
    assert expected in err
    assert out == ""  # not even a plan: nothing was read, nothing applied


@pytest.mark.parametrize("command", ["plan", "apply", "drift", "status", "import"])
def test_an_unknown_format_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, _, err = portctl(capsys, command, "--emulator", "--format", "bogus")

    assert code == 64
    assert "'bogus' is not one of" in err


def test_an_unexpected_exception_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("reconciler.cli.plan.build_plan", broken)

    code, _, err = portctl(capsys, *spec_args(["plan"]), "--emulator")

    assert code == 1
    assert "internal error (RuntimeError: boom)" in err
    assert "PORTCTL_TRACEBACK=1" in err


def test_ctrl_c_during_a_slow_plan_exits_130_without_a_traceback(tmp_path: Path) -> None:
    emulator = Emulator()
    emulator.add_fault(Fault(latency_ms=10_000, mode="latency"))
    portctl_script = Path(sys.executable).with_name("portctl")
    with running(emulator) as url:
        env = {
            **os.environ,
            "SINCH_PORTING_URL": url,
            "SINCH_PROJECT_ID": "demo",
            "SINCH_ACCESS_TOKEN": "x",
        }
        child = subprocess.Popen(
            [str(portctl_script), *spec_args(["plan"])],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            # A shell that runs pytest in the background starts it with SIGINT ignored, and
            # Python keeps an inherited SIG_IGN (as Unix tools should): give the child the
            # default disposition, as a terminal would, so Ctrl-C is what it receives.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        # Interrupt once the request is stuck in the injected latency (the fault fired).
        deadline = time.monotonic() + 30
        while emulator.faults and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)

    assert child.returncode == 130
    assert b"Traceback" not in err
    assert b"Interrupted." in err
    assert out == b""


def test_a_plan_file_that_cannot_be_written_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "no-such-dir" / "plan.json"

    code, _, err = portctl(capsys, *spec_args(["plan"]), "--emulator", "--out", str(target))

    assert code == 1
    assert err.endswith(f"Error: {target}: No such file or directory\n")


def test_an_impossible_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = portctl(capsys, "emulator", "serve", "--port", "99999")

    assert code == 64
    assert "--port" in err


def test_a_client_hanging_up_is_no_traceback_on_the_serve_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = make_server(Emulator(), "127.0.0.1", 0)
    try:
        try:
            raise BrokenPipeError(32, "Broken pipe")  # what writing to a gone client raises
        except BrokenPipeError:
            server.handle_error(None, ("127.0.0.1", 1))
    finally:
        server.server_close()

    assert capsys.readouterr().err == ""
