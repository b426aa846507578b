"""Benchmark (run by hand): issue 12's world end to end through the CLI, against a served emulator.

    .venv/bin/python -m tests.bench.bench_cli --orders 10000 [--creates 300] [--latency-ms 20]
        [--runs 3] [--steps validate,plan,drift,apply] [--world DIR]

Generates the world of `tests.bench.world` (or reuses `--world DIR`), serves it on a loopback
port with a latency on every API request, and runs `portctl` in fresh processes, as CI does,
in `--runs` rounds of every step (each round restarts the emulator after an apply):

* `validate repo/` cold (no `.portctl/cache`) and warm (the same again right after);
* `plan repo/` and `drift repo/` of the mature repository (in sync: both must exit 0);
* `apply new/ --auto-approve`: 300 creates of 1 to 10 numbers (3% of the orders unless
  `--creates`), each run against a freshly
  started emulator, after a `validate new/` whose time is part of apply's goal.

For each step: API calls (from the emulator's latency-fault counter), the median and min wall
time of `--runs` runs, the API lower bound of issue 12, the ratio of the median to that bound
plus the validate time of the same specs (the issue's goals: plan <= 1.2, apply <= 1.5), the
peak RSS of the `portctl` process (`os.wait4`, so the served emulator does not count), and the
median CPU seconds of `portctl` and of the served emulator during the step (on Linux): on a
shared machine wall time says how busy the neighbours were, CPU time what each side costs.

API lower bound, with L the latency and P = 8 requests in parallel: list pages and single
calls are serial, GETs of orders and POSTs of creates go P at a time.
* plan and drift: pages of 1,000 + the configuration + one GET per open managed order (a
  COMPLETED or CANCELED order cannot change: its list row says all there is to know);
* apply: pages + configuration + portability batches of 1,000 numbers (P at a time: portctl
  sends a check's batches side by side) + one POST per create.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.bench.world import LATENCY_FOREVER, WorldFigures, bench_env

ROOT = Path(__file__).resolve().parents[2]
PAGE = 1000
PORTABILITY_BATCH = 1000
PARALLEL = 8
"""Requests in flight the lower bound assumes (issue 12: "8 in parallel")."""
STEPS = ("validate", "plan", "drift", "apply")


@dataclass(frozen=True)
class Bound:
    """An API lower bound: how many calls, and how long they take at the given latency."""

    serial: int
    """Calls that wait for each other (list pages, configuration, portability batches)."""
    parallel: int
    """Calls that can go `PARALLEL` at a time (order GETs, create POSTs)."""
    batches: int = 0
    """Portability batches: they can go `PARALLEL` at a time too, all before the creates."""

    @property
    def calls(self) -> int:
        """Every call of the bound."""
        return self.serial + self.batches + self.parallel

    def seconds(self, latency_s: float) -> float:
        """Wall time of these calls at `latency_s` each."""
        rounds = math.ceil(self.batches / PARALLEL) + math.ceil(self.parallel / PARALLEL)
        return latency_s * (self.serial + rounds)


@dataclass
class Step:
    """One benchmarked command: its runs, and what it is compared with."""

    name: str
    bound: Bound | None = None
    baseline: Step | None = None
    """The validate step whose median is added to the API bound for the ratio."""
    seconds: list[float] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """CPU seconds (user + system) of the `portctl` process."""
    server_cpu: list[float] = field(default_factory=list)
    """CPU seconds the served emulator spent during the run (empty when not measurable)."""

    @property
    def median(self) -> float:
        """Median wall time of the runs."""
        return statistics.median(self.seconds)

    def goal_seconds(self, latency_s: float) -> float | None:
        """API bound plus the validate time of the same specs (None without a bound)."""
        if self.bound is None:
            return None
        return self.bound.seconds(latency_s) + (self.baseline.median if self.baseline else 0.0)


@dataclass(frozen=True)
class Run:
    """One finished `portctl` process."""

    seconds: float
    rss_mb: float
    cpu: float
    """User + system CPU seconds of the process."""
    exit_code: int
    output: str


def run_portctl(args: Sequence[str], *, cwd: Path, env: dict[str, str]) -> Run:
    """Run `portctl ARGS` in a fresh process; wall time and that process's own peak RSS
    (`os.wait4` reports it for this one child, where `RUSAGE_CHILDREN` is a max over all)."""
    portctl = Path(sys.executable).with_name("portctl")
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        process = subprocess.Popen(
            [str(portctl), *args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1024 if sys.platform != "darwin" else 1
    cpu = usage.ru_utime + usage.ru_stime
    return Run(elapsed, usage.ru_maxrss * scale / 1e6, cpu, process.returncode, text)


class Served:
    """The world's emulator in its own process (`tests.bench.world serve`), restartable."""

    def __init__(self, state: Path, latency_ms: int) -> None:
        self.state = state
        self.latency_ms = latency_ms
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> None:
        """Start serving the saved world (as generated: nothing applied yet)."""
        self.stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.bench.world",
                "serve",
                str(self.state),
                "--latency-ms",
                str(self.latency_ms),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.stop()
            raise RuntimeError("the emulator did not start (see its output above)")

    def stop(self) -> None:
        """Stop the process this object started, if any."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.process = None

    def cpu_so_far(self) -> float | None:
        """CPU seconds (user + system) the serving process used since it started; None where
        `/proc` does not tell (not Linux)."""
        if self.process is None:
            return None
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def calls_so_far(self) -> int:
        """API requests served since start: what the latency fault's counter lost."""
        faults = httpx.get(f"{self.url}/_emulator/faults", timeout=30).json()["faults"]
        left = faults[0]["count"] if faults else LATENCY_FOREVER
        return int(LATENCY_FOREVER - left)


