"""Generator of the issue-12 world at any size, and a host that serves it from memory.

    .venv/bin/python -m tests.bench.world generate --orders 10000 --out /tmp/world
    .venv/bin/python -m tests.bench.world serve /tmp/world/emulator.json --latency-ms 20

`generate` writes a mature repository and the emulator state that matches it, seeded:

* `repo/`: one spec per order plus `portctl.yaml` (`referencePrefix: gitops/`). 60% of the
  orders are COMPLETED, 20% are `state: canceled` tombstones of CANCELED orders and 20% are
  open (half PENDING, half CONFIRMED). Each order has 1 to 200 numbers, drawn from a skewed
  law (most orders have a few numbers, a long tail has many) whose mean is about 19.4, the
  issue's 194k numbers at 10,000 orders. Every tenth number overrides its end user and voice
  configuration, secrets are `${NAME}` references (values in `bench.env`).
* `new/`: `--creates` further specs of 1 to 10 numbers under their own prefix (`new/`), none of
  them live yet: the repository an apply of 300 creates runs over at 10,000 orders (the default
  is 3% of the orders, so that a small world is also quick to apply).
* `emulator.json`: the emulator state (`store.save`), built in-process through the emulator's
  own world API (create, cancel, and the carrier simulation on the virtual clock), not through
  10,000 HTTP creates, so generation is a matter of seconds. Live matches the specs: a plan of
  `repo/` is empty, and it reads what the issue's plan reads.
* `world.json`: the figures the benchmark's lower bounds are computed from.

`serve` loads that state into memory and serves it with the same server as
`portctl emulator serve` (`reconciler.emulator.server.make_server`), plus a latency fault on
every API request. It is not `portctl emulator serve --state FILE` itself because that host
saves the whole file after every request that changes the emulator, and a latency fault's
counter is such a change: 2,000 saves of a 194k-number world would be what the benchmark
measured. The fault's remaining count is also the benchmark's call counter (every API request
decrements it; control routes do not).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from reconciler.emulator import Emulator, Fault, store
from reconciler.emulator.server import make_server
from reconciler.emulator.state import ny_date
from reconciler.spec import load_project
from tests.bench.bench_validate import numbers as portable_numbers

START = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)
"""The virtual clock when the oldest orders were created (a Thursday)."""
SHARDS = 20
"""Distinct secret references (`${BENCH_PIN_<n>}`), like customers sharing a few accounts."""
MAX_NUMBERS = 200
SKEW = 9.6
"""`1 + floor(200 * u**SKEW)` for uniform u has a mean of about 19.4 numbers per order."""
LATENCY_FOREVER = 10**9
"""Count of the latency fault: it never runs out, and what it lost is the number of calls."""
SETTINGS = """\
apiVersion: portctl/v1
kind: Settings
spec:
  referencePrefix: {prefix}
"""
SPEC = """\
apiVersion: portctl/v1
kind: PortIn
metadata:
  name: {name}
  labels: {{customer: bench-{shard}, shard: "{shard}"}}
spec:
  state: {state}
  schedule: {{date: "{port_date}", time: "09:00:00", timeZone: US/Central}}
  loa: {{uploadedBy: Jane Roe, attachmentDate: "{signed}"}}
  defaults:
    endUser:
      name: Bench Customer {index}
      streetNum: "{street}"
      streetName: Wacker
      streetType: Dr
      city: Chicago
      state: IL
      zipCode: "60606"
    portOutInfo:
      existingPortOutPin: "${{BENCH_PIN_{shard}}}"
      accountNum: "${{BENCH_ACCOUNT_{shard}}}"
      authorizingDate: "{signed}"
    voiceConfiguration: {{type: EST, trunkId: "trunk-{shard}"}}
  phoneNumbers:
"""
OVERRIDE = """\
    - number: "{number}"
      endUser: {{name: Branch {suite}, locationType1: Suite, locationValue1: "{suite}"}}
      voiceConfiguration: {{type: RTC, appId: "app-{suite}"}}
