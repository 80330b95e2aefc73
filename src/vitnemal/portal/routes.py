"""The owner's pages: "Mine resultater" (fetch in progress, passed results, the share form), "My shares" (every
share with every view, ending one). Only the logged-in owner's own fetches and shares are ever read.

Routes parse the form, call the services with one transaction each, and render; the rules live in
:mod:`vitnemal.portal.rules`. Page routes are plain ``def`` (they run in the thread pool); a fetch is handed to
the event loop, which asks the institutions while the page is already shown.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypedDict

import anyio.from_thread
from fastapi import Depends, Form, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from vitnemal import ratelimit
from vitnemal.portal import diplomas, fetch, rules, shares
from vitnemal.portal.app import Portal, PortalNotReady
from vitnemal.portal.fetch import FetchView
from vitnemal.portal.mail import MailError
from vitnemal.portal.source import Owner
from vitnemal.portal.views import disclosures_view, institutions_view
from vitnemal.web import longpoll
from vitnemal.web.assets import file_route, versioned
from vitnemal.web.context import language, save_session
from vitnemal.web.routing import page_router, require_login
from vitnemal.web.sessions import BrowserSession
from vitnemal.web.templating import gettext_for, register_templates, render

log = logging.getLogger("vitnemal.portal")
register_templates(Path(__file__).parent / "templates")
router = page_router()
PROGRESS_JS = Path(__file__).parent / "static" / "progress.js"
PROGRESS_JS_URL = versioned("/portal/progress.js", PROGRESS_JS)  # what the page links: cached, no request per page
MAX_CHOICES = 500
MAX_CHOICE_CHARS = 300


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


def owner_of(session: BrowserSession) -> Owner:
    """The logged-in owner, with the login (time and level) the portal asks the institutions on."""
    assert session.national_id is not None
    claims = _id_token_claims(session.data.get("id_token"))
    when = claims.get("auth_time", session.data.get("logged_in_at"))
    at = datetime.fromtimestamp(when, UTC) if isinstance(when, int) and 0 < when < 2**33 else None
    acr = claims.get("acr")
    return Owner(session.national_id, str(session.data.get("name") or ""), at,
                 acr if isinstance(acr, str) and len(acr) <= 60 else "")


def _id_token_claims(token: object) -> dict[str, Any]:
    """The claims of the ID token the login already verified (signature, issuer, nonce, acr), kept in the session."""
    if not isinstance(token, str) or len(token) > 8192 or token.count(".") != 2:
        return {}
    part = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}


class PageTexts(TypedDict):
    """Words the templates look up by key."""

    seasons: dict[str, str]
    levels: dict[str, str]
    states: dict[str, str]
    view_kinds: dict[str, str]
    diploma_languages: dict[str, str]
    share_languages: list[tuple[str, str]]


def page_texts(lang: str) -> PageTexts:
    """Words the templates look up by key (term seasons, levels, states, view kinds), in the page's language."""
    _ = gettext_for(lang)
    return PageTexts(**{
        "seasons": {"VÅR": _("Spring"), "HØST": _("Autumn")},
        "levels": {"bachelor": _("Bachelor's degree"), "master": _("Master's degree"), "phd": _("PhD"),
                   "other": _("Qualification")},
        "states": {"active": _("Active"), "expired": _("Expired"), "ended": _("Ended by you")},
        "view_kinds": {"opened": _("Opened the results"), "pdf": _("Downloaded the PDF"),
                       "diploma": _("Downloaded the institution's diploma")},
        "diploma_languages": {"nb": _("bokmål"), "nn": _("nynorsk"), "en": _("English")},
        "share_languages": [("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English"), ("se", "Davvisámegiella")],
    })


def load_results_view(portal: Portal, owner_id: str, fetch_id: int | None) -> FetchView | None:
    if fetch_id is None:
        return None
    with portal.db.read_session() as db:
        return fetch.fetch_view(db, owner_id=owner_id, fetch_id=fetch_id)


