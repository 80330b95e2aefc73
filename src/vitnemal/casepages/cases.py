"""Godkjenningssak samlebilde: find the person, open a case, "Hent ekstern norsk utdanning", recognise, decide.

Every page and action is the case worker's (``Role.CASE_WORKER``) at the institution in the path. Looks at a case
are audited by the recognition service (a view shows the person's external results), so they run in a write
session; every change is a POST with the form's CSRF token and ends in a redirect to the case (so a refresh never
repeats it), or the case page again with the refusal said.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vitnemal.casepages.common import (
    LIVE_JS,
    host_of,
    institution_names,
    lang_of,
    now,
    progress,
    said,
    wake_worker,
)
from vitnemal.exchange import service as exchange
from vitnemal.programmes.service import qualifications_open_to
from vitnemal.recognition import service
from vitnemal.recognition.models import DONE, OPEN, REFUSED, STATUSES
from vitnemal.recognition.people import SearchRefused, search_people
from vitnemal.recognition.refusals import Refusal
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.staffpages.render import render_staff
from vitnemal.web.deps import RowId
from vitnemal.web.routing import page_router

router = page_router(prefix="/institutions/{code}")
CaseWorker = Annotated[StaffAccess, Depends(require_staff(Role.CASE_WORKER))]
Text = Annotated[str, Form(max_length=2000)]
SORTS = {"opened": "opened_at", "name": "name", "status": "status"}


def _case_list(access: StaffAccess, status: str | None, sort: str, direction: str) -> list[dict[str, Any]]:
    with access.db.session() as session:
        cases = service.list_cases(session, actor=access.actor, now=now(), status=status, limit=200)
        rows = [{**service.case_view(c), "opened": c.opened_at, "decided": c.decided_at} for c in cases]
    key = {"opened": lambda r: r["opened_at"], "name": lambda r: (r["name"].lower(), r["opened_at"]),
           "status": lambda r: (STATUSES.index(r["status"]), r["opened_at"])}[sort]
    return sorted(rows, key=key, reverse=direction == "desc")


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, access: CaseWorker, q: str = Query("", max_length=100),
          status: str = Query("", max_length=10), sort: str = Query("opened", max_length=10),
          dir: str = Query("desc", max_length=4)) -> HTMLResponse:
    """The cases (filterable by status, sortable) and the person search to open a new one."""
    status = status if status in STATUSES else ""
    sort = sort if sort in SORTS else "opened"
    direction = "asc" if dir == "asc" else "desc"
    hits, search_error = [], None
    if q.strip():
        try:
            with access.db.session() as session:
                hits = search_people(session, q, actor=access.actor, now=now())
        except SearchRefused as exc:
            search_error = said(request, exc)
    rows = _case_list(access, status or None, sort, direction)
    return render_staff(request, access, "casepages/cases.html", {
        "q": q, "status": status, "sort": sort, "dir": direction, "statuses": STATUSES, "hits": hits,
        "search_error": search_error, "rows": rows})


@router.post("/cases")
def open_case(request: Request, access: CaseWorker, national_id: Annotated[str, Form(max_length=40)],
              qualification_code: Annotated[str, Form(max_length=30)] = "") -> Response:
    """Open a case (BEHANDLES) for a person found by the search."""
    try:
        with access.db.session() as session:
            case = service.open_case(session, national_id=national_id, opened_by=access.actor, now=now(),
                                     qualification_code=qualification_code or None)
            case_id = case.id
    except (service.RecognitionError, service.CaseNotFound) as exc:
        return _case_refused(request, access, None, said(request, exc))
    return RedirectResponse(access.path(f"/cases/{case_id}"), status_code=303)


def case_context(request: Request, access: StaffAccess, case_id: int) -> dict[str, Any]:
    """Everything the samlebilde shows; the look is audited by the service."""
    lang = lang_of(request)
    names = institution_names(request, lang)
    with access.db.session() as session:
        try:
            view = service.view_case(session, case_id, actor=access.actor, now=now())
        except service.CaseNotFound:
            raise HTTPException(404, "no such case here") from None
        case = service.get_case(session, case_id)
        order = exchange.load_order(session, case.order_id) if case.order_id else None
        order_view = exchange.order_view(order, names=names, lang=lang) if order else None
        open_to = qualifications_open_to(session, case.person_id)
        warnings = {r["id"]: [said(request, w) for w in service.result_warnings(session, r["id"])]
                    for r in view["external_results"]}
        person = {"id": case.person.id, "national_id": case.person.national_id, "name": case.person.name,
                  "earlier_ids": [i.national_id for i in case.person.earlier_ids]}
        times = {"opened": case.opened_at, "decided": case.decided_at,
                 "items": {i.id: (i.recognised_at, i.withdrawn_at) for i in case.items}}
    recognised = {i["external_result_id"] for i in view["items"] if i["withdrawn_at"] is None}
    return {"case": view, "person": person, "order": order_view, "open_to": open_to, "warnings": warnings,
            "progress": progress(order_view) if order_view else None, "live_js": LIVE_JS,
            "times": times, "recognised": recognised, "OPEN": OPEN, "DONE": DONE, "REFUSED": REFUSED,
            "error": None}


def _case_refused(request: Request, access: StaffAccess, case_id: int | None, message: str) -> HTMLResponse:
    if case_id is None:
        return render_staff(request, access, "casepages/cases.html", {
            "q": "", "status": "", "sort": "opened", "dir": "desc", "statuses": STATUSES, "hits": [],
            "search_error": message, "rows": _case_list(access, None, "opened", "desc")}, status_code=422)
    context = case_context(request, access, case_id)
    context["error"] = message
    return render_staff(request, access, "casepages/case.html", context, status_code=422)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, access: CaseWorker, case_id: RowId) -> HTMLResponse:
    """Godkjenningssak samlebilde."""
    return render_staff(request, access, "casepages/case.html", case_context(request, access, case_id))


@router.post("/cases/{case_id}/fetch")
def fetch(request: Request, access: CaseWorker, case_id: RowId) -> Response:
    """"Hent ekstern norsk utdanning": the order is placed ("Bestilt …") and the worker woken at once."""
    members = host_of(request).registry.codes()
    try:
        with access.db.session() as session:
            service.fetch_external(session, case_id, ordered_by=access.actor, own_code=access.code,
                                   members=members, now=now())
    except service.CaseNotFound:
        raise HTTPException(404, "no such case here") from None
    except service.RecognitionError as exc:
        return _case_refused(request, access, case_id, said(request, exc))
    wake_worker(request, access.code)
    return RedirectResponse(access.path(f"/cases/{case_id}#order"), status_code=303)


@router.post("/cases/{case_id}/items")
def recognise(request: Request, access: CaseWorker, case_id: RowId,
              toward: Annotated[str, Form(max_length=30)], kind: Annotated[str, Form(max_length=10)] = "result",
              result: Annotated[list[int] | None, Form()] = None, group: Annotated[str, Form(max_length=200)] = "",
              note: Text = "", title: Annotated[str, Form(max_length=300)] = "",
              institution_name: Annotated[str, Form(max_length=200)] = "",
              credits: Annotated[str, Form(max_length=10)] = "", term: Annotated[str, Form(max_length=20)] = "",
              credits_counted: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Recognise the chosen whole external courses, part of one course (``kind=part``: only ``credits_counted``
    of its credits count), or one block (title, institution, credits), toward a qualification; all or nothing."""
    chosen = sorted(set(result or []))[:500]
    try:
        with access.db.session() as session:
            if kind == "block":
                service.recognise_block(session, case_id, title=title, institution_name=institution_name,
                                        credits=credits or "0", toward=toward, by=access.actor, now=now(),
                                        term=term or None, group=group or None, note=note or None)
            elif not chosen:
                raise service.RecognitionError(Refusal.NOTHING_CHOSEN)
            else:
                part = kind == "part"  # one course, of which only credits_counted count
                for result_id in chosen[:1] if part else chosen:
                    service.recognise_result(session, case_id, external_result_id=result_id, toward=toward,
                                             by=access.actor, now=now(), group=group or None, note=note or None,
                                             credits_counted=credits_counted if part else None,
                                             registry=host_of(request).registry)
    except service.CaseNotFound:
        raise HTTPException(404, "no such case here") from None
    except service.RecognitionError as exc:
        return _case_refused(request, access, case_id, said(request, exc))
    return RedirectResponse(access.path(f"/cases/{case_id}#decisions"), status_code=303)


