"""Typed, tolerant views of what the Porting API returns: identity and status typed, the rest raw.

The core reads answers as JSON (`.raw`: the diff, import and reports consume the API's own
shape, with the field names docs/api-notes.md#data-model lists), so a model types only what the
core reads through it: ids, statuses (parsed by `reconciler.lifecycle`: an unknown one is kept,
never an error), references, the portability verdict, group names, a downloaded file's bytes.
Every other field is kept untyped (`extra="allow"`), so these models never reject an answer they
could read (the API is only partly specified: docs/api-notes.md#document-conflicts, #unknowns)
and a new API field needs no change here. `repr` shows the typed fields only: the kept JSON
holds secrets (`portOutInfo`, `newPortOutPin`).
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterator
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    model_validator,
)
from pydantic.alias_generators import to_camel

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
        """The JSON object the API sent (or, for a model built in code, its by-alias dump)."""
        if self._raw:
            return self._raw
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


class Order(LiveModel):
    """A full port-in order (`GET /orders/portIns/{id}`); its numbers, schedule, notes and
    documents are read from `.raw`."""

    id: Id
    status: OrderStatusText | None = None
    customer_order_reference: str | None = None


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


class Configuration(LiveModel):
    """Project porting defaults: contact, webhook URL, default port time and zone (in `.raw`)."""


def parse_activation_groups(body: Any) -> list[ActivationGroup]:
    """Groups from a top-level array (OpenAPI) or `{"activationGroups": [...]}` (skill)."""
    items: Any = body
    if isinstance(body, dict):
        items = body.get("activationGroups", body.get("phoneNumberGroups", []))
    if not isinstance(items, list):
        return []
    return [ActivationGroup.from_api(item) for item in items if isinstance(item, dict)]