@contextmanager
def serving(state: Path, latency_ms: int) -> Iterator[Served]:
    """A started `Served` that is stopped on the way out, whatever happens."""
    served = Served(state, latency_ms)
    served.start()
    try:
        yield served
    finally:
        served.stop()


def measure(
    step: Step, args: Sequence[str], *, cwd: Path, env: dict[str, str], served: Served | None
) -> None:
    """Run one command, check it succeeded, and record its figures in `step`."""
    before = served.calls_so_far() if served else 0
    server_before = served.cpu_so_far() if served else None
    run = run_portctl(args, cwd=cwd, env=env)
    server_after = served.cpu_so_far() if served else None
    if run.exit_code != 0:
        tail = "\n".join(run.output.splitlines()[-15:])
        raise RuntimeError(f"portctl {' '.join(args)} exited {run.exit_code}:\n{tail}")
    step.seconds.append(run.seconds)
    step.rss_mb.append(run.rss_mb)
    step.cpu.append(run.cpu)
    if server_before is not None and server_after is not None:
        step.server_cpu.append(server_after - server_before)
    step.calls.append(served.calls_so_far() - before if served else 0)


def bounds(figures: WorldFigures) -> tuple[Bound, Bound]:
    """The API lower bounds of a plan of the mature repository and of the apply of `new/`."""
    pages = max(1, math.ceil(figures.orders / PAGE))
    batches = math.ceil(figures.create_numbers / PORTABILITY_BATCH)
    return (
        Bound(serial=pages + 1, parallel=figures.open),
        Bound(serial=pages + 1, parallel=figures.creates, batches=batches),
    )


def compiled(env: dict[str, str]) -> None:
    """Give the runs the byte code an installed portctl has, and take it out of `env`'s way.

    pip compiles a wheel's modules when it installs them; this checkout is an editable
    install, and with `PYTHONDONTWRITEBYTECODE` set (as on some CI machines) every run would
    compile portctl's modules again (~0.1 s a run). So the bench compiles them once up front
    and lets the runs read that byte code.
    """
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "reconciler")], env=env, check=True
    )


