"""What an ELMO file from elsewhere becomes in Person eksternstudium (issue 10 #6): pure rules, no I/O.

Each ELMO ``report`` (one issuer) becomes one external-study record beside the ones the Norwegian exchange fetches,
under a code of its own made from the issuer's identifiers (so the same issuer's next file updates the record, and a
fetch from a Norwegian node never mixes with it); its name is the issuer's. The results are what the record already
holds for a Norwegian source, filled from the file:

* an item with a grade (``resultLabel``) that is not a "Degree Programme" is a result: its code (the issuer's
  "local" id, else the first), titles (nb, else no/nn, else en, else any; and en), term (VÅR when the term or the
  result starts January–July, HØST otherwise, as the Norwegian terms are written), ECTS credits, and the grade and
  the grading scheme's id exactly as written; its own parts (classes of a course) are not results of their own;
* an item without a grade (a "Module Group", a module that only groups courses) is a heading: its parts are read
  and the heading travels with their link to the qualification;
* a "Degree Programme" is a qualification with its award date, credits and EQF level (6 bachelor, 7 master, 8 PhD),
  linked to the results under it;
* what is failed or still in progress is not imported (the Norwegian exchange brings passed results only): it is
  counted and said.

What cannot be kept as it is (a code longer than the register holds, credits with more than one decimal, a result
with no term or date at all) refuses the whole file, naming the line and the element. The learner must be the
person the file is imported for: a Norwegian national id in the file must be one of the person's (now or before),
the birth date must be theirs (when both have one), and the given and the family name must each share a word.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from vitnemal.exchange.outcomes import ImportedLink, ImportedQualification, ImportedResult
from vitnemal.identity.national_id import mod11_check_digits
from vitnemal.interop.elmo_import import ElmoRefused, ImportedElmo, ImportedItem, ImportedReport, in_language

DEGREE = "Degree Programme"
LEVELS = {"6": "bachelor", "7": "master", "8": "phd"}
MAX_CODE = 30  # ExternalResult.course_code / ExternalQualification.code
MAX_NAME = 300
MAX_HEADING = 200  # ExternalQualificationCourse.group_heading_nb/en
MAX_GRADE = 100
MAX_CREDITS = Decimal("9999.9")
_ISSUER_IDS = ("schac", "erasmus", "pic", "no-institution-number", "local")


@dataclass(frozen=True)
class ForeignSource:
    """One report of the file, ready for :func:`vitnemal.exchange.importer.import_answer`."""

    source_code: str
    source_name: str
    country: str | None
    identifiers: tuple[tuple[str, str], ...]
    schemes: dict[str, dict[str, str]]  # grading scheme id -> its description by language
    results: tuple[ImportedResult, ...]
    qualifications: tuple[ImportedQualification, ...]
    not_passed: int  # failed or in progress: not imported


def source_code(report: ImportedReport) -> str:
    """"E" and nine hex digits of the issuer's most stable identifier (SCHAC, Erasmus, PIC, the Norwegian number,
    its own; else its name): the same issuer gets the same record from file to file, and no Norwegian institution
    code (digits) looks like it."""
    by_type = {kind.lower(): value for kind, value in report.issuer_identifiers if value}
    key = next((f"{kind}:{by_type[kind]}" for kind in _ISSUER_IDS if kind in by_type), None)
    if key is None:
        key = "name:" + (in_language(report.issuer_titles, "en") or repr(sorted(report.issuer_identifiers)))
    return "E" + hashlib.sha256(key.encode()).hexdigest()[:9].upper()


def _fold(text: str) -> set[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return set("".join(c for c in decomposed if not unicodedata.combining(c)).replace("-", " ").split())


def _norwegian_ids(elmo: ImportedElmo) -> set[str]:
    """The learner's national ids in the file that are Norwegian ones: eleven digits whose check digits hold, or
    any eleven digits of a learner the file says is Norwegian (a Polish PESEL is eleven digits too)."""
    found = set()
    for kind, value in elmo.learner.identifiers:
        digits = "".join(value.split())
        if kind.lower() != "nationalidentifier" or len(digits) != 11 or not digits.isdigit():
            continue
        if (elmo.learner.citizenship or "").upper() == "NO" or mod11_check_digits(digits[:9]) == (
                int(digits[9]), int(digits[10])):
            found.add(digits)
    return found


def learner_mismatch(elmo: ImportedElmo, *, first_name: str, last_name: str, birth_date: date | None,
                     national_ids: Collection[str] = ()) -> bool:
    """True when the file's learner is not the person: a Norwegian national id in the file that is none of the
    person's (now or before), another birth date, or a given name or a family name with no word in common."""
    learner = elmo.learner
    written = _norwegian_ids(elmo)
    if written and not written & set(national_ids):
        return True  # a twin with the same birth date and family name is told apart by the id
    if learner.birth_date is not None and birth_date is not None and learner.birth_date != birth_date:
        return True
    for theirs, ours in ((learner.given_names, first_name), (learner.family_name, last_name)):
        if _fold(theirs) and _fold(ours) and not _fold(theirs) & _fold(ours):
            return True
    return False


