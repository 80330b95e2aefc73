"""The platforms' API and webhooks over real HTTP, on SQLite and PostgreSQL: a platform registered with scopes gets a
client-credentials token with its signed JWT and reads its own transfers, refused without the token or the scope;
the document describes the flow and the scopes; a consent given and ended reaches the platform as HMAC-signed
webhooks (nothing personal in them), and the ended consent's token stops working; a failing platform is tried again
later and given up after the last attempt, a slow one is cut off, and neither holds up the others."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import select, update
from tests.functional.emrex2.test_emrex2_flow import CLIENT_ID, Portal, authorized, portal  # noqa: F401
from tests.functional.portal.conftest import OWNER

from vitnemal.db import Database
from vitnemal.devtools.server import BackgroundServer
from vitnemal.emrex import clients, webhooks
from vitnemal.emrex.models import EmrexClient, WebhookDelivery
from vitnemal.web.secretkey import load_secret_key


class Receiver:
    """A platform's webhook endpoint: /ok answers 204, /fail 500, /slow answers after 30 s."""

    def __init__(self) -> None:
        self.got: list[tuple[str, dict[str, str], bytes]] = []
        app = FastAPI()

        @app.post("/{what}")
        async def hook(what: str, request: Request) -> Response:
            self.got.append((what, dict(request.headers), await request.body()))
            if what == "slow":
                await asyncio.sleep(30)
            return Response(status_code=500 if what == "fail" else 204)

        self.server = BackgroundServer(app)

    def __enter__(self) -> Receiver:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def _platform(portal: Portal, **values: Any) -> None:  # noqa: F811
    with portal.db().session() as db:
        db.execute(update(EmrexClient).where(EmrexClient.client_id == CLIENT_ID).values(**values))


def _credentials(portal: Portal) -> OAuth2Client:  # noqa: F811
    client = OAuth2Client(CLIENT_ID, portal.client_key, token_endpoint_auth_method="private_key_jwt", timeout=60)
    client.register_client_auth_method(PrivateKeyJWT(portal.token_url, alg="ES256"))
    return client


def _deliver_until(portal: Portal, event: str, receiver: Receiver, ref: str | None = None,  # noqa: F811
                   deadline_s: float = 20) -> tuple[dict, bytes]:  # type: ignore[type-arg]
    key = load_secret_key(portal.settings)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        asyncio.run(webhooks.deliver_due(portal.db(), key, lambda: datetime.now(UTC)))
        for what, headers, body in receiver.got:
            told = json.loads(body) if what == "ok" else {}
            if told.get("event") == event and ref in (None, told["data"].get("reference")):
                return headers, body
        time.sleep(0.2)
    raise AssertionError(f"no {event} webhook arrived")


