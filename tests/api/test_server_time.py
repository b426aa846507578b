"""The client learns the API's clock from `Date` headers; the emulator's is its virtual clock."""

from __future__ import annotations

from datetime import timedelta

from reconciler.api import PortingClient
from reconciler.api.auth import StaticToken
from reconciler.clock import cli_today, today_new_york
from reconciler.emulator import Emulator
from reconciler.emulator.server import running


def test_server_time_follows_the_virtual_clock(emu: Emulator, client: PortingClient) -> None:
    assert client.server_time is None
    emu.advance(timedelta(days=40))
    client.list_orders()
    assert client.server_time == emu.now.replace(microsecond=0)


def test_served_emulator_sends_its_own_date(emu: Emulator) -> None:
    emu.advance(timedelta(days=400))
    with (
        running(emu) as url,
        PortingClient(base_url=url, project_id="demo", auth=StaticToken("x")) as served,
    ):
        served.list_orders()
        assert served.server_time == emu.now.replace(microsecond=0)


def test_today_is_the_api_today_unless_pinned(monkeypatch, emu: Emulator) -> None:
    emu.advance(timedelta(days=400))
    monkeypatch.delenv("PORTCTL_TODAY", raising=False)
    assert cli_today(emu.now) == today_new_york(emu.now)
    monkeypatch.setenv("PORTCTL_TODAY", "2026-01-02")
    assert cli_today(emu.now).isoformat() == "2026-01-02"
