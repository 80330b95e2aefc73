"""Admission rounds as the officer and the CLI use them: start one from a list, pause, resume, cancel, follow its
progress, look at its applicants. Every function takes a session and never commits; the caller owns the
transaction. Export is in :mod:`vitnemal.admissions.export`; fetching is the workers' (:mod:`.tasks`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import islice

from sqlalchemy import ColumnElement, and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from vitnemal.admissions.applicant_list import ApplicantLine, LineRejection
from vitnemal.admissions.models import (
    AdmissionRound,
    Applicant,
    Fetch,
    LineProblem,
    RejectedLine,
    RoundKind,
    RoundStatus,
    RoundWorker,
    Stopped,
)
from vitnemal.admissions.rules import (
    COMPLETE_OUTCOMES,
    NOT_COVERED_OUTCOMES,
    FetchedContents,
    FetchState,
    Reason,
    Summary,
    incomplete_reasons,
    summarise,
    unpack,
)
from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.exchange.outcomes import Outcome
from vitnemal.exchange.states import OrderStatus, OutcomeState
from vitnemal.institutions.registry import Registry
from vitnemal.records.consent import current_admission_consents
from vitnemal.records.models import ConsentAnswer

CHUNK = 500  # applicants per statement: under every engine's limit on bound parameters
RATE_WINDOW = timedelta(minutes=5)  # applicants finished in this window give the pace for the expected finish
MAX_REJECTIONS_RETURNED = 1_000


class RoundNotFound(LookupError):
    def __init__(self, round_id: int) -> None:
        super().__init__(f"there is no admission round {round_id} here; `admissions list` shows the rounds")


class RoundStateError(ValueError):
    """The round is not in a state that allows this (e.g. resuming a round that is done)."""


@dataclass(frozen=True)
class RoundStarted:
    round_id: int
    accepted: int
    rejected: int
    rejections: list[LineRejection]  # the first MAX_REJECTIONS_RETURNED; all are in admission_rejected_lines
    unnamed: int = 0  # applicants taken without a first and last name (their "no results" are not confirmed)


def institution_name(registry: Registry, code: str, lang: str = "nb") -> str:
    """The institution as an answer names it: its current name, told apart from members that share it since a
    merger ("Høgskulen på Vestlandet (tidligere Høgskulen i Sogn og Fjordane)"); its code when not registered."""
    return registry.distinct_name(code, lang)


def start_round(session: Session, *, requester: str, kind: RoundKind, name: str,
                lines: Iterable[ApplicantLine | LineRejection], institutions: list[str], started_by: str,
                source: str, now: datetime) -> RoundStarted:
    """Make a round of every line with a valid, first-seen national id and a yes to the admission's consent
    (OPPTAK) recorded here; every other line is kept as a rejection with its number and reason. Applicants are
    written in chunks, so a list of hundreds of thousands is never held in memory whole."""
    asked = [c for c in dict.fromkeys(institutions) if c != requester]
    if not asked:
        raise RoundStateError("the round would ask no institution: the federation's registry lists none but us")
    round_ = AdmissionRound(name=name[:200], requester=requester, kind=kind, status=RoundStatus.RUNNING,
                            institutions=json.dumps(asked), created_at=now, created_by=started_by[:100],
                            source=source[:300], lines_total=0, lines_rejected=0)
    session.add(round_)
    session.flush()
    total = accepted = rejected = unnamed = 0
    sample: list[LineRejection] = []
    stream = iter(lines)
    while chunk := list(islice(stream, CHUNK)):
        ids = [line.national_id for line in chunk if isinstance(line, ApplicantLine)]
        consents = current_admission_consents(session, ids) if ids else {}
        applicants, refusals = [], []
        for line in chunk:
            if isinstance(line, ApplicantLine):
                held = consents.get(line.national_id)
                if held is not None and held.answer == ConsentAnswer.YES:
                    applicants.append({
                        "round_id": round_.id, "line_no": line.line_no, "national_id": line.national_id,
                        "first_name": line.first_name, "last_name": line.last_name, "reference": line.reference,
                        "status": OrderStatus.QUEUED})
                    continue
                why = "no admission consent (OPPTAK) is recorded here" if held is None else \
                    f"the applicant withdrew the admission consent (OPPTAK N) on {held.answered_at.date()}"
                line = LineRejection(line.line_no, line.national_id, LineProblem.NO_CONSENT, why)
            refusals.append(line)
        if applicants:
            session.execute(insert(Applicant), applicants)
        if refusals:
            session.execute(insert(RejectedLine), [
                {"round_id": round_.id, "line_no": r.line_no, "national_id": r.national_id, "reason": r.reason,
                 "message": r.message} for r in refusals])
            sample += refusals[:MAX_REJECTIONS_RETURNED - len(sample)]
        total += len(chunk)
        accepted += len(applicants)
        unnamed += sum(1 for a in applicants if not (a["first_name"] and a["last_name"]))
        rejected += len(refusals)
    round_.lines_total, round_.lines_rejected = total, rejected
    if not accepted:
        round_.status, round_.finished_at = RoundStatus.DONE, now
    record_event(session, actor=started_by, action=AuditAction.ADMISSION_ROUND_STARTED,
                 detail=f"round {round_.id} {name[:100]!r}: {accepted} applicants, {rejected} lines rejected, "
                        f"{len(asked)} institutions", now=now)
    return RoundStarted(round_.id, accepted, rejected, sample, unnamed)


def get_round(session: Session, round_id: int, *, lock: bool = False) -> AdmissionRound:
    query = select(AdmissionRound).where(AdmissionRound.id == round_id)
    found = session.scalars(query.with_for_update() if lock else query).first()
    if found is None:
        raise RoundNotFound(round_id)
    return found


def round_institutions(round_: AdmissionRound) -> list[str]:
    return [str(c) for c in json.loads(round_.institutions)]


def _change(session: Session, round_id: int, *, by: str, now: datetime, allowed: set[RoundStatus],
            to: RoundStatus, what: str) -> AdmissionRound:
    round_ = get_round(session, round_id, lock=True)
    if round_.status is to:
        return round_  # pausing a paused round changes nothing
    if round_.status not in allowed:
        raise RoundStateError(f"round {round_id} is {round_.status.value}; it cannot be {what}")
    round_.status = to
    round_.paused_at, round_.paused_by = (now, by[:100]) if to is RoundStatus.PAUSED else (None, None)
    record_event(session, actor=by, action=AuditAction.ADMISSION_ROUND_CHANGED, detail=f"round {round_id} {what}",
                 now=now)
    return round_


def pause_round(session: Session, round_id: int, *, by: str, now: datetime) -> AdmissionRound:
    """Workers take none of the round's applicants from now on; those being fetched finish their requests."""
    return _change(session, round_id, by=by, now=now, allowed={RoundStatus.RUNNING}, to=RoundStatus.PAUSED,
                   what="paused")


