"""Property: any valid spec survives model -> YAML -> load unchanged.

Strings that YAML 1.1 would type (`NO`, `0123`, `1:30`, dates, `+1...`) are generated on purpose:
a correct YAML writer quotes them, and the strict loader must then read them back as strings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from reconciler.spec import load_project
from reconciler.spec.document import load_document
from reconciler.spec.effective import order_body
from reconciler.spec.fields import validation_context
from reconciler.spec.phone import PhoneNumberError, check_portable_e164
from reconciler.spec.v1 import PortIn
from tests.spec.conftest import TODAY

TRAPS = ["NO", "yes", "ON", "off", "0123", "1:30", "2027-01-19", "+13125550101", "~", "null", "1e3"]
text = st.one_of(
    st.sampled_from(TRAPS),
    st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool),
)


def _portable(number: str) -> bool:
    try:
        check_portable_e164(number)
    except PhoneNumberError:
        return False
    return True


e164 = st.builds(
    "+1{}{}{:04d}".format,
    st.sampled_from([212, 312, 415, 512, 617, 303, 416, 604, 514, 403]),
    st.integers(200, 999),
    st.integers(0, 9999),
).filter(_portable)
state_code = st.sampled_from(["IL", "NY", "ON", "NO", "BC", "TX"])
iso_date = st.dates().map(lambda d: d.isoformat())
past_date = st.dates(max_value=TODAY).map(lambda d: d.isoformat())
port_time = st.builds(
    "{:02d}:{:02d}:{:02d}".format, st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)
)
secret = st.sampled_from(["${PIN_A}", "${ACCOUNT_B}", "${file:secrets/pin.txt}"])
end_user_full = st.fixed_dictionaries(
    {
        "name": text,
        "streetNum": text,
        "streetName": text,
        "city": text,
        "state": state_code,
        "zipCode": text,
    },
    optional={"streetType": text, "locationType1": text, "typeOfService": st.sampled_from("BR")},
)
voice = st.one_of(
    st.fixed_dictionaries({"type": st.just("RTC"), "appId": text}),
    st.fixed_dictionaries({"type": st.just("EST"), "trunkId": text}),
    st.fixed_dictionaries({"type": st.just("FAX"), "serviceId": text}),
)
overrides = st.fixed_dictionaries(
    {},
    optional={
        "endUser": st.fixed_dictionaries({}, optional={"name": text, "zipCode": text}),
        "portOutInfo": st.fixed_dictionaries(
            {}, optional={"existingPortOutPin": secret, "authorizingDate": past_date}
        ),
        "voiceConfiguration": voice,
        "smsConfiguration": st.fixed_dictionaries({"smsAppId": text}),
        "newPortOutPin": secret,
    },
)
activation = st.sampled_from(
    [
        {"mode": "scheduled"},
        {"mode": "on-demand"},
        {"mode": "on-demand", "when": "ready"},
        {"mode": "on-demand", "when": "manual", "groups": ["GW Verizon Grp1"]},
    ]
)


@st.composite
def port_in(draw: st.DrawFn) -> dict[str, Any]:
    numbers = draw(st.lists(e164, min_size=1, max_size=6, unique=True))
    items: list[Any] = [
        n if draw(st.booleans()) else {"number": n, **draw(overrides)} for n in numbers
    ]
    spec: dict[str, Any] = {
        "schedule": draw(
            st.fixed_dictionaries(
                {"date": iso_date},
                optional={"time": port_time, "timeZone": st.sampled_from(["US/Pacific"])},
            )
        ),
        "activation": draw(activation),
        "defaults": {
            "endUser": draw(end_user_full),
            "portOutInfo": {"accountNum": draw(secret), "authorizingDate": draw(past_date)},
            "voiceConfiguration": draw(voice),
        },
        "phoneNumbers": items,
        "notes": draw(st.lists(text, max_size=3, unique=True)),
    }
    if draw(st.booleans()) or any(check_portable_e164(n) == "CA" for n in numbers):
        spec["resellerName"] = draw(text)
    if draw(st.booleans()):
        spec["loa"] = {"uploadedBy": draw(text), "attachmentDate": draw(past_date)}
    labels = draw(st.dictionaries(st.sampled_from(["team", "NO", "0123"]), text, max_size=2))
    return {
        "apiVersion": "portctl/v1",
        "kind": "PortIn",
        "metadata": {"name": "round-trip", "labels": labels},
        "spec": spec,
    }


CONTEXT = validation_context(today=TODAY, allow_plaintext_secrets=False)


@given(port_in())
def test_valid_spec_survives_model_yaml_load(tmp_path_factory: Any, data: dict[str, Any]) -> None:
    model = PortIn.model_validate(data, context=CONTEXT)
    text_out = yaml.safe_dump(
        model.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True
    )
    directory: Path = tmp_path_factory.mktemp("roundtrip")
    path = directory / "spec.yaml"
    path.write_text(text_out, encoding="utf-8")

    loaded = load_document(str(path), path.read_bytes(), context=CONTEXT)
    result = load_project([path], today=TODAY, env={})

    assert loaded.issues == []
    assert loaded.model == model
    assert result.issues == []
    assert result.state is not None
    (order,) = result.state.orders
    expected = order_body(
        model, reference="round-trip", default_time=None, default_zone=None, secret=str
    )
    assert order.body == expected
