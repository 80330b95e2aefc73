"""Helpers for tests of the institution's pages: a served federation and logins over real HTTP (OIDC round trips
against the built-in test provider: ID-porten for people, its Feide-like side for staff)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from fastapi import FastAPI

from vitnemal.db import Database
from vitnemal.devtools.federation import BareFederation, build_federation
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.testidp.staff import grant_test_roles, registry_pairs, staff_test_users
from vitnemal.web.app import create_app

SECRET = "staff-pages-test-secret-0123456789-abcdefgh"


@dataclass
class StaffSite:
    app: FastAPI
    server: BackgroundServer
    fed: BareFederation

    @property
    def url(self) -> str:
        return self.server.url

    def db(self, code: str) -> Database:
        return self.fed.db(code)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=True, timeout=30)


@contextmanager
def staff_site(home: Path, template: Path, codes: tuple[str, ...] = ("185", "216"), *,
               with_worker: bool = False, admission: bool = False) -> Iterator[StaffSite]:
    """The whole app (nodes, pages, test provider; with ``with_worker`` the results worker too) serving ``codes``
    (with ``admission`` Samordna opptak too, code ``so``) on a real port; the test staff users hold their demo roles
    (``testidp.staff``), the operator included."""
    port = free_port()
    fed = build_federation(home, list(codes), f"http://127.0.0.1:{port}", template=template, admission=admission)
    fed.settings = replace(fed.settings, secret_key=SECRET)
    portal = fed.settings.url_for("portal")
    shutil.copyfile(template, portal.removeprefix("sqlite:///"))
    db = Database(portal)
    with db.session() as session:
        grant_test_roles(session, staff_test_users(registry_pairs(fed.registry)), None)
    db.dispose()
    app = create_app(fed.settings, with_worker=with_worker)
    with BackgroundServer(app, port=port) as server:
        yield StaffSite(app, server, fed)


def field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in {html[:300]}"
    return match.group(1)


def csrf(html: str) -> str:
    return field(html, "csrf_token")


def log_in_staff(client: httpx.Client, username: str, next_path: str = "/staff") -> httpx.Response:
    """Log in as ``username`` through /staff/login and the test Feide; returns the page landed on."""
    login = client.get(f"/staff/login?next={next_path}")
    assert login.status_code == 200, login.text[:300]
    idp = client.get(f"/auth/start/feide-staff?next={next_path}")
    assert idp.url.path == "/test-idp/feide/authorize", idp.url
    return client.post("/test-idp/feide/authorize", data={
        "csrf_token": csrf(idp.text), "request": field(idp.text, "request"), "username": username,
        "action": "login"})


def log_in_person(client: httpx.Client, pid: str, next_path: str = "/my-results") -> httpx.Response:
    """Log in as the person ``pid`` through ID-porten (the test provider); returns the page landed on."""
    idp = client.get(f"/auth/start/idporten?next={next_path}")
    assert idp.url.path == "/test-idp/authorize", idp.url
    return client.post("/test-idp/authorize", data={
        "csrf_token": csrf(idp.text), "request": field(idp.text, "request"), "pid": pid,
        "acr": "idporten-loa-substantial", "action": "login"})
