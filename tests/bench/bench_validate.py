"""Benchmark (run by hand): `portctl validate` over 2,000 spec files of 50 numbers each.

    .venv/bin/python -m tests.bench.bench_validate [--files 2000] [--numbers 50] [--profile]

Generates realistic specs (defaults plus 45 short-form numbers and 5 numbers with overrides)
in a temporary directory, then times the loader in-process and the CLI end to end (a fresh
process, as CI runs it). Target: under 10 s for 2,000 x 50 on a 2-core machine.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from reconciler.spec import load_project
from reconciler.spec.phone import PhoneNumberError, check_portable_e164

HEADER = """\
# yaml-language-server: $schema=../schemas/portin.v1.json
apiVersion: portctl/v1
kind: PortIn
metadata:
  name: bench-{index:05d}
  labels: {{customer: bench, shard: "{shard}"}}
spec:
  schedule: {{date: "2027-02-{day:02d}", time: "09:00:00", timeZone: US/Central}}
  loa: {{uploadedBy: Jane Roe, attachmentDate: "2026-11-20"}}
  defaults:
    endUser:
      name: Bench Customer {index}
      streetNum: "{index}"
      streetName: Wacker
      streetType: Dr
      city: Chicago
      state: IL
      zipCode: "60606"
    portOutInfo:
      existingPortOutPin: "${{BENCH_PIN_{shard}}}"
      accountNum: "${{BENCH_ACCOUNT_{shard}}}"
      authorizingDate: "2026-11-18"
    voiceConfiguration: {{type: EST, trunkId: "trunk-{shard}"}}
  notes:
    - Bench order {index}
  phoneNumbers:
"""
TARGET_SECONDS = 10.0
OVERRIDE = """\
    - number: "{number}"
      endUser: {{name: Branch {number}, locationType1: Suite, locationValue1: "{suite}"}}
      voiceConfiguration: {{type: RTC, appId: "app-{suite}"}}
"""


def numbers() -> Iterator[str]:
    """Distinct geographic Chicago numbers, in order."""
    for exchange in range(200, 1000):
        for line in range(10000):
            candidate = f"+1312{exchange}{line:04d}"
            try:
                check_portable_e164(candidate)
            except PhoneNumberError:
                continue
            yield candidate


def generate(directory: Path, files: int, per_file: int) -> None:
    """Write `files` specs of `per_file` numbers into `directory`."""
    source = numbers()
    for index in range(files):
        parts = [HEADER.format(index=index, shard=index % 20, day=1 + index % 28)]
        for position in range(per_file):
            number = next(source)
            if position % 10 == 9:
                parts.append(OVERRIDE.format(number=number, suite=position))
            else:
                parts.append(f'    - "{number}"\n')
        (directory / f"bench-{index:05d}.yaml").write_text("".join(parts), encoding="utf-8")
    check_portable_e164.cache_clear()


def main() -> None:
    """Generate, then time the loader in-process and the CLI in a fresh process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--numbers", type=int, default=50)
    parser.add_argument("--profile", action="store_true", help="print the top 25 functions")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        specs = Path(tmp) / "specs"
        specs.mkdir()
        started = time.perf_counter()
        generate(specs, args.files, args.numbers)
        size = sum(p.stat().st_size for p in specs.iterdir())
        print(
            f"generated {args.files} files x {args.numbers} numbers "
            f"({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )

        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        result = load_project([specs], today=date(2026, 11, 26), env={})
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - started
        assert result.state is not None, [str(i) for i in result.issues[:5]]
        total = sum(len(order.phone_numbers) for order in result.state.orders)
        print(
            f"load_project (in-process): {elapsed:.2f} s for {len(result.files)} files, "
            f"{total} numbers ({elapsed / len(result.files) * 1000:.2f} ms/file)"
        )

        portctl = Path(sys.executable).with_name("portctl")
        env = dict(os.environ, PORTCTL_TODAY="2026-11-26")
        env.pop("GITHUB_ACTIONS", None)
        started = time.perf_counter()
        completed = subprocess.run(
            [str(portctl), "validate", str(specs)], capture_output=True, text=True, env=env
        )
        elapsed = time.perf_counter() - started
        verdict = "within" if elapsed < TARGET_SECONDS else "OVER"
        print(
            f"portctl validate (fresh process): {elapsed:.2f} s, exit {completed.returncode} "
            f"({verdict} the {TARGET_SECONDS:.0f} s target for 2,000 x 50 on 2 cores; "
            f"load average {os.getloadavg()[0]:.1f})"
        )
        print(completed.stdout.strip().splitlines()[-1])
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
