"""EMREX 2's HTTP face: the authorization endpoint with the applicant's consent page (after the portal's own login),
the token endpoint, and ``GET /emrex/results``; and the owner's list of consents.

The authorization endpoint and the consent page are pages (login, CSRF, nb/nn/en); the token and results
endpoints answer machines with OAuth's JSON errors. Each route makes one :class:`Emrex2Server` on one transaction.
The results shown for consent are the portal's own live fetch (the same as "Mine resultater").
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio.to_thread
from authlib.oauth2 import OAuth2Error
from fastapi import APIRouter, Depends, Form, Query, Request, Security
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import OAuth2
from pydantic import BaseModel

from vitnemal.emrex.rules import csp_source
from vitnemal.emrex2 import platform, service
from vitnemal.emrex2.server import Consent, Emrex2Server, FormRequest
from vitnemal.portal import rules
from vitnemal.portal.pdf import portal_signer_files
from vitnemal.portal.routes import (  # the owner's fetch and the results as "Mine resultater" shows them
    institutions_view,
    load_results_view,
    owner_of,
    page_texts,
    parse_choices,
    portal_of,
    start_owner_fetch,
)
from vitnemal.web.context import language
from vitnemal.web.headers import csp
from vitnemal.web.routing import page_router, require_login
from vitnemal.web.sessions import BrowserSession
from vitnemal.web.templating import gettext_for, register_templates, render

register_templates(Path(__file__).parent / "templates")
pages = page_router()
api = APIRouter(prefix="/emrex", tags=["EMREX 2"])
platform_api = APIRouter(prefix="/platform/v1", tags=["Platforms"])
# In the OpenAPI document: the platforms' client-credentials flow and its scopes (the token endpoint is EMREX 2's).
PLATFORM_AUTH = OAuth2(flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(
    tokenUrl="/emrex/oauth2/token", scopes={
        "transfers:read": "The transfers made to this platform", "consents:read": "The consents given to it"})),
    scheme_name="platformClientCredentials", auto_error=False,
    description="Client credentials with private_key_jwt (RFC 7523): a JWT signed by the platform's registered key")
AUTHORIZE = "/emrex/oauth2/authorize"
TOKEN = "/emrex/oauth2/token"
MAX_FORM_VALUES = 600


def _token_url(request: Request) -> str:
    return f"{portal_of(request).settings.public_url.rstrip('/')}{TOKEN}"


def _oauth_request(request: Request, form: dict[str, list[str]] | None = None) -> FormRequest:
    # The address as the client knows it (behind the TLS proxy: https), not the one the proxy used inside.
    url = portal_of(request).settings.public_url.rstrip("/") + request.url.path
    url += f"?{request.url.query}" if request.url.query else ""
    return FormRequest(request.method, url, request.headers, parse_qs(request.url.query), form)


def _answer(status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
    headers = [*headers, ("Cache-Control", "no-store")]
    location = dict(headers).get("Location")
    if location:
        return RedirectResponse(location, status_code=303 if status in (302, 303) else status, headers=dict(headers))
    return Response(json.dumps(body) if isinstance(body, dict) else str(body), status_code=status,
                    media_type="application/json", headers=dict(headers))


def _not_for_here(request: Request, error: OAuth2Error) -> HTMLResponse:
    """An authorization request that cannot even be sent back: unknown client, or an address it did not register."""
    _ = gettext_for(language(request))
    return render(request, "emrex2/refused.html", {"problem": _(
        "The service that sent you here is not registered with the portal, or asked to send you back to an "
        "address it has not registered. Nothing was sent. Go back to the service and try again, or contact it."),
        "detail": error.description or error.error}, status_code=400)


def _refused(request: Request, server: Emrex2Server, error: OAuth2Error) -> Response:
    if getattr(error, "redirect_uri", None):
        return _answer(*server.handle_error_response(None, error))
    return _not_for_here(request, error)


def _consent_page(request: Request, session: BrowserSession, server: Emrex2Server, grant: Any,
                  problem: str | None = None, status_code: int = 200) -> HTMLResponse:
    owner = owner_of(session)
    fetch_id = session.data.get("fetch_id")
    portal = portal_of(request)
    view = load_results_view(portal, owner.national_id, fetch_id if isinstance(fetch_id, int) else None)
    if view is None:
        new_id, not_ready = start_owner_fetch(request, session)
        problem = problem or not_ready
        view = load_results_view(portal, owner.national_id, new_id)
    lang = language(request)
    client = grant.request.client.client
    # Browsers apply form-action to the redirect after the form too: the consent (or refusal) goes on to the
    # client's registered redirect_uri, so the page allows that one address beside its own.
    policy = csp(default_src="'none'", script_src="'self'", style_src="'self'", img_src="'self' data:",
                 font_src="'self'", connect_src="'self'", frame_ancestors="'none'", base_uri="'none'",
                 form_action=f"'self' {csp_source(grant.request.payload.redirect_uri)}")
    return render(request, "emrex2/consent.html", {
        **page_texts(lang), "view": view, "problem": problem, "client": client,
        "action": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "owner_name": owner.name or owner.national_id[:6], "choose": True,
        "institutions": institutions_view(view.snapshot(), lang) if view else []}, status_code=status_code,
        headers={"content-security-policy": policy, "cache-control": "no-store"})


@pages.get(AUTHORIZE, response_class=HTMLResponse)
def authorize(request: Request, session: BrowserSession = Depends(require_login)) -> Response:
    """The consent page: which service asks, the owner's results to pick from, consent or refuse."""
    with portal_of(request).db.session() as db:
        server = Emrex2Server(db, now=datetime.now(UTC), token_url=_token_url(request))
        try:
            grant = server.get_consent_grant(_oauth_request(request), end_user=None)
        except OAuth2Error as error:
            return _refused(request, server, error)
    return _consent_page(request, session, server, grant)


