"""Two applies at once never duplicate notes or documents silently (issue 10 point 10).

On one workspace the second apply refuses to start while the first holds the fcntl lock
`.portctl/apply.lock`, naming the holder's pid. Across machines (no shared lock) the residual
window is the instant between one run's re-read and its POST: a concurrent run that posts the
same note or document in that instant is detected by the re-read after posting and reported
(`unknown`, exit 1), never passed off as a clean apply.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator

import httpx
import pytest

from tests.apply.conftest import ApplyWorld, mutating

A = ["+13125550141", "+13125550142"]


@pytest.fixture
def held(world: ApplyWorld) -> Iterator[None]:
    """Another process's apply lock on the workspace (here the specs' directory)."""
    lock = world.specs / ".portctl" / "apply.lock"
    lock.parent.mkdir()
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, b"pid 4242 on ci-runner since 2026-11-26T15:00:00+00:00\n")
    try:
        yield
    finally:
        os.close(fd)


@pytest.mark.usefixtures("held")
def test_a_second_apply_on_the_workspace_refuses_naming_the_holder(world: ApplyWorld) -> None:
    world.spec("alpha", A, notes=["first"])
    result = world.cli("--auto-approve")
    assert result.code == 1
    assert "another portctl apply is running on these specs (pid 4242 on ci-runner" in result.err
    assert "nothing was sent to the API" in result.err
    assert world.emu.request_log == []


def test_the_lock_is_released_and_found_from_a_single_spec_file(world: ApplyWorld) -> None:
    world.spec("alpha", A)
    assert world.cli("--auto-approve").code == 0
    lock = world.specs / ".portctl" / "apply.lock"
    assert lock.read_text("utf-8").startswith(f"pid {os.getpid()} on ")
    with lock.open("r+") as stream:  # released: another holder can take it right away
        fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = world.cli(str(world.specs / "alpha.yaml"), "--auto-approve")
    assert result.code == 1
    assert "another portctl apply is running" in result.err


def _race(world: ApplyWorld, endpoint: str) -> None:
    """A concurrent run posts the same thing just before this run's own POST reaches the API."""
    real = world.emu.handle
    raced: list[bool] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith(endpoint) and not raced:
            raced.append(True)
            rival = httpx.Request(
                "POST", request.url, headers=request.headers, content=request.content
            )
            real(rival)
        return real(request)

    world.monkeypatch.setattr(world.emu, "handle", handle)


@pytest.mark.parametrize(
    ("endpoint", "what", "field", "value"),
    [("/notes", "note", "note", "first"), ("/documents", "document", "documentName", "loa.pdf")],
)
def test_a_duplicate_made_by_a_concurrent_run_is_reported(
    world: ApplyWorld, endpoint: str, what: str, field: str, value: str
) -> None:
    world.spec("alpha", A)
    assert world.cli("--auto-approve").code == 0
    world.spec("alpha", A, notes=["first"], documents=True)
    _race(world, endpoint)
    result = world.cli("--auto-approve", "--format", "json")
    assert result.code == 1, result.out + result.err
    order_id = world.order("gitops/alpha")["id"]
    kept = world.order("gitops/alpha")[f"{what}s"]
    assert sum(entry[field] == value for entry in kept) == 2
    results = json.loads(result.out)["results"]
    outcome = next(
        r for r in results if r["action"] in ("add-note", "upload-document") and what in r["action"]
    )
    assert outcome["outcome"] == "unknown"
    assert f"order {order_id} now has it 2 times" in outcome["message"]
    assert len([r for r in mutating(world.emu.request_log) if r.path.endswith(endpoint)]) == 2