def test_a_platform_reads_its_transfers_with_client_credentials(portal: Portal) -> None:  # noqa: F811
    _platform(portal, scopes="transfers:read")
    client = _credentials(portal)
    token = client.fetch_token(portal.token_url, grant_type="client_credentials")
    assert token["scope"] == "transfers:read" and 0 < token["expires_in"] <= 600 and "refresh_token" not in token
    listed = client.get(f"{portal.url}/platform/v1/transfers")
    assert listed.status_code == 200, listed.text
    assert all(set(t) >= {"id", "sent_at", "data_format", "courses"} for t in listed.json())
    assert OWNER.national_id not in listed.text and OWNER.name not in listed.text
    other = client.get(f"{portal.url}/platform/v1/consents")
    assert other.status_code == 403 and other.json()["error"] == "insufficient_scope"
    assert httpx.get(f"{portal.url}/platform/v1/transfers").status_code == 401
    with pytest.raises(Exception, match="invalid_scope"):
        _credentials(portal).fetch_token(portal.token_url, grant_type="client_credentials", scope="consents:read")
    _platform(portal, scopes="")
    with pytest.raises(Exception, match="unauthorized_client"):
        _credentials(portal).fetch_token(portal.token_url, grant_type="client_credentials")
    document = portal.app.openapi()
    flow = document["components"]["securitySchemes"]["platformClientCredentials"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/emrex/oauth2/token" and set(flow["scopes"]) == {"transfers:read", "consents:read"}
    assert document["paths"]["/platform/v1/transfers"]["get"]["security"] == [
        {"platformClientCredentials": ["transfers:read"]}]


def test_a_consent_given_and_ended_reaches_the_platform_signed(portal: Portal, receiver: Receiver) -> None:  # noqa: F811
    _platform(portal, webhook_url=f"{receiver.url}/ok")
    receiver.got.clear()  # the other engine's run told the same receiver
    oauth, browser = portal.oauth(), portal.browser()
    callback, verifier, _ = authorized(portal, oauth, browser)
    oauth.fetch_token(portal.token_url, authorization_response=callback, code_verifier=verifier)
    headers, body = _deliver_until(portal, "consent.created", receiver)
    secret = webhooks.client_secret(load_secret_key(portal.settings), CLIENT_ID)
    stamp, mac = (part.split("=", 1)[1] for part in headers["x-vitnemal-signature"].split(","))
    assert hmac.compare_digest(mac, hmac.new(secret.encode(), f"{stamp}.".encode() + body,
                                             hashlib.sha256).hexdigest())
    assert abs(int(stamp) - time.time()) < 120
    ref = json.loads(body)["data"]["reference"]
    assert OWNER.national_id.encode() not in body and OWNER.name.encode() not in body
    page = browser.get("/emrex/consents")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    ended = browser.post(f"/emrex/consents/{ref}/end", data={"csrf_token": csrf}, follow_redirects=False)
    assert ended.status_code == 303
    _, body = _deliver_until(portal, "consent.ended", receiver, ref)
    assert json.loads(body)["data"]["ended_at"]
    listed = browser.get("/emrex/consents").text
    assert f"/emrex/consents/{ref}/end" not in listed and "Avsluttet: tjenesten kan ikke lenger hente" in listed
    assert oauth.get(f"{portal.url}/emrex/results", params={"data_format": "pdf"}).status_code == 401
    _platform(portal, webhook_url=None)


def test_failing_and_slow_platforms_are_retried_later_and_hold_up_nobody(db_url: str, receiver: Receiver,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT_S", 0.5)
    db = Database(db_url)
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    with db.session() as s:
        for name in ("ok", "fail", "slow"):
            clients.add_client(s, client_id=f"p-{name}", name=name, kind="emrex2", urls=[f"https://{name}.example/cb"],
                               contact_email="a@b.no", now=now, actor="test", production=False,
                               jwks={"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus"
                                               "9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
                                               "kid": name}]},
                               scopes=["transfers:read"], webhook_url=f"{receiver.url}/{name}")
            webhooks.enqueue(s, clients.client_pk(s, f"p-{name}") or 0, "transfer.created", {"transfer": name}, now)
    key = b"k" * 32
    assert asyncio.run(webhooks.deliver_due(db, key, lambda: now)) == 1
    with db.session() as s:
        rows = {r.payload["data"]["transfer"]: r for r in s.scalars(select(WebhookDelivery))}
        assert rows["ok"].delivered_at == now and rows["ok"].next_at is None
        assert rows["fail"].attempts == 1 and rows["fail"].last_error == "HTTP 500"
        assert rows["fail"].next_at == now + webhooks.BACKOFF[0]
        assert rows["slow"].attempts == 1 and "Timeout" in (rows["slow"].last_error or "")
    later = now
    for step in webhooks.BACKOFF:  # every retry fails again; after the last, given up
        later += step
        asyncio.run(webhooks.deliver_due(db, key, lambda moment=later: moment))  # type: ignore[misc]
    with db.session() as s:
        failing = s.scalars(select(WebhookDelivery).where(WebhookDelivery.payload["data"]["transfer"].as_string()
                                                          == "fail")).one()
        assert failing.attempts == len(webhooks.BACKOFF) + 1 and failing.failed_at is not None
        assert failing.next_at is None
    assert asyncio.run(webhooks.deliver_due(db, key, lambda: later + timedelta(days=1))) == 0
    db.dispose()


def test_a_backlog_at_a_dead_platform_costs_one_timeout_a_round_and_crowds_out_nobody(
        db_url: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT_S", 0.5)
    db = Database(db_url)
    now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    key = {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
           "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
    with db.session() as s:
        for name in ("slow", "ok"):
            clients.add_client(s, client_id=f"q-{name}", name=name, kind="emrex2", urls=[f"https://{name}.example/cb"],
                               contact_email="a@b.no", now=now, actor="test", production=False,
                               jwks={"keys": [{**key, "kid": name}]}, webhook_url=f"{receiver.url}/{name}")
        dead = clients.client_pk(s, "q-slow") or 0
        # older than the healthy platform's one, and more than a round reads (BATCH * PER_CLIENT; review R40)
        for i in range(webhooks.BATCH * webhooks.PER_CLIENT + 10):
            webhooks.enqueue(s, dead, "transfer.created", {"transfer": f"slow-{i}"}, now - timedelta(minutes=10))
        webhooks.enqueue(s, clients.client_pk(s, "q-ok") or 0, "transfer.created", {"transfer": "ok"}, now)
    assert asyncio.run(webhooks.deliver_due(db, b"k" * 32, lambda: now)) == 1  # the healthy one, this round
    with db.session() as s:
        rows = list(s.scalars(select(WebhookDelivery)))
    ok = [r for r in rows if r.payload["data"]["transfer"] == "ok"]
    slow = [r for r in rows if r.payload["data"]["transfer"] != "ok"]
    assert ok[0].delivered_at == now
    tried = [r for r in slow if r.attempts == 1]
    assert len(tried) == 1 and "Timeout" in (tried[0].last_error or ""), [r.last_error for r in tried]
    released = [r for r in slow if r.attempts == 0 and r.next_at == now + webhooks.BACKOFF[0]]
    assert len(released) == webhooks.PER_CLIENT - 1  # claimed with it, sent later, not counted as failures
    assert len([r for r in slow if r.next_at == now - timedelta(minutes=10)]) == len(slow) - webhooks.PER_CLIENT
    db.dispose()
