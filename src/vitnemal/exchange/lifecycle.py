"""Claiming, holding and finishing results orders: the one place that writes an order's status and lease.

The worker, a case worker's command running an order in its own process, and the benchmark all go through these
functions, so an order is claimed by the same rule everywhere (``states.is_due``, here as SQL) and a crashed
holder's lease is taken over wherever the order is run next. Functions take a session they do not commit and the
time as ``now``.

The claim and lease rules work on any table with the same four columns (``status`` an OrderStatus, ``lease_owner``,
``lease_until``, ``next_run_at``) and an ``id``: an admission round's applicants are claimed by them too
(``model``), so there is one claim/lease rule in the code base.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from vitnemal.exchange.models import OrderOutcome, ResultsOrder
from vitnemal.exchange.states import OrderStatus, OutcomeState, after_round, lease_end


def due_clause(now: datetime, model: Any = ResultsOrder) -> Any:
    """``states.is_due`` as a WHERE clause over ``model`` (a leased table, results orders by default)."""
    return or_(
        model.status == OrderStatus.QUEUED,
        and_(model.status == OrderStatus.RUNNING, model.lease_until < now),
        and_(model.status == OrderStatus.WAITING, model.next_run_at <= now),
    )


def has_due_orders(session: Session, now: datetime) -> bool:
    """A cheap read-only look, so idle polling never takes a write lock."""
    return session.scalar(select(ResultsOrder.id).where(due_clause(now)).limit(1)) is not None


def _take(session: Session, order_id: int, owner: str, now: datetime, lease_s: float,
          model: Any = ResultsOrder) -> bool:
    # The conditional update is what makes a claim safe on any engine: of two claimants, one updates no row.
    result = session.execute(
        update(model).where(model.id == order_id, due_clause(now, model))
        .values(status=OrderStatus.RUNNING, lease_owner=owner, lease_until=lease_end(now, lease_s))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def claim_rows(session: Session, model: Any, *, owner: str, now: datetime, lease_s: float, limit: int,
               where: tuple[Any, ...] = ()) -> list[int]:
    """Take up to ``limit`` due rows of the leased table ``model`` (queued, abandoned by a crashed holder, or due
    for a retry) that also match ``where``; return their ids, oldest first.

    On PostgreSQL the candidates are locked with SKIP LOCKED so that several workers share the queue.
    """
    candidates = session.scalars(
        select(model.id).where(due_clause(now, model), *where).order_by(model.id).limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [row_id for row_id in candidates if _take(session, row_id, owner, now, lease_s, model)]


def claim_orders(session: Session, *, owner: str, now: datetime, lease_s: float, limit: int) -> list[int]:
    """Take up to ``limit`` due orders (queued, abandoned by a crashed worker, or due for a retry)."""
    return claim_rows(session, ResultsOrder, owner=owner, now=now, lease_s=lease_s, limit=limit)


def claim_order(session: Session, order_id: int, *, owner: str, now: datetime, lease_s: float) -> bool:
    """Take this one order if it is due; False when another holder's lease is still running or nothing is due."""
    return _take(session, order_id, owner, now, lease_s)


def hold(session: Session, order_id: int, owner: str) -> int | None:
    """Lock the order for writing its outcomes; its person's id, or None when ``owner`` no longer holds it (its
    lease ran out and someone else took the order over, so nothing may be written)."""
    row = session.execute(select(ResultsOrder.lease_owner, ResultsOrder.person_id)
                          .where(ResultsOrder.id == order_id).with_for_update()).one()
    return row.person_id if row.lease_owner == owner else None


def extend_lease(session: Session, order_id: int, now: datetime, lease_s: float) -> None:
    """Progress keeps the lease: a worker still recording answers is not taken for dead."""
    session.execute(update(ResultsOrder).where(ResultsOrder.id == order_id).values(lease_until=lease_end(now, lease_s)))


def due_outcomes(session: Session, order_id: int, now: datetime) -> list[OrderOutcome]:
    """The institutions to ask in this round: never asked (or never recorded), or due for a retry. Those that
    answered for good are never asked again, whoever runs the order."""
    return list(session.scalars(
        select(OrderOutcome).where(
            OrderOutcome.order_id == order_id,
            or_(OrderOutcome.state == OutcomeState.PENDING,
                and_(OrderOutcome.state == OutcomeState.RETRY, OrderOutcome.next_attempt_at <= now)),
        )
    ))


def finish_round(session: Session, *, order_id: int, owner: str, now: datetime) -> OrderStatus | None:
    """After a round of asking, set the order's status from its outcomes and release it; return the status, or
    None when ``owner`` no longer holds the order."""
    order = session.scalars(select(ResultsOrder).where(ResultsOrder.id == order_id).with_for_update()).one()
    if order.lease_owner != owner:
        return None
    status, next_run_at = after_round((row.state, row.next_attempt_at) for row in session.execute(
        select(OrderOutcome.state, OrderOutcome.next_attempt_at).where(OrderOutcome.order_id == order_id)))
    order.status = status
    order.next_run_at = now if status is OrderStatus.QUEUED else next_run_at
    if status is OrderStatus.DONE:
        order.finished_at = order.finished_at or now
    order.lease_owner = None
    order.lease_until = None
    return status