"""


@dataclass(frozen=True)
class WorldFigures:
    """What the benchmark needs to know about a generated world (saved as `world.json`)."""

    orders: int
    numbers: int
    completed: int
    canceled: int
    pending: int
    confirmed: int
    creates: int
    create_numbers: int
    today: str
    seed: int

    @property
    def open(self) -> int:
        """Non-terminal managed orders: the ones a plan of `repo/` must GET."""
        return self.pending + self.confirmed


def bench_env() -> dict[str, str]:
    """The fake secrets every spec refers to (never real ones: the world is made up)."""
    env = {}
    for shard in range(SHARDS):
        env[f"BENCH_PIN_{shard}"] = f"{4000 + shard}"
        env[f"BENCH_ACCOUNT_{shard}"] = f"ACCT-{shard:04d}"
    return env


def number_counts(orders: int, rng: random.Random, low: int, high: int, skew: float) -> list[int]:
    """How many numbers each order has: `low + floor((high - low + 1) * u**skew)`, capped."""
    span = high - low + 1
    return [min(high, low + int(span * rng.random() ** skew)) for _ in range(orders)]


def spec_text(
    name: str, index: int, state: str, port_date: date, signed: date, numbers: list[str]
) -> str:
    """One spec file: defaults for every number, an override on every tenth."""
    shard = index % SHARDS
    parts = [
        SPEC.format(
            name=name,
            index=index,
            shard=shard,
            state=state,
            port_date=port_date.isoformat(),
            signed=signed.isoformat(),
            street=100 + index % 900,
        )
    ]
    for position, number in enumerate(numbers):
        if position % 10 == 9:
            parts.append(OVERRIDE.format(number=number, suite=position))
        else:
            parts.append(f'    - "{number}"\n')
    return "".join(parts)


def write_repo(directory: Path, prefix: str, specs: dict[str, str]) -> None:
    """A spec directory: `portctl.yaml` plus one `<name>.yaml` per spec."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "portctl.yaml").write_text(SETTINGS.format(prefix=prefix), encoding="utf-8")
    for name, text in specs.items():
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")


def take(source: Iterator[str], count: int) -> list[str]:
    """The next `count` numbers."""
    return [next(source) for _ in range(count)]


