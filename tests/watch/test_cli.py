"""`portctl watch` options: durations, the listen address, the required token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.cli.watch import parse_duration, parse_listen


@pytest.mark.parametrize(
    ("text", "seconds"), [("10s", 10), ("5m", 300), ("1h", 3600), ("15m", 900), ("2d", 172800)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "10", "0s", "1.5m", "5 minutes", "-1h", "1w"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:8788") == ("127.0.0.1", 8788)
    assert parse_listen("[::1]:0") == ("::1", 0)
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_listen("8788")


def test_a_bad_resync_is_a_usage_error() -> None:
    done = CliRunner().invoke(cli, ["watch", "--resync", "soon"])
    assert done.exit_code == 2  # click's usage error (`main` maps it to 64)
    assert "10s, 5m or 1h" in done.output


def test_serving_needs_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTCTL_WATCH_TOKEN", "short")
    done = CliRunner().invoke(cli, ["watch"])
    assert done.exit_code == 1
    assert "PORTCTL_WATCH_TOKEN must be set" in done.output
    assert "short" not in done.output


def test_status_without_state_is_an_error(tmp_path) -> None:
    done = CliRunner().invoke(cli, ["watch", "--status", "--state", str(tmp_path / "none")])
    assert done.exit_code == 1
    assert "no watcher state" in done.output
