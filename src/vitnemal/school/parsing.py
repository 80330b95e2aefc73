"""Build a :class:`~vitnemal.school.model.Certificate` from one pupil's loose data (a JSON object, or a CSV row
already shaped like one by :mod:`vitnemal.school.importer`), checking every rule on the way.

The shape (documented with examples in ``docs/school.md``)::

    {"id": "p1", "name": "Kari Nordmann", "birth_date": "2010-03-14", "school": "Eksempel skole",
     "final": {"norsk muntlig": "4", "musikk": "IV", "norsk sidemål skriftlig": "fritatt", ...},
     "electives": ["5", "4"],             # or [{"name": "Programmering", "grade": "5"}, ...]
     "exams": {"matematikk skriftlig": "3", "engelsk muntlig": "4"},
     "order": "G", "conduct": "NG",
     "absence": {"8": {"days": 2, "hours": 5, "excluded_days": 0}, "9": {...}, "10": {...}},
     "iop": false, "iop_on_certificate": false, "remarks": ["..."],
     "place": "Bergen", "date": "2026-06-19", "principal": "...", "contact_teacher": "..."}

Pure: no I/O. Every problem in reading the data is reported at once, not only the first; when the data reads
cleanly, every broken rule is reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache

from vitnemal.school.model import (
    Absence,
    Behaviour,
    Certificate,
    Elective,
    Exam,
    FinalGrade,
    Pupil,
    Signatures,
    Subject,
)
from vitnemal.school.names import (
    CONDUCT,
    ORDER,
    UnknownName,
    parse_behaviour,
    parse_grade,
    resolve_exam,
    resolve_final,
)
from vitnemal.school.rules import Problem, check_certificate, check_issuable

_FIELD_ALIASES = {
    "orden": "order",
    "atferd": "conduct",
    "åtferd": "conduct",
    "oppførsel": "conduct",
    "valgfag": "electives",
    "standpunkt": "final",
    "eksamen": "exams",
    "exam": "exams",
    "fravær": "absence",
    "merknader": "remarks",
    "remark": "remarks",
    "sted": "place",
    "dato": "date",
    "issued_on": "date",
    "navn": "name",
    "fødselsdato": "birth_date",
    "skole": "school",
    "kommune": "municipality",
    "rektor": "principal",
    "kontaktlærer": "contact_teacher",
}


_SUBJECT_POSITION = {subject: position for position, subject in enumerate(Subject)}


# The field names parse_certificate reads, as the importer writes them.
_CANONICAL_FIELDS = frozenset({
    "id", "name", "birth_date", "school", "municipality", "final", "electives", "exams", "order", "conduct",
    "absence", "iop", "iop_on_certificate", "remarks", "place", "date", "principal", "contact_teacher",
    "signatures",
})


class InvalidCertificate(ValueError):
    """A pupil's data breaks the rules; ``problems`` lists every one, each saying what to do."""

    def __init__(self, problems: Sequence[Problem], pupil_id: str = "") -> None:
        self.problems = tuple(problems)
        self.pupil_id = pupil_id
        super().__init__("; ".join(str(p) for p in self.problems))


