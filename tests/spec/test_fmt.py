"""Issue 11 point 10: `portctl fmt` rewrites specs in canonical form (quoted numbers, schema
key order, modeline), keeps comments, never changes what the specs load to, and `--check`
fails CI without writing."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.desired import DesiredState, SourceLocation
from reconciler.spec import load_project

REPO = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 26)
ENV = {
    "ACME_PORT_PIN": "1234",
    "ACME_ACCOUNT": "ACCT-1",
    "GLOBEX_PORT_PIN": "2345",
    "GLOBEX_ACCOUNT": "ACCT-2",
    "INITECH_PORT_PIN": "3456",
    "INITECH_ACCOUNT": "ACCT-3",
    "INITECH_FAX_PIN": "4567",
    "INITECH_NEW_PIN": "5678",
    "MAPLE_PORT_PIN": "6789",
    "MAPLE_ACCOUNT": "ACCT-4",
    "MAPLE_VAN_PIN": "7890",
}

MESSY = """\
# Riverside Vet: two lines, written by hand.
kind: PortIn
apiVersion: portctl/v1
spec:
  phoneNumbers:
    - '+13125550141'   # front desk
    - endUser:
        zipCode: '60606'
        name: Riverside Vet
      number: '+13125550142'
  schedule:
    timeZone: US/Central
    date: '2026-12-15'
    time: '10:00:00'
  defaults:
    portOutInfo:
      accountNum: "${RIVERSIDE_ACCOUNT}"
      existingPortOutPin: "${RIVERSIDE_PIN}"
    endUser:
      typeOfService: B
      state: IL
      city: Chicago
      name: Riverside Vet
      streetNum: '233'
      streetName: Wacker
      zipCode: "60606"
metadata:
  name: riverside-vet
"""


def _fmt(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["fmt", *args])
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def _state(directory: Path, env: dict[str, str]) -> DesiredState:
    """What the specs mean: the desired state without the bytes' digest and line numbers."""
    result = load_project([directory], today=TODAY, env=env, resolve_secrets=True)
    state = result.state
    assert state is not None, [str(i) for i in result.issues]
    orders = tuple(replace(o, source=SourceLocation(o.source.file)) for o in state.orders)
    config = state.configuration
    if config is not None:
        config = replace(config, source=SourceLocation(config.source.file))
    return replace(state, spec_digest="", orders=orders, configuration=config)


def test_fmt_then_load_equals_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(REPO / "specs", specs)
    (specs / "riverside-vet.yaml").write_text(MESSY, "utf-8")
    env = {**ENV, "RIVERSIDE_ACCOUNT": "ACCT-9", "RIVERSIDE_PIN": "9999"}
    before = _state(specs, env)
    code, out, _ = _fmt(str(specs), capsys=capsys)
    assert code == 0
    assert out.splitlines() == [f"reformatted {specs / 'riverside-vet.yaml'}"]
    assert _state(specs, env) == before
    assert _fmt(str(specs), "--check", capsys=capsys)[0] == 0, "fmt is idempotent"


def test_canonical_form_keeps_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "riverside-vet.yaml"
    spec.write_text(MESSY, "utf-8")
    _fmt(str(spec), capsys=capsys)
    text = spec.read_text("utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../schemas/portin.v1.json"
    assert lines[1] == "# Riverside Vet: two lines, written by hand."
    assert [line.split(":")[0] for line in lines if not line.startswith((" ", "#"))] == [
        "apiVersion",
        "kind",
        "metadata",
        "spec",
    ]
    assert '- "+13125550141"   # front desk' in text
    assert '- number: "+13125550142"' in text
    assert 'date: "2026-12-15"' in text
    assert text.index("  schedule:") < text.index("  defaults:") < text.index("  phoneNumbers:")
    assert text.index("date:") < text.index("time:") < text.index("timeZone:")


def test_check_writes_nothing_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "riverside-vet.yaml"
    spec.write_text(MESSY, "utf-8")
    code, out, _ = _fmt(str(tmp_path), "--check", capsys=capsys)
    assert code == 1
    assert out.strip() == f"would reformat {spec}"
    assert spec.read_text("utf-8") == MESSY


def test_the_shipped_examples_are_canonical(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _fmt(str(REPO / "specs"), "--check", capsys=capsys)
    assert (code, out) == (0, ""), err


def test_unquoted_numbers_in_string_fields_are_quoted_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate refuses `+13125550141` unquoted and shows the quoted form; fmt writes exactly
    that (the characters as typed, `+` and leading zeros kept), and numbers stay numbers
    where the schema wants a number."""
    spec = tmp_path / "x.yaml"
    messy = MESSY.replace("- '+13125550141'", "- +13125550141").replace("'233'", "0233")
    spec.write_text(messy, "utf-8")
    _fmt(str(spec), capsys=capsys)
    text = spec.read_text("utf-8")
    assert any(
        line.strip().startswith('- "+13125550141"') and line.endswith("# front desk")
        for line in text.splitlines()
    )
    assert 'streetNum: "0233"' in text
    settings = tmp_path / "portctl.yaml"
    settings.write_text(
        "apiVersion: portctl/v1\nkind: Settings\nspec:\n  safety:\n    maxCancels: 2\n", "utf-8"
    )
    _fmt(str(settings), capsys=capsys)
    assert "maxCancels: 2\n" in settings.read_text("utf-8")


def test_a_file_that_is_not_a_spec_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "compose.yaml").write_text("services: {}\n", "utf-8")
    code, _, err = _fmt(str(tmp_path), capsys=capsys)
    assert code == 1
    assert "not a portctl spec" in err


def test_a_file_that_is_not_utf8_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.yaml").write_bytes(b"kind: PortIn\nname: \xff\xfe\n")
    code, _, err = _fmt(str(tmp_path), capsys=capsys)
    assert code == 1
    assert "bad.yaml: is not UTF-8 text (byte 19)" in err
    assert "internal error" not in err
