"""Builders of desired orders, live orders and spec files, the one place tests build them.

The pure core (essence, diff, plan, render) is exercised on constructed values; these helpers
keep the tests short and the shapes realistic (the API input shape of docs/api-notes.md#data-model).
The spec file builders (`port_in_document`, `settings_document`, `write_yaml`) serve every test that
writes specs to disk, so they all feed the loader the same realistic files.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from reconciler.desired import DesiredDocument, DesiredOrder, SourceLocation
from reconciler.live import LiveOrderSummary
from reconciler.planning import Plan
from reconciler.render.plan import PLAN, PlanView

TODAY = date(2026, 11, 26)
PIN = "CANARY-PIN-7731"
ACCOUNT = "CANARY-ACCT-99120"


def number(e164: str, *, city: str = "Anytown", pin: str = PIN, **extra: Any) -> dict[str, Any]:
    """One number in the API input shape, with a secret PIN and account number."""
    return {
        "phoneNumber": e164,
        "endUser": {
            "name": "Acme Corp",
            "streetNum": "123",
            "streetName": "Main",
            "streetType": "St",
            "city": city,
            "state": "IL",
            "zipCode": "60601",
        },
        "portOutInfo": {"existingPortOutPin": pin, "accountNum": ACCOUNT},
        "voiceConfiguration": {"type": "EST", "trunkId": "123456"},
        **extra,
    }


def body(
    reference: str,
    numbers: Iterable[Mapping[str, Any]],
    *,
    port_date: str = "2026-12-15",
    on_demand: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """An order body in the API input shape."""
    return {
        "customerOrderReference": reference,
        "onDemandActivation": on_demand,
        "desiredPortSchedule": {"desiredPortDate": port_date},
        "phoneNumbers": [copy.deepcopy(dict(n)) for n in numbers],
        **extra,
    }


def desired(
    name: str,
    numbers: Iterable[Mapping[str, Any]],
    *,
    prefix: str = "gitops/",
    state: str = "active",
    mode: str = "scheduled",
    when: str = "manual",
    groups: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    documents: tuple[str, ...] = (),
    **body_extra: Any,
) -> DesiredOrder:
    """A resolved spec as the loader would hand it to the planner."""
    reference = prefix + name
    return DesiredOrder(
        name=name,
        reference=reference,
        state=state,  # type: ignore[arg-type]
        activation_mode=mode,  # type: ignore[arg-type]
        activation_when=when,  # type: ignore[arg-type]
        activation_groups=groups,
        body=body(reference, numbers, on_demand=mode == "on-demand", **body_extra),
        notes=notes,
        documents=tuple(
            DesiredDocument(name=d, path=Path("docs") / d, description="LOA") for d in documents
        ),
        source=SourceLocation(Path(f"specs/{name}.yaml")),
    )


def live_order(
    order_id: int,
    spec_body: Mapping[str, Any],
    *,
    status: str = "PENDING",
    number_status: str = "PENDING",
    group: str = "GW Verizon Grp1",
    notes: Iterable[str] = (),
    documents: Iterable[str] = (),
    **number_extra: Any,
) -> dict[str, Any]:
    """What GET would return for an order created from `spec_body` (server fields filled)."""
    order = copy.deepcopy(dict(spec_body))
    order.update(
        id=order_id,
        status=status,
        createdDate="2026-11-20",
        resellerName="",
        notes=[
            {"note": n, "createdTime": "2026-11-21T10:00:00Z", "createdBy": "portctl"}
            for n in notes
        ],
        documents=[
            {"id": 500 + i, "documentName": d, "description": "LOA"}
            for i, d in enumerate(documents)
        ],
    )
    schedule = order["desiredPortSchedule"]
    schedule.setdefault("desiredPortTime", "09:00:00Z")
    schedule.setdefault("desiredPortTimeZone", "US/Eastern")
    for n in order["phoneNumbers"]:
        n.update(status=number_status, countryCode="US", phoneNumberGroup=group, **number_extra)
        n["endUser"].setdefault("typeOfService", "B")
    return order


def summary(order: Mapping[str, Any]) -> LiveOrderSummary:
    """The list-endpoint view of a live order."""
    return LiveOrderSummary(
        id=int(order["id"]),
        reference=str(order["customerOrderReference"]),
        status=str(order["status"]),
        created_date=str(order.get("createdDate", "")),
    )


DEFAULT_LABELS: Mapping[str, str] = {"team": "ops"}


def port_in_document(
    name: str,
    numbers: Sequence[str],
    *,
    pin: str,
    account: str,
    state: str = "active",
    city: str = "Chicago",
    on_demand: bool = False,
    notes: Sequence[str] = (),
    documents: bool = False,
    port_date: str = "2026-12-15",
    labels: Mapping[str, str] | None = DEFAULT_LABELS,
) -> dict[str, Any]:
    """A PortIn spec file's document as a user writes it (secrets as `${NAME}` references).

    The plan, apply, drift and e2e tests write specs to disk through this, so they all exercise
    the loader on the same realistic file; `documents` refers to `docs/loa.pdf` beside the specs;
    `labels=None` leaves `metadata.labels` out.
    """
    spec: dict[str, Any] = {
        "state": state,
        "schedule": {"date": port_date},
        "defaults": {
            "endUser": {
                "name": "Acme Corp",
                "streetNum": "233",
                "streetName": "Wacker",
                "city": city,
                "state": "IL",
                "zipCode": "60606",
            },
            "portOutInfo": {
                "existingPortOutPin": pin,
                "accountNum": account,
                "authorizingDate": "2026-11-20",
            },
            "voiceConfiguration": {"type": "EST", "trunkId": "trunk-1"},
        },
        "phoneNumbers": list(numbers),
    }
    if on_demand:
        spec["activation"] = {"mode": "on-demand", "when": "ready"}
    if notes:
        spec["notes"] = list(notes)
    if documents:
        spec["documents"] = [{"name": "loa.pdf", "path": "docs/loa.pdf", "description": "LOA"}]
    metadata: dict[str, Any] = {"name": name}
    if labels is not None:
        metadata["labels"] = dict(labels)
    return {"apiVersion": "portctl/v1", "kind": "PortIn", "metadata": metadata, "spec": spec}


def settings_document(**settings: Any) -> dict[str, Any]:
    """The `portctl.yaml` Settings document (referencePrefix `gitops/` unless given)."""
    return {
        "apiVersion": "portctl/v1",
        "kind": "Settings",
        "spec": {"referencePrefix": "gitops/", **settings},
    }


def write_yaml(path: Path, document: Mapping[str, Any]) -> None:
    """Write one YAML document the way a user would lay a spec file out (keys in order)."""
    text = yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True)
    path.write_text(text, "utf-8")


def render(plan: Plan, fmt: str, *, color: bool = False, api_calls: int | None = None) -> str:
    """The plan in `fmt` through the output registry, as `portctl plan` prints it."""
    return PLAN.render(PlanView(plan, color=color, api_calls=api_calls), fmt)