@router.post("/cases/{case_id}/items/{item_id}/withdraw")
def withdraw(request: Request, access: CaseWorker, case_id: RowId, item_id: RowId) -> Response:
    """Withdraw a recognition while the case is open: its row stays, marked with who withdrew it and when."""
    try:
        with access.db.session() as session:
            service.withdraw(session, case_id, item_id, by=access.actor, now=now())
    except service.CaseNotFound:
        raise HTTPException(404, "no such case here") from None
    except service.RecognitionError as exc:
        return _case_refused(request, access, case_id, said(request, exc))
    return RedirectResponse(access.path(f"/cases/{case_id}#decisions"), status_code=303)


@router.post("/cases/{case_id}/decision")
def decide(request: Request, access: CaseWorker, case_id: RowId, status: Annotated[str, Form(max_length=10)],
           note: Text = "") -> Response:
    """FERDIG (what is recognised counts) or AVSLÅTT with the reason; the case and its history stay."""
    try:
        with access.db.session() as session:
            service.decide(session, case_id, status=status, by=access.actor, now=now(), note=note or None)
    except service.CaseNotFound:
        raise HTTPException(404, "no such case here") from None
    except service.RecognitionError as exc:
        return _case_refused(request, access, case_id, said(request, exc))
    return RedirectResponse(access.path(f"/cases/{case_id}"), status_code=303)
