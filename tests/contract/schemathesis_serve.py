"""Run the schemathesis CLI against a real `portctl emulator serve` process.

    .venv/bin/python -m tests.contract.schemathesis_serve            # gate: exit 0 = conforms
    .venv/bin/python -m tests.contract.schemathesis_serve --all-checks  # report every finding

Both modes use `document()`: the committed copy of the published document with
`DOCUMENT_CORRECTIONS` applied (see `tests.contract.openapi_contract` for the list and why).

The gate runs the checks the emulator must pass (no 5xx; only documented status codes;
documented answers match their schema and content type) in the examples, fuzzing and stateful
phases (about 230 cases, ~10 s). `--all-checks` adds the coverage phase and every check, some of
which measure the document or the fuzzer rather than the emulator (e.g. `negative_data_rejection`
flags unknown fields the emulator ignores, as the real API does); it is meant to be read, not
to pass. The bounded pytest twin is `tests/contract/test_schemathesis.py`.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.contract.openapi_contract import document

GATE_PHASES = "examples,fuzzing,stateful"
GATE_CHECKS = (
    "not_a_server_error,status_code_conformance,response_schema_conformance,"
    "content_type_conformance"
)
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_up(url: str, seconds: float = 15.0) -> None:
    """Poll until the served emulator answers (any status) or give up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/_emulator/state", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"emulator did not come up at {url}")


def main(argv: list[str] | None = None) -> int:
    """Serve, run schemathesis, stop the server; the exit code is schemathesis's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all-checks", action="store_true")
    parser.add_argument("--max-examples", type=int, default=10)
    args = parser.parse_args(argv)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "emulator.json"
        server = subprocess.Popen(
            [BIN / "portctl", "emulator", "serve", "--port", str(port), "--state", str(state)]
        )
        try:
            wait_until_up(url)
            corrected = Path(tmp) / "openapi.json"
            corrected.write_text(json.dumps(document()), encoding="utf-8")
            phases = "examples,coverage,fuzzing,stateful" if args.all_checks else GATE_PHASES
            command = [
                str(BIN / "schemathesis"),
                "run",
                str(corrected),
                "--phases",
                phases,
                "--url",
                f"{url}/v1/projects/demo",
                "--header",
                "Authorization: Bearer x",
                "--checks",
                "all" if args.all_checks else GATE_CHECKS,
                "--max-examples",
                str(args.max_examples),
                "--seed",
                "0",
                "--workers",
                "1",
            ]
            return subprocess.run(command, check=False).returncode
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
