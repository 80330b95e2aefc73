"""A round's applicants as the officer reads them: a page of rows (incomplete ones with why), one applicant's
summary and every institution's answer (the look audited), the summaries for export. Takes a session, never
commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from vitnemal.admissions.models import AdmissionRound, Applicant, Fetch, Stopped
from vitnemal.admissions.rules import (
    NOT_COVERED_OUTCOMES,
    FetchedContents,
    FetchState,
    Reason,
    Summary,
    incomplete_reasons,
    summarise,
    unpack,
)
from vitnemal.admissions.service import CHUNK, get_round, round_institutions
from vitnemal.admissions.standing import incomplete_clause, named
from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.exchange.states import OrderStatus, OutcomeState
from vitnemal.institutions.registry import Registry


def institution_name(registry: Registry, code: str, lang: str = "nb") -> str:
    """The institution as an answer names it: its current name, told apart from members that share it since a
    merger ("Høgskulen på Vestlandet (tidligere Høgskulen i Sogn og Fjordane)"); its code when not registered."""
    return registry.distinct_name(code, lang)


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
        query = query.where(incomplete_clause())
    elif only == "complete":
        query = query.where(~incomplete_clause())
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
