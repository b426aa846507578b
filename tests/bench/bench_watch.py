"""Benchmark (run by hand): `portctl watch` fed by `portctl emulator serve`, both as processes.

    .venv/bin/python -m tests.bench.bench_watch [--webhooks 1000] [--clients 4] [--orders 50]
        [--numbers 3] [--connections keep-alive|new] [--runs 3] [--timeout 120] [--keep DIR]

Each run starts a fresh emulator (`--port 0`, in memory) and a fresh watcher (new `--state`,
`--resync 1h` so that only webhooks drive it), writes `--orders` specs of
`activation: {mode: on-demand, when: ready}` plus a PortingDefaults whose `webhookUrl` points
at the watcher, and creates the orders with `portctl apply`. Then, once the watcher is idle:

* **webhooks/s accepted**: `--webhooks` POSTs to `/hooks/<token>` from `--clients` threads,
  on one keep-alive connection each (or a new connection per webhook, `--connections new`; how
  Sinch connects is not documented), as fast as the watcher answers: the payloads the emulator
  itself sent for these orders plus NUMBERS_* events for them, drawn with duplicates and out of
  order (seeded). The figure is the burst size over the time from the first request to the
  last 2xx answer; any other answer fails the run. "drained" is how long the watcher then took
  to process what the burst left pending (`portctl_watch_pending_events` back to 0), and
  "order reads" how many orders it looked at for the whole burst (coalescing).
* **webhook to activation**: the emulator clock is moved to the orders' port date in one step:
  the carriers confirm every order and the FOC dates are reached, so each order's webhooks name
  an order that is ready. Per order, the latency runs from the first webhook the emulator sent
  for it after the clock moved to the NUMBERS_ACTIVATED webhook the emulator sent when it
  recorded the activation the watcher asked for. Both are timed on arrival at a pass-through
  receiver of this process (the `webhookUrl`), which hands each webhook on to the watcher
  unchanged, on a new connection as the emulator does, and returns its answer: one clock for
  both ends (at the cost of a loopback hop), and nothing in the watcher is trusted to time
  itself. "sent over" is how long the emulator took to send the confirmation webhooks (one
  at a time, after the clock moved). Every order must end COMPLETED (on-demand orders are
  only ever activated through the API, so by the watcher).

Prints each run, then the median and the min of the runs for each figure, with the machine's
load average before and after (a loaded machine slows every figure).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.bench.bench_validate import numbers as portable_numbers
from tests.core.builders import port_in_document, settings_document, write_yaml

PORTCTL = str(Path(sys.executable).with_name("portctl"))
CREATED_AT = "2026-11-26T15:00:00Z"
"""A Thursday: the carriers answer the next business day, with the FOC two days later."""
PORT_DATE = "2026-12-01"
READY_AT = f"{PORT_DATE}T16:00:00Z"
"""Port date reached in New York: every group confirmed and offered for activation."""
SECRETS = {"APPLY_PIN": "BENCH-PIN-7001", "APPLY_ACCOUNT": "BENCH-ACCT-7002"}
PREFIX = "gitops/"
SEED = 13
STOP_SECONDS = 30


def free_port() -> int:
    """A loopback port nobody listens on now (the watcher is told which one to take)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def nearest_rank(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (p99 of 50 values is the largest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# --- the pass-through receiver ------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """One webhook the emulator sent, as the pass-through receiver saw it."""

    at: float
    """`time.perf_counter()` on arrival."""
    type: str
    order_id: str
    payload: dict[str, Any]


class Relay(ThreadingHTTPServer):
    """The `webhookUrl` of the run: timestamps each webhook, hands it on to the watcher."""

    daemon_threads = True

    def __init__(self, target: str) -> None:
        self.target = target
        self.arrivals: list[Arrival] = []
        self.lock = threading.Lock()
        self.http = httpx.Client(timeout=10)
        super().__init__(("127.0.0.1", 0), RelayHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/relay"

    def since(self, moment: float) -> list[Arrival]:
        with self.lock:
            return [a for a in self.arrivals if a.at >= moment]


class RelayHandler(BaseHTTPRequestHandler):
    """POST: record, forward, answer with the watcher's status."""

    protocol_version = "HTTP/1.1"
    server: Relay

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        at = time.perf_counter()
        payload = json.loads(body)
        with self.server.lock:
            self.server.arrivals.append(
                Arrival(at, str(payload.get("type")), str(payload.get("orderId")), payload)
            )
        try:
            # A new connection per webhook, as the emulator sends (`reconciler.emulator.webhooks`),
            # but from one client: building an httpx client (its TLS context) costs ~20 ms,
            # which the emulator pays per webhook and the relay must not pay again.
            status = self.server.http.post(
                self.server.target,
                content=body,
                headers={"Content-Type": "application/json", "Connection": "close"},
            ).status_code
        except httpx.HTTPError:
            status = 502
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the figures are the output."""


# --- processes --------------------------------------------------------------------------


@dataclass
class Service:
    """A started process whose stderr goes to a file (a full pipe would stall it)."""

    process: subprocess.Popen[bytes]
    log: Path
    peak_rss_kib: int = 0

    def stop(self) -> None:
        """SIGTERM (the watcher's graceful shutdown), SIGKILL after `STOP_SECONDS`. The peak
        RSS is read first, from the kernel's high-water mark of the running program (VmHWM,
        Linux; reset at exec, so unlike `wait4`'s maxrss it never counts the memory of this
        process that the child shared between fork and exec)."""
        status = Path(f"/proc/{self.process.pid}/status")
        if self.process.poll() is None and status.exists():
            found = re.search(r"^VmHWM:\s+(\d+) kB", status.read_text(), re.M)
            self.peak_rss_kib = int(found.group(1)) if found else 0
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait()


def start(args: Sequence[str], log: Path, env: dict[str, str]) -> Service:
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [PORTCTL, *args], stdin=subprocess.DEVNULL, stdout=sink, stderr=sink, env=env
        )
    return Service(process, log)


def wait_for(what: str, service: Service, check: Any, timeout: float = 30.0) -> Any:
    """Poll `check()` until it returns something truthy; fail with the process's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            break
        try:
            found = check()
        except httpx.HTTPError:
            found = None
        if found:
            return found
        time.sleep(0.05)
    tail = service.log.read_text(encoding="utf-8", errors="replace")[-2000:]
    raise SystemExit(f"{what} did not happen (exit {service.process.poll()}):\n{tail}")


@contextmanager
def emulator(root: Path, env: dict[str, str]) -> Iterator[str]:
    """`portctl emulator serve --port 0`; yields its URL with the clock at `CREATED_AT`."""
    service = start(["emulator", "serve", "--port", "0"], root / "emulator.log", env)
    try:

        def banner() -> str | None:
            match = re.search(r"http://127\.0\.0\.1:\d+", service.log.read_text("utf-8"))
            return match.group(0) if match else None

        url: str = wait_for("emulator start", service, banner)
        httpx.post(f"{url}/_emulator/clock", json={"set": CREATED_AT}).raise_for_status()
        yield url
    finally:
        service.stop()


@dataclass
class Watcher:
    """The running `portctl watch`."""

    service: Service
    url: str
    hook: str

    def metrics(self) -> dict[str, float]:
        """Every sample of `/metrics`, labels included in the name (`a{b="c"}`)."""
        text = httpx.get(f"{self.url}/metrics", timeout=5).text
        samples = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    def looks(self) -> int:
        """Orders processed so far, whatever the result (`portctl_watch_orders_processed_total`)."""
        samples = self.metrics().items()
        return int(
            sum(v for k, v in samples if k.startswith("portctl_watch_orders_processed_total"))
        )

    def pending(self) -> float | None:
        return self.metrics().get("portctl_watch_pending_events")

    def wait_idle(self, timeout: float) -> float:
        """Seconds until nothing is pending (polled every 50 ms); then, not timed, until no
        order was processed for 0.3 s (the last event taken may still be in hand)."""
        begun = time.perf_counter()
        wait_for("no pending event", self.service, lambda: self.pending() == 0, timeout)
        drained = time.perf_counter() - begun

        def settled() -> bool:
            before = self.metrics()
            time.sleep(0.3)
            return self.metrics() == before and before.get("portctl_watch_pending_events") == 0

        wait_for("watcher idle", self.service, settled, timeout)
        return drained


# --- one run ------------------------------------------------------------------------------


@dataclass
class Figures:
    """What one run measured."""

    accepted_per_s: float
    drained_s: float
    looks: int
    """Orders the watcher looked at (one API read each) for the whole burst."""
    latencies_s: list[float] = field(default_factory=list)
    sent_over_s: float = 0.0
    """First to last NUMBERS_CONFIRMED webhook the emulator sent after the clock moved."""
    watcher_rss_mib: float = 0.0

    @property
    def p99(self) -> float:
        return nearest_rank(self.latencies_s, 0.99)

    @property
    def p50(self) -> float:
        return nearest_rank(self.latencies_s, 0.50)


def write_specs(root: Path, orders: int, per_order: int, webhook_url: str) -> None:
    """`orders` on-demand `when: ready` specs, settings and the PortingDefaults."""
    specs = root / "specs"
    specs.mkdir()
    write_yaml(specs / "portctl.yaml", settings_document(referencePrefix=PREFIX))
    defaults = {
        "apiVersion": "portctl/v1",
        "kind": "PortingDefaults",
        "metadata": {"name": "bench-defaults"},
        "spec": {"webhookUrl": webhook_url},
    }
    (specs / "porting-defaults.yaml").write_text(yaml.safe_dump(defaults, sort_keys=False))
    source = portable_numbers()
    for index in range(orders):
        name = f"ready-{index:04d}"
        numbers = [next(source) for _ in range(per_order)]
        document = port_in_document(
            name,
            numbers,
            pin="${APPLY_PIN}",
            account="${APPLY_ACCOUNT}",
            on_demand=True,
            port_date=PORT_DATE,
        )
        write_yaml(specs / f"{name}.yaml", document)


def apply(root: Path, env: dict[str, str]) -> None:
    """`portctl apply specs --auto-approve`: creates every order (and the configuration)."""
    done = subprocess.run(
        [PORTCTL, "apply", str(root / "specs"), "--auto-approve"],
        env={**env, "PORTCTL_TODAY": CREATED_AT[:10]},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"apply failed ({done.returncode}):\n{done.stderr[-2000:]}")


def burst_payloads(seen: Sequence[Arrival], count: int) -> list[bytes]:
    """`count` webhook bodies: what the emulator sent for these orders, plus NUMBERS_* events
    naming the same orders, drawn with replacement (duplicates, any order)."""
    corpus = [a.payload for a in seen]
    for order_id in sorted({a.order_id for a in seen}):
        number = {"phoneNumber": "+13125550000", "status": "CONFIRMED"}
        for kind in ("CONFIRMED", "REJECTED", "ACTIVATED"):
            corpus.append(
                {"type": f"NUMBERS_{kind}", "orderId": order_id, "phoneNumbers": [number]}
            )
    rng = random.Random(SEED)  # noqa: S311 (a seeded draw of test data, not cryptography)
    return [json.dumps(rng.choice(corpus)).encode() for _ in range(count)]


def burst(hook: str, bodies: Sequence[bytes], clients: int, *, keep_alive: bool) -> float:
    """POST every body from `clients` threads at once, each on one keep-alive connection or a
    new connection per webhook; seconds from the first request to the last answer. Every
    answer must be 2xx."""
    shares = [bodies[i::clients] for i in range(clients)]
    barrier = threading.Barrier(clients + 1)
    refused: list[int] = []

    def send(share: Sequence[bytes]) -> None:
        headers = {"Content-Type": "application/json"}
        if not keep_alive:
            headers["Connection"] = "close"
        with httpx.Client(timeout=30, headers=headers) as client:
            client.get(hook.rsplit("/hooks/", 1)[0] + "/healthz")  # connect before the clock
            barrier.wait()
            for body in share:
                status = client.post(hook, content=body).status_code
                if not 200 <= status < 300:
                    refused.append(status)

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(send, share) for share in shares]
        barrier.wait()
        begun = time.perf_counter()
        for future in futures:
            future.result()
        elapsed = time.perf_counter() - begun
    if refused:
        raise SystemExit(f"{len(refused)} of {len(bodies)} webhooks refused: {set(refused)}")
    return elapsed


def activation_latencies(relay: Relay, since: float, orders: set[str]) -> list[float]:
    """Per order: first webhook after `since` to its NUMBERS_ACTIVATED."""
    first: dict[str, float] = {}
    activated: dict[str, float] = {}
    for arrival in relay.since(since):
        first.setdefault(arrival.order_id, arrival.at)
        if arrival.type == "NUMBERS_ACTIVATED":
            activated.setdefault(arrival.order_id, arrival.at)
    missing = orders - activated.keys()
    if missing:
        raise SystemExit(f"{len(missing)} orders never activated, e.g. {sorted(missing)[:3]}")
    return [activated[o] - first[o] for o in sorted(orders)]


def one_run(options: argparse.Namespace) -> Figures:
    token = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        **SECRETS,
        "PORTCTL_WATCH_TOKEN": token,
        "SINCH_PROJECT_ID": "demo",
        "SINCH_ACCESS_TOKEN": "x",
        "NO_COLOR": "1",
    }
    env.pop("PORTCTL_TODAY", None)  # the watcher follows the emulator's (virtual) clock
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp:
        root = Path(
            tempfile.mkdtemp(prefix="bench-watch-", dir=options.keep) if options.keep else tmp
        )
        with emulator(root, env) as emulator_url:
            env["SINCH_PORTING_URL"] = emulator_url
            port = free_port()  # reserved for the watcher below; the relay needs it first
            relay = Relay(f"http://127.0.0.1:{port}/hooks/{token}")
            threading.Thread(target=relay.serve_forever, daemon=True).start()
            try:
                write_specs(root, options.orders, options.numbers, relay.url)
                return measured(options, root, env, relay, port)
            finally:
                relay.shutdown()
                relay.server_close()
                relay.http.close()


def measured(
    options: argparse.Namespace, root: Path, env: dict[str, str], relay: Relay, port: int
) -> Figures:
    """The watcher on `port`: orders created, burst, clock to the port date."""
    with watcher_on(root, env, port) as watch:
        apply(root, env)
        created = relay.since(0.0)
        ids = {a.order_id for a in created}
        if len(ids) != options.orders:
            raise SystemExit(f"{len(ids)} orders sent webhooks, {options.orders} were created")
        watch.wait_idle(options.timeout)
        looked = watch.looks()
        bodies = burst_payloads(created, options.webhooks)
        seconds = burst(watch.hook, bodies, options.clients, keep_alive=options.keep_alive)
        drained = watch.wait_idle(options.timeout)
        looks = watch.looks() - looked
        moved = time.perf_counter()
        emulator_url = env["SINCH_PORTING_URL"]
        httpx.post(f"{emulator_url}/_emulator/clock", json={"set": READY_AT}, timeout=120)
        deadline = time.monotonic() + options.timeout
        while time.monotonic() < deadline:
            done = {a.order_id for a in relay.since(moved) if a.type == "NUMBERS_ACTIVATED"}
            if ids <= done:
                break
            time.sleep(0.05)
        latencies = activation_latencies(relay, moved, ids)
        confirmed = [a.at for a in relay.since(moved) if a.type == "NUMBERS_CONFIRMED"]
        state = httpx.get(f"{emulator_url}/_emulator/state", timeout=30).json()
        statuses = {str(r["order"]["id"]): r["order"]["status"] for r in state["world"]["orders"]}
        unfinished = {o: statuses.get(o) for o in ids if statuses.get(o) != "COMPLETED"}
        if unfinished:
            raise SystemExit(f"orders not COMPLETED after activation: {unfinished}")
    return Figures(
        accepted_per_s=options.webhooks / seconds,
        drained_s=drained,
        looks=looks,
        latencies_s=latencies,
        sent_over_s=max(confirmed) - min(confirmed),
        watcher_rss_mib=watch.service.peak_rss_kib / 1024,
    )


@contextmanager
def watcher_on(root: Path, env: dict[str, str], port: int) -> Iterator[Watcher]:
    """`portctl watch specs --listen 127.0.0.1:<port> --state state --resync 1h`."""
    args = ["watch", str(root / "specs"), "--listen", f"127.0.0.1:{port}"]
    args += ["--state", str(root / "state"), "--resync", "1h", "--log-format", "json"]
    service = start(args, root / "watch.log", env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for("watcher start", service, lambda: httpx.get(f"{url}/healthz").is_success)
        yield Watcher(service, url, f"{url}/hooks/{env['PORTCTL_WATCH_TOKEN']}")
    finally:
        service.stop()


# --- report -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--webhooks", type=int, default=1000, help="burst size")
    parser.add_argument("--clients", type=int, default=4, help="client threads of the burst")
    parser.add_argument("--orders", type=int, default=50, help="`when: ready` orders to activate")
    parser.add_argument("--numbers", type=int, default=3, help="numbers per order")
    parser.add_argument(
        "--connections",
        choices=["keep-alive", "new"],
        default="keep-alive",
        help="burst clients: one keep-alive connection each, or a new one per webhook",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per wait")
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep each run's specs, state and process logs under this directory",
    )
    options = parser.parse_args(argv)
    options.keep_alive = options.connections == "keep-alive"
    load_before = os.getloadavg()
    print(
        f"portctl watch benchmark: {options.webhooks} webhooks from {options.clients} clients "
        f"({options.connections} connections); "
        f"{options.orders} `when: ready` orders of {options.numbers} numbers; "
        f"{options.runs} runs\n{platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} {load_before[1]:.2f} "
        f"{load_before[2]:.2f}",
        flush=True,
    )
    runs = []
    for index in range(options.runs):
        figures = one_run(options)
        runs.append(figures)
        print(
            f"run {index + 1}: {figures.accepted_per_s:,.0f} webhooks/s accepted "
            f"(drained in {figures.drained_s:.2f} s, {figures.looks} order reads for "
            f"{options.orders} orders); webhook to activation "
            f"p50 {figures.p50 * 1000:.0f} ms, p99 {figures.p99 * 1000:.0f} ms, "
            f"max {max(figures.latencies_s) * 1000:.0f} ms (confirmations sent over "
            f"{figures.sent_over_s:.2f} s); "
            f"watcher peak RSS {figures.watcher_rss_mib:.0f} MiB",
            flush=True,
        )
    rates = [r.accepted_per_s for r in runs]
    p99s = [r.p99 * 1000 for r in runs]
    load_after = os.getloadavg()
    print(
        f"webhooks/s accepted: median {statistics.median(rates):,.0f}, min {min(rates):,.0f}\n"
        f"p99 webhook to activation: median {statistics.median(p99s):.0f} ms, "
        f"min {min(p99s):.0f} ms\n"
        f"load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
