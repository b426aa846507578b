"""Secret references: what resolving a `${file:...}` or `${NAME}` reports, at validate and plan.

Messages name the reference and what to fix, never a value or the file's content.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import cli
from reconciler.spec.secrets import SecretError, parse_reference, resolve
from tests.spec.conftest import TODAY

SPEC = """\
apiVersion: portctl/v1
kind: PortIn
metadata:
  name: file-secret
spec:
  schedule: {date: "2027-01-19"}
  defaults:
    endUser: {name: Acme Corp, streetNum: "233", streetName: Wacker, city: Chicago, state: IL,
              zipCode: "60606"}
    portOutInfo:
      existingPortOutPin: "${file:secrets/pin.txt}"
  phoneNumbers: ["+13125550101"]
"""


def _resolve_file(tmp_path: Path, target: str) -> str:
    """Resolve `${file:target}` for a spec in `tmp_path/repo/specs`."""
    ref = parse_reference(f"${{file:{target}}}")
    assert ref is not None
    return resolve(ref, env={}, spec_dir=tmp_path / "repo" / "specs", repo_root=tmp_path / "repo")


def test_file_secret_is_read_without_its_trailing_newline(tmp_path: Path) -> None:
    (tmp_path / "repo" / "specs").mkdir(parents=True)
    (tmp_path / "repo" / "specs" / "pin.txt").write_text("4821\n")
    assert _resolve_file(tmp_path, "pin.txt") == "4821"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "does not exist"),
        ("directory", "is not a regular file"),
        (b"\xff\xfe4821", "is not UTF-8 text"),
        (b"\n", "is empty"),
    ],
)
def test_unusable_secret_files_say_why(
    tmp_path: Path, content: bytes | str | None, reason: str
) -> None:
    target = tmp_path / "repo" / "specs" / "pin.txt"
    target.parent.mkdir(parents=True)
    if content == "directory":
        target.mkdir()
    elif isinstance(content, bytes):
        target.write_bytes(content)

    with pytest.raises(SecretError) as failure:
        _resolve_file(tmp_path, "pin.txt")

    assert str(failure.value) == f"secret file pin.txt (relative to the spec file) {reason}"


def test_secret_file_outside_the_repository_is_refused_before_reading(tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("4821")
    with pytest.raises(SecretError, match=r"^secret file \.\./\.\./outside.txt is outside"):
        _resolve_file(tmp_path, "../../outside.txt")


def test_plan_reports_a_missing_secret_file_at_its_line_and_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    spec = tmp_path / "specs" / "file-secret.yaml"
    spec.parent.mkdir()
    spec.write_text(SPEC)
    monkeypatch.chdir(tmp_path)
    env = {
        "PORTCTL_TODAY": TODAY.isoformat(),
        "PORTCTL_EMULATOR_STATE": str(tmp_path / "emulator.json"),
    }

    result = CliRunner().invoke(cli, ["plan", "specs", "--emulator"], env=env)

    assert result.exit_code == 1
    assert (
        "specs/file-secret.yaml:11:27: spec.defaults.portOutInfo.existingPortOutPin: "
        "secret file secrets/pin.txt (relative to the spec file) does not exist"
    ) in result.stderr
    assert "nothing was sent to the API" in result.stderr
    assert not (tmp_path / "emulator.json").exists()
