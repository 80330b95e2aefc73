"""The round as a file: CSV (one line per applicant, through :mod:`vitnemal.csv_cells`) and JSON (every applicant
with its degrees, credits per level, courses and each institution's answer). Both are streamed a page of
applicants at a time, so a round of hundreds of thousands never sits in memory whole. An export is a disclosure of
every applicant's results: it is an audit event, :func:`record_export`, which the caller commits before the first
line leaves (a download the browser stops reading must neither go unaudited nor keep a write transaction open), and
the export itself only reads.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal import csv_cells
from vitnemal.admissions import roster, service, standing
from vitnemal.admissions.models import Applicant, Fetch
from vitnemal.admissions.rules import LEVELS, NO_DEGREE, FetchState, Summary, incomplete_reasons
from vitnemal.admissions.texts import level_label, reason_text
from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.i18n import Language
from vitnemal.institutions.registry import Registry

_HEAD: dict[Language, list[str]] = {
    "nb": ["linje", "fodselsnummer", "referanse", "status", "komplett", "mangler", "grader", "studiepoeng_totalt"],
    "nn": ["linje", "fodselsnummer", "referanse", "status", "komplett", "manglar", "gradar", "studiepoeng_totalt"],
    "en": ["line", "national_id", "reference", "status", "complete", "missing", "degrees", "total_credits"],
}
_COURSES: dict[Language, str] = {"nb": "emner", "nn": "emne", "en": "courses"}
_YES_NO: dict[Language, tuple[str, str]] = {"nb": ("ja", "nei"), "nn": ("ja", "nei"), "en": ("yes", "no")}
LEVEL_COLUMNS = (*LEVELS, NO_DEGREE)


def record_export(session: Session, round_id: int, *, what: str, viewer: str, now: datetime) -> None:
    """Record that ``viewer`` exports round ``round_id`` as ``what`` (csv, json): commit it before streaming the
    export (RoundNotFound for a round that is not here)."""
    service.get_round(session, round_id)
    record_event(session, actor=viewer, action=AuditAction.EXPORT_ADMISSION_ROUND,
                 detail=f"round {round_id} as {what}", now=now)


def _pages(session: Session, registry: Registry, round_id: int, lang: Language
           ) -> Iterator[list[tuple[Applicant, dict[str, FetchState], list[Fetch], Summary]]]:
    service.get_round(session, round_id)
    for page in roster.iter_applicant_pages(session, round_id):
        ids = [a.id for a in page]
        fetches: dict[int, list[Fetch]] = {i: [] for i in ids}
        for f in session.scalars(select(Fetch).where(Fetch.applicant_id.in_(ids))
                                 .order_by(Fetch.applicant_id, Fetch.institution_code)):
            fetches[f.applicant_id].append(f)
        summaries = roster.summaries(session, registry, ids, lang)
        yield [(a, {f.institution_code: FetchState(f.state, f.outcome, f.next_attempt_at) for f in fetches[a.id]},
                fetches[a.id], summaries[a.id]) for a in page]


def export_csv(session: Session, registry: Registry, round_id: int, *, lang: Language,
               now: datetime) -> Iterator[str]:
    """The round as CSV text, one line per applicant: line, national id, reference, status, complete, why not
    (sentences), degrees, total credits, credits per level, courses (institution code term credits grade)."""
    round_ = service.get_round(session, round_id)
    codes = service.round_institutions(round_)
    buffer = io.StringIO()
    out = csv_cells.writer(buffer, delimiter=";")
    out.writerow([*_HEAD[lang], *(f"sp_{level_label(lvl, lang)}" for lvl in LEVEL_COLUMNS), _COURSES[lang]])
    yes, no = _YES_NO[lang]
    for page in _pages(session, registry, round_id, lang):
        for applicant, states, _, summary in page:
            reasons = incomplete_reasons(states, codes, applicant.stopped, standing.named(applicant))
            degrees = "; ".join(f"{d.code} {d.name_nb if lang != 'en' else d.name_en} ({level_label(d.level, lang)}, "
                                f"{d.award_date.isoformat()}, {d.institution_name}, {d.institution})"
                                for d in summary.degrees)
            courses = "; ".join(f"{c.institution} {c.code} {c.term} {c.credits} {c.grade}" for c in summary.courses)
            why = " ".join(reason_text(r, roster.institution_name(registry, r.institution or "", lang), lang)
                           for r in reasons)
            out.writerow([applicant.line_no, applicant.national_id, applicant.reference, applicant.status.value,
                          no if reasons else yes, why, degrees, summary.total_credits,
                          *(summary.credits_by_level.get(lvl, Decimal(0)) for lvl in LEVEL_COLUMNS), courses])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def applicant_json(applicant: Applicant, fetches: list[Fetch], summary: Summary, codes: list[str],
                   registry: Registry, lang: Language) -> dict[str, Any]:
    states = {f.institution_code: FetchState(f.state, f.outcome, f.next_attempt_at) for f in fetches}
    reasons = incomplete_reasons(states, codes, applicant.stopped, standing.named(applicant))
    return {
        "line": applicant.line_no, "national_id": applicant.national_id, "reference": applicant.reference,
        "status": applicant.status.value, "stopped": applicant.stopped.value if applicant.stopped else None,
        "complete": not reasons,
        "incomplete": [{"reason": r.code, "institution": r.institution,
                        "text": reason_text(r, roster.institution_name(registry, r.institution or "", lang), lang),
                        "next_attempt_at": r.next_attempt_at.isoformat() if r.next_attempt_at else None}
                       for r in reasons],
        "total_credits": _number(summary.total_credits),
        "credits_by_level": {k: _number(v) for k, v in summary.credits_by_level.items()},
        "degrees": [{"institution": d.institution, "institution_name": d.institution_name, "code": d.code,
                     "name_nb": d.name_nb, "name_en": d.name_en,
                     "level": d.level, "award_date": d.award_date.isoformat(), "credits": _number(d.credits)}
                    for d in summary.degrees],
        "courses": [{"institution": c.institution, "institution_name": c.institution_name, "code": c.code,
                     "name_nb": c.name_nb, "name_en": c.name_en,
                     "term": c.term, "credits": _number(c.credits), "grade": c.grade, "level": c.level}
                    for c in summary.courses],
        "not_covered": list(summary.not_covered),
        "answers": [{"institution": f.institution_code, "outcome": f.outcome, "state": f.state.value,
                     "attempts": f.attempts, "results": f.results_count, "qualifications": f.qualifications_count}
                    for f in fetches],
    }


def export_json(session: Session, registry: Registry, round_id: int, *, lang: Language,
                now: datetime) -> Iterator[str]:
    """The round as one JSON document ``{"round": {...}, "applicants": [...]}``, streamed."""
    progress = standing.round_progress(session, round_id, now)
    round_ = service.get_round(session, round_id)
    codes = service.round_institutions(round_)
    head = {"id": round_id, "name": progress.name, "kind": progress.kind.value, "status": progress.status.value,
            "requester": round_.requester, "institutions": codes, "applicants": progress.applicants,
            "done": progress.done, "complete": progress.complete, "lines_rejected": progress.lines_rejected,
            "created_at": progress.created_at.isoformat(), "exported_at": now.isoformat()}
    yield '{"round": ' + json.dumps(head, ensure_ascii=False) + ', "applicants": ['
    first = True
    for page in _pages(session, registry, round_id, lang):
        parts = [json.dumps(applicant_json(a, fetches, summary, codes, registry, lang), ensure_ascii=False)
                 for a, _, fetches, summary in page]
        yield ("" if first else ", ") + ", ".join(parts)
        first = False
    yield "]}\n"
