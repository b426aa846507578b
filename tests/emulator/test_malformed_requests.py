"""`emulator serve` against malformed requests (issue 10 point 11).

Each raw request goes over a real socket to a served emulator: a bad `Content-Length`, broken
chunking, a body over the cap, JSON nested 100,000 deep, a client that stops mid-body. Each must
get a 4xx answer (or, for the silent client, a closed connection) and at most one log line:
never a stdlib traceback, and never a body read past the cap.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from collections.abc import Iterator

import pytest

from reconciler.emulator import Emulator
from reconciler.emulator import server as served
from reconciler.emulator.server import MAX_REQUEST_BYTES, running

TOKEN = b"Authorization: Bearer x\r\n"
ORDERS = b"POST /v1/projects/demo/orders/portIns HTTP/1.1\r\nHost: localhost\r\n" + TOKEN


@pytest.fixture
def url() -> Iterator[str]:
    with running(Emulator()) as base:
        yield base


def exchange(url: str, raw: bytes, *, timeout: float = 10.0) -> bytes:
    """Send `raw` on a fresh connection; everything the server answers until it closes."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # the server may have refused and closed already
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)  # a short body then reads as ended, not as slow
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


MALFORMED = {
    "content-length-not-a-number": ORDERS + b"Content-Length: abc\r\n\r\n{}",
    "content-length-negative": ORDERS + b"Content-Length: -5\r\n\r\n{}",
    "content-length-twice-differing": ORDERS + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "chunk-size-not-hex": ORDERS + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    "chunk-size-negative": ORDERS + b"Transfer-Encoding: chunked\r\n\r\n-1\r\n{}\r\n0\r\n\r\n",
    "chunk-without-line-end": ORDERS + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n",
    "body-shorter-than-declared": ORDERS + b"Content-Length: 100\r\n\r\n{}",
    "huge-content-length": ORDERS + b"Content-Length: 999999999999\r\n\r\n{}",
    "huge-chunk": ORDERS + b"Transfer-Encoding: chunked\r\n\r\nffffffffffff\r\n{}",
    "non-ascii-header": ORDERS + "X-Name: \u00e9\r\nContent-Length: 2\r\n\r\n{}".encode("latin-1"),
}


@pytest.mark.invalid_requests_ok
@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_request_is_a_4xx_and_one_log_line(
    url: str,
    raw: bytes,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    answer = exchange(url, raw)

    assert 400 <= status_of(answer) < 500
    assert answer.endswith(b"}")  # a JSON error body, then the server closed the connection
    assert "Traceback" not in capsys.readouterr().err
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "\n" not in warnings[0].getMessage()


@pytest.mark.invalid_requests_ok
def test_json_nested_100k_deep_is_a_400_not_a_500(
    url: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    raw = ORDERS + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body

    answer = exchange(url, raw)

    assert status_of(answer) == 400
    assert b"nested deeper than" in answer
    assert "Traceback" not in capsys.readouterr().err
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.invalid_requests_ok
def test_a_body_over_the_cap_is_refused_before_it_is_read(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    declared = MAX_REQUEST_BYTES + 1
    raw = ORDERS + f"Content-Length: {declared}\r\n\r\n".encode() + b"[" * 65536

    answer = exchange(url, raw)

    assert status_of(answer) == 413
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["code"] == "413"
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.invalid_requests_ok
def test_a_client_that_stops_mid_body_is_dropped_after_the_socket_timeout(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(served.EmulatorRequestHandler, "timeout", 0.3)
    caplog.set_level(logging.WARNING)
    with running(Emulator()) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(ORDERS + b"Content-Length: 10\r\n\r\n{")
            assert sock.recv(65536) == b""  # closed without an answer, nothing half-processed

    assert "Traceback" not in capsys.readouterr().err
    assert [r.getMessage() for r in caplog.records if "did not arrive" in r.getMessage()]
