"""Fetching the owner's results: one fetch asks every institution at once; each answer is recorded as it arrives.

The functions here take a session and never commit; :mod:`vitnemal.portal.tasks` runs the asking. An institution
that does not answer is marked "Klarte ikke hente data" and asked again in the background (30 s, 2 min, 10 min);
whatever already arrived stays on the page, and an institution that fails now still shows what it sent in the
owner's previous fetch of the day, with that fetch's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from vitnemal.audit.service import record_event
from vitnemal.portal import events
from vitnemal.portal.models import FetchSource, OwnerFetch
from vitnemal.portal.source import Institution, Owner, SourceAnswer


class SourceState(StrEnum):
    """Where one institution of an owner's fetch is (the ``fetch_sources.state`` column holds the value)."""

    PENDING = "pending"  # not asked yet, or being asked (under lease_until)
    ANSWERED = "answered"
    RETRY = "retry"  # did not answer; asked again at next_attempt_at
    FAILED = "failed"  # gave up, or refused


RETRY_DELAYS_S = (30.0, 120.0, 600.0)
MAX_DISCLOSURES = 500  # per institution and fetch
# A fetch is a short-lived copy of what the nodes said; it is deleted a day later (shares keep their own copy).
FETCH_KEPT = timedelta(days=1)


def start_fetch(session: Session, *, owner: Owner, institutions: list[Institution], now: datetime) -> OwnerFetch:
    """A new fetch with one pending source per institution (the caller then runs it)."""
    owner_id = owner.national_id
    fetch = OwnerFetch(owner_id=owner_id, started_at=now, login_at=owner.authenticated_at, login_acr=owner.acr or None)
    fetch.sources = [FetchSource(institution_code=i.code, institution_name=i.name_nb, state=SourceState.PENDING,
                                 attempts=0) for i in institutions]
    session.add(fetch)
    session.flush()
    record_event(session, actor=f"owner:{owner_id}", action=events.FETCH, subject=owner_id,
                 detail=f"fetch {fetch.id}: {len(institutions)} institutions asked")
    return fetch


@dataclass(frozen=True)
class Claimed:
    source_id: int
    fetch_id: int
    owner: Owner
    institution: str


def _due(now: datetime) -> Any:
    free = or_(FetchSource.lease_until.is_(None), FetchSource.lease_until < now)
    again = (FetchSource.state == SourceState.RETRY) & (FetchSource.next_attempt_at <= now)
    return ((FetchSource.state == SourceState.PENDING) | again) & free


def claim_sources(session: Session, *, now: datetime, lease_s: float, fetch_id: int | None = None,
                  limit: int = 100) -> list[Claimed]:
    """Take the sources due to be asked (of one fetch, or of all), so that no other process asks them too."""
    query = (select(FetchSource.id, FetchSource.fetch_id, OwnerFetch.owner_id, OwnerFetch.login_at,
                    OwnerFetch.login_acr, FetchSource.institution_code)
             .join(OwnerFetch).where(_due(now)).order_by(FetchSource.id).limit(limit))
    if fetch_id is not None:
        query = query.where(FetchSource.fetch_id == fetch_id)
    claimed = []
    for row in session.execute(query.with_for_update(skip_locked=True, of=FetchSource)).all():
        taken = session.execute(update(FetchSource).where(FetchSource.id == row.id, _due(now))
                                .values(lease_until=now + timedelta(seconds=lease_s)))
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            owner = Owner(row.owner_id, authenticated_at=row.login_at, acr=row.login_acr or "")
            claimed.append(Claimed(row.id, row.fetch_id, owner, row.institution_code))
    return claimed


def has_due_sources(session: Session, now: datetime) -> bool:
    return session.scalar(select(FetchSource.id).where(_due(now)).limit(1)) is not None


def record_answer(session: Session, *, source_id: int, answer: SourceAnswer, now: datetime) -> str:
    """Store one institution's answer; return the source's new state."""
    source = session.get(FetchSource, source_id)
    if source is None:  # the fetch was purged meanwhile
        return "gone"
    # Answers of one fetch are recorded one at a time (the fetch row's lock): the last one then sees that no other
    # source is pending and marks the fetch finished; without it two concurrent last answers would each see the
    # other still pending (PostgreSQL's read committed) and neither would.
    fetch = session.scalars(select(OwnerFetch).where(OwnerFetch.id == source.fetch_id).with_for_update()).one()
    source.attempts += 1
    source.lease_until = None
    source.outcome = answer.outcome
    source.message = answer.message[:2000]
    if answer.answered:
        source.state = SourceState.ANSWERED
        source.fetched_at = now
        source.next_attempt_at = None
        source.data = {"results": answer.results, "qualifications": answer.qualifications,
                       "disclosures": answer.disclosures[:MAX_DISCLOSURES]}
    elif answer.retry and source.attempts <= len(RETRY_DELAYS_S):
        source.state = SourceState.RETRY
        source.next_attempt_at = now + timedelta(seconds=RETRY_DELAYS_S[source.attempts - 1])
    else:
        source.state = SourceState.FAILED
        source.next_attempt_at = None
    if fetch.finished_at is None:
        waiting = session.scalar(select(FetchSource.id).where(
            FetchSource.fetch_id == source.fetch_id, FetchSource.state == SourceState.PENDING,
            FetchSource.id != source.id))
        if waiting is None:
            fetch.finished_at = now
    return source.state


@dataclass(frozen=True)
class InstitutionView:
    """One institution on "Mine resultater"."""

    code: str
    name: str
    state: SourceState
    outcome: str | None
    message: str
    fetched_at: datetime | None
    results: list[dict[str, Any]] = field(default_factory=list)
    qualifications: list[dict[str, Any]] = field(default_factory=list)
    next_attempt_at: datetime | None = None
    earlier: bool = False  # the results are from an earlier fetch: the institution did not answer this time
    disclosures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        return self.state is SourceState.PENDING

    @property
    def unreachable(self) -> bool:
        """"Klarte ikke hente data": the institution did not answer (it may still be asked again)."""
        return self.state in (SourceState.RETRY, SourceState.FAILED)

    def snapshot(self) -> dict[str, Any]:
        """The institution as a share freezes it."""
        return {"code": self.code, "name": self.name,
                "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
                "qualifications": self.qualifications, "results": self.results}


@dataclass(frozen=True)
class FetchView:
    fetch_id: int
    started_at: datetime
    finished: bool
    institutions: list[InstitutionView]

    @property
    def pending(self) -> int:
        return sum(1 for i in self.institutions if i.waiting)

    @property
    def retrying(self) -> int:
        """Institutions that did not answer and are asked again in the background."""
        return sum(1 for i in self.institutions if i.state is SourceState.RETRY)

    @property
    def with_results(self) -> list[InstitutionView]:
        return [i for i in self.institutions if i.results or i.qualifications]

    @property
    def unreachable(self) -> list[InstitutionView]:
        return [i for i in self.institutions if i.unreachable]

    def snapshot(self) -> list[dict[str, Any]]:
        return [i.snapshot() for i in self.with_results]

    def disclosures(self) -> list[dict[str, Any]]:
        """Every disclosure about the owner the institutions reported, newest first, each with its institution."""
        rows = [{**d, "institution": i.code, "institution_name": i.name}
                for i in self.institutions for d in i.disclosures if isinstance(d.get("at"), str)]
        return sorted(rows, key=lambda d: str(d["at"]), reverse=True)


def latest_fetch_id(session: Session, owner_id: str) -> int | None:
    return session.scalar(select(OwnerFetch.id).where(OwnerFetch.owner_id == owner_id)
                          .order_by(OwnerFetch.id.desc()).limit(1))


@dataclass(frozen=True)
class Progress:
    """How far one fetch has come, by counts only: what the page's script waits on (no results are read)."""

    pending: int
    retrying: int
    total: int
    started_at: datetime | None

    @property
    def answered(self) -> int:
        return self.total - self.pending


def fetch_progress(session: Session, *, owner_id: str, fetch_id: int) -> Progress:
    """The counts of the owner's fetch ``fetch_id``; all zero when it is not this owner's (or is gone)."""
    started_at = session.scalar(select(OwnerFetch.started_at).where(OwnerFetch.id == fetch_id,
                                                                    OwnerFetch.owner_id == owner_id))
    if started_at is None:
        return Progress(0, 0, 0, None)
    counts: dict[str, int] = {state: n for state, n in session.execute(
        select(FetchSource.state, func.count()).where(FetchSource.fetch_id == fetch_id).group_by(FetchSource.state))}
    return Progress(counts.get(SourceState.PENDING, 0), counts.get(SourceState.RETRY, 0), sum(counts.values()),
                    started_at)


def _earlier_answers(session: Session, owner_id: str, fetch_id: int, codes: list[str]) -> dict[str, FetchSource]:
    if not codes:
        return {}
    rows = session.scalars(
        select(FetchSource).join(OwnerFetch)
        .where(OwnerFetch.owner_id == owner_id, OwnerFetch.id < fetch_id, FetchSource.state == "answered",
               FetchSource.institution_code.in_(codes))
        .order_by(FetchSource.fetched_at.desc())
    ).all()
    found: dict[str, FetchSource] = {}
    for row in rows:
        found.setdefault(row.institution_code, row)
    return found


def fetch_view(session: Session, *, owner_id: str, fetch_id: int) -> FetchView | None:
    """The fetch as the owner sees it; None when it is not this owner's (or does not exist)."""
    fetch = session.scalar(select(OwnerFetch).where(OwnerFetch.id == fetch_id, OwnerFetch.owner_id == owner_id)
                           .options(selectinload(OwnerFetch.sources)))
    if fetch is None:
        return None
    missing = [s.institution_code for s in fetch.sources if s.state in (SourceState.RETRY, SourceState.FAILED)]
    earlier = _earlier_answers(session, owner_id, fetch.id, missing)
    views = []
    for s in fetch.sources:
        data, fetched_at, old = s.data or {}, s.fetched_at, False
        if s.institution_code in earlier:
            prev = earlier[s.institution_code]
            data, fetched_at, old = prev.data or {}, prev.fetched_at, True
        views.append(InstitutionView(
            code=s.institution_code, name=s.institution_name, state=SourceState(s.state), outcome=s.outcome,
            message=s.message or "", fetched_at=fetched_at, results=list(data.get("results", [])),
            qualifications=list(data.get("qualifications", [])), next_attempt_at=s.next_attempt_at, earlier=old,
            disclosures=list(data.get("disclosures", []))))
    return FetchView(fetch.id, fetch.started_at, fetch.finished_at is not None, views)


def purge_fetches(session: Session, now: datetime) -> int:
    """Delete fetches older than a day; return how many."""
    old = session.scalars(select(OwnerFetch.id).where(OwnerFetch.started_at < now - FETCH_KEPT)).all()
    if old:
        session.execute(delete(FetchSource).where(FetchSource.fetch_id.in_(old)))
        session.execute(delete(OwnerFetch).where(OwnerFetch.id.in_(old)))
    return len(old)