def parse_certificate(data: Mapping[str, object], *, issuable: bool = False) -> Certificate:
    """Return the validated certificate described by ``data``, or raise :class:`InvalidCertificate`.

    With ``issuable`` the checks for a printed certificate (name, orden, atferd) apply as well.
    """
    if not isinstance(data, Mapping):
        raise InvalidCertificate(
            [Problem("pupil", f"expected an object with the pupil's data, not {type(data).__name__}")]
        )
    if data.keys() <= _CANONICAL_FIELDS:  # a CSV row from the importer: nothing to rename
        fields = dict(data)
    else:
        fields = {
            _FIELD_ALIASES.get(str(key).strip().casefold(), str(key).strip().casefold()): value
            for key, value in data.items()
        }
    problems: list[Problem] = []
    pupil_id = _text(fields.get("id"))
    final, electives, order, conduct = _parse_final(fields.get("final"), problems)
    electives += _parse_electives(fields.get("electives"), problems)
    order = _parse_mark("order", fields.get("order"), problems) or order
    conduct = _parse_mark("conduct", fields.get("conduct"), problems) or conduct
    signatures = fields.get("signatures")
    if isinstance(signatures, Mapping):
        fields.setdefault("principal", signatures.get("principal"))
        fields.setdefault("contact_teacher", signatures.get("contact_teacher"))
    cert = Certificate(
        pupil=Pupil(
            id=pupil_id,
            name=_text(fields.get("name")),
            birth_date=_parse_date("birth_date", fields.get("birth_date"), problems),
            school=_text(fields.get("school")),
            municipality=_text(fields.get("municipality")),
        ),
        final_grades=tuple(final),
        electives=tuple(electives),
        exams=tuple(_parse_exams(fields.get("exams"), problems)),
        order=order,
        conduct=conduct,
        absence=tuple(_parse_absence(fields.get("absence"), problems)),
        individual_plan=_parse_flag("iop", fields.get("iop"), problems),
        individual_plan_on_certificate=_parse_flag("iop_on_certificate", fields.get("iop_on_certificate"), problems),
        remarks=_parse_remarks(fields.get("remarks")),
        place=_text(fields.get("place")),
        issued_on=_parse_date("date", fields.get("date"), problems),
        signatures=Signatures(_text(fields.get("principal")), _text(fields.get("contact_teacher"))),
    )
    if not problems:  # rule checks on a half-parsed certificate would only repeat the parse errors
        problems += check_issuable(cert) if issuable else check_certificate(cert)
    if problems:
        raise InvalidCertificate(problems, pupil_id)
    return cert


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _parse_final(
    value: object, problems: list[Problem]
) -> tuple[list[FinalGrade], list[Elective], Behaviour | None, Behaviour | None]:
    final: list[FinalGrade] = []
    electives: list[Elective] = []
    order: Behaviour | None = None
    conduct: Behaviour | None = None
    if value is None:
        return final, electives, order, conduct
    if not isinstance(value, Mapping):
        problems.append(Problem("final", 'expected an object of subject → grade, e.g. {"matematikk": "4"}'))
        return final, electives, order, conduct
    seen: dict[Subject, str] = {}
    for name, grade_value in value.items():
        if not _present(grade_value):
            continue
        try:
            line = _final_line(str(name), grade_value) if isinstance(grade_value, str) else None
            target = line.subject if line is not None else resolve_final(str(name))
            if isinstance(target, Subject):
                if target in seen:
                    problems.append(Problem(f"final.{name}", f"the same subject as {seen[target]!r}; give it once"))
                    continue
                seen[target] = str(name)
                final.append(line or FinalGrade(target, parse_grade(grade_value)))
            elif target == ORDER:
                order = parse_behaviour(grade_value)
            elif target == CONDUCT:
                conduct = parse_behaviour(grade_value)
            else:
                electives.append(Elective(parse_grade(grade_value)))
        except UnknownName as exc:
            problems.append(Problem(f"final.{name}", str(exc)))
    final.sort(key=lambda line: _SUBJECT_POSITION[line.subject])
    return final, electives, order, conduct


@lru_cache(maxsize=4096)
def _final_line(name: str, grade: str) -> FinalGrade | None:
    """Return the final-grade line a (subject, grade) cell pair means, or None when the name is not a subject.

    Cached: a county file repeats the same few hundred pairs. Raises :class:`UnknownName`.
    """
    target = resolve_final(name)
    return FinalGrade(target, parse_grade(grade)) if isinstance(target, Subject) else None


def _parse_electives(value: object, problems: list[Problem]) -> list[Elective]:
    if value is None or value == "":
        return []
    items: list[tuple[str, object]]
    if isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list | tuple):
        items = []
        for entry in value:
            if isinstance(entry, Mapping):
                items.append((_text(entry.get("name")), entry.get("grade")))
            else:
                items.append(("", entry))
    else:
        items = [("", value)]
    electives: list[Elective] = []
    for index, (name, grade_value) in enumerate(items, start=1):
        if not _present(grade_value):
            if name:
                problems.append(
                    Problem(f"electives.{index}", f"valgfag {name!r} has no grade; give 1–6, IV or fritatt")
                )
            continue
        try:
            electives.append(Elective(parse_grade(grade_value), name))
        except UnknownName as exc:
            problems.append(Problem(f"electives.{index}", str(exc)))
    return electives


