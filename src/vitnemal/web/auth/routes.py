"""``/auth``: the login page, the start of a login, the provider's callback, logout.

A login starts with a link (rate-limited per client address) that remembers state, nonce and the
PKCE verifier in the browser's session and sends the browser to the provider. The callback checks the state,
exchanges the code and checks the ID token (``oidc.finish``), then replaces the session by a new logged-in one.
Logout ends the session here and sends the browser to the provider's end_session_endpoint.
"""

from __future__ import annotations

import logging
import secrets
import time
from urllib.parse import quote, urlsplit

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from vitnemal import ratelimit
from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.web.auth import oidc
from vitnemal.web.context import (
    current_session,
    end_session,
    ensure_session,
    language,
    replace_session,
    save_session,
    web,
)
from vitnemal.web.routing import page_router, safe_next
from vitnemal.web.sessions import BrowserSession, utcnow
from vitnemal.web.templating import render

log = logging.getLogger(__name__)
router = page_router(prefix="/auth")
LOGIN_WINDOW_S = 300  # login starts are counted per client in windows of this length (``login_starts_per_5min``)
# A login left at the provider longer than this must start again.
PENDING_MAX_S = 600
# Where an owner lands after logging in when no page asked for the login.
HOME = "/my-results"
PROBLEMS = ("acr", "rate", "cancelled", "unavailable", "invalid")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _redirect_uri(request: Request) -> str:
    return web(request).settings.public_url.rstrip("/") + "/auth/callback"


# Where a member of staff is sent back to when their login fails (the staff pages' own login page).
STAFF_LOGIN = "/staff/login"
STAFF_LOGGED_OUT = "/staff/logged-out"


def _to_login(problem: str, next_path: str = HOME, *, staff: bool = False) -> RedirectResponse:
    page = STAFF_LOGIN if staff else "/auth/login"
    return RedirectResponse(f"{page}?problem={problem}&next={quote(next_path)}", status_code=303)


def _audit_staff_login(request: Request, action: AuditAction, actor: str, detail: str | None = None) -> None:
    """A staff login or a failed one, in the web surface's audit log (beside the operator's log): who got into
    the institutions' pages, and every refused attempt with its reason."""
    with web(request).db.session() as session:
        record_event(session, actor=actor, action=action, detail=detail)


def person_providers(request: Request) -> list[oidc.Provider]:
    return [p for p in web(request).providers if p.kind == "person"]


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, return_to: str = Query(HOME, alias="next", max_length=600),
               problem: str | None = Query(None, max_length=20)) -> HTMLResponse:
    return render(request, "web/login.html", {
        "providers": person_providers(request), "next": safe_next(return_to),
        "problem": problem if problem in PROBLEMS else None, "logged_out": False,
    }, status_code=200)


@router.get("/logged-out", response_class=HTMLResponse)
def logged_out(request: Request) -> HTMLResponse:
    return render(request, "web/login.html", {"providers": person_providers(request), "next": HOME, "problem": None,
                                              "logged_out": True})


def _count_login(request: Request) -> ratelimit.Decision:
    w = web(request)
    client = request.client.host if request.client else "unknown"
    with w.db.session() as db:
        return ratelimit.hit(db, f"login:{client}", login_limit(w.settings.login_starts_per_5min), utcnow())


def login_limit(count: int) -> ratelimit.Limit:
    return ratelimit.Limit(count=count, window_s=LOGIN_WINDOW_S)


@router.get("/start/{provider}")
async def start_login(request: Request, provider: str = Path(..., max_length=40),
                      return_to: str = Query(HOME, alias="next", max_length=600)) -> Response:
    # A link, not a form: browsers apply the CSP's form-action to the redirects after a form, and the provider's
    # authorization endpoint is on another host. Starting a login changes nothing but this browser's own session;
    # the state and nonce are what protect the callback.
    w = web(request)
    chosen = next((p for p in w.providers if p.name == provider), None)
    next_path = safe_next(return_to)
    if chosen is None:
        return _to_login("invalid", next_path)
    staff = chosen.kind == "staff"
    decision = await run_in_threadpool(_count_login, request)
    if not decision.allowed:
        return _to_login("rate", next_path, staff=staff)
    try:
        async with oidc.http_client() as http:
            url, pending = await oidc.start(http, chosen, _redirect_uri(request), next_path, language(request))
    except oidc.LoginFailed as exc:
        log.warning("login could not start with %s: %s", chosen.name, exc.detail)
        return _to_login(exc.reason, next_path, staff=staff)
    session = await run_in_threadpool(ensure_session, request)
    session.data["login"] = pending.to_dict()
    await run_in_threadpool(save_session, request, session)
    return RedirectResponse(url, status_code=303)