def resume_round(session: Session, round_id: int, *, by: str, now: datetime) -> AdmissionRound:
    """Workers go on where the round stopped: only institutions without a final answer are asked."""
    return _change(session, round_id, by=by, now=now, allowed={RoundStatus.PAUSED}, to=RoundStatus.RUNNING,
                   what="resumed")


def cancel_round(session: Session, round_id: int, *, by: str, now: datetime) -> AdmissionRound:
    """Stop the round for good: applicants not done are marked stopped (cancelled); what was fetched stays."""
    round_ = _change(session, round_id, by=by, now=now, allowed={RoundStatus.RUNNING, RoundStatus.PAUSED},
                     to=RoundStatus.CANCELLED, what="cancelled")
    session.execute(update(Applicant).where(Applicant.round_id == round_id, Applicant.status != OrderStatus.DONE)
                    .values(status=OrderStatus.DONE, stopped=Stopped.CANCELLED, lease_owner=None, lease_until=None,
                            next_run_at=None, finished_at=now))
    round_.finished_at = now
    return round_


def finish_if_done(session: Session, round_id: int, now: datetime) -> bool:
    """Mark a running round done once every applicant is done (called by the workers); True when it is done."""
    left = session.scalar(select(Applicant.id).where(Applicant.round_id == round_id,
                                                     Applicant.status != OrderStatus.DONE).limit(1))
    if left is not None:
        return False
    session.execute(update(AdmissionRound).where(AdmissionRound.id == round_id,
                                                 AdmissionRound.status == RoundStatus.RUNNING)
                    .values(status=RoundStatus.DONE, finished_at=now))
    return True


