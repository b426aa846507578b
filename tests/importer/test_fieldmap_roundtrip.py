"""Round trip over every field of the field map: spec → apply → import → the same spec.

Hypothesis writes a PortIn spec that may set any field the field map sends (each field's
values come from its row's shape, so a new text, date or time row is covered with no change
here), split between `defaults` and per-number overrides, with secrets as `${...}`
references. `portctl apply` creates the order in the emulator, `portctl import` writes it
back, and the imported spec must be equal to the original modulo the normalisation the map
documents:

* `defaults` may be factored differently (compared per number, merged);
* fields the API defaults (port time and zone, typeOfService, activation mode) compare with
  their default filled in;
* secret references get the importer's variable names (compared by value).

Then `portctl plan` on the imported spec must be empty. Fields that never reach the order
(`Direction.LOCAL`, `POSTED_ONCE`) cannot come back through import and are not generated;
`spec.state` (`LIFECYCLE`) is covered by `test_roundtrip.py`'s canceled orders.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reconciler.apidefaults import PORT_TIME_ZONES
from reconciler.cli.exits import EXIT_OK
from reconciler.fieldmap import (
    NUMBER_ROWS,
    ORDER_ROWS,
    Direction,
    FieldRow,
    Shape,
    body_rows,
    fill_number,
    get_path,
    set_path,
)
from reconciler.spec.effective import deep_merge, defaults_of, overrides_of
from reconciler.spec.fields import validation_context
from reconciler.spec.rules import E911_REQUIRED, END_USER_REQUIRED
from reconciler.spec.v1 import PortIn
from tests.drift.world import ReportWorld
from tests.world import TODAY

NUMBERS = ("+13125550141", "+12125550142", "+14155550143")
text = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 .'#-]{0,7}", fullmatch=True).map(str.strip)
past = st.dates(TODAY - timedelta(days=60), TODAY).map(date.isoformat)
future = st.dates(TODAY + timedelta(days=7), TODAY + timedelta(days=90)).map(date.isoformat)
state_code = st.sampled_from(["IL", "NY", "TX", "WA"])

SPECIAL: dict[str, st.SearchStrategy[Any]] = {
    "spec.schedule.timeZone": st.sampled_from(PORT_TIME_ZONES),
    "spec.loa.attachmentDate": past,
    "portOutInfo.authorizingDate": past,
    "endUser.state": state_code,
    "features.e911.state": state_code,
    "endUser.typeOfService": st.sampled_from(["B", "R"]),
    "voiceConfiguration": st.one_of(
        st.builds(lambda i: {"type": "RTC", "appId": i}, text),
        st.builds(lambda i: {"type": "EST", "trunkId": i}, text),
        st.builds(lambda i: {"type": "FAX", "serviceId": i}, text),
    ),
    "smsConfiguration": st.builds(lambda i: {"smsAppId": i}, text),
}
"""Fields whose values are constrained beyond their shape."""


def values(row: FieldRow) -> st.SearchStrategy[Any]:
    """Valid spec values of one row: its own strategy, else one for its shape."""
    if row.spec in SPECIAL:
        return SPECIAL[row.spec]
    if row.direction is Direction.SECRET:
        return st.from_regex(r"[A-Z0-9]{4,8}", fullmatch=True)
    by_shape: dict[Shape, st.SearchStrategy[Any]] = {
        Shape.TEXT: text,
        Shape.DATE: future,
        Shape.TIME: st.times().map(lambda t: t.strftime("%H:%M:%S")),
        Shape.FLAG: st.just(row.flag),
    }
    assert row.shape in by_shape, f"add a strategy for {row.spec} to SPECIAL"
    return by_shape[row.shape]


GENERATED_ORDER_ROWS = tuple(
    r
    for r in body_rows(ORDER_ROWS)
    if r.spec.startswith("spec.") and r.spec != "spec.loa.uploadedBy"
)
"""Order fields generated one by one (loa's two fields go together: a spec needs both)."""
REQUIRED = frozenset({f"endUser.{k}" for k in END_USER_REQUIRED} | {"portOutInfo.authorizingName"})
"""Set in `defaults` always, so every merged number is valid."""


@st.composite
def numbers_fields(draw: st.DrawFn, secrets: dict[str, str], owner: str) -> dict[str, Any]:
    """Any subset of the number fields; secrets become `${...}` references in `secrets`."""
    fields: dict[str, Any] = {}
    for row in NUMBER_ROWS:
        if not draw(st.booleans()):
            continue
        value = draw(values(row))
        if row.direction is Direction.SECRET:
            variable = f"RT_{owner}_{row.leaf.upper()}"
            secrets[variable] = value
            value = f"${{{variable}}}"
        set_path(fields, row.spec, value)
    return fields


@st.composite
def port_in(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, str]]:
    """A PortIn document and the secret values its references stand for."""
    secrets: dict[str, str] = {}
    spec: dict[str, Any] = {"schedule": {"date": draw(future)}}
    for row in GENERATED_ORDER_ROWS:
        if row.spec != "spec.schedule.date" and draw(st.booleans()):
            set_path(spec, row.spec.removeprefix("spec."), draw(values(row)))
            if row.spec == "spec.loa.attachmentDate":
                spec["loa"]["uploadedBy"] = draw(text)
    defaults = draw(numbers_fields(secrets, "D"))
    for path in REQUIRED:
        if get_path(defaults, path) is None:
            set_path(defaults, path, draw(text if "state" not in path else state_code))
    if get_path(defaults, "features.e911") is not None:
        for key in E911_REQUIRED:
            path = f"features.e911.{key}"
            if get_path(defaults, path) is None:
                set_path(defaults, path, draw(text if key != "state" else state_code))
    entries: list[Any] = []
    for index in range(draw(st.integers(1, len(NUMBERS)))):
        own = draw(numbers_fields(secrets, f"N{index}"))
        e911 = get_path(own, "features.e911")
        if e911 is not None and get_path(defaults, "features.e911") is None:
            del own["features"]  # a number-only e911 would need every required field
        entries.append({"number": NUMBERS[index], **own} if own else NUMBERS[index])
    spec["defaults"] = defaults
    spec["phoneNumbers"] = entries
    document = {
        "apiVersion": "portctl/v1",
        "kind": "PortIn",
        "metadata": {"name": "roundtrip"},
        "spec": spec,
    }
    return document, secrets


