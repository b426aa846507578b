"""Spec models of `apiVersion: portctl/v1`: PortIn, PortingDefaults and Settings.

The format is docs/design.md#spec-format.

Field names are the camelCase keys users write (and, inside `defaults`/`phoneNumbers`, the
Sinch API's own names), so that an error path such as `spec.phoneNumbers[2].endUser.city` is
exactly what the user sees in the file. Unknown fields are errors, types are strict (YAML's
typed scalars are never coerced to strings), and attribute docstrings become the JSON-schema
descriptions editors show on hover.

Rules that span several fields or files (Canadian numbers need `resellerName`, merged numbers
need a full `endUser`, documents must exist, ...) live in `reconciler.spec.rules`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag

from reconciler.desired import SECRET_FIELDS
from reconciler.spec.fields import (
    E164,
    IsoDate,
    NotFutureDate,
    PortTime,
    SecretRef,
    StateCode,
    Text,
    TimeZone,
    matching,
)

API_VERSION = "portctl/v1"
NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
MAX_NUMBERS = 500
FIELD_PATH_PATTERN = r"^[A-Za-z][A-Za-z0-9]*(\[\*\])?(\.[A-Za-z][A-Za-z0-9]*(\[\*\])?)*$"
SECRET_HOLDERS = frozenset({"phoneNumbers", "phoneNumbers.portOutInfo"})
"""Field paths whose value contains a secret field."""


def _not_secret_path(path: str) -> str:
    """`ignoreFields` must leave secrets compared-or-not-compared by portctl's own rules: an
    ignored field is sent back as the API shows it, and a masked PIN (`****`) sent back
    would overwrite the real one (docs/api-notes.md#what-we-assume-about-the-sinch-api)."""
    plain = path.replace("[*]", "")
    if plain in SECRET_HOLDERS or plain.rsplit(".", 1)[-1] in SECRET_FIELDS:
        raise ValueError(
            f"{path} is or contains a secret field ({', '.join(sorted(SECRET_FIELDS))}); "
            "secrets cannot be ignored: portctl compares them only when the API returns them "
            "and never sends a live secret back"
        )
    return path


class SpecModel(BaseModel):
    """Common configuration: unknown fields forbidden, no type coercion, docstring help."""

    model_config = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True)


class Metadata(SpecModel):
    """Identity of a spec."""

    name: Annotated[
        str,
        matching(
            NAME_PATTERN,
            "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, "
            "e.g. acme-hq-main-lines",
        ),
        Field(max_length=100),
    ]
    """Unique name; [a-z0-9][a-z0-9._-]*. Prefixed with referencePrefix it becomes the
    order's customerOrderReference, the identity portctl matches live orders by."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Free-form string labels, used by --selector."""


class Schedule(SpecModel):
    """When the numbers should port (the order's desiredPortSchedule)."""

    date: IsoDate
    """Desired port date, YYYY-MM-DD (quote it: an unquoted date is a YAML 1.1 trap)."""
    time: PortTime | None = None
    """Desired port time HH:MM:SS (quoted); default from PortingDefaults, else 09:00:00."""
    timeZone: TimeZone | None = None
    """US/Eastern, US/Central, US/Mountain or US/Pacific; default from PortingDefaults, else
    US/Eastern."""


class Activation(SpecModel):
    """How the ported numbers go live."""

    mode: Literal["scheduled", "on-demand"] = "scheduled"
    """scheduled: Sinch activates at the desired date and time; on-demand: portctl activates
    groups once the carrier confirmed them (onDemandActivation)."""
    when: Literal["manual", "ready"] | None = None
    """On-demand only. manual (default): activate the groups listed in `groups`; ready:
    activate every group as soon as Sinch offers it."""
    groups: list[Text] | None = None
    """On-demand + manual only: phoneNumberGroup names approved for activation."""


class Loa(SpecModel):
    """Letter of authorization bookkeeping."""

    uploadedBy: Text
    """Name of the person who uploaded the LOA (loaUploadedBy)."""
    attachmentDate: NotFutureDate
    """Date the LOA was attached, YYYY-MM-DD (loaAttachmentDate); not in the future."""


