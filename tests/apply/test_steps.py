"""More of docs/design.md#apply-semantics on the emulator: configuration POST-or-PUT, cancels,
activations, lost updates, and what observers (progress, audit) see."""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console

from reconciler.api import PortingClient
from reconciler.apply import Outcome
from reconciler.apply.audit import AuditIdentity, AuditLog, actor_from, commit_from
from reconciler.apply.progress import PlainProgress, RichProgress, progress_for
from reconciler.emulator import Fault
from reconciler.render.registry import APPLY, ApplyView
from tests.apply.conftest import ApplyWorld, client_for, mutating, write_settings

A = ["+13125550141", "+13125550142"]


def _configuration(world: ApplyWorld, zone: str) -> None:
    document = {
        "apiVersion": "portctl/v1",
        "kind": "PortingDefaults",
        "metadata": {"name": "defaults"},
        "spec": {
            "contact": {"name": "Desk", "email": "desk@example.com"},
            "defaultPortTime": "10:00:00",
            "defaultPortTimeZone": zone,
        },
    }
    (world.specs / "defaults.yaml").write_text(yaml.safe_dump(document), "utf-8")


def _calls(report: Any) -> list[tuple[str, str]]:
    return [(c.method, c.operation) for r in report.results for c in r.calls]


def test_configuration_is_posted_when_missing_then_put_when_it_differs(world: ApplyWorld) -> None:
    _configuration(world, "US/Central")
    first = world.execute()
    assert ("POST", "create_configuration") in _calls(first)
    assert world.emu.world.configuration is not None
    assert world.emu.world.configuration["defaultPortTimeZone"] == "US/Central"
    _configuration(world, "US/Pacific")
    second = world.execute()
    assert ("PUT", "update_configuration") in _calls(second)
    assert world.emu.world.configuration == {
        "contact": {"name": "Desk", "email": "desk@example.com"},
        "defaultPortTime": "10:00:00",
        "defaultPortTimeZone": "US/Pacific",
    }
    assert world.plan().actions == ()


def test_configuration_created_meanwhile_is_put_instead(world: ApplyWorld) -> None:
    _configuration(world, "US/Central")

    def someone_configures(client: PortingClient) -> None:
        client.create_configuration({"defaultPortTimeZone": "US/Mountain"})
        # and apply's own read still sees none (a lagging read): its POST meets a 409
        world.emu.add_fault(Fault(method="GET", path="/configuration", status=404))

    (result,) = world.execute(between=someone_configures).results
    assert result.outcome is Outcome.APPLIED
    operations = [c.operation for c in result.calls]
    assert operations == [
        "get_configuration",
        "create_configuration",
        "update_configuration",
        "get_configuration",
    ]
    configuration = world.emu.world.configuration
    assert configuration is not None
    assert configuration["defaultPortTimeZone"] == "US/Central"


