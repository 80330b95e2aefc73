"""A share's snapshot as ELMO XML (EMREX), embedded in the recipient's PDF; valid against the official schema.

One ``report`` per institution (its issuer: country NO, institution number, names in bokmål and English); each
qualification is a "Degree Programme" with its courses as ``hasPart``, each other course a "Course" of its own. A
recognised course ("innpasset") carries "Innpasset"/"Recognized" as its result label. The learner carries the name
and birth date; the national id only when the caller says the receiver is entitled to it (an EMREX client
registered so), never in a share's PDF. A signed PDF may go along as the document's "EMREX transcript"
attachment (EMREX hands one over with every ELMO). The element helpers and the schema are
:mod:`vitnemal.interop.elmo`'s; signing is :mod:`vitnemal.interop.elmo_sign`'s.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from lxml import etree

from vitnemal.interop.elmo import LEVELS, NS, SCHEMES, XML_LANG, _el, _titled
from vitnemal.portal import rules
from vitnemal.portal.texts import credits_text, term_text

_SCHEME_TEXT = {"A-F": "Graded scale A–E (pass) and F (fail)", "pass-fail": "Pass/fail",
                "recognised": "Recognized from another institution / Innpasset fra en annen institusjon"}
# What a recognised course shows instead of a grade, by the document's language.
RECOGNISED_LABEL = {"nb": "Innpasset", "nn": "Innpassa", "en": "Recognized", "se": "Innpasset"}
RECOGNISED_GRADES = frozenset({"innpasset", "innpassa", "recognized", "recognised", "godkjent"})


def is_recognised(result: Mapping[str, Any]) -> bool:
    """A course the institution recognised from elsewhere (its scale says so, or its "grade" is the word)."""
    return result.get("grading_scale") == "recognised" or str(result.get("grade", "")).lower() in RECOGNISED_GRADES


def _scheme(result: Mapping[str, Any]) -> str:
    return "recognised" if is_recognised(result) else SCHEMES.get(str(result.get("grading_scale")), "A-F")


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
    _el(loi, "gradingSchemeLocalId", _scheme(result))
    _el(loi, "resultLabel", RECOGNISED_LABEL.get(lang, "Recognized") if is_recognised(result) else str(result["grade"]))
    credit = _el(loi, "credit")
    _el(credit, "scheme", "ects")
    _el(credit, "value", credits_text(str(result["credits"]), "en"))


def _report(root: Any, institution: Mapping[str, Any], lang: str, issued: str) -> None:
    quals, others = rules.split_courses(institution)
    report = _el(root, "report")
    issuer = _el(report, "issuer")
    _el(issuer, "country", "NO")
    _el(issuer, "identifier", str(institution["code"]), type="no-institution-number")
    if institution.get("schac"):
        _el(issuer, "identifier", str(institution["schac"]), type="schac")
    _titled(issuer, "title", [(str(institution["name"]), "nb"),
                              (str(institution.get("name_en") or institution["name"]), "en")])
    _el(issuer, "url", str(institution.get("url") or ""))
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
    used = sorted({_scheme(r) for r in institution.get("results", ())})
    for scheme in used:
        _el(_el(report, "gradingScheme", localId=scheme), "description",
            _SCHEME_TEXT.get(scheme, scheme)).set(XML_LANG, "en")


def snapshot_to_elmo(snapshot: Sequence[Mapping[str, Any]], *, name: str, birth_date: date | None, lang: str,
                     generated_at: datetime, national_id: str | None = None, pdf: bytes | None = None,
                     pdf_title: str = "Vitnemålsportalen") -> bytes:
    """The shared results as ELMO XML (UTF-8, with declaration); a pure function of its arguments.

    ``snapshot`` is a share's (institutions as :func:`vitnemal.portal.rules.select_snapshot` returns them; an
    institution may also carry ``name_en``, ``schac`` and ``url`` for its issuer). ``national_id`` is written only
    when given; ``pdf`` becomes the "EMREX transcript" attachment (``data:application/pdf;base64,…``).
    """
    root = etree.Element(f"{{{NS}}}elmo", nsmap={None: NS})
    issued = generated_at.astimezone(UTC).isoformat(timespec="seconds")
    _el(root, "generatedDate", issued)
    learner = _el(root, "learner")
    if national_id:
        _el(learner, "identifier", national_id, type="nationalIdentifier")
    given, family = split_name(name)
    _el(learner, "givenNames", given)
    _el(learner, "familyName", family)
    if birth_date is not None:
        _el(learner, "bday", birth_date.isoformat())
    for institution in snapshot:
        _report(root, institution, lang, issued)
    if pdf is not None:
        attachment = _el(root, "attachment")
        _el(attachment, "title", pdf_title).set(XML_LANG, lang)
        _el(attachment, "type", "EMREX transcript")
        _el(attachment, "content", "data:application/pdf;base64," + base64.b64encode(pdf).decode("ascii"))
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml
