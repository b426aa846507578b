"""The field map covers the spec models exactly, and the emulator stores what it sends.

These tests are what makes "adding a spec field = the pydantic field + one row in
`reconciler.fieldmap`" safe: a model field without a row (or a row without a field) fails
here, and so does a field the map sends that the emulator (our stand-in for the API) would
drop. The round trip through apply and import is `tests/importer/test_fieldmap_roundtrip.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from reconciler import apidefaults
from reconciler.emulator import validation as emulator
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.core import SECRET_FIELDS as emulator_secrets
from reconciler.fieldmap import (
    NUMBER_ROWS,
    NUMBER_SCOPES,
    ORDER_ROWS,
    SECRET_NAMES,
    Direction,
    Shape,
    body_rows,
    get_path,
    set_path,
)
from reconciler.spec.v1 import VOICE_ID_FIELD, PortIn

ROW_PATHS: frozenset[str] = frozenset(
    {row.spec for row in ORDER_ROWS}
    | {f"{scope}.{row.spec}" for scope in NUMBER_SCOPES for row in NUMBER_ROWS}
)
"""Every spec path the map declares: order rows as they are, number rows under each scope."""


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    """The spec models inside a field's annotation (through Optional, list, unions, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _models(get_args(annotation)[0])
    elif origin in (Union, UnionType, list, dict):
        for arg in get_args(annotation):
            yield from _models(arg)


def model_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Dotted paths of the model's fields: leaves, and fields the map takes whole (a row)."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        inner = list(dict.fromkeys(_models(info.annotation)))
        if path in ROW_PATHS or not inner:
            yield path
        else:
            for sub in inner:
                yield from model_paths(sub, f"{path}.")


def test_every_model_field_has_a_row_and_every_row_a_field() -> None:
    fields = set(model_paths(PortIn))
    # `defaults` cannot hold a number's E.164; every other number field is in both scopes.
    assert "spec.defaults.number" not in ROW_PATHS
    assert sorted(fields - ROW_PATHS) == [], "model fields without a row in reconciler.fieldmap"
    assert sorted(ROW_PATHS - fields) == [], "field map rows without a model field"


def test_rows_are_unique_and_well_formed() -> None:
    for rows in (ORDER_ROWS, NUMBER_ROWS):
        specs = [r.spec for r in rows]
        apis = [r.api for r in rows if r.api]
        assert len(specs) == len(set(specs))
        assert len(apis) == len(set(apis))
    for row in (*ORDER_ROWS, *NUMBER_ROWS):
        assert (row.api is None) == (row.direction in (Direction.LOCAL, Direction.POSTED_ONCE))
        assert (row.flag is not None) == (row.shape is Shape.FLAG)
        assert row.config_default is None or row.default is not None
    assert all(r.direction.in_body for r in NUMBER_ROWS)


def _sample(row_path: str, shape: Shape) -> Any:
    """A valid value for one field (the emulator checks shapes, states, dates and voice ids)."""
    if shape is Shape.DATE:
        return "2026-11-02"
    if shape is Shape.TIME:
        return "10:15:00"
    special: dict[str, Any] = {
        "voiceConfiguration": {"type": "EST", "trunkId": "trunk-1"},
        "smsConfiguration": {"smsAppId": "sms-1"},
        "endUser.state": "IL",
        "features.e911.state": "IL",
        "endUser.typeOfService": "R",
        "desiredPortSchedule.desiredPortTimeZone": "US/Pacific",
        "onDemandActivation": True,
        "phoneNumbers.phoneNumber": "+13125550141",
    }
    return special.get(row_path, f"v-{row_path.rsplit('.', 1)[-1]}")


def test_the_emulator_stores_every_field_the_map_sends() -> None:
    number: dict[str, Any] = {"phoneNumber": "+13125550141"}
    for row in NUMBER_ROWS:
        assert row.api is not None
        set_path(number, row.api, _sample(row.api, row.shape))
    body: dict[str, Any] = {"customerOrderReference": "gitops/acme", "phoneNumbers": [number]}
    for row in body_rows(ORDER_ROWS):
        assert row.api is not None
        set_path(body, row.api, _sample(row.api, row.shape))

    stored, violations = emulator.validate_order(
        body, today=date(2026, 11, 26), config=EmulatorConfig()
    )

    assert violations == []
    for row in body_rows(ORDER_ROWS):
        assert row.api is not None
        assert get_path(stored, row.api) == get_path(body, row.api), row.spec
    for row in NUMBER_ROWS:
        assert row.api is not None
        assert get_path(stored["phoneNumbers"][0], row.api) == get_path(number, row.api), row.spec


def test_the_emulator_agrees_with_the_api_defaults() -> None:
    """The emulator keeps its own copy of the API's facts; they must be the same facts."""
    assert emulator.SYSTEM_PORT_TIME == apidefaults.SYSTEM_PORT_TIME
    assert emulator.SYSTEM_PORT_ZONE == apidefaults.SYSTEM_PORT_TIME_ZONE
    assert set(apidefaults.PORT_TIME_ZONES) < set(emulator.TIME_ZONES)
    assert EmulatorConfig().page_size_max == apidefaults.MAX_PAGE_SIZE
    assert emulator.VOICE_ID_FIELD == VOICE_ID_FIELD
    assert set(emulator_secrets) <= SECRET_NAMES
    defaults = {r.api: r.default for r in (*ORDER_ROWS, *NUMBER_ROWS) if r.default is not None}
    assert defaults == {
        "desiredPortSchedule.desiredPortTime": emulator.SYSTEM_PORT_TIME,
        "desiredPortSchedule.desiredPortTimeZone": emulator.SYSTEM_PORT_ZONE,
        "onDemandActivation": False,
        "endUser.typeOfService": apidefaults.DEFAULT_TYPE_OF_SERVICE,
    }
