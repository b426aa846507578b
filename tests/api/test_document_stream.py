"""Document uploads stream from disk (issue 10 point 6): the file is encoded piece by piece as
the request goes out, with an exact Content-Length, and arrives whole."""

from __future__ import annotations

import random
from pathlib import Path

import httpx

from reconciler.emulator import Emulator
from tests.api.bodies import order_body
from tests.api.conftest import demo_client


def test_a_document_from_disk_is_sent_in_pieces_and_arrives_whole(
    emu: Emulator, tmp_path: Path
) -> None:
    content = random.Random(7).randbytes(3 * 1024 * 1024 + 1)  # noqa: S311 - test data
    loa = tmp_path / "loa.pdf"
    loa.write_bytes(content)
    pieces: list[int] = []

    class Transport(httpx.BaseTransport):  # MockTransport would read the body in one go first
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and request.url.path.endswith("/documents"):
                body = b""
                for piece in request.stream:  # type: ignore[union-attr]
                    pieces.append(len(piece))
                    body += piece
                assert int(request.headers["Content-Length"]) == len(body)
                request = httpx.Request("POST", request.url, headers=request.headers, content=body)
            else:
                request.read()
            return emu.handle(request)

    with demo_client(Transport()) as client:
        order = client.create_order(order_body())
        ref = client.upload_document(order.id, name="loa.pdf", description="LOA", content=loa)
        assert client.download_document(order.id, ref.raw["id"]).content == content
    assert len(pieces) > 4
    assert max(pieces) <= 1024 * 1024, "no piece holds the whole document"
