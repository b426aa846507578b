"""Import filters, the reference prefix and naming rules, through the CLI and pure helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli.exits import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from reconciler.importing.build import factor_defaults, spec_from_order
from reconciler.importing.naming import adoptable_name, derived_name, secret_variable
from reconciler.importing.writer import dump_spec
from tests.drift.world import ReportWorld
from tests.importer.fleet import order_body


def _seed(world: ReportWorld) -> dict[str, int]:
    ids = {}
    for index, (reference, number) in enumerate(
        [
            ("gitops/acme-hq", "+13125550141"),
            ("gitops/globex", "+13125550142"),
            ("gitops/Bad Name", "+13125550143"),
            ("other/acme", "+13125550144"),
        ]
    ):
        order = world.create_raw(order_body(reference, [number], index, "2026-12-20"))
        ids[reference] = order.id
    world.confirm(world.emu_order(ids["gitops/globex"]))
    return ids


def test_prefix_is_cut_from_names_and_written_to_portctl_yaml(
    world: ReportWorld, tmp_path: Path
) -> None:
    ids = _seed(world)
    out = tmp_path / "imported"
    run = world.cli(
        "import",
        "--emulator",
        "--out-dir",
        str(out),
        "--reference-prefix",
        "gitops/",
        "--format",
        "json",
    )
    assert run.code == EXIT_OK, run.err
    assert sorted(p.name for p in out.iterdir()) == ["acme-hq.yaml", "globex.yaml", "portctl.yaml"]
    assert "referencePrefix: gitops/" in (out / "portctl.yaml").read_text("utf-8")
    [skipped] = run.document["skipped"]
    assert skipped["orderId"] == ids["gitops/Bad Name"]
    assert "a spec named bad-name would have the reference gitops/bad-name" in skipped["reason"]
    assert "set its reference to gitops/bad-name in Sinch" in skipped["hint"]
    assert world.cli("validate", str(out)).code == EXIT_OK


def test_status_and_order_id_filters(world: ReportWorld, tmp_path: Path) -> None:
    ids = _seed(world)
    confirmed = world.cli(
        "import",
        "--emulator",
        "--out-dir",
        str(tmp_path / "a"),
        "--reference-prefix",
        "gitops/",
        "--status",
        "confirmed",
        "--format",
        "json",
    )
    assert [s["name"] for s in confirmed.document["specs"]] == ["globex"]
    by_id = world.cli(
        "import",
        "--emulator",
        "--out-dir",
        str(tmp_path / "b"),
        "--reference-prefix",
        "gitops/",
        "--order-id",
        str(ids["gitops/acme-hq"]),
        "--format",
        "json",
    )
    assert [s["orderId"] for s in by_id.document["specs"]] == [ids["gitops/acme-hq"]]


def test_existing_portctl_yaml_with_another_prefix_is_refused(
    world: ReportWorld, tmp_path: Path
) -> None:
    _seed(world)
    out = tmp_path / "imported"
    out.mkdir()
    (out / "portctl.yaml").write_text(
        "apiVersion: portctl/v1\nkind: Settings\nspec:\n  referencePrefix: team/\n", "utf-8"
    )
    run = world.cli("import", "--emulator", "--out-dir", str(out), "--reference-prefix", "gitops/")
    assert run.code == EXIT_USAGE
    assert "referencePrefix 'team/'" in run.err
    assert sorted(p.name for p in out.iterdir()) == ["portctl.yaml"]
    default = world.cli("import", "--emulator", "--out-dir", str(out), "--format", "json")
    assert default.code == EXIT_ERROR  # issue 11 point 9: nothing imported is not a success
    assert default.document["specs"] == []
    assert "nothing was imported" in default.err


@pytest.mark.parametrize(
    ("reference", "prefix", "adoptable", "derived"),
    [
        ("acme-hq", "", "acme-hq", "acme-hq"),
        ("gitops/acme.hq_2", "gitops/", "acme.hq_2", "acme.hq_2"),
        ("gitops/Acme HQ #2", "gitops/", None, "acme-hq-2"),
        ("", "", None, "order-42"),
        ("---", "", None, "order-42"),
        ("x" * 101, "", None, "x" * 100),
    ],
)
def test_names(reference: str, prefix: str, adoptable: str | None, derived: str) -> None:
    assert adoptable_name(reference, prefix) == adoptable
    assert derived_name(reference, prefix, 42) == derived


def test_secret_variable_names() -> None:
    assert secret_variable("acme-hq.main", "existingPortOutPin") == "ACME_HQ_MAIN_PORT_PIN"
    assert secret_variable("9lives", "accountNum") == "ORDER_9LIVES_ACCOUNT"
    assert (
        secret_variable("acme", "newPortOutPin", "+13125550141") == "ACME_NEW_PORT_PIN_3125550141"
    )


def test_majority_values_go_to_defaults_and_exceptions_stay() -> None:
    numbers = [
        {"phoneNumber": "+1312555014" + str(i), "endUser": {"name": n, "city": "X"}}
        for i, n in enumerate(["A", "A", "B"])
    ]
    numbers[2]["voiceConfiguration"] = {"type": "RTC", "appId": "a"}
    defaults = factor_defaults(numbers)
    assert defaults == {"endUser": {"name": "A", "city": "X"}}
    assert numbers == [
        {"phoneNumber": "+13125550140"},
        {"phoneNumber": "+13125550141"},
        {
            "phoneNumber": "+13125550142",
            "endUser": {"name": "B"},
            "voiceConfiguration": {"type": "RTC", "appId": "a"},
        },
    ]


def test_writer_quotes_what_yaml_could_misread() -> None:
    text = dump_spec(
        {"a": "ON", "b": "02111", "c": "2026-12-01", "d": "09:00:00", "e": "Main St", "f": "no"},
        schema="../schemas/portin.v1.json",
    )
    assert text.splitlines() == [
        "# yaml-language-server: $schema=../schemas/portin.v1.json",
        'a: "ON"',
        'b: "02111"',
        'c: "2026-12-01"',
        'd: "09:00:00"',
        "e: Main St",
        'f: "no"',
    ]


def test_orders_no_spec_can_match_are_skipped_each_with_what_to_do(
    world: ReportWorld, tmp_path: Path
) -> None:
    """Orders without a reference share nothing: never a "conflict", never "superseded"."""
    open_a = world.create_raw(order_body("", ["+13125550151"], 1, "2026-12-20"))
    open_b = world.create_raw(order_body("", ["+13125550152"], 2, "2026-12-20"))
    locked = world.create_raw(order_body("Legacy Ticket #9", ["+13125550153"], 3, "2026-12-20"))
    world.confirm(locked)
    gone = world.create_raw(order_body("", ["+13125550154"], 4, "2026-12-20"))
    world.cancel(gone)
    kept = world.create_raw(order_body("acme-hq", ["+13125550155"], 5, "2026-12-20"))

    run = world.cli("import", "--emulator", "--out-dir", str(tmp_path / "a"), "--format", "json")
    assert run.code == EXIT_OK, run.err
    assert [s["orderId"] for s in run.document["specs"]] == [kept.id]
    skipped = {s["orderId"]: s for s in run.document["skipped"]}
    assert set(skipped) == {open_a.id, open_b.id, locked.id, gone.id}
    for order in (open_a, open_b):
        assert skipped[order.id]["reason"] == "it has no customerOrderReference"
        assert skipped[order.id]["hint"] == (
            f"to manage it, set its reference to order-{order.id} in Sinch (possible while "
            "the order is PENDING), then import again"
        )
    assert (
        "a spec named legacy-ticket-9 would have the reference legacy-ticket-9"
        in (skipped[locked.id]["reason"])
    )
    assert "can no longer change (CONFIRMED)" in skipped[locked.id]["hint"]
    assert skipped[gone.id]["hint"].startswith("nothing to do")

    text = world.cli("import", "--emulator", "--out-dir", str(tmp_path / "b")).out.splitlines()
    head = text.index("Skipped 4 order(s), no spec written for them:")
    assert text[head + 1] == (
        f"  order {open_a.id} PENDING (no reference): it has no customerOrderReference"
    )
    assert text[head + 2].startswith(f"    -> to manage it, set its reference to order-{open_a.id}")
    assert text[head + 7].startswith(f"  order {locked.id} CONFIRMED ('Legacy Ticket #9'): ")


def test_a_one_number_order_gets_defaults_and_a_short_form_number() -> None:
    numbers = [
        {
            "phoneNumber": "+13125550141",
            "endUser": {"name": "A", "city": "X"},
            "portOutInfo": {"existingPortOutPin": "1234"},
            "voiceConfiguration": {"type": "EST", "trunkId": "7"},
        }
    ]
    defaults = factor_defaults(numbers)
    assert defaults == {
        "endUser": {"name": "A", "city": "X"},
        "portOutInfo": {"existingPortOutPin": "1234"},
        "voiceConfiguration": {"type": "EST", "trunkId": "7"},
    }
    assert numbers == [{"phoneNumber": "+13125550141"}]


def test_a_number_with_its_own_values_starts_with_its_e164() -> None:
    order = order_body("acme", ["+13125550141", "+13125550142", "+13125550143"], 1, "2026-12-20")
    order |= {"id": 7, "status": "PENDING"}
    order["phoneNumbers"][2]["endUser"]["name"] = "Front Desk"
    spec = spec_from_order(order, name="acme").document["spec"]
    own = spec["phoneNumbers"][2]
    assert next(iter(own)) == "number"
    assert own["endUser"] == {"name": "Front Desk"}
