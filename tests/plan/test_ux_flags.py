"""Issue 11 point 10: one -o/--out flag (with --output), --color, shell completion, a
progress line on a terminal, and `portctl show` of a saved plan."""

from __future__ import annotations

import io
import json

import pytest

from reconciler.cli import cli
from tests.plan.conftest import PIN, PlanWorld

A = ["+13125550141", "+13125550142"]


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("flag", ["--out", "-o", "--output"])
def test_plan_saves_with_out_o_and_output(world: PlanWorld, flag: str) -> None:
    world.spec("alpha", A)
    path = world.root / f"plan{flag}.json"
    assert world.plan(flag, str(path)).code == 0
    assert json.loads(path.read_text("utf-8"))["kind"] == "portctl-plan"


@pytest.mark.parametrize("command", ["drift", "status"])
@pytest.mark.parametrize("flag", ["--out", "-o", "--output"])
def test_reports_write_files_with_out_o_and_output(
    world: PlanWorld, command: str, flag: str
) -> None:
    world.spec("alpha", A)
    path = world.root / "report.json"
    argv = [command, str(world.specs), "--emulator", "--env-file", str(world.env_file)]
    run = world.main([*argv, "--format", "json", flag, str(path)])
    assert run.code in (0, 2), run.err
    assert run.out == ""
    assert json.loads(path.read_text("utf-8"))["formatVersion"] == 1


def test_every_command_that_writes_a_file_spells_it_out_o_output() -> None:
    for name in ("plan", "drift", "status"):
        (option,) = [p for p in cli.commands[name].params if p.name == "out"]
        assert set(option.opts) == {"--out", "-o", "--output"}, name


def test_color_always_never_and_auto(world: PlanWorld) -> None:
    world.spec("alpha", A)
    assert "\x1b[" in world.plan("--format", "text", "--color", "always").out
    assert "\x1b[" not in world.plan("--format", "text", "--color", "never").out
    assert "\x1b[" not in world.plan("--format", "text").out  # auto: not a terminal
    before = world.main(
        [
            "--color",
            "always",
            "plan",
            str(world.specs),
            "--emulator",
            "--env-file",
            str(world.env_file),
            "--format",
            "text",
        ]
    )
    assert "\x1b[" in before.out


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --no-files")],
)
def test_shell_completion_scripts(
    world: PlanWorld, monkeypatch: pytest.MonkeyPatch, shell: str, marker: str
) -> None:
    monkeypatch.setenv("_PORTCTL_COMPLETE", f"{shell}_source")
    run = world.main([])
    assert run.code == 0
    assert marker in run.out


def test_completion_completes_commands(world: PlanWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_PORTCTL_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "portctl sh")
    monkeypatch.setenv("COMP_CWORD", "1")
    run = world.main([])
    assert "plain,show" in run.out.split()


def test_progress_line_on_a_terminal_only(
    world: PlanWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.spec("alpha", A)
    assert "Reading live orders" not in world.plan().err
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert world.plan().code == 0
    assert "Reading live orders from the API" in terminal.getvalue()
    terminal.truncate(0)
    argv = ["drift", str(world.specs), "--emulator", "--env-file", str(world.env_file)]
    world.main(argv)
    assert "Reading live orders from the API" in terminal.getvalue()


def test_show_renders_a_saved_plan_in_every_format(world: PlanWorld) -> None:
    world.spec("alpha", A)
    path = world.root / "plan.json"
    made = world.plan("--out", str(path), "--format", "text")
    for fmt in ("text", "markdown", "json"):
        shown = world.main(["show", str(path), "--format", fmt])
        assert shown.code == 0, shown.err
        assert PIN not in shown.out
    assert world.main(["show", str(path), "--format", "text"]).out == made.out
    document = json.loads(world.main(["show", str(path), "--format", "json"]).out)
    assert document["settings"]["referencePrefix"] == "gitops/"
    path.write_text(path.read_text("utf-8").replace("alpha", "alpho"), "utf-8")
    edited = world.main(["show", str(path)])
    assert edited.code == 1
    assert "edited" in edited.err or "checksum" in edited.err
