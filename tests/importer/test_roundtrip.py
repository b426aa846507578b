"""Import round trip: live orders -> specs -> set the printed variables -> plan is empty."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from reconciler.cli.exits import EXIT_OK
from tests.drift.world import ReportWorld
from tests.importer.fleet import build_fleet

SECRET_KEYS = ("existingPortOutPin", "accountNum", "newPortOutPin")


def _live_value(order: dict[str, Any], field: str, number: str) -> str:
    entry = next(n for n in order["phoneNumbers"] if n["phoneNumber"] == number)
    holder = entry if field == "newPortOutPin" else entry["portOutInfo"]
    return str(holder[field])


def _secret_values(world: ReportWorld) -> set[str]:
    values = set()
    for rec in world.emu.world.orders.values():
        for n in rec["order"]["phoneNumbers"]:
            values |= {str(n.get("portOutInfo", {}).get(k, "")) for k in SECRET_KEYS}
            values.add(str(n.get("newPortOutPin", "")))
    return values - {""}


def test_import_then_plan_shows_no_changes(world: ReportWorld, tmp_path: Path) -> None:
    fleet = build_fleet(world)
    statuses = Counter(rec["order"]["status"] for rec in world.emu.world.orders.values())
    assert len(fleet.orders) >= 30
    assert set(statuses) == {"PENDING", "CONFIRMED", "COMPLETED", "CANCELED", "PENDING_CANCELATION"}
    out = tmp_path / "imported"

    run = world.cli("import", "--emulator", "--out-dir", str(out), "--format", "json")
    assert run.code == EXIT_OK, run.err
    doc = run.document
    skipped = {s["orderId"] for s in doc["skipped"]}
    assert skipped == fleet.unadoptable | fleet.superseded
    assert len(doc["written"]) == len(fleet.orders) - len(skipped)
    imported = {s["orderId"] for s in doc["specs"]}
    assert imported == set(fleet.orders) - skipped

    # Secret values are nowhere: not in the files, not in what import printed.
    secrets = _secret_values(world)
    written = {p: Path(p).read_text("utf-8") for p in doc["written"]}
    for text in [*written.values(), run.out, run.err]:
        assert not any(s in text for s in secrets)
    assert all(t.startswith("# yaml-language-server: $schema=") for t in written.values())

    # The user sets each printed variable to the value the order holds now.
    with world.client() as client:
        live = {i: client.get_order(i).raw for i in imported}
    env = {
        v["name"]: _live_value(live[v["orderId"]], v["field"], v["numbers"][0])
        for v in doc["variables"]
    }
    env_file = tmp_path / "imported.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())), "utf-8")

    assert world.cli("validate", str(out)).code == EXIT_OK
    plan = world.cli(
        "plan",
        str(out),
        "--emulator",
        "--env-file",
        str(env_file),
        "--format",
        "json",
        "--detailed-exitcode",
    )
    assert plan.code == EXIT_OK, plan.out
    kinds = Counter(i["kind"] for i in plan.document["items"])
    assert kinds == {"noop": len(imported)}, kinds


def test_import_is_stable_and_keeps_existing_files(world: ReportWorld, tmp_path: Path) -> None:
    build_fleet(world)
    first, second = tmp_path / "a", tmp_path / "b"
    assert world.cli("import", "--emulator", "--out-dir", str(first)).code == EXIT_OK
    assert world.cli("import", "--emulator", "--out-dir", str(second)).code == EXIT_OK
    files = sorted(p.name for p in first.iterdir())
    assert files == sorted(p.name for p in second.iterdir())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    (first / files[0]).write_text("# edited by hand\n", "utf-8")
    again = world.cli("import", "--emulator", "--out-dir", str(first))
    assert again.out.startswith(f"Wrote 0 spec(s) to {first}.\nKept {len(files)} existing")
    assert (first / files[0]).read_text("utf-8") == "# edited by hand\n"
    world.cli("import", "--emulator", "--out-dir", str(first), "--overwrite")
    assert (first / files[0]).read_bytes() == (second / files[0]).read_bytes()
