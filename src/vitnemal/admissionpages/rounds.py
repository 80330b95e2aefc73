"""The admissions officer's pages at Samordna opptak or an institution's local admission:
``/institutions/{code}/admission/rounds`` (the rounds with their progress), one round (progress, pause/resume,
rejected lines, the incomplete applicants with why, export) and one applicant (``applicants.py``).

Every page needs the admissions officer's role in *that* member's database (``require_staff``); the rounds are in
the same database. Progress moves without a reload through a small script reading the ``.json`` twins; without
JavaScript a reload shows the same. Looking at an applicant and exporting are audit events (in the services).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi import Path as FastApiPath
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from vitnemal.admissionpages import views
from vitnemal.admissionpages.consent import ADMITTING
from vitnemal.admissions import export, roster, service, standing
from vitnemal.admissions.roster import ONLY
from vitnemal.admissions.service import RoundNotFound, RoundStateError
from vitnemal.admissions.texts import line_problem_text, unnamed_list_text
from vitnemal.i18n import Language, as_language
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.staffpages.render import render_staff
from vitnemal.web.context import language
from vitnemal.web.i18n import translations
from vitnemal.web.routing import page_router

router = page_router(prefix="/institutions/{code}/admission")
assets = page_router()
LIVE_JS = "/admissionpages/round-live.js"
CSS = "/admissionpages/admissionpages.css"
STATIC = Path(__file__).parent / "static"
PAGE_SIZE = 100
RoundId = Annotated[int, FastApiPath(ge=1, le=2**63 - 1)]


def require_officer(access: StaffAccess = Depends(require_staff(Role.ADMISSIONS_OFFICER))) -> StaffAccess:
    """The admissions officer at a member that admits (an admission body, or an institution's local admission)."""
    if access.institution.kind not in ADMITTING:
        raise HTTPException(404, f"{access.code} has no admission")
    return access


Officer = Annotated[StaffAccess, Depends(require_officer)]


def now() -> datetime:
    return datetime.now(UTC)


def lang_of(request: Request) -> Language:
    return as_language(language(request))


def names(request: Request, lang: Language) -> dict[str, str]:
    """Every member by its current name, told apart from members that share it since a merger."""
    registry = request.app.state.host.registry
    return {e.code: registry.distinct_name(e.code, lang) for e in registry}


def _no_store(body: object) -> JSONResponse:
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/rounds", response_class=HTMLResponse)
def rounds_page(request: Request, access: Officer) -> HTMLResponse:
    lang = lang_of(request)
    with access.db.read_session() as session:
        rows = [views.round_row(r, lang) for r in service.list_rounds(session)]
    return render_staff(request, access, "admissionpages/rounds.html", {"rows": rows, "live_js": LIVE_JS})


@router.get("/rounds.json")
def rounds_json(request: Request, access: Officer) -> JSONResponse:
    """The rounds' progress for the list's script (the page says the same when reloaded)."""
    lang = lang_of(request)
    with access.db.read_session() as session:
        rows = [views.round_row(r, lang) for r in service.list_rounds(session)]
    return _no_store({"rounds": [{k: r[k] for k in ("id", "status", "status_text", "applicants", "done", "percent",
                                                    "live")} for r in rows]})


def _progress(access: StaffAccess, round_id: int, lang: Language) -> dict[str, object]:
    with access.db.read_session() as session:
        try:
            return views.progress_view(standing.round_progress(session, round_id, now()), lang)
        except RoundNotFound:
            raise HTTPException(404, f"there is no admission round {round_id} here") from None


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_page(request: Request, access: Officer, round_id: RoundId,
               only: str = Query(views.ONLY_DEFAULT, max_length=12), page: int = Query(1, ge=1, le=100_000),
               done: str | None = Query(None, max_length=10)) -> HTMLResponse:
    """One round: progress, pause/resume, export, the rejected lines and the applicants (incomplete first)."""
    lang = lang_of(request)
    only = only if only in ONLY else views.ONLY_DEFAULT
    progress = _progress(access, round_id, lang)
    institution_names = names(request, lang)
    with access.db.read_session() as session:
        round_ = service.get_round(session, round_id)
        rows = roster.applicants(session, round_id, only=only, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
        rejected = [line_problem_text(r.reason, r.line_no, r.national_id, lang)
                    for r in standing.rejected_lines(session, round_id, limit=PAGE_SIZE)]
        unnamed = standing.unnamed_count(session, round_id)
        head = {"name": round_.name, "kind": round_.kind.value, "created_at": round_.created_at,
                "created_by": round_.created_by, "source": round_.source, "paused_at": round_.paused_at,
                "paused_by": round_.paused_by, "institutions": len(service.round_institutions(round_))}
    return render_staff(request, access, "admissionpages/round.html", {
        "round": head, "progress": progress, "rows": [views.applicant_row(r, institution_names, lang)
                                                      for r in rows[:PAGE_SIZE]],
        "more": len(rows) > PAGE_SIZE, "only": only, "onlies": ONLY, "page": page, "rejected": rejected,
        "done": done if done in ("paused", "resumed", "started") else None, "live_js": LIVE_JS,
        "unnamed": unnamed_list_text(translations(lang).ungettext("%(num)d applicant", "%(num)d applicants", unnamed)
                                     % {"num": unnamed}, lang) if unnamed else None})


@router.get("/rounds/{round_id}/progress.json")
def round_progress_json(request: Request, access: Officer, round_id: RoundId) -> JSONResponse:
    """The round's progress for the page's script."""
    return _no_store(_progress(access, round_id, lang_of(request)))


def _change(access: StaffAccess, round_id: int, what: str) -> Response:
    change = service.pause_round if what == "paused" else service.resume_round
    try:
        with access.db.session() as session:
            change(session, round_id, by=access.actor, now=now())
    except RoundNotFound:
        raise HTTPException(404, f"there is no admission round {round_id} here") from None
    except RoundStateError as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse(access.path(f"/admission/rounds/{round_id}?done={what}"), status_code=303)


@router.post("/rounds/{round_id}/pause")
def pause(access: Officer, round_id: RoundId) -> Response:
    """Workers take none of the round's applicants until it is resumed; those being fetched finish."""
    return _change(access, round_id, "paused")


@router.post("/rounds/{round_id}/resume")
def resume(access: Officer, round_id: RoundId) -> Response:
    return _change(access, round_id, "resumed")


def _stream(access: StaffAccess, request: Request, round_id: int, kind: str) -> Iterator[str]:
    """The export written as it is read, from a read-only session (its audit event is committed already)."""
    registry, lang = request.app.state.host.registry, lang_of(request)
    with access.db.read_session() as session:
        make = export.export_csv if kind == "csv" else export.export_json
        yield from make(session, registry, round_id, lang=lang, now=now())


async def _closing(chunks: Iterator[str]) -> AsyncIterator[str]:
    # Starlette leaves a sync iterator open when the browser stops reading; close it (and its session) here.
    try:
        async for chunk in iterate_in_threadpool(chunks):
            yield chunk
    finally:
        await run_in_threadpool(chunks.close)  # type: ignore[attr-defined]


class _ClosingStream(StreamingResponse):
    """A stream whose body is closed however the response ends, the browser going away included."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self.body_iterator.aclose()  # type: ignore[attr-defined]


def _export(request: Request, access: StaffAccess, round_id: int, kind: str) -> StreamingResponse:
    # The look at every applicant is recorded and committed before the first byte leaves: a download the browser
    # does not finish is audited all the same, and no write transaction is held while the browser reads.
    try:
        with access.db.session() as session:
            export.record_export(session, round_id, what=kind, viewer=access.actor, now=now())
    except RoundNotFound:
        raise HTTPException(404, f"there is no admission round {round_id} here") from None
    media = "text/csv; charset=utf-8" if kind == "csv" else "application/json"
    return _ClosingStream(_closing(_stream(access, request, round_id, kind)), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="opptak-{access.code}-runde-{round_id}.{kind}"',
        "Cache-Control": "no-store"})


@router.get("/rounds/{round_id}/export.csv")
def export_csv(request: Request, access: Officer, round_id: RoundId) -> StreamingResponse:
    return _export(request, access, round_id, "csv")


@router.get("/rounds/{round_id}/export.json")
def export_json(request: Request, access: Officer, round_id: RoundId) -> StreamingResponse:
    return _export(request, access, round_id, "json")


@assets.get(LIVE_JS)
def live_js() -> FileResponse:
    """The script that moves the rounds' progress (a file: the pages' CSP runs no inline script)."""
    return FileResponse(STATIC / "round-live.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@assets.get(CSS)
def stylesheet() -> FileResponse:
    return FileResponse(STATIC / "admissionpages.css", media_type="text/css", headers={"Cache-Control": "no-cache"})
