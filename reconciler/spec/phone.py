"""Which phone numbers may be ported in: geographic US or Canadian numbers in canonical E.164.

All numbering knowledge comes from Google's libphonenumber metadata (`phonenumberslite`), never
from hand-kept area-code tables: Caribbean NANP members such as Jamaica (+1876) or Puerto Rico
(+1787) share the +1 country code with the US, and toll-free or premium ranges are US "valid"
numbers that a carrier port-in cannot take.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Literal

import phonenumbers
from phonenumbers import (
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberFormat,
    PhoneNumberType,
)

Region = Literal["US", "CA"]

_CANONICAL = re.compile(r"\+1[0-9]{10}")
_GEOGRAPHIC = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
)
_TYPE_NAMES = {
    value: name.lower().replace("_", "-")
    for name, value in vars(PhoneNumberType).items()
    if name.isupper() and isinstance(value, int)
}


_PORTABLE_REGIONS: tuple[Region, ...] = ("US", "CA")


def _metadata(region: Region) -> PhoneMetadata:
    found = PhoneMetadata.metadata_for_region(region)
    if found is None:
        raise ImportError(f"phonenumbers has no metadata for {region}")
    return found


_METADATA = {region: _metadata(region) for region in _PORTABLE_REGIONS}
TypeInRegion = Callable[[str, Region], int]
"""(10-digit national number, region) -> libphonenumber number type in that region."""

_OTHER_TYPES = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
"""The non-geographic types, in the order libphonenumber tries them (first match wins)."""


def _matches(desc: object) -> Callable[[str], bool]:
    """libphonenumber's "number matches this description": one of its possible lengths (when
    it lists any) and its national number pattern matching the whole number."""
    pattern = getattr(desc, "national_number_pattern", None)
    if not pattern:
        return lambda _: False
    whole = re.compile(pattern).fullmatch
    lengths = frozenset(getattr(desc, "possible_length", None) or ())
    if not lengths:
        return lambda national: whole(national) is not None
    return lambda national: len(national) in lengths and whole(national) is not None


def _classifier(metadata: PhoneMetadata) -> Callable[[str], int]:
    """The number type of a national number in the region of `metadata`, decided as
    libphonenumber decides it, with the region's patterns compiled once."""
    general = _matches(metadata.general_desc)
    others = [(_matches(getattr(metadata, name, None)), kind) for name, kind in _OTHER_TYPES]
    fixed_line, mobile = _matches(metadata.fixed_line), _matches(metadata.mobile)
    same = bool(metadata.same_mobile_and_fixed_line_pattern)

    def classify(national: str) -> int:
        if not general(national):
            return PhoneNumberType.UNKNOWN
        for matches, kind in others:
            if matches(national):
                return kind
        if fixed_line(national):
            if same or mobile(national):
                return PhoneNumberType.FIXED_LINE_OR_MOBILE
            return PhoneNumberType.FIXED_LINE
        if not same and mobile(national):
            return PhoneNumberType.MOBILE
        return PhoneNumberType.UNKNOWN

    return classify


def _fast_type_in_region() -> TypeInRegion | None:
    """A per-region type matcher with the two portable regions' patterns compiled once, when it
    classifies known numbers as the public API does.

    Why: the public `region_code_for_number` + `number_type` pair runs libphonenumber's matcher
    once per candidate NANP region to find the region and again for the type (about 11 us per
    number), and that matcher looks every pattern up in `re`'s cache again for every number;
    asking the two portable regions directly with compiled patterns takes about 1 us: the number
    checks were a quarter of a cold `validate` of 10,000 specs. It mirrors libphonenumber's order
    of checks from the public metadata, so it is used only if it agrees with the public API on
    known numbers; otherwise `region_and_type` takes the public path (tests run both and compare
    them on generated numbers).
    """
    probes: dict[tuple[str, Region], int] = {
        ("3125550141", "US"): PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ("8005550123", "US"): PhoneNumberType.TOLL_FREE,
        ("9005550123", "US"): PhoneNumberType.PREMIUM_RATE,
        ("4165550123", "CA"): PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ("3125550141", "CA"): PhoneNumberType.UNKNOWN,
    }
    try:
        classifiers = {region: _classifier(_METADATA[region]) for region in _PORTABLE_REGIONS}
        agrees = all(
            classifiers[region](national) == kind for (national, region), kind in probes.items()
        )
        public = all(
            phonenumbers.number_type(PhoneNumber(country_code=1, national_number=int(national)))
            == kind
            for (national, region), kind in probes.items()
            if kind != PhoneNumberType.UNKNOWN
        )
    except Exception:  # noqa: BLE001 (metadata of another shape means: do not use it)
        return None
    if not (agrees and public):
        return None
    return lambda national, region: classifiers[region](national)


_TYPE_IN_REGION = _fast_type_in_region()


class PhoneNumberError(ValueError):
    """A number that cannot be part of a port-in order; the message says why."""


@cache
def check_portable_e164(raw: str) -> Region:
    """Return the region (US or CA) of `raw`, or raise `PhoneNumberError` explaining the refusal.

    Memoised without a bound: loading asks about every number three times (the field validator,
    the per-file rules and the cross-file check), and a bounded cache smaller than a large
    repository's numbers evicted each one before its second question (issue 12: 541,081 checks
    for 193,956 numbers). An entry is a dict slot pointing at a string the specs hold anyway.
    """
    if not _CANONICAL.fullmatch(raw):
        raise PhoneNumberError(_not_canonical(raw))
    portable, kind = region_and_type(raw[2:])
    if portable is None:
        region = phonenumbers.region_code_for_number(
            PhoneNumber(country_code=1, national_number=int(raw[2:]))
        )
        if region is None:
            raise PhoneNumberError(
                f"{raw} is not a valid North American number (no such area code or exchange)"
            )
        raise PhoneNumberError(
            f"{raw} belongs to region {region} of the North American Numbering Plan, "
            "not US or CA; only US and CA numbers can be ported in"
        )
    if kind not in _GEOGRAPHIC:
        raise PhoneNumberError(
            f"{raw} is not a geographic number ({_TYPE_NAMES.get(kind, 'unknown type')}); "
            "only fixed-line or mobile numbers can be ported in"
        )
    return portable


def region_and_type(
    national: str, *, type_in_region: TypeInRegion | None = _TYPE_IN_REGION
) -> tuple[Region | None, int]:
    """(US or CA, libphonenumber number type) of a 10-digit NANP number, or (None, UNKNOWN).

    `type_in_region` is the fast matcher (None: the public API only; tests compare the two).
    """
    if type_in_region is None:
        number = PhoneNumber(country_code=1, national_number=int(national))
        region = phonenumbers.region_code_for_number(number)
        if region not in _PORTABLE_REGIONS:
            return None, PhoneNumberType.UNKNOWN
        return ("US" if region == "US" else "CA"), phonenumbers.number_type(number)
    for candidate in _PORTABLE_REGIONS:
        kind = type_in_region(national, candidate)
        if kind != PhoneNumberType.UNKNOWN:
            return candidate, kind
    return None, PhoneNumberType.UNKNOWN


def _not_canonical(raw: str) -> str:
    """Explain a non-E.164 spelling, suggesting the canonical form when there is one."""
    try:
        parsed = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        canonical = phonenumbers.format_number(parsed, PhoneNumberFormat.E164)
        if canonical != raw and _CANONICAL.fullmatch(canonical):
            return f"{raw!r} is not canonical E.164; write it as {canonical!r}"
    return f"{raw!r} is not an E.164 US/CA number; expected '+1' and 10 digits, e.g. '+13125550141'"