@pages.post(AUTHORIZE)
def consent(request: Request, session: BrowserSession = Depends(require_login),
            decision: str = Form("", max_length=10), fetch_id: int = Form(0),
            q: list[str] = Form([]), c: list[str] = Form([]), t: list[str] = Form([])) -> Response:
    """Consent (the code goes back to the client with what was chosen) or refusal (access_denied goes back)."""
    portal = portal_of(request)
    _ = gettext_for(language(request))
    owner = owner_of(session)
    with portal.db.session() as db:
        server = Emrex2Server(db, now=datetime.now(UTC), token_url=_token_url(request))
        oauth = _oauth_request(request)
        try:
            grant = server.get_consent_grant(oauth, end_user=None)
        except OAuth2Error as error:
            return _refused(request, server, error)
        if decision != "consent":
            return _answer(*server.create_authorization_response(oauth, grant_user=None, grant=grant))
        view = load_results_view(portal, owner.national_id, fetch_id or None)
        try:
            if view is None:
                raise rules.ShareRefused(rules.N_("That fetch of your results is not available any more; fetch "
                                                  "them again."))
            selection = rules.Selection(parse_choices(q), parse_choices(c), parse_choices(t))
            snapshot = rules.select_snapshot(view.snapshot(), selection)
        except rules.ShareRefused as exc:
            return _consent_page(request, session, server, grant, exc.translated(_), status_code=400)
        user = Consent(owner.national_id, owner.name, owner.birth_date, language(request)[:2], snapshot)
        answer = server.create_authorization_response(oauth, grant_user=user, grant=grant)
        if server.consented is not None:
            service.record_consent(db, server.consented, grant.request.client.get_client_id())
    return _answer(*answer)


@api.post("/oauth2/token", summary="EMREX 2 token endpoint (authorization code + PKCE, private_key_jwt)")
async def token(request: Request) -> Response:
    """Trade a code for an access token of at most ten minutes. The client authenticates with a JWT signed by its
    registered key (client_assertion_type urn:ietf:params:oauth:client-assertion-type:jwt-bearer)."""
    form = await request.form(max_fields=MAX_FORM_VALUES)
    values: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(name, []).append(value)
    oauth = _oauth_request(request, values)
    portal = portal_of(request)

    def run() -> Response:
        with portal.db.session() as db:
            server = Emrex2Server(db, now=datetime.now(UTC), token_url=_token_url(request))
            return _answer(*server.create_token_response(oauth))

    return await anyio.to_thread.run_sync(run)


@api.get("/results", summary="EMREX 2 results: the consented results as signed ELMO or the signed PDF",
         responses={200: {"description": "The document; X-Signature holds a detached compact JWS (ES256) over it"},
                    400: {"description": "data_format is not elmo or pdf"},
                    401: {"description": "no valid access token"}})
