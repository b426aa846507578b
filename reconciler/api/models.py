"""Typed, tolerant views of what the Porting API returns.

The API is only partly specified (docs/api-notes.md#document-conflicts, #unknowns), so these models
never reject an answer they could read: unknown fields are kept (`extra="allow"`), unknown status
strings are kept (upper-cased, never an error), dates come as a date or a date-time (`focDate` is
shown both ways), and each model keeps the exact JSON it was built from in `.raw`, which the diff
engine consumes. Fields that carry secrets (`portOutInfo`, `newPortOutPin`) are left out of `repr`.
"""

from __future__ import annotations

import base64
import copy
from datetime import date, datetime
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

from reconciler.dates import parse_moment
from reconciler.lifecycle import number_status, order_status


def _order_status(value: Any) -> Any:
    """A status string read case-insensitively (`reconciler.lifecycle`); others pass through."""
    return order_status(value) if isinstance(value, str) and value.strip() else value


def _number_status(value: Any) -> Any:
    """As `_order_status`, for a number's (or an activation group's) status."""
    return number_status(value) if isinstance(value, str) and value.strip() else value


def parse_when(value: Any) -> Any:
    """A date or a date-time (`reconciler.dates.parse_moment`); "" is None, else kept as is."""
    moment = parse_moment(value)
    if moment is not None:
        return moment
    return None if value == "" else value


OrderStatusText = Annotated[str, BeforeValidator(_order_status)]
NumberStatusText = Annotated[str, BeforeValidator(_number_status)]
When = Annotated[datetime | date | str | None, BeforeValidator(parse_when)]
"""A moment the API reports; an unparseable string is kept rather than failing the model."""


def _to_int(value: Any) -> Any:
    """Ids are JSON numbers and may arrive as 123.0 or "123"; keep them as int when whole."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


Id = Annotated[int, BeforeValidator(_to_int)]
Count = Annotated[int | None, BeforeValidator(_to_int)]


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
    carrier: str | None = None
    reason: str | None = None


class Note(LiveModel):
    """An order note; `id` is set in the add-note answer, `createdTime`/`createdBy` on orders."""

    id: Id | None = None
    note: str = ""
    created_time: When = None
    created_by: str | None = None


class DocumentRef(LiveModel):
    """A document attached to an order, without its content."""

    id: Id | None = None
    document_name: str = ""
    description: str | None = None


class DownloadedDocument(DocumentRef):
    """A downloaded document; `content` decodes the base64 `fileContent`.

    Not `spec.v1.Document`, which is a file a spec asks to upload.
    """

    document_id: Id | None = None
    file_content: str = Field(default="", repr=False)
    content_type: str | None = None

    @property
    def content(self) -> bytes:
        """The file's bytes."""
        return base64.b64decode(self.file_content) if self.file_content else b""


class DesiredPortSchedule(LiveModel):
    """When the numbers should port: date, time (HH:MM:SS) and one of the US time zones."""

    desired_port_date: When = None
    desired_port_time: str | None = None
    desired_port_time_zone: str | None = None


class PhoneNumber(LiveModel):
    """One number of an order with its status and carrier progress."""

    phone_number: str
    status: NumberStatusText | None = None
    country_code: str | None = None
    phone_number_group: str | None = None
    end_user: dict[str, Any] | None = None
    port_out_info: dict[str, Any] | None = Field(default=None, repr=False)
    new_port_out_pin: str | None = Field(default=None, repr=False)
    voice_configuration: dict[str, Any] | None = None
    sms_configuration: dict[str, Any] | None = None
    features: dict[str, Any] | None = None
    foc_date: When = None
    confirmed_date: When = None
    activated_date: When = None
    activate_user: str | None = None
    reject_reason: str | None = None
    exclusion_reason: str | None = None
    exclusion_date: When = None
    excluded_features: list[dict[str, Any]] | None = None


class OrderSummary(LiveModel):
    """One row of the order list (no numbers, only counts)."""

    id: Id
    status: OrderStatusText | None = None
    customer_order_reference: str | None = None
    created_date: When = None
    phone_number_quantity: Count = None
    foc_quantity: Count = None
    activated_quantity: Count = None
    rejected_quantity: Count = None
    excluded_quantity: Count = None


class Order(LiveModel):
    """A full port-in order as `GET /orders/portIns/{id}` returns it."""

    id: Id
    status: OrderStatusText | None = None
    customer_order_reference: str | None = None
    on_demand_activation: bool | None = None
    desired_port_schedule: DesiredPortSchedule | None = None
    loa_uploaded_by: str | None = None
    loa_attachment_date: When = None
    phone_numbers: list[PhoneNumber] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    documents: list[DocumentRef] = Field(default_factory=list)
    created_date: When = None
    reseller_name: str | None = None


class ActivationNumber(LiveModel):
    """A number inside an activation group."""

    phone_number: str
    voice_configuration: dict[str, Any] | None = None
    sms_configuration: dict[str, Any] | None = None


class ActivationGroup(LiveModel):
    """A group offered by `availableActivations` (OpenAPI shape; the skill's shape is mapped)."""

    phone_number_group: str
    foc_date: When = None
    status: NumberStatusText | None = None
    phone_numbers: list[ActivationNumber] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _skill_shape(cls, data: Any) -> Any:
        """Map `{groupId, phoneNumbers: [str], status}` (skill) onto the OpenAPI field names."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "phoneNumberGroup" not in data and "groupId" in data:
            data["phoneNumberGroup"] = data["groupId"]
        numbers = data.get("phoneNumbers")
        if isinstance(numbers, list):
            data["phoneNumbers"] = [
                {"phoneNumber": n} if isinstance(n, str) else n for n in numbers
            ]
        return data

    @property
    def numbers(self) -> list[str]:
        """The E.164 numbers of the group."""
        return [n.phone_number for n in self.phone_numbers]


class PhoneNumberGroup(LiveModel):
    """One activation group of an order with its full numbers (`PhoneNumberGroupItem`)."""

    phone_number_group: str
    foc_date: When = None
    phone_numbers: list[PhoneNumber] = Field(default_factory=list)


class GroupActivation(LiveModel):
    """One group named in an activation answer, with the status the API gave it."""

    phone_number_group: str | None = None
    status: NumberStatusText | None = None


class ActivationResult(LiveModel):
    """The answer to `POST .../activate` (`PortInOrderGroup`)."""

    phone_number_groups: list[GroupActivation] = Field(default_factory=list)


class LiveContact(LiveModel):
    """The project's porting contact as the API reports it (the spec's is `spec.v1.Contact`)."""

    email: str | None = None
    name: str | None = None
    phone: str | None = None


class Configuration(LiveModel):
    """Project porting defaults: contact, webhook URL, default port time and time zone."""

    contact: LiveContact | None = None
    webhook_url: str | None = None
    default_port_time: str | None = None
    default_port_time_zone: str | None = None


def parse_activation_groups(body: Any) -> list[ActivationGroup]:
    """Groups from a top-level array (OpenAPI) or `{"activationGroups": [...]}` (skill)."""
    items: Any = body
    if isinstance(body, dict):
        items = body.get("activationGroups", body.get("phoneNumberGroups", []))
    if not isinstance(items, list):
        return []
    return [ActivationGroup.from_api(item) for item in items if isinstance(item, dict)]
