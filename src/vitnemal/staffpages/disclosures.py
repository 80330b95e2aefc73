"""The node's disclosure log for the institution's administrator: ``/institutions/{code}/disclosures`` (searchable,
sortable, filterable, the search in the URL) and ``/institutions/{code}/disclosures.csv`` (the same rows, every
cell safe for spreadsheets). Looking at the log and exporting it show people's data, so each is an audit event.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from vitnemal import csv_cells
from vitnemal.records.disclosure_log import (
    ANSWERS,
    OSLO,
    PAGE_SIZE,
    BadQuery,
    LogQuery,
    export_recorded,
    parse_query,
    view,
)
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, host_of, require_staff
from vitnemal.staffpages.render import render_staff
from vitnemal.web.context import language
from vitnemal.web.routing import page_router

router = page_router(prefix="/institutions/{code}")
ADMIN = Depends(require_staff(Role.ADMIN))
CSV_COLUMNS = ("time_oslo", "requester", "requester_name", "national_id", "name", "outcome", "basis", "results",
               "qualifications", "consent_given_at", "consent_reference")


def _query(request: Request) -> tuple[LogQuery, str | None]:
    try:
        return parse_query(dict(request.query_params)), None
    except BadQuery as exc:
        return LogQuery(), str(exc)


def _url(access: StaffAccess, query: LogQuery, suffix: str = "/disclosures", **changes: object) -> str:
    params = query.params(**changes)
    return access.path(suffix) + (f"?{urlencode(params)}" if params else "")


@router.get("/disclosures", response_class=HTMLResponse)
def disclosures(request: Request, access: StaffAccess = ADMIN) -> HTMLResponse:
    query, problem = _query(request)
    now = datetime.now(UTC)
    with access.db.session() as session:
        rows, total = view(session, query, actor=access.actor, now=now)
    registry = host_of(request).registry
    names = {e.code: e.name_en if language(request) == "en" else e.name_nb for e in registry}
    sort_links = {}
    for column in ("at", "requester", "person", "answer", "results"):
        # A header sorts by its column; pressed again it turns the order round.
        same = query.sort == column
        descending = (not query.descending) if same else column in ("at", "results")
        sort_links[column] = _url(access, query, sort=column, descending=descending, page=1)
    pages = max(1, -(-total // PAGE_SIZE))
    return render_staff(request, access, "staffpages/disclosures.html", {
        "query": query, "problem": problem, "rows": rows, "total": total, "names": names,
        "requesters": sorted({e.code for e in registry if e.code != access.code}),
        "answers": ANSWERS, "sort_links": sort_links, "page": min(query.page, pages), "pages": pages,
        "prev_url": _url(access, query, page=query.page - 1) if query.page > 1 else None,
        "next_url": _url(access, query, page=query.page + 1) if query.page < pages else None,
        "csv_url": _url(access, query, "/disclosures.csv", page=1),
    }, status_code=400 if problem else 200)


@router.get("/disclosures.csv")
def disclosures_csv(request: Request, access: StaffAccess = ADMIN) -> Response:
    query, problem = _query(request)
    if problem:
        return Response(f"{problem}\n", status_code=400, media_type="text/plain; charset=utf-8")
    names = {e.code: e.name_nb for e in host_of(request).registry}
    out = io.StringIO()
    writer = csv_cells.writer(out)
    writer.writerow(CSV_COLUMNS)
    with access.db.session() as session:
        for row in export_recorded(session, query, actor=access.actor, now=datetime.now(UTC)):
            writer.writerow((row.at.astimezone(OSLO).strftime("%Y-%m-%d %H:%M:%S"), row.requester,
                             names.get(row.requester, ""), row.national_id, row.name or "", row.answer, row.basis,
                             row.results, row.qualifications,
                             row.consent_given_at.isoformat() if row.consent_given_at else "",
                             row.consent_reference or ""))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="disclosures-{access.code}-{stamp}.csv"',
        "cache-control": "no-store"})