def results(request: Request, data_format: str = Query(..., max_length=10)) -> Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    portal = portal_of(request)
    key, cert, ca_cert = portal_signer_files(portal.settings)
    try:
        with portal.db.session() as db:
            answer = service.answer_results(
                db, token=token.strip() if scheme.lower() == "bearer" else "", data_format=data_format,
                now=datetime.now(UTC), pdf_maker=portal.pdf_maker, signer_key_pem=key.read_bytes(),
                signer_cert_pem=cert.read_bytes() + ca_cert.read_bytes())
    except service.ResultsRefused as exc:
        headers = {"Cache-Control": "no-store"}
        if exc.status == 401:
            headers["WWW-Authenticate"] = f'Bearer error="{exc.error}", error_description="{exc.description}"'
        return JSONResponse({"error": exc.error, "error_description": exc.description}, status_code=exc.status,
                            headers=headers)
    return Response(answer.body, media_type=answer.media_type, headers={
        "X-Signature": answer.signature, "X-Signature-Algorithm": "ES256", "X-Consent-Reference": answer.ref_id,
        "Cache-Control": "no-store"})


class PlatformTransfer(BaseModel):
    id: str
    sent_at: datetime
    protocol: str
    data_format: str
    qualifications: int
    courses: int
    valid_until: datetime
    deleted_at: datetime | None


class PlatformConsent(BaseModel):
    reference: str
    consented_at: datetime
    ended_at: datetime | None
    qualifications: int
    courses: int


def _platform_read(request: Request, authorization: str | None, scope: str, read: Any, limit: int) -> Response:
    portal = portal_of(request)
    now = datetime.now(UTC)
    try:
        with portal.db.session() as db:
            pk, client_id = platform.platform_for(db, authorization, scope, now)
            found = read(db, pk, client_id, limit=limit, now=now)
    except service.ResultsRefused as exc:
        headers = {"Cache-Control": "no-store"}
        if exc.status in (401, 403):
            headers["WWW-Authenticate"] = f'Bearer error="{exc.error}", scope="{scope}"'
        return JSONResponse({"error": exc.error, "error_description": exc.description}, status_code=exc.status,
                            headers=headers)
    return JSONResponse(jsonable_encoder(found), headers={"Cache-Control": "no-store"})


_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid access token (client credentials at /emrex/oauth2/token)"},
    403: {"description": "The token does not hold the scope"}}


@platform_api.get("/transfers", response_model=list[PlatformTransfer], responses=_REFUSED,
                  summary="The transfers made to this platform (ids, dates, counts; newest first)")
def platform_transfers(request: Request, limit: int = Query(100, ge=1, le=platform.MAX_LIMIT),
                       authorization: str | None = Security(PLATFORM_AUTH, scopes=["transfers:read"])) -> Response:
    return _platform_read(request, authorization, "transfers:read", platform.transfers, limit)


@platform_api.get("/consents", response_model=list[PlatformConsent], responses=_REFUSED,
                  summary="The consents applicants gave this platform, and which have ended (newest first)")
def platform_consents(request: Request, limit: int = Query(100, ge=1, le=platform.MAX_LIMIT),
                      authorization: str | None = Security(PLATFORM_AUTH, scopes=["consents:read"])) -> Response:
    return _platform_read(request, authorization, "consents:read", platform.consents, limit)


@pages.get("/emrex/consents", response_class=HTMLResponse)
def my_consents(request: Request, session: BrowserSession = Depends(require_login)) -> HTMLResponse:
    """The owner's consents to EMREX 2 services: to whom, when, which results, the reference."""
    with portal_of(request).db.read_session() as db:
        consents = service.consents_for(db, owner_of(session).national_id)
    lang = language(request)
    return render(request, "emrex2/consents.html", {**page_texts(lang), "consents": consents})


@pages.post("/emrex/consents/{ref_id}/end")
def end_consent(request: Request, ref_id: str, session: BrowserSession = Depends(require_login)) -> Response:
    """The owner ends one of their consents (the service is told; it can no longer fetch with it)."""
    with portal_of(request).db.session() as db:
        service.end_consent(db, owner_of(session).national_id, ref_id, datetime.now(UTC))
    return RedirectResponse("/emrex/consents", status_code=303)


def install(app: Any) -> None:
    app.include_router(pages)
    app.include_router(api)
    app.include_router(platform_api)
    app.state.portal.purgers.append(service.purge_consents)  # consent records' copy of the results, after a year
