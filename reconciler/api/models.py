"""Typed, tolerant views of what the Porting API returns: the shape portctl relies on, checked.

The core reads answers as JSON (`.raw`: the diff, import and reports consume the API's own
shape, with the field names docs/api-notes.md#data-model lists). A model types exactly what the
core reads from that JSON, so an answer of the wrong shape is refused here, naming the field,
instead of being read as "no orders" or crashing the diff: the order list's `orders` (an array
of objects with an id), an order's `phoneNumbers` (objects with a `phoneNumber` string), its
`notes`, `documents` and `desiredPortSchedule`, the portability verdicts, group names, the
configuration's default port time, a downloaded file's bytes. Statuses are parsed by
`reconciler.lifecycle` (an unknown one is kept, never an error). Every other field is kept
untyped (`extra="allow"`), so these models never reject an answer they could read (the API is
only partly specified: docs/api-notes.md#document-conflicts, #unknowns) and a new API field
needs no change here. `repr` shows the typed fields only: the kept JSON holds secrets
(`portOutInfo`, `newPortOutPin`).
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator
from typing import Annotated, Any, NotRequired, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    model_validator,
    with_config,
)
from pydantic.alias_generators import to_camel
from typing_extensions import TypedDict  # pydantic needs its TypedDict on Python 3.11

from reconciler.lifecycle import order_status


def _order_status(value: Any) -> Any:
    """A status string read case-insensitively (`reconciler.lifecycle`); others pass through."""
    return order_status(value) if isinstance(value, str) and value.strip() else value


OrderStatusText = Annotated[str, BeforeValidator(_order_status)]


def _to_int(value: Any) -> Any:
    """Ids are JSON numbers and may arrive as 123.0 or "123"; keep them as int when whole."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


Id = Annotated[int, BeforeValidator(_to_int)]