class EndUser(SpecModel):
    """The end user exactly as the losing carrier has it on record (fields may come from
    `defaults`; after merging, name, streetNum, streetName, city, state and zipCode are
    required)."""

    name: Text | None = None
    """Person or company name on the losing carrier's account."""
    streetNum: Text | None = None
    """Street number (a string: quote numbers)."""
    streetPreDir: Text | None = None
    """Street pre-direction, e.g. N."""
    streetName: Text | None = None
    """Street name."""
    streetType: Text | None = None
    """Street type, e.g. St or Court."""
    streetPostDir: Text | None = None
    """Street post-direction, e.g. SW."""
    locationType1: Text | None = None
    """First location type, e.g. Suite."""
    locationValue1: Text | None = None
    """First location value, e.g. 2134."""
    locationType2: Text | None = None
    """Second location type, e.g. Floor."""
    locationValue2: Text | None = None
    """Second location value."""
    locationType3: Text | None = None
    """Third location type."""
    locationValue3: Text | None = None
    """Third location value."""
    city: Text | None = None
    """City."""
    state: StateCode | None = None
    """Two-letter state or province code, e.g. IL or ON (quote ON/NO/YES: YAML 1.1 reads
    them as booleans)."""
    zipCode: Text | None = None
    """ZIP or postal code (a string: quote it)."""
    typeOfService: Literal["B", "R"] | None = None
    """B (business, the default) or R (residence)."""


class PortOutInfo(SpecModel):
    """Account details at the losing carrier. Secrets must be ${NAME} or ${file:path}."""

    existingPortOutPin: SecretRef | None = None
    """Port-out PIN at the losing carrier (secret reference)."""
    accountNum: SecretRef | None = None
    """Account number at the losing carrier (secret reference)."""
    accountPhoneNumber: Text | None = None
    """Billing telephone number of the account."""
    authorizingName: Text | None = None
    """Name of the person authorizing the port."""
    authorizingDate: NotFutureDate | None = None
    """Date the port was authorized, YYYY-MM-DD; today or earlier (America/New_York)."""


class RtcVoice(SpecModel):
    """Route voice to a Sinch programmable voice app."""

    type: Literal["RTC"]
    """RTC: programmable voice."""
    appId: Text
    """Voice app id."""


class EstVoice(SpecModel):
    """Route voice to an Elastic SIP Trunk."""

    type: Literal["EST"]
    """EST: elastic SIP trunking."""
    trunkId: Text
    """Elastic SIP trunk id."""


class FaxVoice(SpecModel):
    """Route calls to a Sinch fax service."""

    type: Literal["FAX"]
    """FAX: fax service."""
    serviceId: Text
    """Fax service id."""


VoiceConfiguration = Annotated[RtcVoice | EstVoice | FaxVoice, Field(discriminator="type")]
VOICE_ID_FIELD = {"RTC": "appId", "EST": "trunkId", "FAX": "serviceId"}
"""Each voiceConfiguration type and the id field it takes (for error messages)."""
VOICE_TAGS = tuple(VOICE_ID_FIELD)


class SmsConfiguration(SpecModel):
    """Where inbound SMS go after the port."""

    smsAppId: Text
    """SMS app id."""


class E911(SpecModel):
    """E911 registered address of the number (fields may come from `defaults`; after merging,
    name, streetNum, streetInfo, city, state and postalCode are required)."""

    name: Text | None = None
    """Name shown to emergency services."""
    streetNum: Text | None = None
    """Street number."""
    streetInfo: Text | None = None
    """Street name and type, e.g. Main St."""
    location: Text | None = None
    """Location within the address, e.g. Apt 5."""
    city: Text | None = None
    """City."""
    state: StateCode | None = None
    """Two-letter state or province code."""
    postalCode: Text | None = None
    """ZIP or postal code (quote it)."""
    postalCodePlusFour: Text | None = None
    """ZIP+4 extension."""


class Features(SpecModel):
    """Optional number features."""

    e911: E911 | None = None
    """E911 address registration."""


class NumberSettings(SpecModel):
    """Per-number order fields; in `defaults` they apply to every number (deep-merged, the
    number's own value winning; voiceConfiguration is replaced whole)."""

    endUser: EndUser | None = None
    """End user as on the losing carrier's records."""
    portOutInfo: PortOutInfo | None = None
    """Account details at the losing carrier."""
    voiceConfiguration: VoiceConfiguration | None = None
    """Voice routing after the port: RTC+appId, EST+trunkId or FAX+serviceId."""
    smsConfiguration: SmsConfiguration | None = None
    """SMS routing after the port."""
    features: Features | None = None
    """Number features such as e911."""
    newPortOutPin: SecretRef | None = None
    """Port-out PIN to set on the number after the port (secret reference)."""


class PhoneNumberEntry(NumberSettings):
    """A number with its own overrides of `defaults`."""

    number: E164
    """Geographic US or Canadian number in canonical E.164, quoted: '+13125550141'."""


def _number_form(value: Any) -> str:
    return "long-form" if isinstance(value, dict | PhoneNumberEntry) else "short-form"


PhoneNumberItem = Annotated[
    Annotated[E164, Tag("short-form")] | Annotated[PhoneNumberEntry, Tag("long-form")],
    Discriminator(_number_form),
]
NUMBER_TAGS = ("short-form", "long-form")


class Document(SpecModel):
    """A file to upload to the order once (matched live by name)."""

    name: Text
    """Document name shown in Sinch (documentName)."""
    path: Text
    """Path of the file, relative to this spec; must stay inside the repository."""
    description: str = ""
    """Description shown in Sinch."""


