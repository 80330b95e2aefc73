"""The recipient's pages: the link (``/s/<token>``) asks for the access code, then shows whose results these are,
from which institution and when fetched, and offers the signed PDF. No account: the browser's (anonymous) session
remembers which shares it opened with a code, and only those.

Share pages carry ``Referrer-Policy: no-referrer`` (the link is the secret) and are never cached. Outside
production the demo's outbox is here too: ``/demo/outbox.json`` and ``/demo/outbox``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from babel.dates import format_date
from fastapi import Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup

from vitnemal.portal import shares
from vitnemal.portal.app import outbox_dir
from vitnemal.portal.models import Share, ShareDocument
from vitnemal.portal.outbox import read_outbox
from vitnemal.portal.routes import institutions_view, page_texts, portal_of
from vitnemal.portal.shares import OpenStatus
from vitnemal.web.context import (
    current_session,
    ensure_session,
    language,
    loaded_session,
    save_session,
    use_share_language,
    web,
)
from vitnemal.web.i18n import babel_locale, oslo_datetime
from vitnemal.web.routing import page_router
from vitnemal.web.sessions import COOKIE
from vitnemal.web.templating import marked, render

router = page_router()
SHARE_HEADERS = {"referrer-policy": "no-referrer", "cache-control": "no-store", "x-robots-tag": "noindex"}
MAX_TOKEN = 100
MAX_OPENED = 20  # shares one browser session remembers


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:150]


def _visitor(request: Request) -> str:
    """The client as the owner's view log shows it: its address and browser."""
    return f"{_client(request)} {_agent(request)}"


def _token(token: str) -> str:
    if len(token) > MAX_TOKEN:
        raise HTTPException(404, headers=SHARE_HEADERS)
    return token


def _opened(request: Request) -> list[str]:
    return shares.opened_shares(ensure_session(request).data)


def _sentences(lang: str) -> Callable[..., Markup]:
    """``_`` for the sentences these pages make here, marked with their language where they are a fallback (a
    bokmål sentence on a North Sami page; :func:`vitnemal.web.templating.marked`)."""
    return lambda message, **variables: marked(lang, message, **variables)


def _closed_text(request: Request, status: OpenStatus | None, retry_after: datetime | None = None) -> Markup | None:
    _ = _sentences(language(request))
    if status is OpenStatus.NOT_FOUND:
        return _("This link does not lead to any shared results. Check that you copied the whole link.")
    if status is OpenStatus.EXPIRED:
        return _("This share has expired. Ask the person who shared it for a new link.")
    if status is OpenStatus.ENDED:
        return _("The owner has ended this share. Ask them for a new link if you still need it.")
    if status in (OpenStatus.SHARE_LOCKED, OpenStatus.CLIENT_LOCKED):
        when = oslo_datetime(retry_after, language(request), "short") if retry_after else ""
        return _("Too many wrong access codes. Try again after %(time)s.", time=when)
    return None


def _code_page(request: Request, token: str, *, problem: Markup | None = None, closed: Markup | None = None,
               status_code: int = 200) -> HTMLResponse:
    return render(request, "portal/share_code.html", {"action": f"/s/{token}", "problem": problem, "closed": closed},
                  status_code=status_code, headers=SHARE_HEADERS)


def _diploma_links(token: str, documents: Sequence[ShareDocument], lang: str) -> list[dict[str, str]]:
    """"Download the diploma from <institution>", with the document's language where one institution sent several."""
    _ = _sentences(lang)
    texts = page_texts(lang)
    several = {d.institution_code for d in documents
               if sum(1 for e in documents if e.institution_code == d.institution_code) > 1}
    links = []
    for d in documents:
        label = _("Download the diploma from %(institution)s", institution=d.institution_name)
        if d.institution_code in several:
            label += f" ({texts['diploma_languages'].get(d.lang, d.lang)})"
        links.append({"url": f"/s/{token}/diploma/{d.number}", "label": label})
    return links