def _parse_exams(value: object, problems: list[Problem]) -> list[Exam]:
    if value is None:
        return []
    pairs: list[tuple[str, object]]
    if isinstance(value, Mapping):
        pairs = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        pairs = []
        for entry in value:
            if not isinstance(entry, Mapping):
                problems.append(Problem("exams", f'expected {{"exam": ..., "grade": ...}}, not {entry!r}'))
                continue
            label = entry.get("exam") or f"{_text(entry.get('subject'))} {_text(entry.get('form'))}"
            pairs.append((str(label), entry.get("grade")))
    else:
        problems.append(Problem("exams", 'expected an object of exam → grade, e.g. {"matematikk skriftlig": "3"}'))
        return []
    exams: list[Exam] = []
    for label, grade_value in pairs:
        if not _present(grade_value):
            continue
        try:
            subject, form = resolve_exam(label)
            exams.append(Exam(subject, form, parse_grade(grade_value)))
        except UnknownName as exc:
            problems.append(Problem(f"exams.{label}", str(exc)))
    return exams


def _parse_mark(where: str, value: object, problems: list[Problem]) -> Behaviour | None:
    if not _present(value):
        return None
    try:
        return parse_behaviour(value)
    except UnknownName as exc:
        problems.append(Problem(where, str(exc)))
        return None


def _count(where: str, value: object, problems: list[Problem]) -> int:
    if type(value) is str and value.isascii() and value.isdigit():  # the common case: a number from a CSV cell
        return int(value)
    if not _present(value):
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdecimal():  # int() reads decimals only, not "²"
        return int(value.strip())
    problems.append(Problem(where, f"{value!r} is not a whole number (hours are never given as fractions of days)"))
    return 0


def _year(key: object) -> int | None:
    return _year_of_text(key) if isinstance(key, str) else _year_of_text(str(key))


@lru_cache(maxsize=256)
def _year_of_text(key: str) -> int | None:
    digits = "".join(ch for ch in str(key) if ch.isdecimal())
    return int(digits) if digits else None


def _parse_absence(value: object, problems: list[Problem]) -> list[Absence]:
    if value is None or value == "":
        return []
    entries: list[tuple[object, object]]
    if isinstance(value, Mapping):
        entries = list(value.items())
    elif isinstance(value, list):
        entries = [(e.get("year") if isinstance(e, Mapping) else None, e) for e in value]
    else:
        problems.append(Problem("absence", 'expected {"8": {"days": 0, "hours": 0}, "9": ..., "10": ...}'))
        return []
    result: list[Absence] = []
    for key, entry in entries:
        year = _year(key)
        if year is None or not isinstance(entry, Mapping):
            problems.append(Problem(f"absence.{key}", 'expected trinn (8, 9, 10) → {"days": .., "hours": ..}'))
            continue
        where = f"absence.{year}"
        result.append(
            Absence(
                year=year,
                days=_count(f"{where}.days", entry.get("days"), problems),
                hours=_count(f"{where}.hours", entry.get("hours"), problems),
                excluded_days=_count(f"{where}.excluded_days", entry.get("excluded_days"), problems),
            )
        )
    return sorted(result, key=lambda a: a.year)


_TRUE = {"true", "ja", "yes", "1", "x", "j", "y"}
_FALSE = {"false", "nei", "no", "0", "", "n"}


def _parse_flag(where: str, value: object, problems: list[Problem]) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    problems.append(Problem(where, f"{value!r} is not yes or no; use true/false (or ja/nei)"))
    return False


def _parse_remarks(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else str(value).split(" | ")
    return tuple(text for text in (_text(item) for item in items) if text)


def _parse_date(where: str, value: object, problems: list[Problem]) -> date | None:
    if not _present(value):
        return None
    text = str(value).strip()
    try:
        if "." in text:  # 19.06.2026, the Norwegian way
            day, month, year = (int(part) for part in text.split("."))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(where, f"{text!r} is not a date; use YYYY-MM-DD (or DD.MM.YYYY)"))
        return None
