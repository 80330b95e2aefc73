"""The node's disclosure log as the administrator searches it: who fetched whose results from us, when, with what
outcome. The query is plain data parsed from the page's URL (``parse_query``, no I/O), so a search can be
bookmarked and the CSV export gives exactly the rows the page shows. Looking at the log shows people's data, so
``view`` records the look as an audit event with the actor the entry point passes in (the staff page and
``vitnemal records disclosures`` leave the same event for the same look).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event, record_view
from vitnemal.identity.models import Person
from vitnemal.records.models import Disclosure

PAGE_SIZE = 50
EXPORT_MAX = 50_000
OSLO = ZoneInfo("Europe/Oslo")
ANSWERS = ("ok", "not_sharing", "reserved", "no_consent", "no_results", "identity_mismatch", "degree_not_released")
SORTS = ("at", "requester", "person", "answer", "results")
_CODE = re.compile(r"[0-9A-Za-z_-]{1,20}")
_MAX_Q = 100
_NATIONAL_ID = re.compile(r"[0-9]{11}")


class BadQuery(ValueError):
    """A filter of the URL that cannot be used; the message says which and what it takes."""


@dataclass(frozen=True)
class LogQuery:
    """The filters, the order and the page of the disclosure log."""

    q: str = ""
    requester: str = ""
    answer: str = ""
    since: date | None = None
    until: date | None = None
    sort: str = "at"
    descending: bool = True
    page: int = 1

    def params(self, **changes: object) -> dict[str, str]:
        """The query as URL parameters (defaults left out), with ``changes`` applied (e.g. ``sort=``, ``page=``)."""
        query = replace(self, **changes)  # type: ignore[arg-type]
        values = {"q": query.q, "requester": query.requester, "answer": query.answer,
                  "from": query.since.isoformat() if query.since else "",
                  "to": query.until.isoformat() if query.until else "",
                  "sort": "" if query.sort == "at" else query.sort,
                  "dir": "" if query.descending == (query.sort in ("at", "results")) else
                         ("desc" if query.descending else "asc"),
                  "page": "" if query.page == 1 else str(query.page)}
        return {k: v for k, v in values.items() if v}


def _date(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise BadQuery(f"{name} is a date like 2026-12-01") from None


def parse_query(params: Mapping[str, str]) -> LogQuery:
    """The log query from URL parameters ``q``, ``requester``, ``answer``, ``from``, ``to``, ``sort``, ``dir``,
    ``page``; BadQuery names a parameter that cannot be used."""
    q = " ".join(params.get("q", "").split())[:_MAX_Q]
    requester = params.get("requester", "").strip()
    if requester and not _CODE.fullmatch(requester):
        raise BadQuery("requester is an institution code, e.g. 185")
    answer = params.get("answer", "").strip()
    if answer and answer not in ANSWERS:
        raise BadQuery(f"answer is one of {', '.join(ANSWERS)}")
    since, until = _date(params.get("from", ""), "from"), _date(params.get("to", ""), "to")
    if since and until and since > until:
        raise BadQuery("from is after to")
    sort = params.get("sort", "") or "at"
    if sort not in SORTS:
        raise BadQuery(f"sort is one of {', '.join(SORTS)}")
    direction = params.get("dir", "")
    if direction not in ("", "asc", "desc"):
        raise BadQuery("dir is asc or desc")
    descending = direction == "desc" if direction else sort in ("at", "results")
    page_text = params.get("page", "") or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= 100_000:
        raise BadQuery("page is a whole number from 1")
    return LogQuery(q, requester, answer, since, until, sort, descending, int(page_text))


@dataclass(frozen=True)
class LogRow:
    at: datetime
    requester: str
    national_id: str
    name: str | None
    answer: str
    basis: str
    results: int
    qualifications: int
    consent_given_at: datetime | None
    consent_reference: str | None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), OSLO).astimezone(UTC)


def _filters(query: LogQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.requester:
        where.append(Disclosure.requester_code == query.requester)
    if query.answer:
        where.append(Disclosure.answer == query.answer)
    if query.since:
        where.append(Disclosure.at >= _start_of(query.since))
    if query.until:
        where.append(Disclosure.at < _start_of(query.until + timedelta(days=1)))
    for word in query.q.split()[:5]:
        if word.isdigit():
            where.append(Disclosure.national_id.startswith(word))
        else:
            pattern = f"%{word.lower().replace('%', '').replace('_', '')}%"
            where.append(or_(func.lower(Person.first_name).like(pattern), func.lower(Person.last_name).like(pattern),
                             func.lower(Disclosure.requester_code) == word.lower()))
    return where


def _select(query: LogQuery) -> Select[Disclosure, str, str]:
    order = {"at": Disclosure.at, "requester": Disclosure.requester_code, "person": Disclosure.national_id,
             "answer": Disclosure.answer, "results": Disclosure.results_count}[query.sort]
    stmt = (select(Disclosure, Person.first_name, Person.last_name)
            .outerjoin(Person, Person.id == Disclosure.person_id).where(and_(True, *_filters(query))))
    return stmt.order_by(order.desc() if query.descending else order.asc(),
                         Disclosure.id.desc() if query.descending else Disclosure.id.asc())


def _row(d: Disclosure, first: str | None, last: str | None) -> LogRow:
    name = f"{first} {last}" if first and last else None
    return LogRow(d.at, d.requester_code, d.national_id, name, d.answer, d.basis, d.results_count,
                  d.qualifications_count, d.consent_given_at, d.consent_reference)


def search(session: Session, query: LogQuery) -> tuple[list[LogRow], int]:
    """One page of the rows that match, in the query's order, and how many match in all."""
    total = session.scalar(select(func.count()).select_from(
        select(Disclosure.id).outerjoin(Person, Person.id == Disclosure.person_id)
        .where(and_(True, *_filters(query))).subquery())) or 0
    rows = session.execute(_select(query).limit(PAGE_SIZE).offset((query.page - 1) * PAGE_SIZE)).all()
    return [_row(d, first, last) for d, first, last in rows], int(total)