class PortInSpec(SpecModel):
    """The desired port-in order."""

    state: Literal["active", "canceled"] = "active"
    """active (default), or canceled: an explicit tombstone that cancels the order."""
    schedule: Schedule
    """Desired port date, time and time zone."""
    activation: Activation = Field(default_factory=Activation)
    """scheduled (default) or on-demand activation."""
    resellerName: Text | None = None
    """Reseller name; required when any number is Canadian."""
    loa: Loa | None = None
    """Letter of authorization bookkeeping."""
    defaults: NumberSettings | None = None
    """Fields merged into every number (the number's own values win)."""
    phoneNumbers: list[PhoneNumberItem] = Field(min_length=1, max_length=MAX_NUMBERS)
    """Numbers to port: a quoted E.164 string, or an object with `number` and overrides.
    At most 500 per order."""
    notes: list[Text] = Field(default_factory=list)
    """Notes posted to the order once each, matched by exact text."""
    documents: list[Document] = Field(default_factory=list)
    """Documents (e.g. the LOA) uploaded to the order once each."""


class PortIn(SpecModel):
    """A port-in order managed by portctl."""

    apiVersion: Literal["portctl/v1"]
    """Spec format version."""
    kind: Literal["PortIn"]
    """PortIn: a port-in order."""
    metadata: Metadata
    """Name and labels."""
    spec: PortInSpec
    """The desired order."""


class Contact(SpecModel):
    """Who Sinch contacts about port-ins."""

    name: Text | None = None
    """Contact name."""
    email: Annotated[str, matching(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "an e-mail address")] | None = (
        None
    )
    """Contact e-mail address."""
    phone: Text | None = None
    """Contact phone number."""


class PortingDefaultsSpec(SpecModel):
    """The project's porting configuration (API /configuration)."""

    contact: Contact | None = None
    """Contact for port-in issues."""
    webhookUrl: (
        Annotated[str, matching(r"^https?://\S+$", "an http:// or https:// URL without spaces")]
        | None
    ) = None
    """URL Sinch POSTs porting events to."""
    defaultPortTime: PortTime | None = None
    """Default desired port time HH:MM:SS for orders without schedule.time."""
    defaultPortTimeZone: TimeZone | None = None
    """Default port time zone for orders without schedule.timeZone."""


class PortingDefaults(SpecModel):
    """The project-wide porting configuration (at most one per repository)."""

    apiVersion: Literal["portctl/v1"]
    """Spec format version."""
    kind: Literal["PortingDefaults"]
    """PortingDefaults: the project configuration."""
    metadata: Metadata
    """Name and labels."""
    spec: PortingDefaultsSpec
    """The desired configuration."""


class Safety(SpecModel):
    """Apply-time budgets; command-line flags override them."""

    maxCancels: Annotated[int, Field(ge=0)] = 0
    """Orders one apply may cancel (default 0: every cancel needs --max-cancels)."""
    maxPrune: Annotated[int, Field(ge=0)] = 0
    """Orphan orders one apply may cancel with --prune."""
    maxNumbersTouched: Annotated[int, Field(ge=1)] | None = None
    """Numbers one apply may create, change or cancel (default: unlimited)."""


class SettingsSpec(SpecModel):
    """Repository-wide settings."""

    referencePrefix: Annotated[
        str,
        matching(r"^[A-Za-z0-9._/:-]*$", "letters, digits and . _ / : - only, e.g. gitops/"),
        Field(max_length=50),
    ] = ""
    """Prefix of every managed customerOrderReference, e.g. gitops/. Live orders with the
    prefix but no spec are orphans."""
    safety: Safety = Field(default_factory=Safety)
    """Apply-time budgets."""
    ignoreFields: list[
        Annotated[
            str,
            matching(
                FIELD_PATH_PATTERN,
                "an order field path such as desiredPortSchedule.desiredPortTime or "
                "phoneNumbers[*].endUser.streetType",
            ),
            AfterValidator(_not_secret_path),
        ]
    ] = Field(default_factory=list)
    """Order fields the diff ignores, e.g. phoneNumbers[*].endUser.streetType."""


class Settings(SpecModel):
    """portctl.yaml: repository-wide settings (at most one)."""

    apiVersion: Literal["portctl/v1"]
    """Spec format version."""
    kind: Literal["Settings"]
    """Settings: repository-wide settings."""
    spec: SettingsSpec = Field(default_factory=SettingsSpec)
    """The settings: referencePrefix, safety and ignoreFields go here, under spec: as in
    every kind."""


KINDS: dict[str, type[SpecModel]] = {
    "PortIn": PortIn,
    "PortingDefaults": PortingDefaults,
    "Settings": Settings,
}
"""The document kinds of portctl/v1, by `kind`."""
