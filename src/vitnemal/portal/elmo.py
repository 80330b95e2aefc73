"""A share's snapshot as ELMO XML (EMREX), embedded in the recipient's PDF; valid against the official schema.

One ``report`` per institution (its issuer: country NO, institution number, names); each qualification is a
"Degree Programme" with its courses as ``hasPart``, each other course a "Course" of its own. The learner carries
the name and birth date only: the national id is never shared, in the PDF or in its data. The element helpers and
the schema are :mod:`vitnemal.interop.elmo`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

from vitnemal.interop.elmo import LEVELS, NS, SCHEMES, XML_LANG, _el, _titled
from vitnemal.portal import rules
from vitnemal.portal.texts import credits_text, term_text

_SCHEME_TEXT = {"A-F": "Graded scale A–E (pass) and F (fail)", "pass-fail": "Pass/fail"}


def split_name(name: str) -> tuple[str, str]:
    """(given names, family name) of a full name as one line: the last word is the family name."""
    parts = name.split()
    if len(parts) < 2:
        return (name or "-", name or "-")
    return " ".join(parts[:-1]), parts[-1]


def _course(parent: Any, result: Mapping[str, Any], lang: str) -> None:
    los = _el(parent, "learningOpportunitySpecification")
    _el(los, "identifier", str(result["course_code"]), type="local")
    _titled(los, "title", [(str(result["name_nb"]), "nb"), (str(result["name_en"] or result["name_nb"]), "en")])
    _el(los, "type", "Course")
    if result.get("thesis_title"):
        _el(los, "description", str(result["thesis_title"])).set(XML_LANG, "nb")
    loi = _el(_el(los, "specifies"), "learningOpportunityInstance")
    year, season = int(result["year"]), str(result["season"])
    term = _el(loi, "academicTerm")
    _titled(term, "title", [(term_text(year, season, lang), lang), (term_text(year, season, "en"), "en")])
    spring = season == "VÅR"
    _el(term, "start", date(year, 1 if spring else 8, 1).isoformat())
    _el(term, "end", rules.term_day(year, season).isoformat())
    _el(loi, "status", "passed")
    _el(loi, "gradingSchemeLocalId", SCHEMES.get(str(result.get("grading_scale")), "A-F"))
    _el(loi, "resultLabel", str(result["grade"]))
    credit = _el(loi, "credit")
    _el(credit, "scheme", "ects")
    _el(credit, "value", credits_text(str(result["credits"]), "en"))


def _report(root: Any, institution: Mapping[str, Any], lang: str, issued: str) -> None:
    quals, others = rules.split_courses(institution)
    report = _el(root, "report")
    issuer = _el(report, "issuer")
    _el(issuer, "country", "NO")
    _el(issuer, "identifier", str(institution["code"]), type="no-institution-number")
    _titled(issuer, "title", [(str(institution["name"]), "nb")])
    _el(issuer, "url", "")
    for q in quals:
        degree = _el(report, "learningOpportunitySpecification")
        _el(degree, "identifier", str(q["code"]), type="local")
        _titled(degree, "title", [(str(q["name_nb"]), "nb"), (str(q["name_en"] or q["name_nb"]), "en")])
        _el(degree, "type", "Degree Programme")
        loi = _el(_el(degree, "specifies"), "learningOpportunityInstance")
        _el(loi, "date", str(q["award_date"]))
        _el(loi, "status", "passed")
        if q.get("level") in LEVELS:
            for kind in ("EQF", "NQF"):
                level = _el(loi, "level")
                _el(level, "type", kind)
                _el(level, "value", LEVELS[str(q["level"])])
        for row in q["course_rows"]:
            _course(_el(degree, "hasPart"), row, lang)
    for row in others:
        _course(report, row, lang)
    _el(report, "issueDate", issued)
    used = sorted({SCHEMES.get(str(r.get("grading_scale")), "A-F") for r in institution.get("results", ())})
    for scheme in used:
        _el(_el(report, "gradingScheme", localId=scheme), "description",
            _SCHEME_TEXT.get(scheme, scheme)).set(XML_LANG, "en")


def snapshot_to_elmo(snapshot: Sequence[Mapping[str, Any]], *, name: str, birth_date: date | None, lang: str,
                     generated_at: datetime) -> bytes:
    """The shared results as ELMO XML (UTF-8, with declaration); a pure function of its arguments."""
    root = etree.Element(f"{{{NS}}}elmo", nsmap={None: NS})
    issued = generated_at.astimezone(UTC).isoformat(timespec="seconds")
    _el(root, "generatedDate", issued)
    learner = _el(root, "learner")
    given, family = split_name(name)
    _el(learner, "givenNames", given)
    _el(learner, "familyName", family)
    if birth_date is not None:
        _el(learner, "bday", birth_date.isoformat())
    for institution in snapshot:
        _report(root, institution, lang, issued)
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml
