"""The diploma officer's pages: who is due a diploma, a candidate's set before issuing (the rendered PDF in the
page), issuing and reissuing, the issued documents, revoking with the reason, and bulk issuing for a faculty with
its progress.

Everything is the diploma officer's (``Role.DIPLOMA_OFFICER``) at the institution in the path. A bulk run works in
a thread of this process; its progress is read from the issued documents themselves (what the officer issued
since the run started), so any process serving the pages can show it and a run that stopped is simply started
again (it issues only what is still due).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import func, select

from vitnemal.casepages.common import BULK_JS, host_of, now
from vitnemal.diplomas import office
from vitnemal.diplomas.issue import issue_many
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.staffpages.render import render_staff
from vitnemal.web.deps import RowId
from vitnemal.web.headers import csp
from vitnemal.web.routing import page_router

router = page_router(prefix="/institutions/{code}")
Officer = Annotated[StaffAccess, Depends(require_staff(Role.DIPLOMA_OFFICER))]
# The candidate's page frames its own preview PDF; nothing else changes from the pages' policy.
FRAMING_PAGE = csp(default_src="'none'", script_src="'self'", style_src="'self'", img_src="'self' data:",
                   font_src="'self'", connect_src="'self'", frame_src="'self'", frame_ancestors="'none'",
                   base_uri="'none'", form_action="'self'")
FRAMED_PDF = {"Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
              "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "no-store",
              "Content-Disposition": 'inline; filename="preview.pdf"'}


def _candidate(access: StaffAccess, qualification_id: int) -> office.Candidate:
    with access.db.read_session() as session:
        found = office.candidate(session, qualification_id)
        session.expunge_all()  # the read session rolls back at its end: keep what was read
    if found is None:
        raise HTTPException(404, "no such completed qualification here")
    return found


def _candidate_context(found: office.Candidate, error: str | None) -> dict[str, Any]:
    return {"c": found, "error": error, "documents": [(d, found.name) for d in found.documents], "revocable": True}


@router.get("/diplomas", response_class=HTMLResponse)
def diplomas(request: Request, access: Officer, faculty: str = Query("", max_length=300),
             since: str = Query("", max_length=40), total: int = Query(0, ge=0, le=100_000)) -> HTMLResponse:
    """Who is due a diploma (by faculty), the bulk issue and its progress, the newest issued documents."""
    with access.db.read_session() as session:
        choices = office.faculties(session)
        chosen = faculty if faculty in choices else ""
        due = office.due(session, faculty=chosen or None)
        documents = office.issued(session, limit=100)
        session.expunge_all()
    run = _run_progress(access, since, total) if since else None
    return render_staff(request, access, "casepages/diplomas.html", {
        "faculties": choices, "faculty": chosen, "due": due, "documents": documents, "run": run,
        "bulk_js": BULK_JS, "revocable": False})


@router.get("/diplomas/candidates/{qualification_id}", response_class=HTMLResponse)
def candidate_page(request: Request, access: Officer, qualification_id: RowId) -> HTMLResponse:
    """A candidate's diploma set before issuing (the rendered PDF in the page) and the documents issued for it."""
    found = _candidate(access, qualification_id)
    return render_staff(request, access, "casepages/candidate.html", _candidate_context(found, None),
                        headers={"Content-Security-Policy": FRAMING_PAGE})


@router.get("/diplomas/candidates/{qualification_id}/preview.pdf")
def preview(request: Request, access: Officer, qualification_id: RowId) -> Response:
    """The set as it would be issued today, rendered but not signed (its QR code names no document)."""
    from vitnemal.diplomas.build import DiplomaNotPossible, SetRequest, build_diploma_sets
    from vitnemal.diplomas.render import render_diploma_set
    from vitnemal.diplomas.rules import LanguageNotAllowed

    found = _candidate(access, qualification_id)
    entry = access.institution
    settings = host_of(request).settings
    with access.db.session() as session:
        office.record_preview(session, found, actor=access.actor, now=now())
        (built,) = build_diploma_sets(session, [SetRequest(found.person_id, found.code)],
                                      institution_name=entry.name_nb, institution_name_en=entry.name_en,
                                      institution_code=access.code)
    if isinstance(built, (DiplomaNotPossible, LanguageNotAllowed)):
        return Response(str(built), status_code=422, media_type="text/plain; charset=utf-8")
    if isinstance(built, Exception):
        raise built
    pdf = render_diploma_set(built, document_id=office.PREVIEW_ID,
                             verify_url=f"{settings.public_url.rstrip('/')}/verify/{office.PREVIEW_ID}")
    return Response(pdf, media_type="application/pdf", headers=FRAMED_PDF)