def run_bench(
    world: Path,
    figures: WorldFigures,
    latency_ms: int,
    runs: int,
    only: Sequence[str] = STEPS,
) -> list[Step]:
    """The steps in `only`, each `runs` times, against the world generated in `world`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SINCH_", "PORTCTL_", "GITHUB_"))
    }
    env.update(bench_env())
    env["PORTCTL_TODAY"] = figures.today
    env["NO_COLOR"] = "1"
    compiled(env)
    plan_bound, apply_bound = bounds(figures)
    cold = Step("validate (cold)")
    warm = Step("validate (warm)")
    new = Step(f"validate new/ ({figures.creates})")
    plan = Step("plan", plan_bound, cold if "validate" in only else None)
    drift = Step("drift", plan_bound, plan.baseline)
    apply = Step(f"apply ({figures.creates} creates)", apply_bound, new)
    with serving(world / "emulator.json", latency_ms) as served:
        env.update(SINCH_PORTING_URL=served.url, SINCH_PROJECT_ID="demo", SINCH_ACCESS_TOKEN="x")
        for index in range(runs):
            # Rounds: each step once per round, so a ratio's two sides (plan and the validate
            # it is compared with) are measured seconds apart, not a VM phase apart.
            if index and "apply" in only:
                served.start()  # the world as generated again: the last round's apply created
                env["SINCH_PORTING_URL"] = served.url
            if "validate" in only:
                for cache in (world / ".portctl" / "cache", world / "repo" / ".portctl" / "cache"):
                    shutil.rmtree(cache, ignore_errors=True)  # issue 12's cache is safe to delete
                measure(cold, ["validate", "repo"], cwd=world, env=env, served=None)
                measure(warm, ["validate", "repo"], cwd=world, env=env, served=None)
            for step in (plan, drift):
                if step.name in only:
                    measure(step, [step.name, "repo"], cwd=world, env=env, served=served)
            if "apply" in only:
                measure(new, ["validate", "new"], cwd=world, env=env, served=None)
                args = ["apply", "new", "--auto-approve"]
                measure(apply, args, cwd=world, env=env, served=served)
    return [step for step in (cold, warm, plan, drift, new, apply) if step.seconds]


def table(steps: list[Step], latency_ms: int) -> str:
    """The figures, one line per step (median and min of the runs, the bound beside them)."""
    latency = latency_ms / 1000
    lines = [
        f"{'step':<24}{'calls':>7}{'bound':>7}{'median s':>10}{'min s':>8}"
        f"{'API bound s':>13}{'+validate s':>13}{'ratio':>7}{'peak RSS MB':>13}"
        f"{'CPU s':>8}{'emulator CPU s':>16}"
    ]
    for step in steps:
        goal = step.goal_seconds(latency)
        bound = step.bound
        lines.append(
            f"{step.name:<24}{statistics.median(step.calls):>7.0f}"
            f"{bound.calls if bound else '-':>7}"
            f"{step.median:>10.2f}{min(step.seconds):>8.2f}"
            f"{f'{bound.seconds(latency):.2f}' if bound else '-':>13}"
            f"{f'{goal:.2f}' if goal else '-':>13}"
            f"{f'{step.median / goal:.2f}' if goal else '-':>7}"
            f"{max(step.rss_mb):>13.0f}"
            f"{statistics.median(step.cpu):>8.2f}"
            f"{f'{statistics.median(step.server_cpu):.2f}' if step.server_cpu else '-':>16}"
        )
    return "\n".join(lines)


def paired(steps: list[Step], latency_ms: int) -> Iterator[str]:
    """Each round's ratio (its run over the bound plus the same round's validate): the two
    sides of one ratio measured seconds apart, so these say how far the VM's speed moved it."""
    for step in steps:
        bound, baseline = step.bound, step.baseline
        if bound is None or baseline is None or len(baseline.seconds) != len(step.seconds):
            continue
        api = bound.seconds(latency_ms / 1000)
        rounds = zip(step.seconds, baseline.seconds, strict=True)
        ratios = " ".join(f"{run / (api + base):.3f}" for run, base in rounds)
        yield f"{step.name}: ratio of each round {ratios}"


def machine() -> str:
    """What the figures were measured on (they are only comparable on the same)."""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def generate_apart(world: Path, orders: int, creates: int | None, seed: int) -> None:
    """`tests.bench.world generate` in its own process.

    Not in this one: a child's peak RSS counts the pages it shares with its parent between fork
    and exec, so a parent still holding a 10,000-order emulator would inflate every figure.
    """
    args = ["generate", "--orders", str(orders), "--seed", str(seed), "--out", str(world)]
    if creates is not None:
        args += ["--creates", str(creates)]
    subprocess.run(
        [sys.executable, "-m", "tests.bench.world", *args],
        cwd=ROOT,
        check=True,
    )


def main(argv: list[str] | None = None) -> None:
    """Generate (or reuse) the world, run every step, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument(
        "--creates", type=int, help="specs to create in the apply step (default: 3%% of orders)"
    )
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help=f"comma-separated subset of {','.join(STEPS)} (default: all)",
    )
    parser.add_argument(
        "--world", type=Path, help="generate into (or reuse) this directory instead of a temp one"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="portctl-bench-") as tmp:
        world = args.world or Path(tmp)
        began = time.perf_counter()
        made = "reused"
        if not (world / "world.json").exists():
            generate_apart(world, args.orders, args.creates, args.seed)
            made = f"generated in {time.perf_counter() - began:.1f} s"
        figures = WorldFigures(**json.loads((world / "world.json").read_text("utf-8")))
        print(
            f"world: {figures.orders:,} orders ({figures.completed:,} COMPLETED, "
            f"{figures.canceled:,} CANCELED tombstones, {figures.pending:,} PENDING, "
            f"{figures.confirmed:,} CONFIRMED), {figures.numbers:,} numbers; "
            f"{figures.creates} creates of {figures.create_numbers:,} numbers; {made}",
            flush=True,
        )
        only = [name.strip() for name in args.steps.split(",")]
        if unknown := set(only) - set(STEPS):
            parser.error(f"unknown step(s): {', '.join(sorted(unknown))}")
        steps = run_bench(world, figures, args.latency_ms, args.runs, only)
    print(
        f"served emulator, {args.latency_ms} ms on every API request; bound at {PARALLEL} "
        f"in parallel; median/min of {args.runs} run(s); ratio = median / (API bound + "
        "validate of the same specs)"
    )
    print(table(steps, args.latency_ms))
    for line in paired(steps, args.latency_ms):
        print(line)
    for step in steps:
        if step.name.startswith("apply"):
            per_create = statistics.median(step.calls) / figures.creates
            print(f"apply: {per_create:.1f} API calls per create (issue 12 goal: <= 2)")
    print(f"machine: {machine()}")


if __name__ == "__main__":
    main()