def _results_page(request: Request, token: str, share: Share, documents: Sequence[ShareDocument]) -> HTMLResponse:
    lang = language(request)
    born = format_date(share.owner_birth_date, "long", locale=babel_locale(lang)) if share.owner_birth_date else ""
    return render(request, "portal/share_view.html", {
        **page_texts(lang), "share": share, "birth_date": born, "pdf_url": f"/s/{token}/pdf", "choose": False,
        "diplomas": _diploma_links(token, documents, lang),
        "institutions": institutions_view(list(share.snapshot or []), lang)}, headers=SHARE_HEADERS)


@router.get("/s/{token}", response_class=HTMLResponse)
async def open_link(request: Request, token: str) -> Response:
    """The link from the e-mail: the results when this browser already gave the code, else the code form (or why
    the link does not open).

    A browser that gave the code is shown the results without a worker thread: the view log decides and logs the
    view in its batch (share, session and view in one transaction), and the page is one rendered before for this
    share and language when there is one. Everything else takes the path below, which reads and decides again.
    """
    portal = portal_of(request)
    cookie = request.cookies.get(COOKIE)
    if cookie and len(token) <= MAX_TOKEN:
        seen = await portal.views.view_link(token=token, cookie=cookie, client=_visitor(request),
                                            now=datetime.now(UTC))
        loaded_session(request, seen.session)
        if seen.logged and seen.share is not None:
            use_share_language(request, seen.share.language)
            key = _page_key(request, seen.share.id)
            page = web(request).pages.get(key) if key is not None else None
            if page is not None:
                return HTMLResponse(page, headers=SHARE_HEADERS)
            return await run_in_threadpool(_render_shown, request, token, key)
    return await run_in_threadpool(_open_link, request, token)


def _page_key(request: Request, share_id: int) -> tuple[object, ...] | None:
    """What the results page depends on besides the frozen share, when it is the same for every such visitor: a
    logged-in visitor's page has their account menu (and its CSRF token), so it is rendered for them alone."""
    session = current_session(request)
    if session is not None and session.national_id is not None:
        return None
    return ("share", share_id, language(request), request.url.query)


def _render_shown(request: Request, token: str, key: tuple[object, ...] | None) -> Response:
    """The results page of a share whose view was just logged (kept for the next visitor when ``key`` says so)."""
    portal = portal_of(request)
    with portal.db.read_session() as db:  # one query: the share and its diplomas' names
        share = shares.find_by_token(db, token, with_documents=True)
        db.expunge_all()  # kept as loaded: the read session's rollback would expire it
    if share is None:  # purged since
        return _open_link(request, token)
    page = _results_page(request, token, share, share.documents)
    if key is not None:
        web(request).pages.put(key, bytes(page.body))
    return page


def _open_link(request: Request, token: str) -> HTMLResponse:
    portal = portal_of(request)
    now = datetime.now(UTC)
    opened = _opened(request)
    with portal.db.read_session() as db:  # one query: the share and its diplomas' names
        share = shares.find_by_token(db, _token(token), with_documents=True)
        db.expunge_all()  # kept as loaded: the read session's rollback would expire it
    closed = shares.share_link_status(share, now)
    if share is not None:
        use_share_language(request, share.language)  # a North Sami share is shown in North Sami
    if closed is not None or share is None:
        return _code_page(request, token, closed=_closed_text(request, closed or OpenStatus.NOT_FOUND),
                          status_code=404 if closed in (None, OpenStatus.NOT_FOUND) else 410)
    if share.public_id not in opened:
        return _code_page(request, token)
    # Committed before the page is sent, in one transaction with the other views arriving meanwhile.
    portal.views.record(share, client=_visitor(request), what="opened", now=now)
    return _results_page(request, token, share, share.documents)


