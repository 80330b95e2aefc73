"""Bodies are bounded while they stream in, and the case workers' API authenticates before it reads a body.

Each test talks raw HTTP/1.1 to a real server over a socket, so it can declare or start a body far larger than it
ever sends: an answer that arrives while the body is still unfinished shows the server decided without reading it.
"""

from __future__ import annotations

import contextlib
import json
import socket

import pytest
from tests.factories import make_federation

from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.web.app import API_MAX_BYTES, create_app

HUGE = 250 * 1024 * 1024
NODE = "/nodes/216/exchange/v1/results"
ORDERS = "/api/institutions/216/orders"


@pytest.fixture(scope="module")
def server(tmp_path_factory, sqlite_template):
    port = free_port()
    fed = make_federation(tmp_path_factory.mktemp("fed"), ["185", "216"], f"http://127.0.0.1:{port}",
                          template=sqlite_template)
    with BackgroundServer(create_app(fed.settings, codes=["216"]), port=port) as running:
        yield fed, running


def _open(server: BackgroundServer, path: str, headers: dict[str, str]) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    sock.sendall(head.encode() + b"\r\n")
    return sock


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one response (status, headers, body); a timeout here means the server is still waiting for the body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "connection closed without an answer"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    sock.close()
    return int(lines[0].split()[1]), headers, body


def _send_chunks(sock: socket.socket, total: int, piece: int = 8192) -> None:
    """Send ``total`` bytes as chunks and never the final empty chunk: the body stays unfinished."""
    sent = 0
    while sent < total:
        sock.sendall(f"{piece:x}\r\n".encode() + b"x" * piece + b"\r\n")
        sent += piece


@pytest.mark.parametrize("path", [NODE, ORDERS, "/verify"])
def test_a_declared_huge_body_is_refused_before_any_of_it_is_sent(server, path: str) -> None:
    _, running = server
    sock = _open(running, path, {"Content-Length": str(HUGE), "Content-Type": "application/json"})
    status, _, body = _answer(sock)
    assert status == 413
    assert json.loads(body)["detail"]["error"] == "too_large"


def test_a_chunked_body_is_cut_off_at_the_limit(server) -> None:
    _, running = server
    sock = _open(running, NODE, {"Transfer-Encoding": "chunked", "Content-Type": "application/jose"})
    # the server may close as soon as it has refused; the answer is still there to read
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        _send_chunks(sock, 80 * 1024)
    status, _, body = _answer(sock)
    assert status == 413
    assert "at most" in json.loads(body)["detail"]["message"]


def test_an_unauthenticated_api_body_is_refused_before_it_is_read(server) -> None:
    _, running = server
    sock = _open(running, ORDERS, {"Transfer-Encoding": "chunked", "Content-Type": "application/json"})
    _send_chunks(sock, 4096, piece=1024)  # well under the limit, and never finished
    status, headers, _ = _answer(sock)
    assert status == 401 and headers["www-authenticate"] == "Bearer"


def test_an_authenticated_api_body_over_the_limit_is_refused(server) -> None:
    fed, running = server
    sock = _open(running, ORDERS, {"Transfer-Encoding": "chunked", "Content-Type": "application/json",
                                   "Authorization": f"Bearer {fed.tokens['216']}"})
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        _send_chunks(sock, API_MAX_BYTES + 16 * 1024)
    status, _, _ = _answer(sock)
    assert status == 413


def test_a_small_authenticated_body_is_still_served(server) -> None:
    fed, running = server
    payload = json.dumps({"national_id": "01039510010"}).encode()
    sock = _open(running, ORDERS, {"Content-Length": str(len(payload)), "Content-Type": "application/json",
                                   "Authorization": f"Bearer {fed.tokens['216']}"})
    sock.sendall(payload)
    status, _, body = _answer(sock)
    assert status in (201, 422), body  # placed, or refused by the order rules: either way parsed and answered
