"""Resultatbestilling: every results order with its status (filterable, sortable, the query in the URL), and one
order with each institution's outcome (the outcomes as they arrive are :mod:`vitnemal.casepages.live`'s).

Looking at an order shows whose results were asked for: the exchange service audits it (a poll repeated within a
minute counts once), so these run in a write session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from vitnemal.casepages.common import BULK_JS, CSS, LIVE_JS, institution_names, lang_of, now, progress
from vitnemal.exchange import service as exchange
from vitnemal.exchange.models import ResultsOrder
from vitnemal.exchange.states import OrderStatus
from vitnemal.exchange.views import OrderView
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.staffpages.render import render_staff
from vitnemal.web.assets import file_route
from vitnemal.web.deps import RowId
from vitnemal.web.routing import page_router

router = page_router(prefix="/institutions/{code}")
CaseWorker = Annotated[StaffAccess, Depends(require_staff(Role.CASE_WORKER))]
SORTS = ("ordered", "name", "status", "problems")
STATUSES = tuple(s.value for s in OrderStatus)
STATIC = Path(__file__).parent / "static"
assets = page_router()


def _row(order: ResultsOrder, view: OrderView) -> dict[str, Any]:
    return {**view, **progress(view), "name": order.person.name, "person_id": order.person_id,
            "ordered": order.ordered_at}


@router.get("/orders", response_class=HTMLResponse)
def orders(request: Request, access: CaseWorker, q: str = Query("", max_length=40),
           status: str = Query("", max_length=10), sort: str = Query("ordered", max_length=10),
           dir: str = Query("desc", max_length=4)) -> HTMLResponse:
    """Resultatbestilling: the newest orders, for one person (any of their ids) or in one status."""
    lang = lang_of(request)
    names = institution_names(request, lang)
    status = status if status in STATUSES else ""
    sort = sort if sort in SORTS else "ordered"
    direction = "asc" if dir == "asc" else "desc"
    with access.db.session() as session:
        found = exchange.list_orders(session, actor=access.actor, now=now(), national_id=q.strip() or None,
                                     status=status or None, limit=200)
        rows = [_row(o, exchange.order_view(o, names=names, lang=lang)) for o in found]
    key = {"ordered": lambda r: r["ordered_at"], "name": lambda r: (r["name"].lower(), r["ordered_at"]),
           "status": lambda r: (r["status"], r["ordered_at"]), "problems": lambda r: (r["problems"], r["ordered_at"])}
    rows.sort(key=key[sort], reverse=direction == "desc")
    return render_staff(request, access, "casepages/orders.html", {
        "rows": rows, "q": q, "status": status, "statuses": STATUSES, "sort": sort, "dir": direction})


def order_and_view(request: Request, access: StaffAccess, order_id: int) -> tuple[ResultsOrder, OrderView]:
    lang = lang_of(request)
    with access.db.session() as session:
        order = exchange.view_order(session, order_id, actor=access.actor, now=now())
        if order is None:
            raise HTTPException(404, "no such order here")
        view = exchange.order_view(order, names=institution_names(request, lang), lang=lang)
        session.expunge(order)
    return order, view


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_page(request: Request, access: CaseWorker, order_id: RowId) -> HTMLResponse:
    """One order: when it was placed and by whom, each institution's outcome in words, the changes it found."""
    order, view = order_and_view(request, access, order_id)
    return render_staff(request, access, "casepages/order.html", {
        "order": view, "progress": progress(view), "person_id": order.person_id, "live_js": LIVE_JS})


@assets.get(BULK_JS)
def bulk_js() -> FileResponse:
    """The script that moves a bulk issue's progress bar."""
    return FileResponse(STATIC / "bulk-progress.js", media_type="text/javascript",
                        headers={"Cache-Control": "no-cache"})


# The case pages' few styles: highlighted rows, outcome colours, wide tables.
file_route(assets, CSS, STATIC / "casepages.css", "text/css")
