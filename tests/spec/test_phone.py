"""Port-in number rules: canonical E.164, US/CA, geographic; explained when refused."""

from __future__ import annotations

from collections.abc import Callable

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from phonenumbers import PhoneNumber, PhoneNumberType, phonenumberutil

from reconciler.spec import phone
from reconciler.spec.phone import PhoneNumberError, check_portable_e164, region_and_type


@pytest.mark.parametrize(
    ("number", "region"),
    [
        ("+13125550141", "US"),
        ("+12125550123", "US"),
        ("+14165550123", "CA"),
        ("+16045550170", "CA"),
    ],
)
def test_geographic_us_and_canadian_numbers_pass(number: str, region: str) -> None:
    assert check_portable_e164(number) == region


DEVANAGARI_416_555_0123 = "+1" + "".join(chr(0x0966 + int(d)) for d in "4165550123")
"""Non-ASCII digits that phonenumbers (and a naive `\\d` regex) would accept."""


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("+18005550123", "toll-free"),
        ("+19005550123", "premium-rate"),
        ("+15005550123", "personal-number"),
        ("+18765550123", "region JM"),
        ("+17875550123", "region PR"),
        ("+11235550123", "not a valid North American number"),
        ("+1 312 555 0141", "write it as '+13125550141'"),
        (
            "+1\u096a\u0967\u096c\u096b\u096b\u096b\u0966\u0967\u0968\u0969",
            "write it as '+14165550123'",
        ),
        ("13125550141", "write it as '+13125550141'"),
        ("+4930123456", "expected '+1' and 10 digits"),
    ],
)
def test_refused_numbers_say_why(number: str, reason: str) -> None:
    with pytest.raises(PhoneNumberError, match=reason.replace("+", r"\+")):
        check_portable_e164(number)


national_numbers = st.one_of(
    st.integers(2_000_000_000, 9_999_999_999),
    st.builds(
        lambda area, rest: area * 10_000_000 + rest,
        st.sampled_from([212, 312, 416, 604, 800, 876, 787, 900, 500, 242]),
        st.integers(2_000_000, 9_999_999),
    ),
)


@given(national_numbers)
def test_fast_region_and_type_agree_with_public_api(national: int) -> None:
    number = PhoneNumber(country_code=1, national_number=national)
    public_region = phonenumbers.region_code_for_number(number)
    fast = region_and_type(str(national))
    fallback = region_and_type(str(national), type_in_region=None)
    assert fast == fallback
    if public_region in ("US", "CA"):
        assert fast == (public_region, phonenumbers.number_type(number))
    else:
        assert fast == (None, PhoneNumberType.UNKNOWN)


def test_the_fast_matcher_is_in_use_on_this_phonenumbers_release() -> None:
    """If this fails, the metadata of this phonenumbers release no longer classifies as the
    compiled matcher reads it: validate still works (public path) but is slower on large
    repositories; update `_classifier`."""
    assert phone._TYPE_IN_REGION is not None


def _unknown(metadata: object) -> Callable[[str], int]:
    return lambda national: PhoneNumberType.UNKNOWN


def _broken(metadata: object) -> Callable[[str], int]:
    raise AttributeError("metadata of another shape")


@pytest.mark.parametrize("classifier", [_unknown, _broken])
def test_a_matcher_that_disagrees_or_fails_is_not_used(
    classifier: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phone, "_classifier", classifier)
    assert phone._fast_type_in_region() is None


@given(national_numbers, st.sampled_from(["US", "CA"]))
def test_the_compiled_matcher_is_libphonenumbers_own(national: int, region: str) -> None:
    """The same answer as libphonenumber's own per-region matcher (a private function, used
    here only to check the copy)."""
    own = getattr(phonenumberutil, "_number_type_helper", None)
    if own is None:
        pytest.skip("this phonenumbers release has no such private helper")
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    assert metadata is not None
    assert phone._classifier(metadata)(str(national)) == own(str(national), metadata)


@pytest.mark.parametrize(
    ("national", "expected"),
    [
        ("3125550141", ("US", PhoneNumberType.FIXED_LINE_OR_MOBILE)),
        ("4165550123", ("CA", PhoneNumberType.FIXED_LINE_OR_MOBILE)),
        ("8005550123", ("US", PhoneNumberType.TOLL_FREE)),
        ("8765550123", (None, PhoneNumberType.UNKNOWN)),
        ("1235550123", (None, PhoneNumberType.UNKNOWN)),
    ],
)
def test_public_fallback_classifies_numbers(national: str, expected: tuple[object, int]) -> None:
    assert region_and_type(national, type_in_region=None) == expected
