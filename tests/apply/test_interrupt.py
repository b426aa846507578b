"""Issue 11 points 3 and 4: a cancel reports the status the API shows after it, and an apply
stopped by SIGTERM (or Ctrl-C) leaves an audit record of every item it started and prints
the partial outcome table with what is left."""

from __future__ import annotations

import json
import os
import signal
from typing import Any

import httpx
import pytest

from reconciler.emulator import Emulator
from tests.apply.conftest import ApplyWorld

A = ["+13125550141"]
B = ["+13125550151"]
C = ["+13125550161"]


def test_cancel_outcome_and_audit_say_the_status_the_api_returned(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    assert world.cli("--auto-approve").code == 0
    world.spec("alpha", A, state="canceled")
    log = world.root / "audit.jsonl"
    done = world.cli(
        "--auto-approve", "--max-cancels", "1", "--format", "json", "--audit-log", str(log)
    )
    assert done.code == 0, done.err
    (result,) = done.document["results"]
    assert result["action"] == "cancel"
    assert result["message"].endswith("the API shows it PENDING_CANCELATION")
    finished = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert finished[-1]["event"] == "finished"
    assert finished[-1]["message"] == result["message"]


def test_sigterm_during_apply_leaves_records_and_a_partial_table(
    world: ApplyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, numbers in (("alpha", A), ("beta", B), ("gamma", C)):
        world.spec(name, numbers)
    handle = Emulator.handle
    creates: list[str] = []

    def terminated_on_second_create(self: Emulator, *args: Any, **kwargs: Any) -> Any:
        answer = handle(self, *args, **kwargs)
        request: httpx.Request = args[0] if args else kwargs["request"]
        if request.method == "POST" and request.url.path.endswith("/portIns"):
            creates.append(request.url.path)
            if len(creates) == 2:
                os.kill(os.getpid(), signal.SIGTERM)
        return answer

    monkeypatch.setattr(Emulator, "handle", terminated_on_second_create)
    log = world.root / "audit.jsonl"
    run = world.cli("--auto-approve", "--audit-log", str(log))
    assert run.code == 130, run.err
    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert [(line["event"], line["order"]["name"], line.get("outcome")) for line in lines] == [
        ("started", "alpha", None),
        ("finished", "alpha", "applied"),
        ("started", "beta", None),
        ("finished", "beta", "unknown"),
    ]
    assert "not run  create  gamma" in run.out
    assert "1 action(s) not started" in run.out
    assert "Run `portctl plan` to see what is left" in run.err
    # The next run finds beta created (the request was sent) and creates gamma.
    monkeypatch.setattr(Emulator, "handle", handle)
    again = world.cli("--auto-approve", "--format", "json")
    assert again.code == 0, again.err
    assert [r["name"] for r in again.document["results"]] == ["gamma"]
