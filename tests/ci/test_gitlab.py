"""Issue 11 point 15: the GitLab example (`examples/gitlab-ci.yml`, the one copy README points
to) treats exit codes as README says, job by job.

Each job's `script` lines run as GitLab's runner runs them (one bash script, `set -eo
pipefail`), with the real `portctl` against an emulator served on a socket and a fake `curl`
for GitLab's notes API. `before_script` (installing portctl) is replaced by this environment's
portctl; its pin is checked instead. A job's outcome follows GitLab: exit 0 passes, an exit code
listed in `allow_failure: exit_codes` is a warning, anything else fails the pipeline.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator.server import running
from tests.ci.runner_sim import (
    FAKES_DIR,
    REPO_ROOT,
    SECRETS,
    Runner,
    api_env,
    dotenv,
    install_program,
    load_yaml,
    shellcheck,
    write_specs_repo,
)
from tests.core.builders import port_in_document, write_yaml

EXAMPLE = REPO_ROOT / "examples" / "gitlab-ci.yml"
PIPELINE: dict[str, Any] = load_yaml(EXAMPLE)
MARKER = "<!-- portctl:plan -->"
GITLAB = {
    "GITHUB_ACTIONS": "false",
    "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
    "CI_PROJECT_ID": "42",
    "CI_MERGE_REQUEST_IID": "7",
    "CI_COMMIT_SHORT_SHA": "0123456",
    "GITLAB_API_TOKEN": "gitlab-token",
}


@pytest.fixture
def runner(tmp_path: Path, emu: Emulator) -> Iterator[Runner]:
    """A checkout of a specs repository, portctl for real, the emulator served, curl faked."""
    with running(emu) as url:
        runner = Runner(tmp_path, env={**api_env(url), **GITLAB}, real_portctl=True)
        install_program(runner.bin, "curl", FAKES_DIR / "fake_curl.py")
        runner.gh_state = {"comments": [], "issues": [], "labels": []}
        write_specs_repo(runner.workspace, "+13125550141", "+13125550142")
        yield runner


def _env_file(runner: Runner) -> dict[str, str]:
    """The File-type variable PORTCTL_ENV_FILE: a path to the dotenv lines."""
    path = runner.root / "portctl-env-file"
    path.write_text(dotenv(SECRETS), encoding="utf-8")
    return {"PORTCTL_ENV_FILE": str(path)}


def _job(
    runner: Runner, name: str, env: Mapping[str, str] | None = None
) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Run job `name`'s script lines; returns GitLab's verdict (passed/warning/failed)."""
    job = PIPELINE[name]
    script = "\n".join(str(line) for line in job["script"]) + "\n"
    result = runner.run(script, dict(env or {}))
    allowed = job.get("allow_failure", {}).get("exit_codes", []) if "allow_failure" in job else []
    if result.returncode == 0:
        verdict = "passed"
    elif result.returncode in allowed:
        verdict = "warning"
    else:
        verdict = "failed"
    return verdict, result


def _dotenv_report(runner: Runner) -> dict[str, str]:
    """plan:main's `reports: dotenv` file, as GitLab passes it to jobs that need plan:main."""
    text = (runner.workspace / PIPELINE["plan:main"]["artifacts"]["reports"]["dotenv"]).read_text(
        encoding="utf-8"
    )
    return dict(line.split("=", 1) for line in text.splitlines())


def _open_orders(emu: Emulator) -> list[dict[str, Any]]:
    orders = (record["order"] for record in emu.world.orders.values())
    return [o for o in orders if o["status"] not in ("CANCELED", "COMPLETED")]


def _merge_and_apply(runner: Runner) -> tuple[str, subprocess.CompletedProcess[str]]:
    """The default branch's pipeline: plan:main, then apply once approved."""
    verdict, planned = _job(runner, "plan:main")
    assert verdict == "passed", planned.stdout + planned.stderr
    return _job(runner, "apply", {**_dotenv_report(runner), **_env_file(runner)})


def test_portctl_is_installed_from_a_pinned_ref() -> None:
    (install,) = PIPELINE["default"]["before_script"]
    assert install.startswith('pip install --quiet "git+https://github.com/OWNER/portctl@vX.Y.Z"')


def test_readme_points_to_the_example_and_repeats_none_of_it() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### GitLab CI") :].split("\n## ", 1)[0]
    assert "examples/gitlab-ci.yml" in section
    assert "portctl plan specs/" not in section, "one source: the example file"


def test_merge_request_plan_posts_one_note_and_pending_changes_are_a_warning(
    runner: Runner,
) -> None:
    verdict, validated = _job(runner, "validate")
    assert verdict == "passed", validated.stderr
    verdict, planned = _job(runner, "plan")
    assert verdict == "warning", planned.stdout + planned.stderr
    assert planned.returncode == 2
    (note,) = runner.gh_state["comments"]
    assert note["issue"] == 7
    assert note["body"].startswith(f"{MARKER}\n> plan of 0123456, exit code 2;")
    assert "acme-east" in note["body"]
    assert (runner.workspace / "plan.json").exists()

    # The next push edits the same note.
    write_specs_repo(runner.workspace, "+13125550141")
    verdict, _ = _job(runner, "plan")
    assert verdict == "warning"
    (edited,) = runner.gh_state["comments"]
    assert edited["id"] == note["id"]
    assert edited["body"] != note["body"]
    assert runner.calls[-1][:4] == ["curl", "-sf", "--request", "PUT"]