@router.get("/callback")
async def callback(request: Request, code: str | None = None, state: str | None = None,
                   error: str | None = None) -> Response:
    session = await run_in_threadpool(current_session, request)
    pending = oidc.PendingLogin.from_dict(session.data.get("login")) if session else None
    if session is None or pending is None or state is None or len(state) > 200:
        return _to_login("invalid")
    if not secrets.compare_digest(state, pending.state):
        return _to_login("invalid", pending.next_path)
    # One callback per started login: forget it whatever happens next.
    session.data.pop("login", None)
    await run_in_threadpool(save_session, request, session)
    provider = next((p for p in web(request).providers if p.name == pending.provider), None)
    staff = provider is not None and provider.kind == "staff"
    if error is not None or code is None:
        reason = "cancelled" if error == "access_denied" else "invalid"
        if staff:
            await run_in_threadpool(_audit_staff_login, request, AuditAction.STAFF_LOGIN_FAILED, "anonymous", reason)
        return _to_login(reason, pending.next_path, staff=staff)
    if time.time() - pending.started > PENDING_MAX_S or len(code) > 4096:
        return _to_login("invalid", pending.next_path, staff=staff)
    if provider is None:
        return _to_login("invalid")
    try:
        async with oidc.http_client() as http:
            identity = await oidc.finish(http, provider, _redirect_uri(request), pending, code)
    except oidc.LoginFailed as exc:
        log.warning("login with %s refused: %s", provider.name, exc.detail)
        if staff:
            await run_in_threadpool(_audit_staff_login, request, AuditAction.STAFF_LOGIN_FAILED, "anonymous",
                                    f"{exc.reason}: {exc.detail}"[:500])
        return _to_login(exc.reason, pending.next_path, staff=staff)
    name = identity.claims.get("name")
    # A person's session carries their national id (``pid``); a member of staff's carries their user name
    # (``staff``) and no national id, so no owner's page ever opens for a staff login and the other way round.
    who = {"staff": identity.username} if staff else {"pid": identity.national_id}
    data = {**who, "provider": provider.name, "id_token": identity.id_token,
            "name": name if isinstance(name, str) and len(name) <= 200 else None, "logged_in_at": int(time.time())}
    new_session = await run_in_threadpool(replace_session, request, data)
    if not staff:
        await _after_login(request, new_session, pending.next_path)
    if staff and identity.username:
        await run_in_threadpool(_audit_staff_login, request, AuditAction.STAFF_LOGGED_IN, identity.username,
                                provider.name)
    return RedirectResponse(pending.next_path, status_code=303)


async def _after_login(request: Request, session: BrowserSession, next_path: str) -> None:
    """The apps' hooks (``Web.after_login``): work the next page needs, begun before the browser's redirect."""
    for hook in web(request).after_login:
        try:
            await run_in_threadpool(hook, request, session, next_path)
        except Exception:  # the next page does without (the portal's page starts the fetch itself)
            log.exception("a login hook failed")


@router.post("/logout")
async def logout(request: Request) -> Response:
    w = web(request)
    session = await run_in_threadpool(current_session, request)
    provider = None
    id_token = None
    if session is not None:
        provider = next((p for p in w.providers if p.name == session.data.get("provider")), None)
        id_token = session.data.get("id_token")
    staff = provider is not None and provider.kind == "staff"
    await run_in_threadpool(end_session, request)
    back = w.settings.public_url.rstrip("/") + (STAFF_LOGGED_OUT if staff else "/auth/logged-out")
    if provider is not None:
        async with oidc.http_client() as http:
            url = await oidc.logout_url(http, provider, id_token if isinstance(id_token, str) else None, back)
        if url is not None and _origin(url) == _origin(back):
            return RedirectResponse(url, status_code=303)
        if url is not None:
            # The form-action of the CSP would stop a redirect from this form to another host; a page that moves
            # on by itself (meta refresh, no script) and offers the link is a plain navigation instead.
            return render(request, "web/leaving.html", {"url": url})
    return RedirectResponse(STAFF_LOGGED_OUT if staff else "/auth/logged-out", status_code=303)