@router.post("/s/{token}", response_class=HTMLResponse)
def enter_code(request: Request, token: str, code: str = Form("", max_length=64)) -> Response:
    portal = portal_of(request)
    opened = _opened(request)
    with portal.db.session() as db:
        result = shares.open_share(db, token=_token(token), code=code, client=_client(request), agent=_agent(request),
                                   now=datetime.now(UTC), log_view=False)  # the page it leads to logs the view
        head = shares.heads_by_token(db, [token]).get(token)
    if head is not None:  # a wrong code on a North Sami share is said in North Sami, as the form was
        use_share_language(request, head.language)
    _ = _sentences(language(request))
    if result.opened and result.share is not None:
        session = ensure_session(request)
        session.data[shares.OPENED] = [*opened, result.share.public_id][-MAX_OPENED:]
        save_session(request, session)
        return RedirectResponse(f"/s/{token}", status_code=303, headers=SHARE_HEADERS)
    if result.status is OpenStatus.WRONG_CODE:
        problem = _("The access code is not right. Check the second e-mail and try again.")
        if result.attempts_left is not None and result.attempts_left <= 2:
            problem += Markup(" ") + _("%(num)d attempts left before the share is locked for an hour.",
                                       num=result.attempts_left)
        return _code_page(request, token, problem=problem, status_code=400)
    status_code = 429 if result.status in (OpenStatus.SHARE_LOCKED, OpenStatus.CLIENT_LOCKED) else 410
    if result.status is OpenStatus.NOT_FOUND:
        status_code = 404
    return _code_page(request, token, closed=_closed_text(request, result.status, result.retry_after),
                      status_code=status_code)


@router.get("/s/{token}/pdf")
def download_pdf(request: Request, token: str) -> Response:
    portal = portal_of(request)
    now = datetime.now(UTC)
    opened = _opened(request)
    with portal.db.session() as db:
        share = shares.find_by_token(db, _token(token))
        if share is None or share.public_id not in opened or shares.share_link_status(share, now) is not None:
            raise HTTPException(404, headers=SHARE_HEADERS)
        shares.record_view(db, share, client=_visitor(request), what="pdf", now=now)
        pdf = share.pdf or b""
        day = share.created_at.date().isoformat()
    headers = {**SHARE_HEADERS, "content-disposition": f'attachment; filename="vitnemalsportalen-{day}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/s/{token}/diploma/{number}")
def download_diploma(request: Request, token: str, number: int) -> Response:
    """One institution-signed diploma shared with the results, byte for byte as the institution issued it."""
    portal = portal_of(request)
    now = datetime.now(UTC)
    opened = _opened(request)
    with portal.db.session() as db:
        share = shares.find_by_token(db, _token(token))
        if share is None or share.public_id not in opened or shares.share_link_status(share, now) is not None:
            raise HTTPException(404, headers=SHARE_HEADERS)
        document = shares.share_document(db, share, number) if 0 < number < 100 else None
        if document is None:
            raise HTTPException(404, headers=SHARE_HEADERS)
        shares.record_view(db, share, client=_visitor(request), what="diploma", now=now)
        pdf, name = document.pdf, f"vitnemal-{document.institution_code}-{document.lang}.pdf"
    headers = {**SHARE_HEADERS, "content-disposition": f'attachment; filename="{name}"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _demo_only(request: Request) -> None:
    if portal_of(request).settings.production:
        raise HTTPException(404)


@router.get("/demo/outbox.json")
def outbox_json(request: Request) -> JSONResponse:
    """The demo's caught mails: ``[{"to", "subject", "text", "link", "code"}, ...]``, oldest first."""
    _demo_only(request)
    mails = read_outbox(outbox_dir(portal_of(request).settings))
    return JSONResponse([{k: m[k] for k in ("to", "subject", "text", "link", "code")} for m in mails],
                        headers={"cache-control": "no-store"})


@router.get("/demo/outbox", response_class=HTMLResponse)
def outbox_page(request: Request) -> HTMLResponse:
    _demo_only(request)
    return render(request, "portal/outbox.html", {"mails": read_outbox(outbox_dir(portal_of(request).settings))},
                  headers={"cache-control": "no-store"})