def _too_long(item: ImportedItem, element: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise ElmoRefused("too_long", line=item.line or "?", element=element, value=value[:40], limit=limit)


def _credits(item: ImportedItem) -> Decimal:
    value = item.ects if item.ects is not None else Decimal(0)
    if value != value.quantize(Decimal("0.1")) or not Decimal(0) <= value <= MAX_CREDITS:
        raise ElmoRefused("credits", line=item.line or "?", value=str(value))
    return value.quantize(Decimal("0.1"))


def _term(item: ImportedItem, fallback: date | None) -> tuple[int, str]:
    day = item.term_start or item.date or item.term_end or fallback
    if day is None:
        raise ElmoRefused("no_term", line=item.line or "?", code=item.code or in_language(item.titles, "en"))
    return day.year, "VÅR" if day.month <= 7 else "HØST"


def _names(item: ImportedItem) -> tuple[str, str]:
    name_nb, name_en = in_language(item.titles, "nb"), in_language(item.titles, "en")
    for value in (name_nb, name_en):
        _too_long(item, "title", value, MAX_NAME)
    return name_nb, name_en


def _code(item: ImportedItem) -> str:
    code = (item.code or "").strip()
    _too_long(item, "identifier", code, MAX_CODE)
    return code


def _passed(item: ImportedItem) -> bool:
    return (item.status or "passed").strip() == "passed"  # the schema: no status means passed


@dataclass
class _Reading:
    issued: date | None
    results: list[ImportedResult]
    keys: set[str]
    not_passed: int = 0

    def result(self, item: ImportedItem) -> ImportedResult:
        code = _code(item)
        year, season = _term(item, self.issued)
        grade = (item.grade or "").strip()
        _too_long(item, "resultLabel", grade, MAX_GRADE)
        _too_long(item, "gradingSchemeLocalId", item.scheme or "", MAX_GRADE)
        name_nb, name_en = _names(item)
        base = f"{code or hashlib.sha256(name_en.encode()).hexdigest()[:12]}|{year}|{season}"
        key, n = base, 1
        while key in self.keys:  # the same course twice in one term (a retake): both kept
            n += 1
            key = f"{base}|{n}"
        self.keys.add(key)
        made = ImportedResult(key=key, course_code=code, name_nb=name_nb, name_en=name_en, kind="course",
                              thesis_title=None, year=year, season=season, credits=_credits(item), grade=grade,
                              grading_scale=item.scheme or "", description_nb=None, description_en=None)
        self.results.append(made)
        return made

    def walk(self, items: tuple[ImportedItem, ...], group: tuple[str, str] | None) -> Iterator[ImportedLink]:
        """The results under ``items`` (read into ``self.results``), as links for the qualification above them."""
        for item in items:
            if item.kind == DEGREE:
                continue  # a degree inside a degree is read as a qualification of its own by the caller
            if (item.grade is None or not item.grade.strip()) and item.parts:
                heading = (in_language(item.titles, "nb"), in_language(item.titles, "en"))
                for text in heading:  # the link's heading: no longer than the record keeps
                    _too_long(item, "title", text, MAX_HEADING)
                yield from self.walk(item.parts, heading)
                continue
            if not _passed(item):
                self.not_passed += 1
                continue
            made = self.result(item)
            yield ImportedLink(made.key, group[0] if group else None, group[1] if group else None, None)


def _degrees(items: tuple[ImportedItem, ...]) -> Iterator[ImportedItem]:
    for item in items:
        if item.kind == DEGREE:
            yield item
        yield from _degrees(item.parts)


def _qualification(item: ImportedItem, links: tuple[ImportedLink, ...], credits: Decimal,
                   issued: date | None) -> ImportedQualification:
    code = _code(item)
    name_nb, name_en = _names(item)
    awarded = item.date or item.term_end or issued
    if awarded is None:
        raise ElmoRefused("no_term", line=item.line or "?", code=code or name_en)
    level = next((LEVELS[v] for kind, v in item.levels if kind.upper() == "EQF" and v in LEVELS), "other")
    return ImportedQualification(
        key=code or hashlib.sha256(name_en.encode()).hexdigest()[:12], code=code, name_nb=name_nb, name_en=name_en,
        level=level, programme_name_nb=None, programme_name_en=None, specialisation_nb=None, specialisation_en=None,
        credits=credits, award_date=awarded, diploma_issued_on=None, links=links)


def foreign_sources(elmo: ImportedElmo) -> list[ForeignSource]:
    """Every report of ``elmo`` as a record's results and qualifications (see the module docstring)."""
    out = []
    for report in elmo.reports:
        issued = report.issue_date.date() if report.issue_date else None
        reading = _Reading(issued, [], set())
        qualifications: list[ImportedQualification] = []
        for item in report.items:
            if item.kind != DEGREE:
                list(reading.walk((item,), None))
        for degree in _degrees(report.items):
            before = len(reading.results)
            links = tuple(reading.walk(degree.parts, None))
            if not _passed(degree):
                reading.not_passed += 1
                continue
            summed = sum((r.credits for r in reading.results[before:]), Decimal(0))
            credits = _credits(degree) if degree.ects is not None else summed
            qualifications.append(_qualification(degree, links, credits, issued))
        name = in_language(report.issuer_titles, "nb")
        if len(name) > 200:
            raise ElmoRefused("too_long", line="?", element="issuer/title", value=name[:40], limit=200)
        schemes = {i.scheme: dict(i.scheme_texts) for i in report.items_all() if i.scheme and i.scheme_texts}
        out.append(ForeignSource(source_code(report), name or source_code(report), report.country,
                                 report.issuer_identifiers, schemes, tuple(reading.results),
                                 tuple(qualifications), reading.not_passed))
    return out