def record_look(session: Session, query: LogQuery, *, actor: str, now: datetime) -> None:
    """Record that ``actor`` looked at the log with ``query`` (the query as its detail; a search for one whole
    national id is a look at that person's data, so the person is the event's subject)."""
    subject = query.q if _NATIONAL_ID.fullmatch(query.q) else None
    record_view(session, actor=actor, action=AuditAction.VIEW_DISCLOSURE_LOG, subject=subject,
                detail=urlencode(query.params()) or None, now=now)


def view(session: Session, query: LogQuery, *, actor: str, now: datetime) -> tuple[list[LogRow], int]:
    """``search``, recorded as ``actor``'s look at the log."""
    found = search(session, query)
    record_look(session, query, actor=actor, now=now)
    return found


def export(session: Session, query: LogQuery) -> Iterator[LogRow]:
    """Every matching row in the query's order (at most EXPORT_MAX), for the CSV file."""
    for d, first, last in session.execute(_select(query).limit(EXPORT_MAX)):
        yield _row(d, first, last)


def export_recorded(session: Session, query: LogQuery, *, actor: str, now: datetime) -> list[LogRow]:
    """Every matching row (as :func:`export`), recorded as ``actor``'s export of the log with the row count and
    the query (issue 12 #3: the service records the disclosure, whoever calls it). The export is every time an
    event: a file leaves the service, unlike a repeated look."""
    rows = list(export(session, query))
    subject = query.q if _NATIONAL_ID.fullmatch(query.q) else None
    record_event(session, actor=actor, action=AuditAction.EXPORT_DISCLOSURE_LOG, subject=subject,
                 detail=f"{len(rows)} rows; {urlencode(query.params())}".strip("; "), now=now)
    return rows