FETCH_LIMIT = ratelimit.Limit(count=12, window_s=3600)
SHARE_LIMIT = ratelimit.Limit(count=30, window_s=86_400)


def _within(db: Session, action: str, national_id: str, limit: ratelimit.Limit) -> bool:
    """Count one ``action`` by this owner (keyed by a hash: the counters need not hold national ids)."""
    owner_key = hashlib.sha256(national_id.encode()).hexdigest()[:32]
    return ratelimit.hit(db, f"portal:{action}:{owner_key}", limit, datetime.now(UTC)).allowed


def start_owner_fetch(request: Request, session: BrowserSession) -> tuple[int | None, str | None]:
    """Start a fetch for the owner and remember it in the session; (fetch id, or the problem to show)."""
    portal = portal_of(request)
    try:
        source = portal.source
    except PortalNotReady as exc:
        log.warning("no fetch for the owner: %s", exc)
        return None, gettext_for(language(request))("The portal cannot fetch your results just now. "
                                                   "Please try again later.")
    _ = gettext_for(language(request))
    owner = owner_of(session)
    with portal.db.session() as db:
        # Every fetch asks every node on the owner's behalf, and the nodes count the portal as one requester:
        # one owner must not be able to spend the portal's quota at every node.
        if not _within(db, "fetch", owner.national_id, FETCH_LIMIT):
            return None, _("You have fetched your results many times in a short while. Please try again in an "
                           "hour.")
        fetch_id = fetch.start_fetch(db, owner=owner, institutions=source.institutions(),
                                     now=datetime.now(UTC)).id
    session.data["fetch_id"] = fetch_id
    save_session(request, session)
    anyio.from_thread.run_sync(portal.start_fetch_task, fetch_id)
    return fetch_id, None


def fetch_on_login(request: Request, session: BrowserSession, next_path: str) -> None:
    """A login that goes on to "my results" starts the owner's fetch at once (``Web.after_login``): the
    institutions are asked while the browser follows the redirect, not after the page has been asked for. A login
    that goes elsewhere asks no institution (each question is a disclosure in the nodes' logs)."""
    if session.national_id is not None and next_path.split("?", 1)[0] == MY_RESULTS:
        start_owner_fetch(request, session)


MY_RESULTS = "/my-results"


@router.get(MY_RESULTS, response_class=HTMLResponse)
def my_results(request: Request, session: BrowserSession = Depends(require_login)) -> HTMLResponse:
    """The owner's results; the first visit after login fetches them (the owner asked by coming here)."""
    return _results_page(request, session)


def _results_page(request: Request, session: BrowserSession, problem: str | None = None,
                  status_code: int = 200) -> HTMLResponse:
    portal = portal_of(request)
    owner = owner_of(session)
    fetch_id = session.data.get("fetch_id")
    view = load_results_view(portal, owner.national_id, fetch_id if isinstance(fetch_id, int) else None)
    if view is None:
        new_id, not_ready = start_owner_fetch(request, session)
        problem = problem or not_ready
        view = load_results_view(portal, owner.national_id, new_id)
    lang = language(request)
    today = datetime.now(UTC).astimezone(rules.OSLO).date()
    portal.warm_pdf_maker()
    return render(request, "portal/my_results.html", {
        **page_texts(lang), "view": view, "problem": problem, "progress_js": PROGRESS_JS_URL,
        "owner_name": owner.name or owner.national_id[:6],
        "institutions": institutions_view(view.snapshot(), lang) if view else [], "choose": True,
        "disclosures": disclosures_view(view, lang) if view else [],
        "today": today.isoformat(), "default_until": (today + timedelta(days=rules.DEFAULT_VALIDITY_DAYS)).isoformat(),
        "last_day": (today + timedelta(days=rules.MAX_VALIDITY_DAYS)).isoformat(),
    }, status_code=status_code)


