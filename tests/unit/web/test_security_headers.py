"""The headers middleware as other surfaces use it: a policy per path prefix, and a response's own policy kept."""

from __future__ import annotations

import asyncio

import pytest
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse

from vitnemal.web.headers import SELF_ONLY_PAGE, STRICT, SecurityHeaders, csp


async def _start_message(app: SecurityHeaders, path: str) -> dict[str, str]:
    """The headers of the answer to GET ``path``."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    await app({"type": "http", "path": path, "method": "GET", "headers": [], "scheme": "http"}, receive, send)
    return {k.decode(): v.decode() for k, v in sent[0]["headers"]}


@pytest.mark.parametrize(("path", "policy"), [("/", "site"), ("/docs", SELF_ONLY_PAGE), ("/docs/x", SELF_ONLY_PAGE),
                                               ("/docsearch", "site"), ("/portal/shares", "portal")])
def test_the_longest_matching_surface_gives_the_policy_of_a_page(path: str, policy: str) -> None:
    app = SecurityHeaders(HTMLResponse("<p>hi</p>"), pages={"/": "site", "/docs": SELF_ONLY_PAGE, "/portal": "portal"})
    headers = asyncio.run(_start_message(app, path))
    assert headers["content-security-policy"] == policy


def test_what_is_not_a_page_gets_the_strict_policy_on_any_surface() -> None:
    app = SecurityHeaders(JSONResponse({"a": 1}), pages={"/": SELF_ONLY_PAGE})
    assert asyncio.run(_start_message(app, "/api/x"))["content-security-policy"] == STRICT
    bare = SecurityHeaders(HTMLResponse("<p>hi</p>"))
    assert asyncio.run(_start_message(bare, "/somewhere"))["content-security-policy"] == STRICT


def test_a_response_that_sets_its_own_policy_keeps_it() -> None:
    own = "default-src 'none'; script-src 'nonce-abc'"
    app = SecurityHeaders(PlainTextResponse("hi", headers={"content-security-policy": own}))
    assert asyncio.run(_start_message(app, "/page"))["content-security-policy"] == own


def test_no_policy_may_allow_inline_code() -> None:
    with pytest.raises(ValueError, match="unsafe-inline"):
        csp(default_src="'self'", style_src="'self' 'unsafe-inline'")
    assert csp(default_src="'none'", frame_ancestors="'none'") == "default-src 'none'; frame-ancestors 'none'"
