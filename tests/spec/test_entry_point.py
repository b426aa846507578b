"""The `portctl` entry point: `python -m reconciler`, `--version`, and usage errors exit 64."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reconciler import __version__
from reconciler.api.client import READ_THREADS
from reconciler.cli import main
from reconciler.cli.commands import WHERE
from tests.spec.conftest import SPECS


def test_python_dash_m_reconciler_is_portctl() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "reconciler", "--help"], capture_output=True, text=True, check=False
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Usage: portctl [OPTIONS] COMMAND [ARGS]...")
    for name in WHERE:
        assert f"  {name} " in completed.stdout


def _portctl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`portctl ARGS` as the console script runs it (`reconciler.cli.run`)."""
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def test_the_process_ends_with_the_exit_code_and_every_byte_of_its_output(tmp_path: Path) -> None:
    """`run` ends the process without Python's teardown: its output must be flushed first
    (a pipe's is buffered), and each exit code must survive."""
    env_file = SPECS / "demo.env"
    plan = _portctl(
        "plan",
        "--emulator",
        "--env-file",
        str(env_file),
        "--format",
        "json",
        str(SPECS),
        cwd=tmp_path,
    )
    assert plan.returncode == 0, plan.stderr
    assert len(json.loads(plan.stdout)["items"]) > 4  # the whole document, its end included
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: portctl/v1\nkind: PortIn\n", encoding="utf-8")
    invalid = _portctl("validate", str(broken))
    assert invalid.returncode == 1
    assert "broken.yaml" in invalid.stdout + invalid.stderr
    usage = _portctl("validate", "--no-such-option")
    assert usage.returncode == 64
    assert "Error: " in usage.stderr


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"portctl, version {__version__}\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["validate", "--format", "yaml"],
        ["validate", "--no-such-option"],
        ["schema", "--out-dir"],
    ],
)
def test_usage_errors_exit_64(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == 64
    assert "Error: " in capsys.readouterr().err


def test_a_bad_pinned_today_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTCTL_TODAY", "26/11/2026")
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(SPECS)])

    assert exit_info.value.code == 64
    assert "PORTCTL_TODAY must be YYYY-MM-DD" in capsys.readouterr().err


def _run_beside_a_thread(
    name: str, seconds: float
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`portctl --version` through `run`, with a thread named `name` at work for `seconds`."""
    script = (
        "import sys, threading, time\n"
        "from reconciler.cli import run\n"
        f"work = lambda: (time.sleep({seconds}), print('thread done', flush=True))\n"
        f"threading.Thread(target=work, name={name!r}).start()\n"
        "sys.argv = ['portctl', '--version']\n"
        "run()\n"
    )
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    return done, time.monotonic() - began


def test_a_thread_at_work_is_waited_for_and_a_read_left_behind_is_not() -> None:
    waited, _ = _run_beside_a_thread("watch-worker", 0.5)
    assert waited.returncode == 0, waited.stderr
    assert waited.stdout == f"portctl, version {__version__}\nthread done\n"
    left, seconds = _run_beside_a_thread(f"{READ_THREADS}_0", 30)
    assert left.returncode == 0, left.stderr
    assert left.stdout == f"portctl, version {__version__}\n"
    assert seconds < 20


def test_a_closed_stdout_ends_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "--version"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        close_fds=True,
        preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 0
    assert "Traceback" not in done.stderr