def _context(request: Request, access: StaffAccess) -> Any:
    entry = access.institution
    return office.issue_context(host_of(request).settings, access.code, entry.name_nb, entry.name_en,
                                issued_by=access.actor)


@router.post("/diplomas/candidates/{qualification_id}/issue")
def issue(request: Request, access: Officer, qualification_id: RowId) -> Response:
    """Issue the set (or, when it was issued, issue it again replacing the current document in its language)."""
    found = _candidate(access, qualification_id)
    with access.db.read_session() as session:
        job = office.job_for(session, found)
    report = issue_many(_context(request, access), [job], processes=1)
    if report.failed or report.skipped:
        why = report.failed[0].message if report.failed else "it was issued by someone else meanwhile"
        return render_staff(request, access, "casepages/candidate.html",
                            _candidate_context(_candidate(access, qualification_id), why), status_code=422,
                            headers={"Content-Security-Policy": FRAMING_PAGE})
    return RedirectResponse(access.path(f"/diplomas/candidates/{qualification_id}#documents"), status_code=303)


@router.post("/diplomas/documents/{document_id}/revoke")
def revoke(request: Request, access: Officer, document_id: RowId,
           reason: Annotated[str, Form(max_length=office.MAX_REASON)] = "") -> Response:
    """Revoke an issued document with the reason; verification says so from now on."""
    try:
        with access.db.session() as session:
            doc = office.revoke(session, document_id, by=access.actor, reason=reason, now=now())
            qualification_id = doc.qualification_id
    except office.OfficeError as exc:
        with access.db.read_session() as session:
            qualification = session.scalar(select(IssuedDocument.qualification_id)
                                           .where(IssuedDocument.id == document_id))
        if qualification is None:
            raise HTTPException(404, "no such document here") from None
        return render_staff(request, access, "casepages/candidate.html",
                            _candidate_context(_candidate(access, qualification), str(exc)), status_code=422,
                            headers={"Content-Security-Policy": FRAMING_PAGE})
    return RedirectResponse(access.path(f"/diplomas/candidates/{qualification_id}#documents"), status_code=303)


@router.get("/diplomas/documents/{document_id}.pdf")
def document_pdf(request: Request, access: Officer, document_id: RowId) -> Response:
    """An issued document's signed file, as it was handed out."""
    with access.db.session() as session:
        doc = session.get(IssuedDocument, document_id)
        if doc is None or doc.storage_path is None or doc.kind != "diploma_set":
            raise HTTPException(404, "no such document here")
        found = office.candidate(session, doc.qualification_id or 0)
        if found is not None:
            office.record_preview(session, found, actor=access.actor, now=now())
        path = host_of(request).settings.home / doc.storage_path
    if not path.is_file():
        raise HTTPException(404, "the document's file is not on this host")
    return FileResponse(path, media_type="application/pdf", filename=f"{doc.document_id}.pdf")


def _run_progress(access: StaffAccess, since: str, total: int) -> dict[str, Any] | None:
    try:
        started = datetime.fromisoformat(since)
    except ValueError:
        return None
    with access.db.read_session() as session:
        done = session.scalar(select(func.count(IssuedDocument.id)).where(
            IssuedDocument.issued_at >= started, IssuedDocument.issued_by == access.actor)) or 0
    return {"since": since, "total": total, "done": min(done, total), "finished": done >= total}


@router.post("/diplomas/bulk")
def bulk(request: Request, access: Officer, faculty: Annotated[str, Form(max_length=300)]) -> Response:
    """Issue every diploma due at a faculty, in this process's background, and show the progress."""
    with access.db.read_session() as session:
        if faculty not in office.faculties(session):
            raise HTTPException(422, "choose a faculty of the registered programmes")
        jobs = [office.job_for(session, c) for c in office.due(session, faculty=faculty, limit=2000)]
    started = now()
    context = _context(request, access)
    threading.Thread(target=issue_many, args=(context, jobs), kwargs={"processes": 1}, daemon=True,
                     name=f"bulk-diplomas-{access.code}").start()
    query = f"faculty={_q(faculty)}&since={_q(started.isoformat())}&total={len(jobs)}"
    return RedirectResponse(access.path(f"/diplomas?{query}#bulk"), status_code=303)


@router.get("/diplomas/bulk/progress.json")
def bulk_progress(access: Officer, since: str = Query(max_length=40),
                  total: int = Query(0, ge=0, le=100_000)) -> JSONResponse:
    """The run's progress for the page's script."""
    run = _run_progress(access, since, total)
    if run is None:
        raise HTTPException(422, "since is not a time")
    return JSONResponse(run, headers={"Cache-Control": "no-store"})


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")

