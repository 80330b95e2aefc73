"""What the admissions officer's pages show, as plain data: the admission's texts (``admissions.texts``) applied to
the services' dataclasses, so the page, its live update (JSON) and a reload say the same. No I/O."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from vitnemal.admissions.models import RoundStatus
from vitnemal.admissions.roster import ApplicantRow, ApplicantView
from vitnemal.admissions.rules import Reason, Summary
from vitnemal.admissions.service import RoundRow
from vitnemal.admissions.standing import Progress
from vitnemal.admissions.texts import level_label, outcome_text, reason_text, status_label
from vitnemal.diplomas.diploma_set import Term
from vitnemal.diplomas.texts import term_label
from vitnemal.exchange.states import OutcomeState
from vitnemal.i18n import Language, long_date, show_time

ONLY_DEFAULT = "incomplete"


def percent(done: int, total: int) -> int:
    return 100 if total == 0 else min(100, done * 100 // total)


def round_row(row: RoundRow, lang: Language) -> dict[str, Any]:
    return {"id": row.round_id, "name": row.name, "kind": row.kind.value, "status": row.status.value,
            "status_text": status_label(row.status, lang), "created_at": row.created_at,
            "applicants": row.applicants, "done": row.done, "percent": percent(row.done, row.applicants),
            "live": row.status is RoundStatus.RUNNING}


def progress_view(p: Progress, lang: Language) -> dict[str, Any]:
    """The round's progress for the page and for ``progress.json`` (times already as the officer reads them)."""
    return {
        "id": p.round_id, "status": p.status.value, "status_text": status_label(p.status, lang),
        "live": p.status is RoundStatus.RUNNING, "applicants": p.applicants, "done": p.done,
        "complete": p.complete, "incomplete": p.done - p.complete, "waiting": p.waiting, "running": p.running,
        "queued": p.queued, "stopped": p.stopped, "percent": percent(p.done, p.applicants),
        "per_minute": f"{p.per_minute:.1f}",
        "expected_finish": show_time(p.expected_finish, lang) if p.expected_finish else "",
        "next_retry": show_time(p.next_retry_at, lang) if p.next_retry_at else "",
        "outcomes": dict(sorted(p.outcomes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "lines_total": p.lines_total, "lines_rejected": p.lines_rejected,
    }


def _reasons(reasons: list[Reason], names: dict[str, str], lang: Language) -> list[str]:
    return [reason_text(r, names.get(r.institution or "", r.institution or ""), lang) for r in reasons]


def applicant_row(row: ApplicantRow, names: dict[str, str], lang: Language) -> dict[str, Any]:
    return {"id": row.applicant_id, "line_no": row.line_no, "national_id": row.national_id,
            "reference": row.reference or "", "status": row.status.value, "complete": row.complete,
            "imported_from": row.imported_from, "why": _reasons(row.reasons, names, lang)}


def _credits(value: Decimal) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _term(year: int, season: str, lang: Language) -> str:
    # The records' own words ("2020 VÅR") only for a season the diplomas would not name either.
    try:
        return term_label(Term.of(year, season), lang)
    except ValueError:
        return f"{year} {season}"


def summary_view(s: Summary, names: dict[str, str], lang: Language) -> dict[str, Any]:
    """Degrees with level and date, credits per level and in all, courses with grade (the admission's reading)."""
    en = lang == "en"
    return {
        # Each line by its institution's name of the day (a merged institution's former name), not today's.
        "degrees": [{"institution": d.institution_name, "code": d.code,
                     "name": d.name_en if en else d.name_nb, "level": level_label(d.level, lang),
                     "award_date": long_date(d.award_date, lang), "credits": _credits(d.credits)} for d in s.degrees],
        "credits_by_level": [(level_label(level, lang), _credits(c)) for level, c in s.credits_by_level.items()],
        "total_credits": _credits(s.total_credits),
        "courses": [{"institution": c.institution_name, "code": c.code,
                     "name": c.name_en if en else c.name_nb, "term": _term(c.year, c.season, lang),
                     "credits": _credits(c.credits),
                     "grade": c.grade, "level": level_label(c.level, lang)} for c in s.courses],
        "not_covered": [names.get(code, code) for code in s.not_covered],
    }


def applicant_view(v: ApplicantView, names: dict[str, str], lang: Language) -> dict[str, Any]:
    answers = []
    for f in v.fetches:
        name = names.get(f.institution, f.name)
        if f.state is None or f.outcome is None:
            text = reason_text(Reason("not_asked", f.institution), name, lang)
        else:
            text = outcome_text(name=name, outcome=f.outcome, state=f.state, results=f.results,
                                degrees=f.qualifications, attempts=f.attempts, next_attempt_at=f.next_attempt_at,
                                lang=lang)
        tone = ("neutral" if f.state is None else "warning" if f.state is OutcomeState.RETRY
                else "success" if f.outcome == "imported" else "info")
        answers.append({"institution": name, "text": text, "tone": tone})
    name = " ".join(n for n in (v.first_name, v.last_name) if n)
    return {"row": applicant_row(v.row, names, lang), "name": name, "answers": answers,
            "summary": summary_view(v.summary, names, lang)}


def when(moment: datetime | None, lang: Language) -> str:
    return show_time(moment, lang) if moment else ""
