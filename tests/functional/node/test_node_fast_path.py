"""The node's questions over HTTP are answered by NodeFastPath when the request declares its length, and by the
whole web stack otherwise (a chunked body): both answer alike, with the same headers, checks and log."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select
from tests.functional.node.test_node_security import _request

from vitnemal.institutions.exchange_keys import load_private_key
from vitnemal.node.protocol import PATH, sign, verify
from vitnemal.records.models import Disclosure

# What the route and the fast path both set; the security headers come from the layer around both.
SAME = ("content-type", "retry-after", "x-content-type-options", "x-frame-options", "referrer-policy",
        "content-security-policy", "cross-origin-opener-policy", "permissions-policy")


def _chunked(body: bytes) -> Iterator[bytes]:
    yield body[:10]  # no Content-Length: httpx sends the body chunked, which the fast path leaves to the stack
    yield body[10:]


def _both(url: str, body: bytes) -> tuple[httpx.Response, httpx.Response]:
    fast = httpx.post(url, content=body, timeout=10)
    stack = httpx.post(url, content=_chunked(body), timeout=10)
    assert "content-length" in fast.request.headers and "content-length" not in stack.request.headers
    return fast, stack


@pytest.fixture
def http_node(make_node):
    fed, server = make_node()
    if server.kind != "http":
        pytest.skip("the fast path is the HTTP path's")
    return fed, f"{server.url}/nodes/216/{PATH}"


def test_a_proper_request_is_answered_alike_either_way(http_node) -> None:
    fed, url = http_node
    key = load_private_key(fed.settings.keys_dir / "185.pem")
    fast, stack = _both(url, b"")  # warm: both refuse an empty body the same way
    assert (fast.status_code, fast.content) == (stack.status_code, stack.content) == (400, fast.content)
    fast = httpx.post(url, content=sign(_request().payload(), "185", key).encode(), timeout=10)
    stack = httpx.post(url, content=_chunked(sign(_request().payload(), "185", key).encode()), timeout=10)
    assert fast.status_code == stack.status_code == 200
    for response in (fast, stack):
        _, payload = verify(response.text, fed.registry, expected_signer="216")
        assert payload["status"] == "ok" and payload["results"][0]["course_code"] == "RES-100"
    assert {h: fast.headers.get(h) for h in SAME} == {h: stack.headers.get(h) for h in SAME}
    assert fast.headers["content-type"] == "application/jose"
    with fed.db("216").read_session() as s:
        assert s.scalar(select(func.count(Disclosure.id))) == 2  # each logged once


@pytest.mark.parametrize("body", [b"not a jws", b"a.b.c", b"x" * 70_000])
def test_refusals_are_the_same_either_way(http_node, body: bytes) -> None:
    _, url = http_node
    fast, stack = _both(url, body)
    assert fast.status_code == stack.status_code and fast.json() == stack.json()
    assert {h: fast.headers.get(h) for h in SAME} == {h: stack.headers.get(h) for h in SAME}


def test_a_replay_is_refused_whichever_way_it_comes(http_node) -> None:
    fed, url = http_node
    token = sign(_request().payload(), "185", load_private_key(fed.settings.keys_dir / "185.pem")).encode()
    assert httpx.post(url, content=token, timeout=10).status_code == 200
    again = httpx.post(url, content=_chunked(token), timeout=10)
    assert (again.status_code, again.json()["detail"]["error"]) == (409, "replayed")


def test_a_node_not_served_here_is_the_stacks_404(http_node) -> None:
    _, url = http_node
    response = httpx.post(url.replace("/216/", "/999/"), content=b"not a jws", timeout=10)
    assert response.status_code == 404
    assert response.headers["x-content-type-options"] == "nosniff"
