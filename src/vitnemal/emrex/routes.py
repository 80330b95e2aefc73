"""The portal as an EMREX 1 data provider, and the owner's list of transfers ("Overføringer").

1. ``POST /emrex``: a registered client's form (``sessionId``, ``returnUrl``), cross-site and without our CSRF
   token by design. It is bounded and checked, stored under a server-side handle, and the browser is sent on to
   the handle's page; nothing else happens on this request.
2. ``GET /emrex/r/<handle>``: after the portal's own login, the owner sees which client asks, the results as the
   institutions answer (fetched now), chooses, and confirms or cancels (a form with our CSRF token).
3. ``POST /emrex/r/<handle>``: the answer. The page it returns POSTs the hand-back form to the client's return
   address by itself (a script file) or with its visible button; its Content-Security-Policy allows a form to go
   to that one address only.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from vitnemal import ratelimit
from vitnemal.emrex import clients, handover, requests, rules, transfers, webhooks
from vitnemal.emrex.models import EmrexRequest
from vitnemal.emrex.rules import EmrexRefused, ReturnCode
from vitnemal.portal import rules as portal_rules
from vitnemal.portal.routes import (
    institutions_view,
    load_results_view,
    owner_of,
    page_texts,
    parse_choices,
    portal_of,
    start_owner_fetch,
)
from vitnemal.staffpages.access import StaffUser, require_operator
from vitnemal.staffpages.render import render_staff
from vitnemal.web.context import language
from vitnemal.web.headers import csp
from vitnemal.web.routing import page_router, require_login
from vitnemal.web.secretkey import load_secret_key
from vitnemal.web.sessions import BrowserSession
from vitnemal.web.templating import gettext_for, register_templates, render

log = logging.getLogger("vitnemal.emrex")
register_templates(Path(__file__).parent / "templates")
entry = APIRouter(include_in_schema=False)  # the cross-site entry: no CSRF token can exist there
router = page_router()
HANDBACK_JS = Path(__file__).parent / "static" / "handback.js"
MAX_ENTRY_BYTES = 4096
MAX_ENTRY_FIELDS = 10
ENTRY_LIMIT = ratelimit.Limit(count=60, window_s=3600)  # requests stored per client address and hour


def _now() -> datetime:
    return datetime.now(UTC)


def _refused(request: Request, reason: str, status_code: int = 400, detail: str | None = None) -> HTMLResponse:
    """The refusal in the page's language; ``detail`` (English, for the platform's developers) apart from it."""
    return render(request, "emrex/refused.html", {"reason": reason, "detail": detail}, status_code=status_code)


@entry.post("/emrex")
async def start(request: Request) -> Response:
    """Store a client's request and send the browser on to its page (303)."""
    _ = gettext_for(language(request))
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _refused(request, _("The platform sent the request in a form the portal does not read."), 415)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_ENTRY_BYTES:
            return _refused(request, _("The platform's request is too large."), 413)
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_ENTRY_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return _refused(request, _("The platform's request cannot be read."))
    values = dict(fields)
    portal = portal_of(request)
    client_host = (request.client.host if request.client else "unknown")[:100]

    def store() -> requests.OpenedRequest | None:
        # Two short transactions (the rate counter, then the request) on the database: in a worker thread, so
        # that the event loop answers everyone else (nodes, pages) meanwhile.
        with portal.db.session() as db:
            key = "emrex:entry:" + hashlib.sha256(client_host.encode()).hexdigest()[:32]
            if not ratelimit.hit(db, key, ENTRY_LIMIT, _now()).allowed:
                return None
        with portal.db.session() as db:
            return requests.open_request(db, session_id=values.get("sessionId", ""),
                                         return_url=values.get("returnUrl", ""), now=_now(),
                                         production=portal.settings.production)

    try:
        opened = await run_in_threadpool(store)
    except EmrexRefused as exc:
        log.info("EMREX request refused: %s", exc)
        return _refused(request, _("The platform that sent you here is not one the portal may send results to, "
                                   "or its request is not valid."), detail=str(exc))
    if opened is None:
        return _refused(request, _("Too many requests from your address. Please try again in an hour."), 429)
    asked = request.query_params.get("lang")  # a platform may say which language its applicant reads
    suffix = f"?lang={asked}" if asked in ("nb", "nn", "en") else ""
    return RedirectResponse(f"/emrex/r/{opened.handle}{suffix}", status_code=303)