def _resolve(tree: Any, env: Mapping[str, str]) -> Any:
    if isinstance(tree, dict):
        return {k: _resolve(v, env) for k, v in tree.items()}
    if isinstance(tree, str) and tree.startswith("${"):
        return env[tree[2:-1]]
    return tree


def canonical(document: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """What a spec says about the order, in the one form both specs must reach: numbers
    merged with `defaults`, API defaults filled in, secrets by value, local fields dropped."""
    context = validation_context(today=TODAY, allow_plaintext_secrets=False)
    model = PortIn.model_validate(document, context=context).spec
    out: dict[str, Any] = {}
    for row in GENERATED_ORDER_ROWS:
        value = get_path(model.model_dump(exclude_none=True), row.spec.removeprefix("spec."))
        if value is None and row.shape is not Shape.FLAG:
            value = row.default
        if value is not None:
            out[row.spec] = value
    out["spec.loa.uploadedBy"] = model.loa.uploadedBy if model.loa else None
    numbers = {}
    for item in model.phoneNumbers:
        e164 = item if isinstance(item, str) else item.number
        merged = _resolve(deep_merge(defaults_of(model), overrides_of(item)), env)
        fill_number(merged)
        numbers[e164] = merged
    out["numbers"] = numbers
    return out


def _live_secrets(
    imported: Mapping[str, Any], live: Mapping[str, Any], uses: list[dict[str, Any]]
) -> dict[str, str]:
    """The value each printed variable must have: the live value of its field on a number
    that takes it (a `defaults` variable: a number without its own value for the field)."""
    own = {
        str(item["number"]): item
        for item in imported["spec"]["phoneNumbers"]
        if isinstance(item, Mapping)
    }
    entries = {str(n["phoneNumber"]): n for n in live["phoneNumbers"]}
    env = {}
    for use in uses:
        row = next(
            r for r in NUMBER_ROWS if r.leaf == use["field"] and r.direction is Direction.SECRET
        )
        assert row.api is not None
        number = next(
            n
            for n in use["numbers"]
            if len(use["numbers"]) == 1 or get_path(own.get(n), row.spec) is None
        )
        env[use["name"]] = str(get_path(entries[number], row.api))
    return env


_runs = itertools.count()


@settings(
    max_examples=15,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each example is a whole apply,
    # import and plan: shrinking one takes minutes; the failing example is printed as found
)
@given(case=port_in())
def test_any_spec_applied_and_imported_comes_back_the_same(
    case: tuple[dict[str, Any], dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    document, secrets = case
    world = ReportWorld(root=tmp_path / f"run{next(_runs)}", monkeypatch=monkeypatch, capsys=capsys)
    world.write("roundtrip.yaml", document)
    env_file = world.root / "secrets.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in secrets.items()), "utf-8")
    spec_args = ("--emulator", "--env-file", str(env_file))
    applied = world.cli("apply", str(world.specs), *spec_args, "--auto-approve")
    assert applied.code == EXIT_OK, applied.out + applied.err

    out = world.root / "imported"
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
    [imported_spec] = run.document["specs"]
    with world.client() as client:
        live = client.get_order(imported_spec["orderId"]).raw
    imported = PortIn.model_validate(
        yaml.safe_load((out / "roundtrip.yaml").read_text("utf-8")),
        context=validation_context(today=TODAY, allow_plaintext_secrets=False),
    ).model_dump(exclude_none=True)

    env = _live_secrets(imported, live, run.document["variables"])
    assert imported["metadata"]["name"] == document["metadata"]["name"]
    assert canonical(imported, env) == canonical(document, secrets)

    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()), "utf-8")
    plan = world.cli("plan", str(out), *spec_args, "--format", "json", "--detailed-exitcode")
    assert plan.code == EXIT_OK, plan.out
    assert [i["kind"] for i in plan.document["items"]] == ["noop"]