@router.post("/my-results/fetch")
def fetch_again(request: Request, session: BrowserSession = Depends(require_login)) -> Response:
    _, problem = start_owner_fetch(request, session)
    if problem:
        return _results_page(request, session, problem, status_code=429)
    return RedirectResponse("/my-results", status_code=303)


PARTIAL_GAP_S = 1.0  # while institutions are still answering, the page reloads at most this often


def _progress_answer(seen: tuple[int, int], reading: fetch.Progress, waited_s: float) -> bool:
    """Whether a page that shows ``seen`` (pending, retrying) is answered on ``reading``: the moment every
    institution has answered (or the fetch is gone), and while some are still answering once ``PARTIAL_GAP_S``
    has passed since the page asked and something did arrive (each answer reloads the page)."""
    changed = (reading.pending, reading.retrying) != seen
    return changed and (reading.pending == 0 or reading.started_at is None or waited_s >= PARTIAL_GAP_S)


@router.get("/my-results/progress.json")
async def progress(request: Request, session: BrowserSession = Depends(require_login), wait: bool = False,
                   pending: Annotated[int, Query(ge=0, le=10_000)] = 0,
                   retrying: Annotated[int, Query(ge=0, le=10_000)] = 0) -> JSONResponse:
    """How many institutions have not answered yet, and how many are being asked again in the background (the
    page's script reloads when either goes down: an answer, or a retried institution's results, arrived). With
    ``wait`` a long poll (:mod:`vitnemal.web.longpoll`): answered once the counts differ from the page's
    ``pending`` and ``retrying``, so the page learns of the last answer the moment it is stored."""
    fetch_id = session.data.get("fetch_id")
    owner_id = owner_of(session).national_id
    portal = portal_of(request)

    def read() -> fetch.Progress:
        if not isinstance(fetch_id, int):
            return fetch.Progress(0, 0, 0, None)
        with portal.db.read_session() as db:
            return fetch.fetch_progress(db, owner_id=owner_id, fetch_id=fetch_id)

    if wait:
        reading = await longpoll.wait_for(read, partial(_progress_answer, (pending, retrying)),
                                          gone=request.is_disconnected, age=_fetch_age)
    else:
        reading = await run_in_threadpool(read)
    return JSONResponse({"pending": reading.pending, "retrying": reading.retrying, "answered": reading.answered},
                        headers={"cache-control": "no-store"})


def _fetch_age(reading: fetch.Progress) -> float:
    return (datetime.now(UTC) - reading.started_at).total_seconds() if reading.started_at else 0.0


file_route(router, "/portal/progress.js", PROGRESS_JS, "text/javascript")


def parse_choices(values: list[str]) -> frozenset[tuple[str, str]]:
    """Form values "<institution>:<key>", bounded in number and length."""
    if len(values) > MAX_CHOICES:
        raise rules.ShareRefused(rules.N_("At most %(count)s results can be shared at once."), count=MAX_CHOICES)
    chosen = set()
    for value in values:
        code, sep, key = value[:MAX_CHOICE_CHARS].partition(":")
        if sep and code and key:
            chosen.add((code, key))
    return frozenset(chosen)


