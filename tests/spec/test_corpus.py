"""Every malformed spec in `corpus/` fails validation with exactly the expected issues.

Each corpus file carries its expectations in header comments:

    # with: _companions/base-order.yaml      a valid file loaded before it (cross-file cases)
    # args: --require-secrets                extra validate options
    # env: NAME=value                        environment for secret references
    # expect: LINE:COL PATH: MESSAGE-PART    one line per expected issue (exact position/path)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.spec.conftest import CORPUS, RunValidate

LITERAL_SECRETS = ("4821", "90210331", "8642")
"""The literal PINs/account numbers the secret cases contain; no output may echo them."""


@dataclass
class Case:
    """A corpus file and the expectations from its header."""

    path: Path
    companions: list[Path] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    expected: list[tuple[int, int, str, str]] = field(default_factory=list)


def read_case(path: Path) -> Case:
    case = Case(path)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        if key == "with":
            case.companions.append(CORPUS / value)
        elif key == "args":
            case.args.extend(value.split())
        elif key == "env":
            name, _, val = value.partition("=")
            case.env[name] = val
        elif key == "expect":
            position, _, rest = value.partition(" ")
            issue_path, _, message = rest.partition(": ")
            line_no, col = (int(n) for n in position.split(":"))
            case.expected.append((line_no, col, issue_path, message))
    return case


CASES = sorted(CORPUS.glob("*.yaml"))


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert all(read_case(path).expected for path in CASES)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_malformed_spec_is_reported_exactly(path: Path, run_validate: RunValidate) -> None:
    case = read_case(path)
    files = [*map(str, case.companions), str(path)]
    result = run_validate("--format", "json", *case.args, *files, env=case.env)

    assert result.exit_code == 1, result.output
    issues = json.loads(result.stdout)
    assert {issue["file"] for issue in issues} == {str(path)}
    found = sorted((i["line"], i["col"], i["path"], i["message"]) for i in issues)
    assert [(line, col, p) for line, col, p, _ in found] == [
        (line, col, p) for line, col, p, _ in sorted(case.expected)
    ]
    for (_, _, _, message), (_, _, _, part) in zip(found, sorted(case.expected), strict=True):
        assert part in message
    for secret in LITERAL_SECRETS:
        assert secret not in result.output


def test_several_bad_files_report_every_error_at_once(run_validate: RunValidate) -> None:
    standalone = [read_case(p) for p in CASES]
    standalone = [c for c in standalone if not (c.companions or c.args or c.env)]
    assert len(standalone) >= 30

    result = run_validate("--format", "json", *(str(c.path) for c in standalone))

    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    # The cases reuse a few numbers; across files that is (rightly) a conflict of its own.
    shared_number = "is already in active spec"
    found = {
        (i["file"], i["line"], i["col"], i["path"])
        for i in issues
        if shared_number not in i["message"]
    }
    wanted = {(str(c.path), line, col, p) for c in standalone for line, col, p, _ in c.expected}
    assert found == wanted
    assert any(shared_number in i["message"] for i in issues)


def test_text_output_reads_file_line_col_path_message(run_validate: RunValidate) -> None:
    path = CORPUS / "trap-octal-zip.yaml"
    (line, col, issue_path, part) = read_case(path).expected[0]

    result = run_validate(str(path))

    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{path}:{line}:{col}: {issue_path}: ")
    assert part in first
    assert "1 problem(s) in 1 of 1 file(s)." in result.stdout
