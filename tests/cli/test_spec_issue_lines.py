"""A hostile spec cannot put lines of its own into plan's error output (a CI log).

The spec problems plan and apply print before refusing come from `reconciler.cli.common`,
outside the output registry, so they get the registry's `printable` treatment themselves.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reconciler.cli import cli


def test_a_spec_key_with_a_newline_cannot_start_a_line_in_plan_errors(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "evil.yaml").write_text(
        "apiVersion: portctl/v1\n"
        "kind: PortIn\n"
        'metadata: {name: evil, "x\\n::error::pwned": 1}\n'
        'spec: {phoneNumbers: ["+13125550141"]}\n',
        "utf-8",
    )
    run = CliRunner().invoke(cli, ["plan", str(specs), "--emulator"], catch_exceptions=False)
    assert run.exit_code == 1
    lines = run.output.splitlines()
    assert any("evil.yaml" in line for line in lines), run.output
    assert not [line for line in lines if line.startswith("::")], run.output
