"""Where an admission round stands: applicants by state, answers by outcome, the pace and the expected finish, and
the lines of its list that were refused. Reads only; takes a session, never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from vitnemal.admissions.models import Applicant, Fetch, RejectedLine, RoundKind, RoundStatus
from vitnemal.admissions.rules import COMPLETE_OUTCOMES
from vitnemal.admissions.service import get_round, round_institutions
from vitnemal.exchange.outcomes import Outcome
from vitnemal.exchange.states import OrderStatus, OutcomeState

RATE_WINDOW = timedelta(minutes=5)  # applicants finished in this window give the pace for the expected finish


@dataclass(frozen=True)
class Progress:
    round_id: int
    name: str
    kind: RoundKind
    status: RoundStatus
    created_at: datetime
    finished_at: datetime | None
    institutions: int
    applicants: int
    done: int  # applicants every institution has answered for good (or stopped)
    waiting: int  # applicants with only retries left, at their time
    running: int
    queued: int
    stopped: int
    complete: int  # done, and nothing left out (see rules.incomplete_reasons)
    outcomes: dict[str, int]  # answers so far, by outcome (retries counted under their outcome)
    lines_total: int
    lines_rejected: int
    per_minute: float  # applicants finished per minute over the last five minutes
    expected_finish: datetime | None  # UTC; None while paused, or before the pace is known
    next_retry_at: datetime | None = None
    rejected_by_reason: dict[str, int] = field(default_factory=dict)


def incomplete_clause() -> ColumnElement[bool]:
    """SQL for rules.incomplete_reasons being non-empty, over an applicant row."""
    left_out = exists(select(Fetch.id).where(Fetch.applicant_id == Applicant.id, or_(
        Fetch.state == OutcomeState.RETRY, Fetch.outcome.notin_([str(o) for o in COMPLETE_OUTCOMES]))))
    unconfirmed = and_(~_named(), exists(select(Fetch.id).where(Fetch.applicant_id == Applicant.id,
                                                                Fetch.outcome == str(Outcome.NO_RESULTS))))
    return or_(Applicant.stopped.is_not(None), Applicant.status != OrderStatus.DONE, left_out, unconfirmed)


def _named() -> ColumnElement[bool]:
    """SQL for :func:`named` over an applicant row."""
    return and_(func.coalesce(Applicant.first_name, "") != "", func.coalesce(Applicant.last_name, "") != "")


def unnamed_count(session: Session, round_id: int) -> int:
    """The round's applicants the list did not name (their "no results" answers are not confirmed)."""
    return session.scalar(select(func.count()).where(Applicant.round_id == round_id, ~_named())) or 0


def named(applicant: Applicant) -> bool:
    """Whether the list named the applicant (first and last name): only then can a node tell someone it holds
    under another national id from someone it does not hold (rules.incomplete_reasons)."""
    return bool(applicant.first_name and applicant.last_name)


def round_progress(session: Session, round_id: int, now: datetime) -> Progress:
    """Where the round stands: applicants by state, answers by outcome, the pace and the expected finish."""
    round_ = get_round(session, round_id)
    by_status: dict[OrderStatus, int] = dict(session.execute(
        select(Applicant.status, func.count()).where(Applicant.round_id == round_id).group_by(Applicant.status)).all())
    stopped = session.scalar(select(func.count()).where(Applicant.round_id == round_id,
                                                        Applicant.stopped.is_not(None))) or 0
    done = by_status.get(OrderStatus.DONE, 0)
    incomplete_done = session.scalar(select(func.count()).select_from(Applicant).where(
        Applicant.round_id == round_id, Applicant.status == OrderStatus.DONE, incomplete_clause())) or 0
    outcomes = dict(session.execute(select(Fetch.outcome, func.count()).where(Fetch.round_id == round_id)
                                    .group_by(Fetch.outcome)).all())
    recent = session.scalar(select(func.count()).where(
        Applicant.round_id == round_id, Applicant.finished_at >= now - RATE_WINDOW,
        Applicant.stopped.is_(None))) or 0
    first = session.scalar(select(func.min(Applicant.first_asked_at)).where(Applicant.round_id == round_id))
    span = min(RATE_WINDOW, now - first) if first is not None else RATE_WINDOW
    per_minute = recent / max(span.total_seconds() / 60, 1 / 60)
    active = by_status.get(OrderStatus.QUEUED, 0) + by_status.get(OrderStatus.RUNNING, 0)
    next_retry = session.scalar(select(func.min(Applicant.next_run_at)).where(
        Applicant.round_id == round_id, Applicant.status == OrderStatus.WAITING))
    expected: datetime | None = None
    if round_.status is RoundStatus.RUNNING:
        if active and per_minute > 0:
            expected = now + timedelta(minutes=active / per_minute)
        elif not active and next_retry is not None:
            expected = session.scalar(select(func.max(Applicant.next_run_at)).where(
                Applicant.round_id == round_id, Applicant.status == OrderStatus.WAITING))
    rejected = dict(session.execute(select(RejectedLine.reason, func.count()).where(RejectedLine.round_id == round_id)
                                    .group_by(RejectedLine.reason)).all())
    return Progress(
        round_id=round_id, name=round_.name, kind=round_.kind, status=round_.status, created_at=round_.created_at,
        finished_at=round_.finished_at, institutions=len(round_institutions(round_)),
        applicants=sum(by_status.values()), done=done, waiting=by_status.get(OrderStatus.WAITING, 0),
        running=by_status.get(OrderStatus.RUNNING, 0), queued=by_status.get(OrderStatus.QUEUED, 0),
        stopped=stopped, complete=done - incomplete_done, outcomes=outcomes, lines_total=round_.lines_total,
        lines_rejected=round_.lines_rejected, per_minute=round(per_minute, 1), expected_finish=expected,
        next_retry_at=next_retry, rejected_by_reason={str(k): v for k, v in rejected.items()})


def rejected_lines(session: Session, round_id: int, *, offset: int = 0, limit: int = 100) -> list[RejectedLine]:
    get_round(session, round_id)
    return list(session.scalars(select(RejectedLine).where(RejectedLine.round_id == round_id)
                                .order_by(RejectedLine.line_no).offset(offset).limit(min(limit, 10_000))))
