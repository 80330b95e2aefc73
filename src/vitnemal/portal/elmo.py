"""A share's snapshot as ELMO XML (EMREX), embedded in the recipient's PDF; valid against the official schema.

One ``report`` per institution (its issuer: country NO, institution number, names in bokmål and English); each
qualification is a "Degree Programme" with its courses as ``hasPart``, each other course a "Course" of its own. A
recognised course ("innpasset") carries "Innpasset"/"Recognized" as its result label. The learner carries the name
and birth date; the national id only when the caller says the receiver is entitled to it (an EMREX client
registered so), never in a share's PDF. A signed PDF may go along as the document's "EMREX transcript"
attachment (EMREX hands one over with every ELMO). The writer is
:mod:`vitnemal.interop.elmo_writer`'s (text, not lxml elements: it is the portal's EMREX export, made many times a
second); the schema is :mod:`vitnemal.interop.elmo`'s; signing is :mod:`vitnemal.interop.elmo_sign`'s.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from vitnemal.interop.elmo import LEVELS, SCHEMES
from vitnemal.interop.elmo_writer import ElmoWriter, text, titles
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


# One course, the part of every export repeated most: filled with escaped values in one go (see elmo_writer).
_COURSE = """
<learningOpportunitySpecification>
<identifier type="local">{code}</identifier>{titles}
<type>Course</type>{description}
<specifies>
<learningOpportunityInstance>
<academicTerm>{term}
<start>{start}</start>
<end>{end}</end>
</academicTerm>
<status>passed</status>
<gradingSchemeLocalId>{scheme}</gradingSchemeLocalId>
<resultLabel>{label}</resultLabel>
<credit>
<scheme>ects</scheme>
<value>{credits}</value>
</credit>
</learningOpportunityInstance>
</specifies>
</learningOpportunitySpecification>"""


def _course(w: ElmoWriter, result: Mapping[str, Any], lang: str) -> None:
    year, season = int(result["year"]), str(result["season"])
    recognised = is_recognised(result)
    thesis = result.get("thesis_title")
    w.raw(_COURSE.format(
        code=text(str(result["course_code"])),
        titles=titles("title", [(str(result["name_nb"]), "nb"), (str(result["name_en"] or result["name_nb"]), "en")]),
        description=f'\n<description xml:lang="nb">{text(str(thesis))}</description>' if thesis else "",
        term=titles("title", [(term_text(year, season, lang), lang), (term_text(year, season, "en"), "en")]),
        start=date(year, 1 if season == "VÅR" else 8, 1).isoformat(),
        end=rules.term_day(year, season).isoformat(),
        scheme="recognised" if recognised else SCHEMES.get(str(result.get("grading_scale")), "A-F"),
        label=text(RECOGNISED_LABEL.get(lang, "Recognized") if recognised else str(result["grade"])),
        credits=text(credits_text(str(result["credits"]), "en"))))


def _report(w: ElmoWriter, institution: Mapping[str, Any], lang: str, issued: str) -> None:
    quals, others = rules.split_courses(institution)
    w.start("report")
    w.start("issuer")
    w.leaf("country", "NO")
    w.leaf("identifier", str(institution["code"]), type="no-institution-number")
    if institution.get("schac"):
        w.leaf("identifier", str(institution["schac"]), type="schac")
    w.titled("title", [(str(institution["name"]), "nb"),
                       (str(institution.get("name_en") or institution["name"]), "en")])
    w.leaf("url", str(institution.get("url") or ""))
    w.end()
    for q in quals:
        w.start("learningOpportunitySpecification")
        w.leaf("identifier", str(q["code"]), type="local")
        w.titled("title", [(str(q["name_nb"]), "nb"), (str(q["name_en"] or q["name_nb"]), "en")])
        w.leaf("type", "Degree Programme")
        w.start("specifies")
        w.start("learningOpportunityInstance")
        w.leaf("date", str(q["award_date"]))
        w.leaf("status", "passed")
        if q.get("level") in LEVELS:
            for kind in ("EQF", "NQF"):
                w.start("level")
                w.leaf("type", kind)
                w.leaf("value", LEVELS[str(q["level"])])
                w.end()
        w.end()
        w.end()
        for row in q["course_rows"]:
            w.start("hasPart")
            _course(w, row, lang)
            w.end()
        w.end()
    for row in others:
        _course(w, row, lang)
    w.leaf("issueDate", issued)
    used = sorted({_scheme(r) for r in institution.get("results", ())})
    for scheme in used:
        w.start("gradingScheme", localId=scheme)
        w.leaf("description", _SCHEME_TEXT.get(scheme, scheme), "en")
        w.end()
    w.end()


def snapshot_to_elmo(snapshot: Sequence[Mapping[str, Any]], *, name: str, birth_date: date | None, lang: str,
                     generated_at: datetime, national_id: str | None = None, pdf: bytes | None = None,
                     pdf_title: str = "Vitnemålsportalen") -> bytes:
    """The shared results as ELMO XML (UTF-8, with declaration); a pure function of its arguments.

    ``snapshot`` is a share's (institutions as :func:`vitnemal.portal.rules.select_snapshot` returns them; an
    institution may also carry ``name_en``, ``schac`` and ``url`` for its issuer). ``national_id`` is written only
    when given; ``pdf`` becomes the "EMREX transcript" attachment (``data:application/pdf;base64,…``).
    """
    w = ElmoWriter()
    issued = generated_at.astimezone(UTC).isoformat(timespec="seconds")
    w.leaf("generatedDate", issued)
    w.start("learner")
    if national_id:
        w.leaf("identifier", national_id, type="nationalIdentifier")
    given, family = split_name(name)
    w.leaf("givenNames", given)
    w.leaf("familyName", family)
    if birth_date is not None:
        w.leaf("bday", birth_date.isoformat())
    w.end()
    for institution in snapshot:
        _report(w, institution, lang, issued)
    if pdf is not None:
        w.start("attachment")
        w.leaf("title", pdf_title, lang)
        w.leaf("type", "EMREX transcript")
        # base64 needs no escaping: written as it is (escaping 80 KB of it took a tenth of the export)
        w.raw("\n<content>data:application/pdf;base64," + base64.b64encode(pdf).decode("ascii") + "</content>")
        w.end()
    return w.finish()