def default_creates(orders: int) -> int:
    """3% of the orders: issue 12's 300 creates at 10,000 orders."""
    return max(1, orders * 3 // 100)


def generate(out: Path, orders: int, creates: int | None = None, seed: int = 12) -> WorldFigures:
    """Write `repo/`, `new/`, `bench.env`, `emulator.json` and `world.json` under `out`."""
    creates = default_creates(orders) if creates is None else creates
    rng = random.Random(seed)  # noqa: S311 - a seeded made-up world, not a secret
    source = portable_numbers()
    completed = orders * 60 // 100
    canceled = orders * 20 // 100
    open_orders = orders - completed - canceled
    confirmed = open_orders // 2
    kinds = ["completed"] * completed + ["canceled"] * canceled
    kinds += ["confirmed"] * confirmed + ["pending"] * (open_orders - confirmed)
    rng.shuffle(kinds)  # file names do not give the status away, as in a real repository
    counts = number_counts(orders, rng, 1, MAX_NUMBERS, SKEW)
    signed = START.date() - timedelta(days=5)
    # Completed orders port 10 days after creation, open ones long after the final "today".
    dates = {
        "completed": START.date() + timedelta(days=10),
        "canceled": START.date() + timedelta(days=60),
        "confirmed": START.date() + timedelta(days=90),
        "pending": START.date() + timedelta(days=90),
    }
    specs = {}
    for index, (kind, count) in enumerate(zip(kinds, counts, strict=True)):
        name = f"order-{index:05d}"
        state = "canceled" if kind == "canceled" else "active"
        specs[name] = spec_text(name, index, state, dates[kind], signed, take(source, count))
    write_repo(out / "repo", "gitops/", specs)
    create_counts = number_counts(creates, rng, 1, 10, 1.0)
    new_specs = {
        f"new-{i:04d}": spec_text(
            f"new-{i:04d}", i, "active", dates["pending"], signed, take(source, count)
        )
        for i, count in enumerate(create_counts)
    }
    write_repo(out / "new", "new/", new_specs)
    env = bench_env()
    (out / "bench.env").write_text("".join(f"{k}={v}\n" for k, v in env.items()), "utf-8")

    emu = build_emulator(out / "repo", kinds, seed, env)
    store.save(emu, out / "emulator.json")
    figures = WorldFigures(
        orders=orders,
        numbers=sum(counts),
        completed=completed,
        canceled=canceled,
        pending=open_orders - confirmed,
        confirmed=confirmed,
        creates=creates,
        create_numbers=sum(create_counts),
        today=ny_date(emu.now).isoformat(),
        seed=seed,
    )
    (out / "world.json").write_text(json.dumps(asdict(figures), indent=2), "utf-8")
    return figures


def build_emulator(repo: Path, kinds: list[str], seed: int, env: dict[str, str]) -> Emulator:
    """The live side of `repo`, built by portctl's own loader (so the bodies are exactly the ones
    portctl would send) and the emulator's world API, on the virtual clock:

    day 0: completed and canceled orders created, the canceled ones canceled at once;
    day 20: carriers confirmed and ported the completed ones, cancellations are final; the
    confirmed-to-be open orders are created; day 25: those are CONFIRMED (FOC in the future);
    the pending ones are created last. Their creation order is that of the files.
    """
    loaded = load_project([repo], today=START.date(), env=env, resolve_secrets=True)
    if loaded.state is None:
        raise SystemExit("generated specs do not validate: " + str(loaded.issues[:3]))
    emu = Emulator(now=START, project_id="demo", seed=seed)
    world = emu.world
    by_kind: dict[str, list[dict[str, object]]] = {}
    for kind, order in zip(kinds, loaded.state.orders, strict=True):
        by_kind.setdefault(kind, []).append(dict(order.body))
    for kind in ("completed", "canceled"):
        for body in by_kind.get(kind, []):
            made = world.create(body)
            if kind == "canceled":
                world.cancel(str(made["id"]))
    emu.advance(timedelta(days=20))
    for body in by_kind.get("confirmed", []):
        world.create(body)
    emu.advance(timedelta(days=5))
    for body in by_kind.get("pending", []):
        world.create(body)
    world.webhook_log.clear()
    emu.request_log.clear()
    return emu


def serve(state: Path, latency_ms: int, port: int) -> None:
    """Serve the saved world from memory with `latency_ms` on every API request.

    Prints the base URL on its first line of stdout once listening, then serves until killed.
    """
    emu = store.load(state)
    if latency_ms > 0:
        emu.add_fault(
            Fault(method="*", path="", count=LATENCY_FOREVER, latency_ms=latency_ms, mode="latency")
        )
    server = make_server(emu, "127.0.0.1", port)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    """`generate` or `serve` (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write the repository and emulator state")
    gen.add_argument("--orders", type=int, default=10_000)
    gen.add_argument("--creates", type=int, help="default: 3%% of the orders")
    gen.add_argument("--seed", type=int, default=12)
    gen.add_argument("--out", type=Path, required=True)
    host = commands.add_parser("serve", help="serve a generated emulator.json from memory")
    host.add_argument("state", type=Path)
    host.add_argument("--latency-ms", type=int, default=20)
    host.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "generate":
        figures = generate(args.out, args.orders, args.creates, args.seed)
        print(json.dumps(asdict(figures)), file=sys.stderr)
    else:
        serve(args.state, args.latency_ms, args.port)


if __name__ == "__main__":
    main()
