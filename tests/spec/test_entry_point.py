"""The `portctl` entry point: `python -m reconciler`, `--version`, and usage errors exit 64."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reconciler import __version__
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
