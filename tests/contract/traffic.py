"""The suite-wide contract check of portctl's own API traffic (issue 3, "Done when").

`tests/conftest.py` swaps `Emulator.handle` for `watched_handle(...)` in every test, so each
exchange that carries the client's `User-Agent` is checked wherever the emulator is hosted in
the test process: `MockTransport`, the `--emulator` state file, or `emulator.server.running`
in a thread (which also serves `portctl` subprocesses). Requests are checked by
`openapi_contract.exchange_problems`, answers (error bodies included) by
`tests.emulator.openapi.response_problems` (compiled validators are cached per schema in
`openapi_contract`, so the check costs little per exchange).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from reconciler.emulator import Emulator
from tests.contract.openapi_contract import exchange_problems
from tests.emulator.openapi import response_problems

CLIENT_AGENT = "portctl/"
"""The `User-Agent` prefix of `reconciler.api`: traffic carrying it is portctl's own, so it must
speak the documented wire format; raw requests a test builds by hand (no such agent) are not."""


@dataclass
class ContractWatch:
    """Contract problems of the client traffic one test sent through any in-process emulator."""

    problems: list[str] = field(default_factory=list)
    exchanges: int = 0


def watched_handle(
    original: Callable[[Emulator, httpx.Request], httpx.Response],
    watch: ContractWatch,
    *,
    check_requests: bool,
) -> Callable[[Emulator, httpx.Request], httpx.Response]:
    """`original` with every exchange of the client's traffic checked into `watch`.

    Answers of an emulator running a variant (`reconciler.emulator.variants`) are not checked:
    it answers as another reading of the API on purpose; the requests still are."""

    @functools.wraps(original)
    def handle(self: Emulator, request: httpx.Request) -> httpx.Response:
        if not request.headers.get("User-Agent", "").startswith(CLIENT_AGENT):
            return original(self, request)
        request.read()
        watch.exchanges += 1
        if check_requests:
            watch.problems += exchange_problems(request, None)
        response = original(self, request)  # a drop-after-commit raises: nothing to check
        response.read()
        response.request = request
        if not self.config.variants:  # a variant answers as another reading, on purpose
            watch.problems += response_problems(response)
        return response

    return handle
