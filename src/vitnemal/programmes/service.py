"""Registering study programmes and admissions, and reading them back (services: take a session, never commit).

A programme is described by a :class:`ProgrammeSpec` (the columns of :class:`Programme`, checked by
:func:`problems` before anything is written), so the CLI, the demo generator and tests register programmes the same
way. Every check is a plain rule on the spec: the code's form, the names and the faculty present, the diploma's
language one of nb/nn/en, a nominal length, credits and NQF cycle in range, and every text bounded in length.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from vitnemal.audit.events import AuditAction
from vitnemal.audit.service import record_event
from vitnemal.programmes.models import Programme, ProgrammeAdmission
from vitnemal.records.refusals import P_, NotInRecords
from vitnemal.records.service import parse_credits

LANGUAGES = ("nb", "nn", "en")
CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,29}")
MAX_TEXT = 20_000  # characters of one information-page text: a page or two, never a book
# The short columns and their widths in the table (the rest are Text, bounded by MAX_TEXT).
_WIDTHS = {"name_nb": 300, "name_nn": 300, "name_en": 300, "faculty_nb": 300, "faculty_nn": 300,
           "faculty_en": 300, "framework_plan_nb": 300, "framework_plan_nn": 300, "framework_plan_en": 300}


class InvalidProgramme(ValueError):
    """The description of a programme breaks a rule; the message lists every problem.

    When a rule of the records refused a value (``cause``, e.g. the credits), :meth:`said` gives the records' own
    sentence in the reader's language.
    """

    def __init__(self, message: str, *, cause: Exception | None = None) -> None:
        super().__init__(message)
        self.cause = cause

    def said(self, pgettext: Any) -> str:
        say = getattr(self.cause, "said", None)
        return str(say(pgettext)) if callable(say) else str(self)


class MissingFields(InvalidProgramme):
    """The description lacks a field every programme needs (code, names, faculty)."""


class ProgrammeExists(ValueError):
    """A programme with that code is registered already (replace it explicitly)."""


@dataclass(frozen=True)
class ProgrammeSpec:
    """What is registered about a programme: the columns of :class:`Programme` (texts per language)."""

    code: str
    name_nb: str
    name_en: str
    faculty_nb: str
    name_nn: str | None = None
    qualification_code: str | None = None
    language: str = "nb"
    faculty_nn: str | None = None
    faculty_en: str | None = None
    oath_nb: str | None = None
    oath_nn: str | None = None
    oath_en: str | None = None
    nominal_years: Decimal | None = None
    credits: Decimal | None = None
    nqf_cycle: int | None = None
    framework_plan_nb: str | None = None
    framework_plan_nn: str | None = None
    framework_plan_en: str | None = None
    framework_plan_date: date | None = None
    objectives_nb: str | None = None
    objectives_nn: str | None = None
    objectives_en: str | None = None
    outcomes_nb: str | None = None
    outcomes_nn: str | None = None
    outcomes_en: str | None = None
    description_nb: str | None = None
    description_nn: str | None = None
    description_en: str | None = None

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> ProgrammeSpec:
        """Build a spec from JSON-like data (numbers and dates as strings allowed); unknown keys are an error."""
        unknown = sorted(set(data) - set(cls.field_names()))
        if unknown:
            raise InvalidProgramme(f"unknown field(s) {', '.join(unknown)}; known: {', '.join(cls.field_names())}")
        missing = [k for k in ("code", "name_nb", "name_en", "faculty_nb") if not data.get(k)]
        if missing:
            raise MissingFields(f"missing: {', '.join(missing)}")
        values = dict(data)
        try:
            if values.get("credits") is not None:
                values["credits"] = parse_credits(values["credits"])  # the records' rule: positive, in tenths
            if values.get("nominal_years") is not None:
                values["nominal_years"] = Decimal(str(values["nominal_years"]))
                if not values["nominal_years"].is_finite():
                    raise ValueError(f"nominal_years {data['nominal_years']!r} is not a number of years")
            if values.get("nqf_cycle") is not None:
                values["nqf_cycle"] = int(values["nqf_cycle"])
            if isinstance(values.get("framework_plan_date"), str):
                values["framework_plan_date"] = date.fromisoformat(values["framework_plan_date"])
        except (InvalidOperation, ValueError, TypeError) as exc:
            raise InvalidProgramme(f"a number or date is not readable: {exc}", cause=exc) from None
        for key, value in values.items():
            if key not in ("nominal_years", "credits", "nqf_cycle", "framework_plan_date") and value is not None \
                    and not isinstance(value, str):
                raise InvalidProgramme(f"{key} must be text")
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: numbers as strings, the date in ISO form, empty fields left out."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if value is None:
                continue
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, date):
                value = value.isoformat()
            out[key] = value
        return out


def problems(spec: ProgrammeSpec) -> list[str]:
    """Every rule the spec breaks (empty: it may be registered)."""
    out = []
    if not CODE.fullmatch(spec.code):
        out.append(f"code {spec.code!r}: 1–30 capital letters, digits, '.', '_' or '-', e.g. MAINF")
    if spec.qualification_code is not None and not CODE.fullmatch(spec.qualification_code):
        out.append(f"qualification_code {spec.qualification_code!r}: 1–30 capital letters, digits, '.', '_' or "
                   "'-', e.g. MA-INF")
    for key in ("name_nb", "name_en", "faculty_nb"):
        if not (getattr(spec, key) or "").strip():
            out.append(f"{key} is empty")
    if spec.language not in LANGUAGES:
        out.append(f"language {spec.language!r}: use nb, nn or en (the language of the diploma)")
    for key, width in _WIDTHS.items():
        value = getattr(spec, key)
        if value is not None and len(value) > width:
            out.append(f"{key} is longer than {width} characters")
    for key in spec.field_names():
        value = getattr(spec, key)
        if isinstance(value, str) and len(value) > MAX_TEXT:
            out.append(f"{key} is longer than {MAX_TEXT} characters")
    if spec.nominal_years is not None and not Decimal("0.5") <= spec.nominal_years <= Decimal(10):
        out.append("nominal_years: between 0.5 and 10")
    if spec.credits is not None and not Decimal(1) <= spec.credits <= Decimal(600):
        out.append("credits: between 1 and 600")
    if spec.nqf_cycle is not None and spec.nqf_cycle not in (1, 2, 3):
        out.append("nqf_cycle: 1 (bachelor), 2 (master) or 3 (PhD)")
    if spec.framework_plan_date is not None and not spec.framework_plan_nb:
        out.append("framework_plan_date is given without framework_plan_nb")
    return out


def spec_of(row: Programme) -> ProgrammeSpec:
    """The registered programme as a spec (for showing it, or changing it and registering it again)."""
    return ProgrammeSpec(**{key: getattr(row, key) for key in ProgrammeSpec.field_names()})


def list_programmes(session: Session) -> list[Programme]:
    """Every registered programme, by code."""
    return list(session.scalars(select(Programme).order_by(Programme.code)))


def find_programme(session: Session, code: str) -> Programme | None:
    return session.scalar(select(Programme).where(Programme.code == code))


def get_programme(session: Session, code: str) -> Programme:
    """The programme with ``code``; raises NotInRecords (a LookupError said in the reader's language) naming the
    codes that are registered."""
    row = find_programme(session, code)
    if row is None:
        codes = session.scalars(select(Programme.code).order_by(Programme.code).limit(20)).all()
        if codes:
            raise NotInRecords(P_("records", "No programme %(code)s is registered here (registered: %(codes)s)."),
                               code=code, codes=", ".join(codes))
        raise NotInRecords(P_("records", "No programme %(code)s is registered here; none is registered yet (add one "
                                         "with `vitnemal programmes add`)."), code=code)
    return row


def add_programme(session: Session, spec: ProgrammeSpec, *, replace: bool = False) -> Programme:
    """Register ``spec`` (or, with ``replace``, overwrite the programme with its code); return the row.

    Raises :class:`InvalidProgramme` listing the rules broken, :class:`ProgrammeExists` when the code is taken and
    ``replace`` is not given.
    """
    broken = problems(spec)
    if broken:
        raise InvalidProgramme(f"programme {spec.code!r}: " + "; ".join(broken))
    row = find_programme(session, spec.code)
    if row is not None and not replace:
        raise ProgrammeExists(f"programme {spec.code!r} is registered already ({row.name_nb})")
    if row is None:
        row = Programme(**asdict(spec))
        session.add(row)
    else:
        for key, value in asdict(spec).items():
            setattr(row, key, value)
    session.flush()
    return row


def register_programmes(session: Session, specs: Sequence[ProgrammeSpec]) -> int:
    """Register many new programmes in one statement (a fresh institution: none of the codes may exist yet).

    Raises :class:`InvalidProgramme` for the first spec that breaks a rule, before anything is written.
    """
    for spec in specs:
        broken = problems(spec)
        if broken:
            raise InvalidProgramme(f"programme {spec.code!r}: " + "; ".join(broken))
    if specs:
        session.execute(insert(Programme), [asdict(spec) for spec in specs])
    return len(specs)


def admit_many(session: Session, admissions: Iterable[tuple[int, str, date | None]]) -> int:
    """Record many admissions ``(person_id, programme_code, admitted_on)`` of people with none yet, in one
    statement; a pair given twice is recorded once."""
    rows = {(p, c): on for p, c, on in admissions}
    if rows:
        session.execute(insert(ProgrammeAdmission), [
            {"person_id": p, "programme_code": c, "admitted_on": on} for (p, c), on in rows.items()])
    return len(rows)


def programme_language(session: Session, code: str | None) -> str | None:
    """The diploma language registered for the programme, or None when it is not registered."""
    if not code:
        return None
    return session.scalar(select(Programme.language).where(Programme.code == code))


def admit(session: Session, person_id: int, programme_code: str, admitted_on: date | None = None, *,
          actor: str | None = None, subject: str | None = None) -> bool:
    """Record that the person was admitted to the programme (once; a second admission is a no-op); returns whether
    it is new. With ``actor`` (a member of staff on the person's page) the admission is an audit event about
    ``subject`` (the person's national id)."""
    if is_admitted(session, person_id, programme_code):
        return False
    session.add(ProgrammeAdmission(person_id=person_id, programme_code=programme_code, admitted_on=admitted_on))
    if actor is not None:
        record_event(session, actor=actor, action=AuditAction.PROGRAMME_ADMITTED, subject=subject,
                     detail=f"{programme_code} {admitted_on.isoformat() if admitted_on else ''}".strip())
    session.flush()
    return True


def is_admitted(session: Session, person_id: int, programme_code: str | None) -> bool:
    if not programme_code:
        return False
    return session.scalar(select(ProgrammeAdmission.id).where(
        ProgrammeAdmission.person_id == person_id, ProgrammeAdmission.programme_code == programme_code)) is not None


@dataclass(frozen=True)
class OpenQualification:
    """A qualification a person can take at this institution, and why: one they hold in the records (``held``,
    awarded or not) or the one a programme they were admitted to leads to (``programme``)."""

    code: str
    name_nb: str
    source: str  # "held" or "programme"
    programme_code: str | None = None
    programme_name_nb: str | None = None
    award_date: date | None = None
    admitted_on: date | None = None


def qualifications_open_to(session: Session, person_id: int) -> list[OpenQualification]:
    """The person's qualifications and the qualifications of the programmes they were admitted to, by code."""
    from vitnemal.records.models import Qualification

    out: dict[str, OpenQualification] = {}
    for q in session.scalars(select(Qualification).where(Qualification.person_id == person_id)
                             .order_by(Qualification.code)):
        out[q.code] = OpenQualification(q.code, q.name_nb, "held", q.programme_code, q.programme_name_nb,
                                        q.award_date)
    for programme_code, admitted_on, programme in admissions_of(session, person_id):
        code = programme.qualification_code if programme is not None else None
        if programme is not None and code and code not in out:
            out[code] = OpenQualification(code, programme.name_nb, "programme", programme_code, programme.name_nb,
                                          admitted_on=admitted_on)
        elif code:
            out[code] = replace(out[code], admitted_on=admitted_on)
    return sorted(out.values(), key=lambda q: q.code)


def admissions_of(session: Session, person_id: int) -> list[tuple[str, date | None, Programme | None]]:
    """The person's programme admissions: (programme code, admitted on, the registered programme if any)."""
    rows = session.execute(
        select(ProgrammeAdmission.programme_code, ProgrammeAdmission.admitted_on, Programme)
        .outerjoin(Programme, Programme.code == ProgrammeAdmission.programme_code)
        .where(ProgrammeAdmission.person_id == person_id)
        .order_by(ProgrammeAdmission.programme_code)).all()
    return [(code, on, programme) for code, on, programme in rows]
