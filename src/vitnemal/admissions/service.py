"""Admission rounds as the officer and the CLI run them: start one from a list, pause, resume, cancel, list them.
Every function takes a session and never commits; the caller owns the transaction. A round's progress is
:mod:`.standing`, its applicants as the officer reads them :mod:`.roster`, export :mod:`.export`; fetching is
the workers' (:mod:`.tasks`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from vitnemal.admissions.applicant_list import ApplicantLine, LineRejection
from vitnemal.admissions.models import (
    AdmissionRound,
    Applicant,
    LineProblem,
    RejectedLine,
    RoundKind,
    RoundStatus,
    RoundWorker,
    Stopped,
)
from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.exchange.states import OrderStatus
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


def live_workers(session: Session, round_id: int, now: datetime, within_s: float) -> int:
    return session.scalar(select(func.count()).where(RoundWorker.round_id == round_id,
                                                     RoundWorker.seen_at >= now - timedelta(seconds=within_s))) or 0