@dataclass(frozen=True)
class RoundRow:
    round_id: int
    name: str
    kind: RoundKind
    status: RoundStatus
    created_at: datetime
    applicants: int
    done: int


def list_rounds(session: Session, limit: int = 100) -> list[RoundRow]:
    rows = session.execute(
        select(AdmissionRound, func.count(Applicant.id),
               func.count(Applicant.id).filter(Applicant.status == OrderStatus.DONE))
        .outerjoin(Applicant, Applicant.round_id == AdmissionRound.id)
        .group_by(AdmissionRound.id).order_by(AdmissionRound.id.desc()).limit(limit)).all()
    return [RoundRow(r.id, r.name, r.kind, r.status, r.created_at, total, finished) for r, total, finished in rows]


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


def _incomplete_clause() -> ColumnElement[bool]:
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
        Applicant.round_id == round_id, Applicant.status == OrderStatus.DONE, _incomplete_clause())) or 0
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


@dataclass(frozen=True)
class ApplicantRow:
    applicant_id: int
    line_no: int | None
    national_id: str
    reference: str | None
    status: OrderStatus
    stopped: Stopped | None
    reasons: list[Reason]
    imported_from: int  # institutions that sent results

    @property
    def complete(self) -> bool:
        return not self.reasons


ONLY = ("all", "incomplete", "complete", "stopped")


def _fetch_states(session: Session, applicant_ids: list[int]) -> dict[int, dict[str, FetchState]]:
    states: dict[int, dict[str, FetchState]] = {i: {} for i in applicant_ids}
    for start in range(0, len(applicant_ids), CHUNK):
        for row in session.execute(select(Fetch.applicant_id, Fetch.institution_code, Fetch.state, Fetch.outcome,
                                          Fetch.next_attempt_at)
                                   .where(Fetch.applicant_id.in_(applicant_ids[start:start + CHUNK]))):
            states[row.applicant_id][row.institution_code] = FetchState(row.state, row.outcome, row.next_attempt_at)
    return states


def applicants(session: Session, round_id: int, *, only: str = "all", offset: int = 0,
               limit: int = 100) -> list[ApplicantRow]:
    """A page of the round's applicants in list order; ``only`` one of :data:`ONLY`."""
    if only not in ONLY:
        raise ValueError(f"only is one of {', '.join(ONLY)}")
    round_ = get_round(session, round_id)
    query = select(Applicant).where(Applicant.round_id == round_id)
    if only == "incomplete":
        query = query.where(_incomplete_clause())
    elif only == "complete":
        query = query.where(~_incomplete_clause())
    elif only == "stopped":
        query = query.where(Applicant.stopped.is_not(None))
    rows = list(session.scalars(query.order_by(Applicant.id).offset(offset).limit(min(limit, 10_000))))
    return _rows(session, round_, rows)


def _rows(session: Session, round_: AdmissionRound, rows: list[Applicant]) -> list[ApplicantRow]:
    codes = round_institutions(round_)
    states = _fetch_states(session, [a.id for a in rows])
    return [ApplicantRow(a.id, a.line_no, a.national_id, a.reference, a.status, a.stopped,
                         incomplete_reasons(states[a.id], codes, a.stopped, named(a)),
                         sum(1 for s in states[a.id].values() if s.outcome == "imported")) for a in rows]


@dataclass(frozen=True)
class FetchRow:
    institution: str
    name: str
    state: OutcomeState | None  # None: not asked yet
    outcome: str | None
    attempts: int
    next_attempt_at: datetime | None
    results: int
    qualifications: int
    message: str | None


