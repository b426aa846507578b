"""Benchmark: `plan` over 1,000 managed orders of mixed statuses, 20 ms latency per request.

Run: `.venv/bin/python -m tests.bench.bench_plan [--orders N] [--latency-ms MS] [--repeat R]`.

The emulator is served on a loopback port (the same threading server as `portctl emulator
serve`) with a latency fault on every request, and the plan is read through the real client
like the CLI does. Reported: wall time of the live read (fetch_live), of planning and of
rendering, the API calls made, and the lower bound the issue sets: list pages plus one GET per
non-terminal managed order (configuration and portability are extra, fixed calls).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from reconciler.api import PortingClient, StaticToken
from reconciler.desired import DesiredOrder, DesiredState
from reconciler.emulator import Emulator, Fault
from reconciler.emulator.server import running
from reconciler.live import fetch_live
from reconciler.planning import build_plan
from reconciler.planning.reads import PlanReads
from tests.core.builders import desired, number, render

START = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
PAGE = 1000


def _client(base_url: str, emu: Emulator | None = None) -> PortingClient:
    return PortingClient(
        base_url=base_url,
        project_id="demo",
        auth=StaticToken("x"),
        transport=emu.transport() if emu is not None else None,
    )


def _spec(index: int, port_date: str) -> DesiredOrder:
    e164 = f"+1312{200 + index // 10000:03d}{index % 10000:04d}"
    return desired(
        f"bench-{index:05d}",
        [number(e164, city=f"City {index % 7}")],
        port_date=port_date,
    )


def build_world(orders: int) -> tuple[Emulator, DesiredState, dict[str, int]]:
    """An emulator holding `orders` managed orders: 10% COMPLETED, 10% CANCELED (recreate),
    40% PENDING (a quarter of them edited in the spec), 25% CONFIRMED, 15% PENDING_CANCELATION."""
    emu = Emulator(now=START, project_id="demo")
    counts = {"COMPLETED": orders // 10, "CANCELED": orders // 10, "CONFIRMED": orders // 4}
    counts["PENDING_CANCELATION"] = orders * 15 // 100
    counts["PENDING"] = orders - sum(counts.values())
    specs: list[DesiredOrder] = []
    with _client("http://127.0.0.1", emu) as client:

        def create(status_count: int, port_date: str) -> list[tuple[DesiredOrder, int]]:
            made = []
            for _ in range(status_count):
                spec = _spec(len(specs), port_date)
                specs.append(spec)
                made.append((spec, client.create_order(spec.body).id))
            return made

        for _, order_id in create(counts["COMPLETED"], "2026-11-10"):
            for group in {
                n["phoneNumberGroup"]
                for n in emu.world.record(str(order_id))["order"]["phoneNumbers"]
            }:
                emu.confirm_group(order_id, group, "2026-11-10")
        emu.advance(timedelta(days=9))
        for _, order_id in create(counts["CANCELED"], "2027-01-15"):
            client.cancel_order(order_id)
        emu.advance(timedelta(days=2))
        for _, order_id in create(counts["CONFIRMED"], "2027-01-15"):
            for group in {
                n["phoneNumberGroup"]
                for n in emu.world.record(str(order_id))["order"]["phoneNumbers"]
            }:
                emu.confirm_group(order_id, group, None)
        for _, order_id in create(counts["PENDING_CANCELATION"], "2027-01-15"):
            client.cancel_order(order_id)
        pending = create(counts["PENDING"], "2027-01-15")
    edited = {spec.name for spec, _ in pending[::4]}
    final = tuple(
        _spec(int(s.name.split("-")[1]), s.body["desiredPortSchedule"]["desiredPortDate"])
        if s.name not in edited
        else desired(
            s.name,
            [number(str(s.body["phoneNumbers"][0]["phoneNumber"]), city="Edited")],
            port_date="2027-01-15",
        )
        for s in specs
    )
    return emu, DesiredState(orders=final, reference_prefix="gitops/"), counts


def main() -> None:
    """Build the world, serve it with latency, and time plan runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    t0 = time.perf_counter()
    emu, state, counts = build_world(args.orders)
    setup = time.perf_counter() - t0
    open_managed = counts["PENDING"] + counts["CONFIRMED"] + counts["PENDING_CANCELATION"]
    pages = max(1, -(-args.orders // PAGE))
    lower_bound = pages + open_managed
    emu.add_fault(
        Fault(method="*", path="", count=10**9, latency_ms=args.latency_ms, mode="latency")
    )
    fetch_times, plan_times, render_times, calls = [], [], [], []
    with running(emu) as url:
        for _ in range(args.repeat):
            with _client(url) as client:
                t1 = time.perf_counter()
                live = fetch_live(client, PlanReads(state))
                t2 = time.perf_counter()
                plan = build_plan(state, live, today=date(2026, 11, 13))
                t3 = time.perf_counter()
                for fmt in ("text", "markdown", "json"):
                    render(plan, fmt)
                t4 = time.perf_counter()
            fetch_times.append(t2 - t1)
            plan_times.append(t3 - t2)
            render_times.append(t4 - t3)
            calls.append(live.api_calls)
    serial = lower_bound * args.latency_ms / 1000
    print(f"world: {args.orders} managed orders {counts} (setup {setup:.1f} s)")
    print(f"plan counts: {plan.counts()}")
    print(
        f"API calls: {calls[-1]} (lower bound {lower_bound} = {pages} list page(s) + "
        f"{open_managed} GETs; +1 configuration, +1 portability check)"
    )
    print(
        f"live read (fetch_live): median {statistics.median(fetch_times):.2f} s "
        f"(serial lower bound at {args.latency_ms} ms/request: {serial:.1f} s)"
    )
    print(
        f"build_plan: median {statistics.median(plan_times) * 1000:.0f} ms; "
        f"render text+markdown+json: median {statistics.median(render_times) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
