"""apiVersion dispatch (with a v0 -> v1 migration), the New York clock, and dotenv loading."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from reconciler.clock import cli_today, today_new_york
from reconciler.spec import load_env, load_project, versions
from reconciler.spec.v1 import PortIn, SpecModel
from tests.spec.conftest import TODAY

V0_ORDER = """\
apiVersion: portctl/v0
kind: PortIn
name: legacy-order
portDate: "2027-01-19"
numbers: ["+13125550101"]
endUser: {name: Acme Corp, streetNum: "233", streetName: Wacker, city: Chicago, state: IL,
          zipCode: "60606"}
pin: "${LEGACY_PIN}"
"""


class LegacyPortIn(SpecModel):
    """A made-up flat predecessor format, to prove a version can be added with a migration."""

    apiVersion: Literal["portctl/v0"]
    """Version."""
    kind: Literal["PortIn"]
    """Kind."""
    name: str
    """Name."""
    portDate: str
    """Port date."""
    numbers: list[str]
    """Numbers."""
    endUser: dict[str, str]
    """End user."""
    pin: str
    """PIN reference."""


def migrate_v0(document: BaseModel) -> BaseModel:
    assert isinstance(document, LegacyPortIn)
    data: dict[str, Any] = {
        "apiVersion": "portctl/v1",
        "kind": "PortIn",
        "metadata": {"name": document.name},
        "spec": {
            "schedule": {"date": document.portDate},
            "defaults": {
                "endUser": document.endUser,
                "portOutInfo": {"existingPortOutPin": document.pin},
            },
            "phoneNumbers": document.numbers,
        },
    }
    return PortIn.model_validate(data)


def test_a_registered_older_version_is_migrated_to_the_latest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        versions.REGISTRY,
        "portctl/v0",
        versions.ApiVersion(kinds={"PortIn": LegacyPortIn}, migrate=migrate_v0),
    )
    (tmp_path / "legacy.yaml").write_text(V0_ORDER)

    result = load_project([tmp_path], today=TODAY, env={})

    assert result.issues == []
    assert result.state is not None
    (order,) = result.state.orders
    assert order.reference == "legacy-order"
    assert order.phone_numbers == ("+13125550101",)
    assert result.secret_variables == ["LEGACY_PIN"]


def test_unknown_version_names_the_supported_ones(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(V0_ORDER)

    (issue,) = load_project([tmp_path], today=TODAY, env={}).issues

    assert (issue.line, issue.col, issue.path) == (1, 13, "apiVersion")
    assert (
        issue.message == "apiVersion 'portctl/v0' is not supported; supported versions: portctl/v1"
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 27, 3, 30, tzinfo=UTC), date(2026, 11, 26)),
        (datetime(2026, 11, 27, 5, 30, tzinfo=UTC), date(2026, 11, 27)),
        (datetime(2026, 7, 1, 3, 59, tzinfo=UTC), date(2026, 6, 30)),
    ],
)
def test_today_is_the_new_york_date(moment: datetime, expected: date) -> None:
    assert today_new_york(moment) == expected


def test_today_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        today_new_york(datetime(2026, 11, 27, 3, 30))  # noqa: DTZ001


def test_cli_today_honours_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTCTL_TODAY", "2030-02-03")
    assert cli_today() == date(2030, 2, 3)
    monkeypatch.setenv("PORTCTL_TODAY", "tomorrow")
    with pytest.raises(ValueError, match="PORTCTL_TODAY"):
        cli_today()


def test_env_file_values_lose_to_the_environment(tmp_path: Path) -> None:
    env_file = tmp_path / "demo.env"
    env_file.write_text("A=from-file\nB=from-file\nDECLARED_ONLY\nQUOTED='x y'\n")

    values = load_env(env_file, {"B": "from-env"})

    assert values == {"A": "from-file", "B": "from-env", "QUOTED": "x y"}
    assert load_env(None, {"C": "1"}) == {"C": "1"}
