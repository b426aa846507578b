"""Request-body validation with the documented rules, answering 422 `fieldViolations`.

The rules are those of docs/api-notes.md#validation-rules and docs/design.md#domain-rules: E.164
US/CA numbers (checked with `phonenumbers`, never a regex alone), at most 500 numbers, 4 US zones +
GMT, `HH:MM:SS` times, `authorizingDate` not after today in New York, the required end-user fields,
a voice configuration whose id matches its type, `resellerName` when any number is Canadian, a
reference of at most 100 characters. The validators copy only the writable fields: read-only and
unknown fields in a request body are dropped, as the real API ignores them. Descriptions name
fields, never their (possibly secret) values.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers

from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.errors import FieldViolation

TIME_ZONES: dict[str, ZoneInfo] = {
    "US/Eastern": ZoneInfo("America/New_York"),
    "US/Central": ZoneInfo("America/Chicago"),
    "US/Mountain": ZoneInfo("America/Denver"),
    "US/Pacific": ZoneInfo("America/Los_Angeles"),
    "GMT": ZoneInfo("UTC"),
}
SYSTEM_PORT_TIME = "09:00:00"
SYSTEM_PORT_ZONE = "US/Eastern"
E164_SHAPE = re.compile(r"^\+[1-9][0-9]{1,14}$")
TIME_SHAPE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z?$")
DATE_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
STATE_CODE = re.compile(r"^[A-Z]{2}$")
"""`endUser.state`: a two-letter code (docs/api-notes.md#data-model), never `California`."""

END_USER_REQUIRED = ("name", "streetNum", "streetName", "city", "state", "zipCode")
END_USER_OPTIONAL = (
    "streetPreDir",
    "streetType",
    "streetPostDir",
    "locationType1",
    "locationValue1",
    "locationType2",
    "locationValue2",
    "locationType3",
    "locationValue3",
    "typeOfService",
)
PORT_OUT_FIELDS = (
    "existingPortOutPin",
    "accountNum",
    "accountPhoneNumber",
    "authorizingName",
    "authorizingDate",
)
E911_FIELDS = (
    "name",
    "streetNum",
    "streetInfo",
    "location",
    "city",
    "state",
    "postalCode",
    "postalCodePlusFour",
)
VOICE_ID_FIELD = {"RTC": "appId", "EST": "trunkId", "FAX": "serviceId"}


def number_region(value: str) -> str | None:
    """`US`/`CA` for a valid NANP number in E.164 form, else None (invalid or elsewhere)."""
    if not E164_SHAPE.match(value):
        return None
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    region = phonenumbers.region_code_for_number(parsed)
    return region if region in ("US", "CA") else None


def parse_date(value: str) -> date | None:
    """A strict `YYYY-MM-DD` date, or None."""
    if not DATE_SHAPE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_datetime(value: str) -> datetime | None:
    """An ISO-8601 date-time; a missing offset is read as UTC. None when unparseable."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo("UTC"))
    return parsed


class Checker:
    """Collects violations while copying the writable fields of a request body."""

    def __init__(self) -> None:
        self.violations: list[FieldViolation] = []

    def fail(self, path: str, description: str) -> None:
        """Record one violation."""
        self.violations.append(FieldViolation(path, description))

    def obj(self, value: Any, path: str, *, required: bool) -> dict[str, Any] | None:
        """The value as an object; records a violation when missing (if required) or not one."""
        if value is None:
            if required:
                self.fail(path, "is required")
            return None
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        return value

    def text(
        self, src: dict[str, Any], key: str, path: str, *, required: bool = False
    ) -> str | None:
        """A string field; required ones must be non-empty."""
        value = src.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}" if path else key, "is required")
            return None
        if not isinstance(value, str):
            self.fail(f"{path}.{key}" if path else key, "must be a string")
            return None
        if required and not value.strip():
            self.fail(f"{path}.{key}" if path else key, "must not be empty")
            return None
        return value

    def copy_texts(self, src: dict[str, Any], keys: tuple[str, ...], path: str) -> dict[str, str]:
        """Copy the optional string fields present in `src`."""
        out: dict[str, str] = {}
        for key in keys:
            value = self.text(src, key, path)
            if value is not None:
                out[key] = value
        return out


def check_schedule(c: Checker, raw: Any) -> dict[str, str] | None:
    """desiredPortSchedule: required date, optional `HH:MM:SS` time and a known zone."""
    sched = c.obj(raw, "desiredPortSchedule", required=True)
    if sched is None:
        return None
    out: dict[str, str] = {}
    when = c.text(sched, "desiredPortDate", "desiredPortSchedule", required=True)
    if when is not None:
        if parse_date(when) is None:
            c.fail("desiredPortSchedule.desiredPortDate", "must be a date in YYYY-MM-DD format")
        else:
            out["desiredPortDate"] = when
    at = c.text(sched, "desiredPortTime", "desiredPortSchedule")
    if at is not None:
        if TIME_SHAPE.match(at):
            out["desiredPortTime"] = at.rstrip("Z")
        else:
            c.fail("desiredPortSchedule.desiredPortTime", "must be a time in HH:MM:SS format")
    zone = c.text(sched, "desiredPortTimeZone", "desiredPortSchedule")
    if zone is not None:
        if zone in TIME_ZONES:
            out["desiredPortTimeZone"] = zone
        else:
            c.fail(
                "desiredPortSchedule.desiredPortTimeZone",
                f"must be one of {', '.join(TIME_ZONES)}",
            )
    return out


def check_voice(c: Checker, raw: Any, path: str) -> dict[str, str] | None:
    """voiceConfiguration: RTC+appId | EST+trunkId | FAX+serviceId."""
    voice = c.obj(raw, path, required=False)
    if voice is None:
        return None
    kind = c.text(voice, "type", path, required=True)
    if kind is None:
        return None
    id_field = VOICE_ID_FIELD.get(kind)
    if id_field is None:
        c.fail(f"{path}.type", "must be one of RTC, EST, FAX")
        return None
    ident = c.text(voice, id_field, path, required=True)
    return None if ident is None else {"type": kind, id_field: ident}


def check_number(c: Checker, raw: Any, path: str, today: date) -> dict[str, Any] | None:
    """One phone number entry, its writable fields only; `countryCode` is derived."""
    entry = c.obj(raw, path, required=True)
    if entry is None:
        return None
    out: dict[str, Any] = {}
    number = c.text(entry, "phoneNumber", path, required=True)
    if number is not None:
        region = number_region(number)
        if region is None:
            c.fail(f"{path}.phoneNumber", f"The ({number}) is not a valid US or CA E.164 number")
        else:
            out["phoneNumber"] = number
            out["countryCode"] = region
    user = c.obj(entry.get("endUser"), f"{path}.endUser", required=True)
    if user is not None:
        eu: dict[str, str] = {}
        for key in END_USER_REQUIRED:
            value = c.text(user, key, f"{path}.endUser", required=True)
            if value is not None:
                eu[key] = value
        if "state" in eu and not STATE_CODE.match(eu["state"]):
            c.fail(
                f"{path}.endUser.state",
                "must be a two-letter state or province code such as IL or ON",
            )
        eu.update(c.copy_texts(user, END_USER_OPTIONAL, f"{path}.endUser"))
        if eu.get("typeOfService", "B") not in ("B", "R"):
            c.fail(f"{path}.endUser.typeOfService", "must be B or R")
        out["endUser"] = eu
    port_out = c.obj(entry.get("portOutInfo"), f"{path}.portOutInfo", required=True)
    if port_out is not None:
        info = c.copy_texts(port_out, PORT_OUT_FIELDS, f"{path}.portOutInfo")
        when = info.get("authorizingDate")
        if when is not None:
            parsed = parse_date(when)
            if parsed is None:
                c.fail(f"{path}.portOutInfo.authorizingDate", "must be a date in YYYY-MM-DD format")
            elif parsed > today:
                c.fail(f"{path}.portOutInfo.authorizingDate", "must be today or earlier")
        out["portOutInfo"] = info
    voice = check_voice(c, entry.get("voiceConfiguration"), f"{path}.voiceConfiguration")
    if voice is not None:
        out["voiceConfiguration"] = voice
    sms = c.obj(entry.get("smsConfiguration"), f"{path}.smsConfiguration", required=False)
    if sms is not None:
        out["smsConfiguration"] = c.copy_texts(sms, ("smsAppId",), f"{path}.smsConfiguration")
    features = c.obj(entry.get("features"), f"{path}.features", required=False)
    if features is not None:
        e911 = c.obj(features.get("e911"), f"{path}.features.e911", required=False)
        out["features"] = (
            {}
            if e911 is None
            else {"e911": c.copy_texts(e911, E911_FIELDS, f"{path}.features.e911")}
        )
    new_pin = c.text(entry, "newPortOutPin", path)
    if new_pin is not None:
        out["newPortOutPin"] = new_pin
    return out


def validate_order(
    body: Any, *, today: date, config: EmulatorConfig
) -> tuple[dict[str, Any], list[FieldViolation]]:
    """The writable part of an order body (create or full PUT) and every violation found."""
    c = Checker()
    src = c.obj(body, "body", required=True) or {}
    out: dict[str, Any] = {}
    ref = c.text(src, "customerOrderReference", "")
    if ref is not None and len(ref) > config.max_reference_length:
        c.fail(
            "customerOrderReference",
            f"must be at most {config.max_reference_length} characters",
        )
    out["customerOrderReference"] = ref or ""
    on_demand = src.get("onDemandActivation", False)
    if not isinstance(on_demand, bool):
        c.fail("onDemandActivation", "must be a boolean")
        on_demand = False
    out["onDemandActivation"] = on_demand
    schedule = check_schedule(c, src.get("desiredPortSchedule"))
    if schedule is not None:
        out["desiredPortSchedule"] = schedule
    out.update(c.copy_texts(src, ("loaUploadedBy", "loaAttachmentDate"), ""))
    if "loaAttachmentDate" in out and parse_datetime(out["loaAttachmentDate"]) is None:
        c.fail("loaAttachmentDate", "must be an ISO-8601 date-time")
    out["resellerName"] = c.text(src, "resellerName", "") or ""
    numbers = src.get("phoneNumbers")
    checked: list[dict[str, Any]] = []
    if not isinstance(numbers, list) or not numbers:
        c.fail("phoneNumbers", "is required and must be a non-empty array")
    elif len(numbers) > config.max_numbers_per_order:
        c.fail(
            "phoneNumbers",
            f"at most {config.max_numbers_per_order} numbers per order; contact support",
        )
    else:
        seen: set[str] = set()
        for i, raw in enumerate(numbers):
            entry = check_number(c, raw, f"phoneNumbers[{i}]", today)
            if entry is None:
                continue
            number = entry.get("phoneNumber")
            if number is not None and number in seen:
                c.fail(f"phoneNumbers[{i}].phoneNumber", f"{number} appears twice in the order")
            if number is not None:
                seen.add(number)
            checked.append(entry)
        if any(e.get("countryCode") == "CA" for e in checked) and not out["resellerName"].strip():
            c.fail("resellerName", "is required when the order has Canadian numbers")
    out["phoneNumbers"] = checked
    return out, c.violations


def validate_configuration(body: Any) -> tuple[dict[str, Any], list[FieldViolation]]:
    """The project configuration (`DefaultsConfiguration`); every field optional."""
    c = Checker()
    src = c.obj(body, "body", required=True) or {}
    out: dict[str, Any] = {}
    contact = c.obj(src.get("contact"), "contact", required=False)
    if contact is not None:
        out["contact"] = c.copy_texts(contact, ("email", "name", "phone"), "contact")
    out.update(c.copy_texts(src, ("webhookUrl", "defaultPortTime", "defaultPortTimeZone"), ""))
    at = out.get("defaultPortTime")
    if at is not None:
        if TIME_SHAPE.match(at):
            out["defaultPortTime"] = at.rstrip("Z")
        else:
            c.fail("defaultPortTime", "must be a time in HH:MM:SS format")
    if "defaultPortTimeZone" in out and out["defaultPortTimeZone"] not in TIME_ZONES:
        c.fail("defaultPortTimeZone", f"must be one of {', '.join(TIME_ZONES)}")
    return out, c.violations