def _open(db: Any, handle: str, owner_id: str) -> EmrexRequest:
    found = requests.find_request(db, handle)
    if found is None or not requests.claim(found, owner_id):
        raise HTTPException(404)  # another owner's request looks exactly like one that does not exist
    return found


@router.get("/emrex/r/{handle}", response_class=HTMLResponse)
def request_page(request: Request, handle: str, session: BrowserSession = Depends(require_login)) -> HTMLResponse:
    return _request_page(request, handle, session)


def _request_page(request: Request, handle: str, session: BrowserSession, problem: str | None = None,
                  status_code: int = 200) -> HTMLResponse:
    portal = portal_of(request)
    owner = owner_of(session)
    now = _now()
    with portal.db.session() as db:
        row = _open(db, handle, owner.national_id)
        state = requests.state(row, now)
        client = requests.client_of(row)
        fetch_id = row.fetch_id
    view = load_results_view(portal, owner.national_id, fetch_id) if state == "open" and fetch_id else None
    if state == "open" and view is None:
        fetch_id, problem = start_owner_fetch(request, session)
        if fetch_id is not None:
            with portal.db.session() as db:
                _open(db, handle, owner.national_id).fetch_id = fetch_id
            view = load_results_view(portal, owner.national_id, fetch_id)
    elif view is not None and session.data.get("fetch_id") != fetch_id:
        session.data["fetch_id"] = fetch_id  # the page's progress script asks about the session's fetch
        from vitnemal.web.context import save_session

        save_session(request, session)
    lang = language(request)
    return render(request, "emrex/request.html", {
        **page_texts(lang), "state": state, "client": client, "handle": handle, "view": view,
        "problem": problem, "owner_name": owner.name or owner.national_id[:6],
        "institutions": institutions_view(view.snapshot(), lang) if view else [], "choose": True,
        "destination": rules.origin(row.return_url),
    }, status_code=status_code)


@router.post("/emrex/r/{handle}")
def answer(request: Request, handle: str, session: BrowserSession = Depends(require_login),
           action: str = Form("send", max_length=10), q: list[str] = Form([]), c: list[str] = Form([]),
           t: list[str] = Form([])) -> Response:
    portal = portal_of(request)
    owner = owner_of(session)
    lang = language(request)
    _ = gettext_for(lang)
    now = _now()
    who = transfers.TransferOwner(owner.national_id, owner.name, owner.birth_date)
    with portal.db.session() as db:
        row = _open(db, handle, owner.national_id)
        state = requests.state(row, now)
        fetch_id, national_id = row.fetch_id, row.client.national_id
    if state in ("answered", "removed"):
        return _request_page(request, handle, session, status_code=409)
    view = load_results_view(portal, owner.national_id, fetch_id) if fetch_id else None
    documents = None
    snapshot: list[dict[str, Any]]
    try:
        if state == "expired":
            code, snapshot, message = ReturnCode.ERROR, [], ("The request expired before the owner answered; "
                                                            "start again.")
        elif action == "cancel":
            code, snapshot, message = handover.outcome([], [], portal_rules.Selection(), send=False)
        elif view is None or view.pending:
            return _request_page(request, handle, session, _("Wait until every institution has answered."), 400)
        else:
            selection = portal_rules.Selection(parse_choices(q), parse_choices(c), parse_choices(t))
            code, snapshot, message = handover.outcome(view.snapshot(), [i.name for i in view.unreachable],
                                                       selection, send=True)
    except portal_rules.ShareRefused as exc:
        return _request_page(request, handle, session, exc.translated(_), 400)
    except EmrexRefused:
        return _request_page(request, handle, session, _("Choose at least one result to send, or cancel."), 400)
    if code is ReturnCode.OK:
        try:
            maker = handover.TransferDocuments(portal.settings, portal.pdf_maker)
            documents = maker.make(snapshot, owner=who, lang=lang if lang in portal_rules.LANGUAGES else "nb",
                                   national_id=national_id, created_at=now)
        except Exception:  # the client must hear something: NCP_ERROR, and the owner is told why
            log.exception("EMREX documents could not be made")
            code, snapshot, message = ReturnCode.ERROR, [], "The portal could not make the signed documents."
    with portal.db.session() as db:
        row = _open(db, handle, owner.national_id)
        if requests.state(row, now) == "answered":  # answered in another tab meanwhile
            return _request_page(request, handle, session, status_code=409)
        form = handover.hand_over(db, row, code=code, message=message, now=now, owner=who, lang=lang,
                                  snapshot=snapshot, documents=documents)
        client = requests.client_of(row)
    policy = csp(default_src="'none'", script_src="'self'", style_src="'self'", img_src="'self' data:",
                 font_src="'self'", connect_src="'none'", frame_ancestors="'none'", base_uri="'none'",
                 form_action=rules.csp_source(form.return_url))
    return render(request, "emrex/handback.html", {"form": form, "client": client, "code": code.value},
                  headers={"content-security-policy": policy, "cache-control": "no-store"})


