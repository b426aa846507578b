"""No value can inject a line into portctl's output (issue 10 point 8), through the CLI.

A spec's note and end-user name carry a newline followed by a GitHub workflow command, a
carriage return and a terminal escape; an API error message carries the same. Whatever portctl
prints (plan as text and markdown, apply's progress and outcome table, drift, status, errors),
no line may start with `::` and no escape character may reach the output: the characters are
shown as visible symbols instead (U+240A for a newline).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from tests.cli.hostile import Reply, Seen, emulated, serve
from tests.cli.test_error_ux import DEMO_ENV, SPECS, _clean_environment, portctl

__all__ = ["_clean_environment"]

INJECTED_NOTE = r'"LOA signed.\n::error::deploy failed\r\n::add-mask::x \e[2J"'
INJECTED_NAME = r'"Acme Corp\n::warning::forged\u2028Apply: 0 failed"'


def injected_specs(tmp_path: Path) -> Path:
    """The example specs, with the acme spec's note and end-user name carrying injections."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    acme = specs / "acme-hq-main-lines.yaml"
    text = acme.read_text()
    text = text.replace(
        "    - LOA signed by the CFO on 2026-11-18; copy kept in the ticket ACME-1042.",
        f"    - {INJECTED_NOTE}",
    )
    text = text.replace("      name: Acme Corp\n", f"      name: {INJECTED_NAME}\n", 1)
    acme.write_text(text)
    return specs


def assert_no_injection(*outputs: str) -> None:
    for output in outputs:
        for line in output.splitlines():
            assert not line.lstrip().startswith("::"), line
        assert "\x1b" not in output
        assert "\r" not in output
        assert "\u2028" not in output


@pytest.mark.parametrize(
    "command",
    [
        ["plan"],
        ["plan", "--format", "markdown"],
        ["apply", "--auto-approve"],
        ["apply", "--auto-approve", "--format", "markdown"],
    ],
    ids=lambda c: "-".join(c),
)
def test_values_from_specs_cannot_inject_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    specs = injected_specs(tmp_path)

    code, out, err = portctl(
        capsys, *command, str(specs), "--env-file", str(DEMO_ENV), "--emulator"
    )

    assert code in (0, 2)
    assert "LOA signed.\u240a::error::deploy failed\u240d\u240a::add-mask::x \u241b[2J" in out
    assert_no_injection(out, err)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"], ids=lambda f: f"drift-{f}")
def test_live_values_cannot_inject_lines_into_drift(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    # The live orders get the injected note and name; drift against the clean specs shows them.
    injected = injected_specs(tmp_path)
    applied, _, _ = portctl(
        capsys, "apply", "--auto-approve", str(injected), "--env-file", str(DEMO_ENV), "--emulator"
    )
    assert applied == 0

    args = ["--format", fmt, "--env-file", str(DEMO_ENV), "--emulator"]
    _, out, err = portctl(capsys, "drift", str(SPECS), *args)

    assert "::warning::forged" in out
    assert_no_injection(out, err)


def test_a_live_status_cannot_inject_lines_into_status(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    emulator = Emulator()
    clean = tmp_path / "specs"
    shutil.copytree(SPECS, clean)  # a private workspace: apply locks the one its specs are in
    clean_args = [str(clean), "--env-file", str(DEMO_ENV)]

    def odd_status(request: Seen) -> Reply | None:
        real = emulated(emulator, request)
        if request.method != "GET" or "/portIns" not in request.path or not real.is_success:
            return None
        text = real.text.replace('"PENDING"', '"PENDING\\n::error::forged"')
        return Reply(real.status_code, raw=text.encode())

    with serve(lambda _: None, emulator) as api:
        monkeypatch.setenv("SINCH_PORTING_URL", api.url)
        monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
        monkeypatch.setenv("SINCH_ACCESS_TOKEN", "x")
        applied, _, _ = portctl(capsys, "apply", "--auto-approve", *clean_args)
        assert applied == 0
    with serve(odd_status, emulator) as api:
        monkeypatch.setenv("SINCH_PORTING_URL", api.url)
        _, out, err = portctl(capsys, "status", *clean_args)

    assert "PENDING\u240a::ERROR::FORGED" in out.upper()
    assert_no_injection(out, err)


def test_an_api_error_message_cannot_inject_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(request: Seen) -> Reply:
        return Reply(400, json={"error": {"message": "bad\n::error::forged\x1b[2K"}})

    with serve(refuse) as api:
        monkeypatch.setenv("SINCH_PORTING_URL", api.url)
        monkeypatch.setenv("SINCH_PROJECT_ID", "demo")
        monkeypatch.setenv("SINCH_ACCESS_TOKEN", "x")
        code, out, err = portctl(capsys, "plan", str(SPECS), "--env-file", str(DEMO_ENV))

    assert code == 1
    assert err.count("\n") == 1
    assert "bad\u240a::error::forged\u241b[2K" in err
    assert_no_injection(out, err)
