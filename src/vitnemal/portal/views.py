"""What the results pages show, typed: institutions with their qualifications, other courses and language tests
(the owner's page, the recipient's, the EMREX pages), and who has fetched the owner's results. Course and
qualification rows stay the institutions' own mappings (every key the node sent), with credits and dates written
for people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_date

from vitnemal.portal import rules
from vitnemal.portal.fetch import FetchView
from vitnemal.portal.texts import credits_text
from vitnemal.web.i18n import babel_locale
from vitnemal.web.templating import gettext_for

LEVEL_ORDER = {"phd": 0, "master": 1, "bachelor": 2}


@dataclass(frozen=True)
class LanguageTestRow:
    """One part of a language test: its latest and its best passed result (``same`` when they are one sitting)."""

    code: str
    name: str
    latest: dict[str, Any]
    best: dict[str, Any]
    same: bool


@dataclass(frozen=True)
class InstitutionView:
    code: str
    name: str
    quals: list[dict[str, Any]]
    others: list[dict[str, Any]]
    tests: list[LanguageTestRow]
    fetched_at: datetime | None


@dataclass(frozen=True)
class DisclosureRow:
    """One fetch of the owner's results in an institution's log, as "Who has fetched my results" lists it."""

    at: datetime
    institution: str
    who: str
    basis: str
    what: str


def institutions_view(items: list[dict[str, Any]], lang: str) -> list[InstitutionView]:
    """Institutions as the templates show them: qualifications (highest level first) with courses, then the rest."""
    out = []
    for inst in items:
        quals, others = rules.split_courses(inst)
        for q in quals:
            q["award_date"] = format_date(date.fromisoformat(str(q["award_date"])), "long", locale=babel_locale(lang))
            q["credits"] = credits_text(str(q["credits"]), lang)
            q["course_rows"] = [_row(r, lang) for r in q["course_rows"]]
        others = [_row(r, lang) for r in others]
        tests = [LanguageTestRow(p.code, p.name_en if lang == "en" else p.name_nb, _row(p.latest, lang),
                                 _row(p.best, lang), p.latest["key"] == p.best["key"])
                 for p in rules.language_test_parts(inst.get("results", ()))]
        quals.sort(key=lambda q: (LEVEL_ORDER.get(str(q.get("level")), 9), str(q["award_date"])))
        fetched = inst.get("fetched_at")
        out.append(InstitutionView(str(inst["code"]), str(inst["name"]), quals, others, tests,
                                   datetime.fromisoformat(fetched) if isinstance(fetched, str) else fetched))
    return out


def disclosures_view(view: FetchView, lang: str) -> list[DisclosureRow]:
    """Who has fetched the owner's results, as the page lists them (newest first)."""
    _ = gettext_for(lang)
    names = {i.code: i.name for i in view.institutions}
    rows = []
    for d in view.disclosures():
        try:
            at = datetime.fromisoformat(str(d["at"]))
        except ValueError:
            continue
        own = d.get("basis") == "owner_login"
        requester = str(d.get("requester") or "")
        rows.append(DisclosureRow(
            at=at, institution=str(d["institution_name"]),
            who=_("You, through Vitnemålsportalen") if own else str(
                d.get("requester_name_en" if lang == "en" else "requester_name_nb") or names.get(requester, requester)),
            basis=_("Your login") if own else _("Your consent"),
            what=_("The diploma the institution issued (you shared it)") if d.get("document_id") else
            str(_("%(results)s results, %(qualifications)s qualifications")) % {
                "results": d.get("results_count", 0), "qualifications": d.get("qualifications_count", 0)},
        ))
    return rows


def _row(result: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A course row as shown: credits as people write them ("10", "7,5"), the rest as the institution sent it."""
    return {**result, "credits": credits_text(str(result["credits"]), lang)}