def test_cancel_already_under_way_is_skipped(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.execute()
    world.spec("alpha", A, state="canceled")
    order_id = world.order("gitops/alpha")["id"]
    report = world.execute(between=lambda c: c.cancel_order(order_id))
    (result,) = report.results
    assert result.outcome is Outcome.SKIPPED
    assert "PENDING_CANCELATION" in result.message
    assert [c.method for c in result.calls] == ["GET"]


def test_lost_update_answer_is_confirmed_by_a_re_read(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.execute()
    world.spec("alpha", A, city="Springfield")
    world.emu.add_fault(Fault(method="PUT", path="/orders/portIns/", mode="drop-after-commit"))
    world.emu.request_log.clear()
    (result,) = world.execute().results
    assert result.outcome is Outcome.APPLIED
    assert "answer lost" in result.message
    assert [r.method for r in mutating(world.emu.request_log)] == ["PUT"]


def test_update_answered_500_is_sent_again_only_after_a_re_read(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    world.execute()
    world.spec("alpha", A, city="Springfield")
    world.emu.add_fault(Fault(method="PUT", path="/orders/portIns/", status=500, count=2))
    (result,) = world.execute().results
    assert result.outcome is Outcome.UNKNOWN, "two unknown sends: stop and say what to check"
    assert "GET /orders/portIns/" in result.message
    assert [c.operation for c in result.calls] == [
        "get_order",
        "update_order",
        "get_order",
        "update_order",
        "get_order",
    ]
    (rerun,) = world.execute().results
    assert rerun.outcome is Outcome.APPLIED


def _confirmed_on_demand(world: ApplyWorld) -> int:
    world.spec("alpha", A, on_demand=True)
    world.execute()
    order = world.order("gitops/alpha")
    for group in sorted({n["phoneNumberGroup"] for n in order["phoneNumbers"]}):
        world.emu.confirm_group(order["id"], group, "2026-11-26")
    return int(order["id"])


def test_activation_of_offered_groups_completes_the_order(world: ApplyWorld) -> None:
    order_id = _confirmed_on_demand(world)
    (result,) = world.execute().results
    assert result.action == "activate"
    assert result.outcome is Outcome.APPLIED
    assert "COMPLETED" in result.message
    assert world.emu.world.orders[order_id]["order"]["status"] == "COMPLETED"
    assert world.plan().actions == ()


def test_activation_done_by_someone_else_is_skipped(world: ApplyWorld) -> None:
    order_id = _confirmed_on_demand(world)
    report = world.execute(between=lambda c: c.activate(order_id, None))
    (result,) = report.results
    assert result.outcome is Outcome.SKIPPED
    assert "activate" not in [c.operation for c in result.calls]


def test_observers_see_each_item_plain_and_rich(world: ApplyWorld) -> None:
    world.spec("alpha", A, notes=["hello"])
    plain = io.StringIO()
    rich_out = io.StringIO()
    audit_out = io.StringIO()
    observers = [
        PlainProgress(plain),
        RichProgress(Console(file=rich_out, force_terminal=True, width=120)),
        AuditLog(audit_out, AuditIdentity(actor="ci-bot", commit="abc123")),
    ]
    world.execute(observers=observers)
    assert plain.getvalue().splitlines() == [
        "[1/2] create alpha: applied (order created (id 897867))",
        '[2/2] add-note alpha note "hello": applied (note added)',
    ]
    assert "applied" in rich_out.getvalue()
    assert "\x1b[" in rich_out.getvalue(), "colour on a terminal"
    lines = [json.loads(line) for line in audit_out.getvalue().splitlines()]
    assert [(x["event"], x["actor"], x["commit"], x["action"]) for x in lines] == [
        ("started", "ci-bot", "abc123", "create"),
        ("finished", "ci-bot", "abc123", "create"),
        ("started", "ci-bot", "abc123", "add-note"),
        ("finished", "ci-bot", "abc123", "add-note"),
    ]
    assert datetime.fromisoformat(lines[0]["time"]).tzinfo == UTC


@pytest.mark.parametrize("color", [True, False])
def test_the_progress_bar_is_in_colour_only_when_asked(world: ApplyWorld, color: bool) -> None:
    """`--color never` (or NO_COLOR) on a terminal: the live bar, without colour."""
    world.spec("alpha", A)
    out = io.StringIO()
    world.execute(observers=[progress_for(out, interactive=True, color=color)])
    assert "applied" in out.getvalue()
    assert bool(re.search(r"\x1b\[[0-9;]*m", out.getvalue())) is color


def test_actor_and_commit_come_from_ci_then_login_then_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert actor_from({"GITHUB_ACTOR": "octocat", "USER": "root"}) == "octocat"
    assert actor_from({"USER": "jane"}) == "jane"
    assert actor_from({}) is None
    assert commit_from({"GITHUB_SHA": "f00"}) == "f00"
    assert commit_from({}, cwd=tmp_path) is None, "not a repository"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "x"], cwd=tmp_path, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert commit_from({}, cwd=tmp_path) == head


def test_update_keeps_the_live_value_of_ignored_fields(world: ApplyWorld) -> None:
    write_settings(
        world.specs, ignoreFields=["loaUploadedBy", "phoneNumbers[*].endUser.streetType"]
    )
    world.spec("alpha", A)
    world.execute()
    order_id = world.order("gitops/alpha")["id"]
    body = dict(world.desired().orders[0].body)
    body["loaUploadedBy"] = "Someone Else"
    body["phoneNumbers"] = [
        {**n, "endUser": {**n["endUser"], "streetType": "Dr"}} for n in body["phoneNumbers"]
    ]
    with client_for(world.emu) as client:
        client.update_order(order_id, body)
    world.spec("alpha", A, city="Springfield")
    (result,) = world.execute().results
    assert result.outcome is Outcome.APPLIED
    order = world.order("gitops/alpha")
    assert order["loaUploadedBy"] == "Someone Else"
    assert {n["endUser"]["streetType"] for n in order["phoneNumbers"]} == {"Dr"}
    assert {n["endUser"]["city"] for n in order["phoneNumbers"]} == {"Springfield"}


def test_an_ignored_configuration_field_keeps_its_live_value_through_the_put(
    world: ApplyWorld,
) -> None:
    write_settings(world.specs, ignoreFields=["configuration.webhookUrl"])
    with client_for(world.emu) as client:
        client.create_configuration(
            {"webhookUrl": "https://hooks.example/set-by-hand", "defaultPortTimeZone": "US/Eastern"}
        )
    _configuration(world, "US/Pacific")
    (result,) = world.execute().results
    assert result.outcome is Outcome.APPLIED, result.message
    configuration = world.emu.world.configuration
    assert configuration is not None
    assert configuration["webhookUrl"] == "https://hooks.example/set-by-hand"
    assert configuration["defaultPortTimeZone"] == "US/Pacific"
    assert world.plan().actions == ()


def test_markdown_outcome_table_escapes_what_users_wrote(world: ApplyWorld) -> None:
    world.spec("alpha", A, notes=["<img src=x> | call first"])
    report = world.execute()
    md = APPLY.render(ApplyView(report, exit_code=0), "markdown")
    assert "&lt;img src=x&gt; &#124; call first" in md
    assert "<img" not in md