@router.post("/shares")
def create_share(request: Request, session: BrowserSession = Depends(require_login),
                 fetch_id: int = Form(...), recipients: str = Form(..., max_length=2600),
                 valid_until: str = Form("", max_length=20),
                 share_language: str = Form("nb", alias="language", max_length=5),
                 message: str = Form("", max_length=1200), q: list[str] = Form([]),
                 c: list[str] = Form([]), t: list[str] = Form([]), d: list[str] = Form([])) -> Response:
    portal = portal_of(request)
    _ = gettext_for(language(request))
    try:
        until = date.fromisoformat(valid_until) if valid_until else None
    except ValueError:
        until = None
    try:
        owner = owner_of(session)
        # A diploma is shared with its qualification (ticking the one shares the other).
        with_diplomas = parse_choices(d)
        selection = rules.Selection(parse_choices(q) | with_diplomas, parse_choices(c), parse_choices(t))
        request_ = shares.ShareRequest(selection, [recipients], share_language, until, message)
        frozen: list[diplomas.FrozenDiploma] = []
        if with_diplomas:
            with portal.db.session() as db:  # counted before the nodes are asked for the documents
                _share_allowed(db, owner)
            frozen = _freeze_diplomas(portal, owner, fetch_id, with_diplomas)
        with portal.db.session() as db:
            if not with_diplomas:
                _share_allowed(db, owner)
            created = shares.create_shares(db, owner=owner, fetch_id=fetch_id, request=request_,
                                           now=datetime.now(UTC), public_url=portal.settings.public_url,
                                           pdf_maker=portal.pdf_maker, mailer=portal.mailer, diplomas=frozen)
    except rules.ShareRefused as exc:
        return _share_refused(request, session, exc.translated(_))
    except (MailError, PortalNotReady) as exc:
        return _share_refused(request, session, _("The e-mail could not be sent, so nothing was shared.")
                              + f" ({exc})")
    return RedirectResponse(f"/shares?created={len(created)}", status_code=303)


def _share_allowed(db: Session, owner: Owner) -> None:
    # Each share sends mail to addresses the owner types: bounded per owner, or the portal sends spam.
    if not _within(db, "share", owner.national_id, SHARE_LIMIT):
        raise rules.ShareRefused(rules.N_("You have made many shares today. Please try again tomorrow."))


def _freeze_diplomas(portal: Portal, owner: Owner, fetch_id: int,
                     chosen: frozenset[tuple[str, str]]) -> list[diplomas.FrozenDiploma]:
    """The institution-signed diplomas of the chosen qualifications, asked for on the owner's login and checked."""
    from vitnemal.diplomas.signers import federation_ca_cert

    view = load_results_view(portal, owner.national_id, fetch_id)
    if view is None:
        raise rules.ShareRefused(rules.N_("That fetch of your results is not available any more; fetch them again."))
    wanted = diplomas.wanted_diplomas(view.snapshot(), chosen)
    handed = anyio.from_thread.run(diplomas.fetch_all, portal.source, owner, wanted)
    ca_cert = federation_ca_cert(portal.settings)
    return diplomas.check_all(wanted, handed, [ca_cert] if ca_cert else [])


def _share_refused(request: Request, session: BrowserSession, problem: str) -> HTMLResponse:
    # The same page with the reason on top; 400 so that nobody mistakes it for a share made.
    return _results_page(request, session, problem, status_code=400)


@router.get("/shares", response_class=HTMLResponse)
def my_shares(request: Request, session: BrowserSession = Depends(require_login),
              created: int = 0, ended: int = 0) -> HTMLResponse:
    portal = portal_of(request)
    with portal.db.read_session() as db:
        items = shares.list_shares(db, owner_of(session).national_id, datetime.now(UTC))
    lang = language(request)
    return render(request, "portal/shares.html", {**page_texts(lang), "shares": items, "created": created,
                                                   "ended": ended})


@router.post("/shares/{public_id}/end")
def end_share(request: Request, public_id: str, session: BrowserSession = Depends(require_login)) -> Response:
    if len(public_id) > 36:
        raise HTTPException(404)
    with portal_of(request).db.session() as db:
        found = shares.end_share(db, owner_id=owner_of(session).national_id, public_id=public_id,
                                 now=datetime.now(UTC))
    if not found:  # another owner's share looks exactly like one that does not exist
        raise HTTPException(404)
    return RedirectResponse("/shares?ended=1", status_code=303)


def install(app: Any) -> Portal:
    """Serve the portal's pages on ``app``, on the web foundation's settings and database (already installed)."""
    from vitnemal.portal.recipient import router as recipient_router

    portal = Portal(app.state.web.settings, app.state.web.db, sessions=app.state.web.sessions)
    app.state.portal = portal
    app.state.web.after_login.append(fetch_on_login)
    app.include_router(router)
    app.include_router(recipient_router)
    return portal
