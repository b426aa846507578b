"""Issue 11 point 9: import suggests --reference-prefix when orders share one, imports an
order under a chosen name with --name ORDER_ID=NAME, and exits non-zero when nothing was
imported."""

from __future__ import annotations

from pathlib import Path

import yaml

from reconciler.cli.exits import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from tests.drift.world import ReportWorld
from tests.importer.fleet import order_body
from tests.importer.test_filters import _seed


def test_a_shared_prefix_is_suggested(world: ReportWorld, tmp_path: Path) -> None:
    _seed(world)
    run = world.cli("import", "--emulator", "--out-dir", str(tmp_path / "a"), "--format", "json")
    assert run.code == EXIT_ERROR  # every reference holds a '/': none is a spec name as it is
    (hint,) = run.document["suggestions"]
    assert "3 orders share the reference prefix 'gitops/'" in hint
    assert "--reference-prefix gitops/" in hint
    text = world.cli("import", "--emulator", "--out-dir", str(tmp_path / "b"))
    assert "Hint: 3 orders share the reference prefix 'gitops/'" in text.out
    with_prefix = world.cli(
        "import",
        "--emulator",
        "--out-dir",
        str(tmp_path / "c"),
        "--reference-prefix",
        "gitops/",
        "--format",
        "json",
    )
    assert with_prefix.document["suggestions"] == []


def test_name_imports_an_order_under_a_chosen_name(world: ReportWorld, tmp_path: Path) -> None:
    ids = _seed(world)
    out = tmp_path / "imported"
    pending = ids["gitops/Bad Name"]
    run = world.cli(
        "import",
        "--emulator",
        "--out-dir",
        str(out),
        "--reference-prefix",
        "gitops/",
        "--name",
        f"{pending}=riverside-vet",
        "--format",
        "json",
    )
    assert run.code == EXIT_OK, run.err
    assert [(s["name"], s["orderId"]) for s in run.document["specs"]] == [
        ("riverside-vet", pending)
    ]
    assert sorted(p.name for p in out.iterdir()) == ["portctl.yaml", "riverside-vet.yaml"]
    spec = yaml.safe_load((out / "riverside-vet.yaml").read_text("utf-8"))
    assert spec["metadata"]["name"] == "riverside-vet"
    (warning,) = [w for w in run.document["warnings"] if "reference" in w]
    assert "set it to gitops/riverside-vet in Sinch" in warning


def test_name_of_a_confirmed_order_with_another_reference_is_refused(
    world: ReportWorld, tmp_path: Path
) -> None:
    ids = _seed(world)
    confirmed = ids["gitops/globex"]
    run = world.cli(
        "import",
        "--emulator",
        "--out-dir",
        str(tmp_path / "x"),
        "--reference-prefix",
        "gitops/",
        "--name",
        f"{confirmed}=other-name",
        "--format",
        "json",
    )
    assert run.code == EXIT_ERROR
    (skip,) = run.document["skipped"]
    assert "can no longer change" in skip["reason"]
    assert "nothing was imported" in run.err
    bad = world.cli("import", "--emulator", "--name", "12=Bad Name")
    assert bad.code == EXIT_USAGE


def test_nothing_imported_exits_non_zero(world: ReportWorld, tmp_path: Path) -> None:
    world.create_raw(order_body("gitops/acme-hq", ["+13125550141"], 0, "2026-12-20"))
    run = world.cli(
        "import", "--emulator", "--out-dir", str(tmp_path / "x"), "--status", "COMPLETED"
    )
    assert run.code == EXIT_ERROR
    assert "nothing was imported" in run.err