def test_merge_request_with_invalid_specs_fails_and_posts_nothing(runner: Runner) -> None:
    spec = runner.workspace / "specs" / "acme-east.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "surprise: field\n", encoding="utf-8")
    assert _job(runner, "validate")[0] == "failed"
    verdict, planned = _job(runner, "plan")
    assert verdict == "failed"
    assert planned.returncode == 1
    assert runner.gh_state["comments"] == []


def test_merge_plans_then_the_approved_plan_is_applied(runner: Runner, emu: Emulator) -> None:
    verdict, applied = _merge_and_apply(runner)
    assert verdict == "passed", applied.stdout + applied.stderr
    assert _dotenv_report(runner)["PLAN_EXITCODE"] == "2"
    assert [o["customerOrderReference"] for o in _open_orders(emu)] == ["gitops/acme-east"]
    assert (runner.workspace / "portctl-audit.jsonl").exists()
    assert not [v for v in SECRETS.values() if v in applied.stdout + applied.stderr]


def test_blocked_items_after_apply_are_a_warning_not_a_failure(
    runner: Runner, emu: Emulator
) -> None:
    assert _merge_and_apply(runner)[0] == "passed"
    (order,) = _open_orders(emu)
    for group in sorted({str(n["phoneNumberGroup"]) for n in order["phoneNumbers"]}):
        emu.confirm_group(order["id"], group)
    # A change to the CONFIRMED order (blocked) and a new order (applied) in one merge.
    write_yaml(
        runner.workspace / "specs" / "acme-east.yaml",
        port_in_document(
            "acme-east",
            ["+13125550141", "+13125550142"],
            pin="${CI_PIN}",
            account="${CI_ACCOUNT}",
            city="Evanston",
        ),
    )
    write_yaml(
        runner.workspace / "specs" / "acme-west.yaml",
        port_in_document("acme-west", ["+13125550143"], pin="${CI_PIN}", account="${CI_ACCOUNT}"),
    )
    verdict, applied = _merge_and_apply(runner)
    assert _dotenv_report(runner)["PLAN_EXITCODE"] == "3"
    assert applied.returncode == 3, applied.stdout + applied.stderr
    assert verdict == "warning"
    references = sorted(o["customerOrderReference"] for o in _open_orders(emu))
    assert references == ["gitops/acme-east", "gitops/acme-west"]


def test_a_plan_file_other_than_the_one_shown_is_refused(runner: Runner, emu: Emulator) -> None:
    assert _job(runner, "plan:main")[0] == "passed"
    plan_file = runner.workspace / "plan.json"
    plan_file.write_text(json.dumps(json.loads(plan_file.read_text("utf-8"))), "utf-8")
    verdict, applied = _job(runner, "apply", {**_dotenv_report(runner), **_env_file(runner)})
    assert verdict == "failed"
    assert "is not the plan plan:main showed; nothing applied" in applied.stdout
    assert _open_orders(emu) == []


def test_nothing_to_apply_passes_without_calling_apply(runner: Runner, emu: Emulator) -> None:
    (runner.workspace / "specs" / "acme-east.yaml").unlink()
    assert _job(runner, "plan:main")[0] == "passed"
    assert _dotenv_report(runner)["PLAN_EXITCODE"] == "0"
    verdict, applied = _job(runner, "apply", {**_dotenv_report(runner), **_env_file(runner)})
    assert verdict == "passed"
    assert "Nothing to apply." in applied.stdout
    assert not (runner.workspace / "portctl-audit.jsonl").exists()


def test_drift_is_a_warning_with_both_reports_and_a_usage_error_fails(runner: Runner) -> None:
    verdict, drift = _job(runner, "drift", _env_file(runner))
    assert verdict == "warning", drift.stdout + drift.stderr
    assert drift.returncode == 2
    assert (runner.workspace / "drift.html").exists()
    assert (runner.workspace / "drift.md").exists()
    # A missing --env-file is a usage error (64): it fails, on the first (html) command already.
    verdict, drift = _job(runner, "drift", {"PORTCTL_ENV_FILE": str(runner.root / "missing")})
    assert verdict == "failed"
    assert drift.returncode == 64


@pytest.mark.parametrize("job", [name for name, job in PIPELINE.items() if "script" in job])
def test_job_scripts_are_shellcheck_clean(job: str, tmp_path: Path) -> None:
    lines = [*PIPELINE["default"]["before_script"], *PIPELINE[job]["script"]]
    script = tmp_path / f"{job.replace(':', '-')}.sh"
    script.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + "\n".join(lines) + "\n", "utf-8")
    result = subprocess.run(
        [shellcheck(), "--norc", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