@router.get("/emrex/handback.js", include_in_schema=False)
def handback_script() -> FileResponse:
    return FileResponse(HANDBACK_JS, media_type="text/javascript", headers={"cache-control": "no-cache"})


@router.get("/transfers", response_class=HTMLResponse)
def my_transfers(request: Request, session: BrowserSession = Depends(require_login)) -> HTMLResponse:
    """"Overføringer": every transfer to a platform, with exactly what was sent and whom to ask for deletion."""
    portal = portal_of(request)
    owner = owner_of(session)
    with portal.db.read_session() as db:
        items = transfers.list_transfers(db, owner.national_id)
    lang = language(request)
    shown = [{"t": t, "institutions": institutions_view(t.snapshot, lang)} for t in items]
    return render(request, "emrex/transfers.html", {**page_texts(lang), "transfers": shown, "choose": False})


@router.get("/transfers/{public_id}/{what}")
def transfer_document(request: Request, public_id: str, what: str,
                      session: BrowserSession = Depends(require_login)) -> Response:
    """The owner's own copy of exactly what was sent: the signed PDF or the signed ELMO."""
    if what not in ("pdf", "elmo") or len(public_id) > 36:
        raise HTTPException(404)
    with portal_of(request).db.read_session() as db:
        data = transfers.owner_document(db, owner_of(session).national_id, public_id, what)
    if data is None:
        raise HTTPException(404)
    media, suffix = ("application/pdf", "pdf") if what == "pdf" else ("application/xml", "xml")
    return Response(data, media_type=media, headers={
        "content-disposition": f'attachment; filename="overforing-{public_id[:8]}.{suffix}"',
        "cache-control": "no-store"})


@router.get("/emrex/clients", response_class=HTMLResponse)
def operator_clients(request: Request, user: StaffUser = Depends(require_operator)) -> HTMLResponse:
    """The federation operator sees the registered EMREX clients (changed with `vitnemal emrex clients`)."""
    with portal_of(request).db.read_session() as db:
        found = clients.list_clients(db, include_removed=True)
    return render_staff(request, user, "emrex/clients.html", {"clients": found})


def install(app: Any) -> None:
    app.include_router(entry)
    app.include_router(router)
    portal = app.state.portal
    portal.purgers.append(transfers.purge)  # what was sent, deleted 12 months after, as shares
    key = load_secret_key(portal.settings)
    # The platforms' signed webhooks, delivered by the portal's background loop (each round: what is due).
    portal.rounds.append(lambda: webhooks.deliver_due(portal.db, key, _now))
