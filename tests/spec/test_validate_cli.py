"""`portctl validate` as users and CI run it: exit codes, formats, secrets, and no network."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any, NoReturn

import pytest

from reconciler.render.validate import github_annotation
from reconciler.spec import SpecIssue
from tests.spec.conftest import CORPUS, SPECS, RunValidate

EXAMPLE_VARIABLES = [
    "ACME_ACCOUNT",
    "ACME_PORT_PIN",
    "GLOBEX_ACCOUNT",
    "GLOBEX_PORT_PIN",
    "INITECH_ACCOUNT",
    "INITECH_FAX_PIN",
    "INITECH_NEW_PIN",
    "INITECH_PORT_PIN",
    "MAPLE_ACCOUNT",
    "MAPLE_PORT_PIN",
]


def test_examples_are_valid_and_variables_listed(run_validate: RunValidate) -> None:
    result = run_validate(str(SPECS))

    assert result.exit_code == 0, result.output
    assert "Secret variables referenced: " + ", ".join(EXAMPLE_VARIABLES) in result.stdout
    assert "OK: 6 file(s), 4 order(s), 45 number(s)." in result.stdout


def test_default_path_is_specs(run_validate: RunValidate, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(SPECS.parent)
    assert run_validate().exit_code == 0


def test_missing_path_is_a_usage_error(tmp_path: Path, run_validate: RunValidate) -> None:
    from reconciler.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(tmp_path / "nope")])
    assert exit_info.value.code == 64


def test_require_secrets_uses_env_file_and_environment(
    run_validate: RunValidate, tmp_path: Path
) -> None:
    demo = SPECS / "demo.env"
    assert run_validate("--require-secrets", "--env-file", str(demo), str(SPECS)).exit_code == 0

    unset = run_validate("--require-secrets", str(SPECS), env={"ACME_PORT_PIN": "4821"})
    assert unset.exit_code == 1
    problems = [line for line in unset.stdout.splitlines() if ".yaml:" in line]
    assert len(problems) == len(EXAMPLE_VARIABLES) - 1
    assert not any("ACME_PORT_PIN" in line for line in problems)
    assert any("environment variable MAPLE_ACCOUNT is not set" in line for line in problems)
    assert "4821" not in unset.output

    partial = tmp_path / "partial.env"
    partial.write_text(demo.read_text().replace("MAPLE_ACCOUNT=", "# MAPLE_ACCOUNT="))
    missing_one = run_validate(
        "--require-secrets", "--env-file", str(partial), str(SPECS), env={"MAPLE_PORT_PIN": ""}
    )
    assert missing_one.exit_code == 1
    problems = [line for line in missing_one.stdout.splitlines() if ".yaml:" in line]
    assert len(problems) == 2
    assert "MAPLE_ACCOUNT is not set" in problems[1]
    assert "MAPLE_PORT_PIN is empty" in problems[0]


def test_plaintext_secret_needs_the_flag(run_validate: RunValidate) -> None:
    case = CORPUS / "secret-literal-pin.yaml"
    assert run_validate(str(case)).exit_code == 1
    allowed = run_validate("--allow-plaintext-secrets", str(case))
    assert allowed.exit_code == 0, allowed.output
    assert "4821" not in allowed.output


def test_json_format_is_a_list_of_located_issues(run_validate: RunValidate) -> None:
    result = run_validate("--format", "json", str(CORPUS / "number-jamaica.yaml"))

    assert result.exit_code == 1
    (issue,) = json.loads(result.stdout)
    assert set(issue) == {"file", "line", "col", "path", "message"}
    assert issue["path"] == "spec.phoneNumbers[1]"


def test_json_format_on_valid_specs_is_an_empty_list(run_validate: RunValidate) -> None:
    result = run_validate("--format", "json", str(SPECS))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "Secret variables referenced" in result.stderr


def test_github_actions_annotations(run_validate: RunValidate) -> None:
    case = CORPUS / "trap-octal-zip.yaml"
    result = run_validate(str(case), env={"GITHUB_ACTIONS": "true"})

    assert result.exit_code == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert annotations == [
        f"::error file={case},line=10,col=105::spec.defaults.endUser.zipCode: unquoted 02111 "
        'is read by YAML 1.1 as a number; quote it: "02111"'
    ]


def test_annotation_escapes_workflow_command_characters() -> None:
    issue = SpecIssue("a,b:c.yaml", 3, 4, "spec", "50%\nnext")
    expected = "::error file=a%2Cb%3Ac.yaml,line=3,col=4::spec: 50%25%0Anext"
    assert github_annotation(issue) == expected


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AssertionError(f"validate tried to open a network connection: {args!r}")


def test_validate_never_touches_the_network(
    run_validate: RunValidate, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)

    ok = run_validate("--require-secrets", "--env-file", str(SPECS / "demo.env"), str(SPECS))
    bad = run_validate(str(CORPUS))

    assert ok.exit_code == 0, ok.output
    assert bad.exit_code == 1
    assert "tried to open a network connection" not in bad.output + ok.output