class LiveModel(BaseModel):
    """Base of all live models: camelCase aliases, extras kept, raw JSON remembered."""

    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        populate_by_name=True,
        arbitrary_types_allowed=False,
    )
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_raw(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """Remember the JSON object each model (nested ones too) was built from."""
        model = handler(data)
        if isinstance(data, dict):
            model._raw = data
        return model

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Self:
        """Build from a JSON object exactly as the API sent it (a private copy is kept)."""
        return cls.model_validate(copy.deepcopy(data))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """Build from a JSON object decoded for this model alone: it becomes the model's raw
        data without a copy (a deep copy per order was two thirds of the client's time in a
        live read of 2,000 orders; issue 12)."""
        return cls.model_validate(data)

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        """Typed fields only: the untyped rest may hold secrets."""
        for name, value in super().__repr_args__():
            if name in type(self).model_fields:
                yield name, value

    @property
    def raw(self) -> dict[str, Any]:
        """The JSON object the API sent (or, for a model built in code, its by-alias dump).

        Read from `__pydantic_private__` (pydantic's documented store of private attributes)
        rather than as `self._raw`, which goes through `BaseModel.__getattr__`: that was most of
        the time of turning 10,000 list rows into `LiveOrderSummary` (issue 12)."""
        raw: dict[str, Any] | None = (self.__pydantic_private__ or {}).get("_raw")
        if raw:
            return raw
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class PortabilityCheckResult(LiveModel):
    """One number's answer from `POST /portabilityChecks` (a plan keeps `planning.Portability`)."""

    phone_number: str
    portable: bool = False
    reason: str | None = None


class Note(LiveModel):
    """The answer to adding a note (read through `.raw`)."""


class DocumentRef(LiveModel):
    """The answer to uploading a document (read through `.raw`)."""


class DownloadedDocument(DocumentRef):
    """A downloaded document; `content` decodes the base64 `fileContent`.

    Not `spec.v1.Document`, which is a file a spec asks to upload.
    """

    file_content: str = Field(default="", repr=False)

    @property
    def content(self) -> bytes:
        """The file's bytes."""
        return base64.b64decode(self.file_content) if self.file_content else b""


class OrderSummary(LiveModel):
    """One row of the order list: which order, for which reference, in which status."""

    id: Id
    status: OrderStatusText | None = None
    customer_order_reference: str | None = None
    created_date: str | None = None


class OrderPage(LiveModel):
    """One page of `GET /orders/portIns`: `orders` is required (`{}` is not "no orders")."""

    orders: list[OrderSummary]
    total_pages: int | None = None
    total_items: int | None = None


JsonObject = dict[str, Any]


@with_config(ConfigDict(extra="ignore"))
class LiveNumber(TypedDict):
    """One number of an order as the core reads it (the diff compares the rest as data)."""

    phoneNumber: str
    status: NotRequired[str | None]
    phoneNumberGroup: NotRequired[str | None]
    focDate: NotRequired[str | None]
    endUser: NotRequired[JsonObject | None]
    portOutInfo: NotRequired[JsonObject | None]
    features: NotRequired[JsonObject | None]
    voiceConfiguration: NotRequired[JsonObject | None]
    smsConfiguration: NotRequired[JsonObject | None]


@with_config(ConfigDict(extra="ignore"))
class LiveNote(TypedDict):
    """A note on an order (plan compares its text with the spec's notes)."""

    note: NotRequired[str | None]


@with_config(ConfigDict(extra="ignore"))
class LiveDocument(TypedDict):
    """A document listed on an order (plan compares its name with the spec's documents)."""

    documentName: NotRequired[str | None]


@with_config(ConfigDict(extra="ignore"))
class PortSchedule(TypedDict):
    """An order's `desiredPortSchedule`."""

    desiredPortDate: NotRequired[str | None]
    desiredPortTime: NotRequired[str | None]
    desiredPortTimeZone: NotRequired[str | None]


@with_config(ConfigDict(extra="ignore"))
class OrderParts(TypedDict):
    """The parts of an order the core reads as JSON: shape-checked, never built as models."""

    phoneNumbers: NotRequired[list[LiveNumber] | None]
    notes: NotRequired[list[LiveNote] | None]
    documents: NotRequired[list[LiveDocument] | None]
    desiredPortSchedule: NotRequired[PortSchedule | None]


ORDER_PARTS = TypeAdapter(OrderParts)


class Order(LiveModel):
    """A full port-in order (`GET /orders/portIns/{id}`); read through `.raw`, shape checked.

    Its numbers, notes, documents and schedule are checked against `OrderParts` (TypedDicts:
    the check runs in pydantic-core) and stay in `.raw` as the API sent them: nested models,
    one per number, were most of the client's time in a live read of 2,000 orders (issue 12)
    and a second copy of every number in memory."""

    id: Id
    status: OrderStatusText | None = None
    customer_order_reference: str | None = None
    on_demand_activation: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _check_parts(cls, data: Any) -> Any:
        """Refuse an order whose nested parts have the wrong shape (the error names the field,
        `phoneNumbers.0.phoneNumber`); the checked copy is dropped, `data` goes on as is."""
        if isinstance(data, dict):
            ORDER_PARTS.validate_python(data)
        return data


class ActivationGroup(LiveModel):
    """A group offered by `availableActivations` (OpenAPI shape; the skill's shape is mapped)."""

    phone_number_group: str

    @model_validator(mode="before")
    @classmethod
    def _skill_shape(cls, data: Any) -> Any:
        """Map the skill's `groupId` onto the OpenAPI `phoneNumberGroup`."""
        if isinstance(data, dict) and "phoneNumberGroup" not in data and "groupId" in data:
            return {**data, "phoneNumberGroup": data["groupId"]}
        return data


class PhoneNumberGroup(LiveModel):
    """One activation group of an order with its numbers (`PhoneNumberGroupItem`, in `.raw`)."""

    phone_number_group: str


class ActivationResult(LiveModel):
    """The answer to `POST .../activate` (`PortInOrderGroup`, read through `.raw`)."""


class PortabilityAnswer(LiveModel):
    """The answer to `POST /portabilityChecks`: a verdict per number (`phoneNumbers` required)."""

    phone_numbers: list[PortabilityCheckResult]


class Configuration(LiveModel):
    """Project porting defaults: contact, webhook URL, default port time and zone (in `.raw`)."""

    default_port_time: str | None = None
    default_port_time_zone: str | None = None
    webhook_url: str | None = None


class ActivationGroups(LiveModel):
    """The skill's shape of `availableActivations`: groups under one of two names."""

    activation_groups: list[ActivationGroup] | None = None
    phone_number_groups: list[ActivationGroup] | None = None


def parse_activation_groups(body: Any) -> list[ActivationGroup]:
    """Groups from a top-level array (OpenAPI) or `{"activationGroups": [...]}` (skill).

    Raises `pydantic.ValidationError` for anything else (`{}` is not "no groups")."""
    if isinstance(body, list):
        return GROUP_LIST.validate_python(copy.deepcopy(body))
    answer = ActivationGroups.from_api(body)
    groups = answer.activation_groups
    if groups is None:
        groups = answer.phone_number_groups
    if groups is None:
        raise ValidationError.from_exception_data(
            "ActivationGroups",
            [{"type": "missing", "loc": ("activationGroups",), "input": {}}],
        )
    return groups


GROUP_LIST = TypeAdapter(list[ActivationGroup])
