"""Issue 11 points 1 and 5: the settings are found from the repository, and the plan names
them (file, prefix) and the budgets its apply needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reconciler.emulator.store import load, save
from tests.core.builders import settings_document, write_yaml
from tests.plan.conftest import PlanResult, PlanWorld

NUMBERS = ["+13125550141", "+13125550142"]
DEFAULTS = {
    "apiVersion": "portctl/v1",
    "kind": "PortingDefaults",
    "metadata": {"name": "project-defaults"},
    "spec": {"defaultPortTime": "10:00:00", "defaultPortTimeZone": "US/Central"},
}


def _plan(world: PlanWorld, *paths: Path | str, fmt: str = "json") -> PlanResult:
    """`portctl plan PATHS --emulator --format FMT` (PATHS may hold options)."""
    argv = ["plan", *map(str, paths), "--env-file", str(world.env_file), "--emulator"]
    save(world.emu, world.state)
    run = world.main([*argv, "--format", fmt])
    world.emu = load(world.state)
    return PlanResult(run.code, run.out, run.err)


def _main(result: PlanResult, name: str) -> dict[str, Any]:
    return result.item(name)


def test_one_file_plans_like_the_whole_directory(world: PlanWorld) -> None:
    world.write("porting-defaults.yaml", DEFAULTS)
    world.spec("riverside-vet", NUMBERS)
    world.spec("other", ["+13125550151"])
    world.create("riverside-vet")
    whole = _plan(world, world.specs)
    one = _plan(world, world.specs / "riverside-vet.yaml")
    assert _main(whole, "riverside-vet")["kind"] == "noop"
    assert _main(one, "riverside-vet") == _main(whole, "riverside-vet")
    assert _main(one, "riverside-vet")["reference"] == "gitops/riverside-vet"
    settings = str(world.specs / "portctl.yaml")
    assert one.document["settings"]["referencePrefix"] == "gitops/"
    assert Path(one.document["settings"]["file"]).resolve() == Path(settings).resolve()
    # The PortingDefaults of the project joined the one-file plan too.
    assert {i["name"] for i in one.document["items"]} >= {"configuration"}


def test_a_spec_in_a_subdirectory_finds_the_settings_above_it(world: PlanWorld) -> None:
    (world.specs / "customers").mkdir()
    world.spec("riverside-vet", NUMBERS)
    (world.specs / "riverside-vet.yaml").rename(world.specs / "customers" / "riverside-vet.yaml")
    text = _plan(world, world.specs / "customers" / "riverside-vet.yaml", fmt="text")
    assert 'reference prefix "gitops/"' in text.out
    assert "portctl.yaml" in text.out.splitlines()[1]
    assert "only some specs planned, orphans not looked for" in text.out


def test_one_file_does_not_call_the_other_specs_orphans(world: PlanWorld) -> None:
    world.spec("riverside-vet", NUMBERS)
    world.spec("other", ["+13125550151"])
    world.create("other")
    whole = _plan(world, world.specs)
    assert [i["kind"] for i in whole.items("other")] == ["noop"]
    one = _plan(world, world.specs / "riverside-vet.yaml")
    assert one.items("gitops/other") == []
    assert one.document["settings"]["wholeProject"] is False


def test_settings_flag_overrides_the_file_found(world: PlanWorld) -> None:
    world.spec("riverside-vet", NUMBERS)
    other = world.root / "staging.yaml"
    write_yaml(other, settings_document(referencePrefix="staging/"))
    result = _plan(world, world.specs / "riverside-vet.yaml", "--settings", other)
    assert result.item("riverside-vet")["reference"] == "staging/riverside-vet"
    assert result.document["settings"]["referencePrefix"] == "staging/"
    # Even over the whole directory, which holds its own portctl.yaml.
    whole = _plan(world, world.specs, "--settings", other)
    assert whole.code == 0, whole.err
    assert whole.item("riverside-vet")["reference"] == "staging/riverside-vet"


def test_the_walk_stops_at_the_git_root(world: PlanWorld) -> None:
    team = world.specs / "team"
    (team / ".git").mkdir(parents=True)
    world.spec("riverside-vet", NUMBERS)
    (world.specs / "riverside-vet.yaml").rename(team / "riverside-vet.yaml")
    result = _plan(world, team / "riverside-vet.yaml")
    assert result.item("riverside-vet")["reference"] == "riverside-vet"
    assert result.document["settings"]["file"] is None


def test_the_plan_says_which_budgets_its_apply_needs(world: PlanWorld) -> None:
    world.spec("riverside-vet", NUMBERS)
    world.create("riverside-vet")
    world.spec("riverside-vet", NUMBERS, state="canceled")
    result = _plan(world, world.specs)
    assert result.document["budgetsNeeded"] == [
        {"budget": "cancels", "limit": 0, "planned": 1, "needs": "--max-cancels 1"}
    ]
    text = _plan(world, world.specs, fmt="text").out
    assert "Apply needs --max-cancels 1" in text
    markdown = _plan(world, world.specs, fmt="markdown").out
    assert "Apply needs --max-cancels 1" in markdown
    write_yaml(world.specs / "portctl.yaml", settings_document(safety={"maxCancels": 1}))
    assert _plan(world, world.specs).document["budgetsNeeded"] == []
    assert "Apply needs" not in _plan(world, world.specs, fmt="text").out
