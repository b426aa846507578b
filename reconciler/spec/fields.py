"""Reusable field types of the spec models, each carrying its rule and its JSON-schema hint.

Rules that need outside facts (what day it is, whether plaintext secrets are tolerated) read
them from the pydantic validation context, built by `validation_context`; pydantic's own
`PastDate` reads the real clock and cannot be pinned in tests.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo

from reconciler.apidefaults import PortTimeZone
from reconciler.spec.phone import check_portable_e164
from reconciler.spec.secrets import is_reference

TimeZone = PortTimeZone

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]")
SECRET_PATTERN = r"^\$\{(file:[^}]+|[A-Za-z_][A-Za-z0-9_]*)\}$"  # noqa: S105 (a pattern)


PATTERN_HINTS: dict[str, str] = {}
"""What a regex-constrained field expects, in words, by regex: error messages show these
instead of the regex (see `matching`)."""


def matching(pattern: str, hint: str) -> Any:
    """`Field(pattern=...)` whose violation is reported as "must be <hint>", not as a regex."""
    PATTERN_HINTS[pattern] = hint
    return Field(pattern=pattern)


def validation_context(*, today: date, allow_plaintext_secrets: bool) -> dict[str, Any]:
    """The context every spec model validation runs with."""
    return {"today": today, "allow_plaintext_secrets": allow_plaintext_secrets}


def _e164(value: str) -> str:
    check_portable_e164(value)
    return value


def _calendar_date(value: str) -> str:
    if not _DATE.fullmatch(value):
        raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None
    return value


def _not_future(value: str, info: ValidationInfo) -> str:
    today = (info.context or {}).get("today")
    if isinstance(today, date) and date.fromisoformat(value) > today:
        raise ValueError(
            f"{value} is in the future (today is {today.isoformat()} in America/New_York)"
        )
    return value


def _port_time(value: str) -> str:
    if not _TIME.fullmatch(value):
        raise ValueError(f"{value!r} is not a time in HH:MM:SS form (24-hour), e.g. '09:00:00'")
    return value


def _secret(value: str, info: ValidationInfo) -> str:
    if is_reference(value):
        return value
    if (info.context or {}).get("allow_plaintext_secrets"):
        return value
    raise ValueError(
        "secret written as a literal; use a reference such as '${ACME_PORT_PIN}' (environment "
        "variable) or '${file:secrets/pin.txt}', or pass --allow-plaintext-secrets"
    )


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


E164 = Annotated[
    str,
    AfterValidator(_e164),
    Field(
        description="Geographic US or Canadian number in canonical E.164, e.g. '+13125550141'.",
        json_schema_extra={"pattern": r"^\+1[0-9]{10}$"},
    ),
]
IsoDate = Annotated[
    str,
    AfterValidator(_calendar_date),
    Field(json_schema_extra={"pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date"}),
]
NotFutureDate = Annotated[IsoDate, AfterValidator(_not_future)]
PortTime = Annotated[
    str,
    AfterValidator(_port_time),
    Field(json_schema_extra={"pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"}),
]
SecretRef = Annotated[
    str,
    AfterValidator(_secret),
    Field(json_schema_extra={"pattern": SECRET_PATTERN}),
]
Text = Annotated[str, AfterValidator(_not_blank), Field(json_schema_extra={"pattern": r"\S"})]
StateCode = Annotated[
    str, matching(r"^[A-Z]{2}$", "a two-letter upper-case state or province code such as IL or ON")
]
