"""An order's outcomes as they arrive: the JSON the case page's script shows, answered the moment it changes.

``GET …/orders/<id>/outcomes.json`` answers at once with every institution's outcome so far (the look is audited as
any look at the order is). With ``wait=1`` and what the page already shows (``answered``, ``status``) it is a long
poll (:mod:`vitnemal.web.longpoll`): the server reads the order's counts every few milliseconds, in a read session
that takes no write lock from the worker storing the answers, and answers when they differ from the page's; when
the last institution has answered, at once, and while answers are still coming, at most every ``PARTIAL_GAP_S``
(so fifty institutions answering within a second make a handful of full answers, not fifty).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select

from vitnemal.casepages.common import LIVE_JS_PATH, STATIC, now, progress
from vitnemal.casepages.orders import order_and_view
from vitnemal.exchange.models import OrderOutcome, ResultsOrder
from vitnemal.exchange.states import OutcomeState
from vitnemal.staff.roles import Role
from vitnemal.staffpages.access import StaffAccess, require_staff
from vitnemal.web import longpoll
from vitnemal.web.assets import file_route
from vitnemal.web.deps import RowId
from vitnemal.web.routing import page_router

router = page_router(prefix="/institutions/{code}")
assets = page_router()
CaseWorker = Annotated[StaffAccess, Depends(require_staff(Role.CASE_WORKER))]
PARTIAL_GAP_S = 0.1


@dataclass(frozen=True)
class Reading:
    """The little a waiting page is answered on: the order's status and how many institutions have answered."""

    status: str
    answered: int
    pending: int
    ordered_at: datetime | None

    def age_s(self) -> float:
        return (now() - self.ordered_at).total_seconds() if self.ordered_at else 0.0


def read_order(access: StaffAccess, order_id: int) -> Reading:
    with access.db.read_session() as session:
        order = session.execute(select(ResultsOrder.status, ResultsOrder.ordered_at)
                                .where(ResultsOrder.id == order_id)).one_or_none()
        counts: dict[str, int] = {state: n for state, n in session.execute(select(OrderOutcome.state, func.count())
                                  .where(OrderOutcome.order_id == order_id).group_by(OrderOutcome.state))}
    if order is None:
        return Reading("", 0, 0, None)
    pending = counts.pop(OutcomeState.PENDING, 0)
    return Reading(str(order.status), sum(counts.values()), pending, order.ordered_at)


def answer_now(seen: tuple[str, int], reading: Reading, waited_s: float) -> bool:
    """Whether a page that shows ``seen`` (status, answered) is answered on ``reading``: when the order is gone or
    every institution has answered, the moment anything changed; while answers are still coming, once
    ``PARTIAL_GAP_S`` has passed too."""
    changed = (reading.status, reading.answered) != seen
    return reading.ordered_at is None or (changed and (reading.pending == 0 or waited_s >= PARTIAL_GAP_S))


@router.get("/orders/{order_id}/outcomes.json")
async def order_outcomes(request: Request, access: CaseWorker, order_id: RowId, wait: bool = False,
                         answered: Annotated[int, Query(ge=0, le=100_000)] = 0,
                         status: Annotated[str, Query(max_length=10)] = "") -> Response:
    """The outcomes so far, for the page's script (the page itself shows the same when reloaded); with ``wait``,
    once they differ from what the page shows (``answered``, ``status``), or after ``longpoll.MAX_WAIT_S``."""
    if wait:
        await longpoll.wait_for(partial(read_order, access, order_id), partial(answer_now, (status, answered)),
                                gone=request.is_disconnected, age=Reading.age_s)
    _, view = await run_in_threadpool(order_and_view, request, access, order_id)
    body = {"order_id": view["order_id"], "status": view["status"], "status_text": view["status_text"],
            **progress(view),
            "outcomes": [{"institution": o["institution"], "text": o["text"], "tone": o["tone"],
                          "state": o["state"]} for o in view["outcomes"]],
            "changes": [c["text"] for c in view["changes"]]}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


# The script that shows outcomes as they arrive (a file: the pages' CSP runs no inline script).
file_route(assets, LIVE_JS_PATH, STATIC / "order-live.js", "text/javascript")