@dataclass(frozen=True)
class ApplicantView:
    round_id: int
    row: ApplicantRow
    first_name: str | None
    last_name: str | None
    summary: Summary
    fetches: list[FetchRow]


def summaries(session: Session, registry: Registry, applicant_ids: list[int], lang: str = "nb") -> dict[int, Summary]:
    """Each applicant's summary from the verified answers kept for them (no audit: callers record the look); each
    degree and course names its institution by the name of its day (``lang``: nb/nn get the bokmål name)."""
    fetched: dict[int, list[FetchedContents]] = {i: [] for i in applicant_ids}
    not_covered: dict[int, list[str]] = {i: [] for i in applicant_ids}
    for start in range(0, len(applicant_ids), CHUNK):
        for row in session.execute(select(Fetch.applicant_id, Fetch.institution_code, Fetch.outcome, Fetch.contents)
                                   .where(Fetch.applicant_id.in_(applicant_ids[start:start + CHUNK]),
                                          or_(Fetch.contents.is_not(None),
                                              Fetch.outcome.in_([str(o) for o in NOT_COVERED_OUTCOMES])))
                                   .order_by(Fetch.applicant_id, Fetch.institution_code)):
            if row.contents:
                results, quals = unpack(row.contents)
                fetched[row.applicant_id].append(FetchedContents(
                    row.institution_code, institution_name(registry, row.institution_code, lang), results, quals))
            else:
                not_covered[row.applicant_id].append(row.institution_code)

    def name_on(code: str, day: date) -> str:
        return registry.name_then(code, day, lang)

    return {i: summarise(fetched[i], not_covered[i], name_on) for i in applicant_ids}


def find_applicant(session: Session, round_id: int, national_id: str) -> Applicant | None:
    return session.scalars(select(Applicant).where(Applicant.round_id == round_id,
                                                   Applicant.national_id == national_id)).first()


def applicant_view(session: Session, registry: Registry, round_id: int, applicant_id: int, *, viewer: str,
                   now: datetime, lang: str = "nb") -> ApplicantView:
    """One applicant's results summarised as admission decides, and every institution's answer; the look is
    an audit event (a disclosure of the applicant's results to ``viewer``)."""
    round_ = get_round(session, round_id)
    applicant = session.get(Applicant, applicant_id)
    if applicant is None or applicant.round_id != round_id:
        raise LookupError(f"round {round_id} has no applicant {applicant_id}")
    row = _rows(session, round_, [applicant])[0]
    fetched = {f.institution_code: f for f in session.scalars(select(Fetch).where(Fetch.applicant_id == applicant.id))}
    fetches = []
    for code in round_institutions(round_):
        f = fetched.get(code)
        fetches.append(FetchRow(code, institution_name(registry, code, lang), f.state if f else None,
                                f.outcome if f else None, f.attempts if f else 0, f.next_attempt_at if f else None,
                                f.results_count if f else 0, f.qualifications_count if f else 0,
                                f.message if f else None))
    record_event(session, actor=viewer, action=AuditAction.VIEW_ADMISSION_APPLICANT, subject=applicant.national_id,
                 detail=f"round {round_id}", now=now)
    return ApplicantView(round_id, row, applicant.first_name, applicant.last_name,
                         summaries(session, registry, [applicant.id], lang)[applicant.id], fetches)


def iter_applicant_pages(session: Session, round_id: int, size: int = CHUNK) -> Iterator[list[Applicant]]:
    """The round's applicants in list order, a page at a time (keyset paging, so memory stays bounded)."""
    last = 0
    while True:
        page = list(session.scalars(select(Applicant).where(Applicant.round_id == round_id, Applicant.id > last)
                                    .order_by(Applicant.id).limit(size)))
        if not page:
            return
        yield page
        last = page[-1].id


def live_workers(session: Session, round_id: int, now: datetime, within_s: float) -> int:
    return session.scalar(select(func.count()).where(RoundWorker.round_id == round_id,
                                                     RoundWorker.seen_at >= now - timedelta(seconds=within_s))) or 0

