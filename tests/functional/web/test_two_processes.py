"""Two web apps on one database serve the same user: nothing about a session lives in a process.

The two apps stand for two processes behind one address: each has its own Web (engines, keys loaded on its own);
they share only the database and the secret key, as two uvicorn workers do.
"""

from __future__ import annotations

import re
from dataclasses import replace

import httpx
from fastapi import FastAPI

from vitnemal import ratelimit
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.web.context import Web
from vitnemal.web.pages import add_pages
from vitnemal.web.sessions import COOKIE, utcnow


def _app(settings, db_url) -> FastAPI:  # type: ignore[no-untyped-def]
    app = FastAPI()
    add_pages(app, settings, Web.open(settings, db_url))
    return app


def test_log_in_on_one_process_and_continue_and_log_out_on_the_other(web_settings, db_url) -> None:
    port = free_port()
    settings = replace(web_settings, public_url=f"http://127.0.0.1:{port}")
    first, second = _app(settings, db_url), _app(settings, db_url)
    with BackgroundServer(first, port=port) as a, BackgroundServer(second) as b:
        with httpx.Client(base_url=a.url, follow_redirects=True) as on_a:
            idp = on_a.get("/auth/start/idporten?next=/my-results")
            landed = on_a.post("/test-idp/authorize", data={
                "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', idp.text).group(1),
                "request": re.search(r'name="request" value="([^"]+)"', idp.text).group(1),
                "pid": "01536112185", "acr": "idporten-loa-high", "action": "login"})
            assert landed.url.path == "/my-results"
            cookie = on_a.cookies[COOKIE]
        with httpx.Client(base_url=b.url) as on_b:
            on_b.cookies.set(COOKIE, cookie)
            page = on_b.get("/my-results")
            assert page.status_code == 200 and "Mine resultater" in page.text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            assert on_b.post("/auth/logout", data={"csrf_token": token}).status_code == 303
        with httpx.Client(base_url=a.url) as again_on_a:
            again_on_a.cookies.set(COOKIE, cookie)
            assert again_on_a.get("/my-results").status_code == 303  # ended on the other process


def test_a_rate_limit_holds_across_processes(web_settings, db_url) -> None:
    limit = ratelimit.Limit(count=5, window_s=3600)
    webs = [Web.open(web_settings, db_url), Web.open(web_settings, db_url)]
    now = utcnow()
    allowed = 0
    for n in range(10):
        with webs[n % 2].db.session() as db:
            allowed += ratelimit.hit(db, "code:share-1", limit, now).allowed
    assert allowed == 5
    for w in webs:
        w.db.dispose()
