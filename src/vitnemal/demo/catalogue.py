"""Each demo institution's course catalogue and degree programmes, built from the fields it teaches.

Course codes follow the house style of the institution (``INF1010`` at UiO, ``INF101`` at UiB, ``INF-1010`` at
UiT, ``INF1010`` with a three-letter prefix at NTNU, and so on) so that the same field looks different from one
institution to the next, as it does in FS. Everything here is a pure function of the institution: no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vitnemal.demo.fields import COMMON, EXFAC, EXPHIL, FIELDS, Field, FieldCourse
from vitnemal.demo.institutions import DemoInstitution

BACHELOR_CREDITS = 180
MASTER_CREDITS = 120

# The headings of a degree's structure, as they appear on the diploma (nb, en).
GROUP_EXAMS = ("Examen philosophicum og examen facultatum", "Examen philosophicum and examen facultatum")
GROUP_COMPULSORY = ("Obligatoriske emner", "Compulsory courses")
GROUP_ELECTIVE = ("Valgfrie emner", "Elective courses")
GROUP_THESIS = ("Masteroppgave", "Master's thesis")

# The seed's test courses: 216 RES-100 at HiSF and 214 RES-OAL at HiNT.
TEST_COURSES: dict[str, tuple[str, str, str]] = {
    "216": ("RES-100", "Resultatutveksling test 100", "Results exchange test 100"),
    "214": ("RES-OAL", "Resultatutveksling test OAL", "Results exchange test OAL"),
}
_TEST_DESCRIPTION = (
    "Testemne for resultatutveksling mellom FS-institusjoner. Brukes i testprosedyren for å kontrollere at "
    "beståtte resultater hentes og legges inn i Person eksternstudium.",
    "Test course for the results exchange between FS institutions, used in the test procedure to check that "
    "passed results are fetched and imported as external studies.",
)
# Course descriptions travel with the results "if they are in FS"; the demo has them for the examens.
_EXPHIL_DESCRIPTION = (
    "Examen philosophicum gir en innføring i filosofiens historie, vitenskapsteori og etikk, og øvelse i "
    "argumentasjon og akademisk skriving.",
    "Examen philosophicum introduces the history of philosophy, philosophy of science and ethics, with practice "
    "in argumentation and academic writing.",
)

_EXPHIL_CODES = {"185": "EXPHIL03", "194": "EXPH0300", "186": "FIL-0700", "184": "EXPHIL-HFEKS"}


@dataclass(frozen=True)
class CourseDef:
    """A course as the institution's catalogue holds it; ``kind`` is "course", "thesis", "exphil" or "exfac"."""

    code: str
    name_nb: str
    name_en: str
    credits: int
    grading_scale: str
    kind: str = "course"
    field: str = ""
    description_nb: str | None = None
    description_en: str | None = None


@dataclass(frozen=True)
class Programme:
    """A degree programme: the qualification it leads to and the courses of each part of its structure."""

    level: str  # "bachelor" or "master"
    field: str
    code: str
    name_nb: str
    name_en: str
    programme_code: str
    programme_name_nb: str
    programme_name_en: str
    credits: int
    exams: tuple[CourseDef, ...] = ()
    compulsory: tuple[CourseDef, ...] = ()
    electives: tuple[CourseDef, ...] = ()
    fill: tuple[CourseDef, ...] = ()
    theses: tuple[CourseDef, ...] = ()  # the 30 and the 60 credit thesis
    theses_titles: tuple[str, ...] = ()


@dataclass
class Catalogue:
    """One institution's courses (by code) and the bachelor and master programmes it offers (by field)."""

    institution: DemoInstitution
    courses: dict[str, CourseDef] = field(default_factory=dict)
    bachelors: dict[str, Programme] = field(default_factory=dict)
    masters: dict[str, Programme] = field(default_factory=dict)

    def add(self, course: CourseDef) -> CourseDef:
        self.courses.setdefault(course.code, course)
        return self.courses[course.code]

    def ordinary_courses(self) -> list[CourseDef]:
        """Every course that is not a thesis, in code order (for single-course students)."""
        return sorted((c for c in self.courses.values() if c.kind != "thesis"), key=lambda c: c.code)


def code_style(inst: DemoInstitution) -> str:
    """The institution's course code style: "four", "three", "dash" or "ntnu" (see the module docstring)."""
    fixed = {"185": "four", "184": "three", "186": "dash", "194": "ntnu", "216": "three", "214": "four"}
    if inst.code in fixed:
        return fixed[inst.code]
    return ("four", "three", "dash", "three")[int(inst.code) % 4]


def course_code(style: str, prefix: str, level: int, number: int) -> str:
    """Return a course code in ``style`` for a course of ``level`` (1–3 bachelor, 4 master, 5 thesis)."""
    if style == "three":
        return f"{prefix}{level}{number:02d}"
    if style == "dash":
        return f"{prefix}-{level}{number:02d}0"
    if style == "ntnu":
        return f"{prefix[:3]}{level}{number:02d}0"
    return f"{prefix}{level}{number:02d}0"


def _course(style: str, fld: Field, fc: FieldCourse, level: int, number: int) -> CourseDef:
    code = course_code(style, fld.prefix, level, number)
    return CourseDef(code, fc.name_nb, fc.name_en, fc.credits, fc.scale, "course", fld.key)


def _field_courses(style: str, fld: Field) -> dict[str, list[CourseDef]]:
    """The field's courses by role, numbered per level so codes stay unique within the field."""
    counters: dict[int, int] = {}
    out: dict[str, list[CourseDef]] = {"O": [], "E": [], "M": [], "V": []}
    for role in ("O", "E", "M", "V"):
        group = fld.by_role(role)
        for i, fc in enumerate(group):
            if role == "O":
                level = 1 + (2 * i) // max(len(group), 1)
            elif role == "E":
                level = 2 + i % 2
            else:
                level = 4
            counters[level] = counters.get(level, 0) + 1
            out[role].append(_course(style, fld, fc, level, counters[level]))
    return out


def _exam_courses(inst: DemoInstitution, style: str, variant: str) -> tuple[CourseDef, ...]:
    exphil = CourseDef(_EXPHIL_CODES.get(inst.code, "EXPHIL"), EXPHIL.name_nb, EXPHIL.name_en, EXPHIL.credits,
                       "letter", "exphil", "", *_EXPHIL_DESCRIPTION)
    fac = EXFAC[variant]
    exfac_code = f"EXFAC03-{variant}" if style == "four" else f"EXFAC-{variant}"
    return exphil, CourseDef(exfac_code, fac.name_nb, fac.name_en, fac.credits, "letter", "exfac")


def _thesis_courses(style: str, fld: Field) -> tuple[CourseDef, ...]:
    out = []
    for number, credits in ((93, 30), (96, 60)):
        code = course_code(style, fld.prefix, 4 if style == "three" else 5, number)
        out.append(CourseDef(code, f"Masteroppgave i {fld.name_nb}", f"Master's thesis in {fld.name_en}", credits,
                             "letter", "thesis", fld.key))
    return tuple(out)


def build_catalogue(inst: DemoInstitution) -> Catalogue:
    """Return the institution's catalogue: every field's courses, the common courses, exphil/exfac where a field
    needs them, one bachelor per field and one master per field that has one, and the seed's test course."""
    style = code_style(inst)
    cat = Catalogue(inst)
    common = _field_courses(style, COMMON)
    fill_ba = tuple(cat.add(c) for c in common["E"])
    fill_ma = tuple(cat.add(c) for c in common["V"])
    for key in inst.fields:
        fld = FIELDS[key]
        by_role = _field_courses(style, fld)
        exams = tuple(cat.add(c) for c in _exam_courses(inst, style, fld.exams)) if fld.exams else ()
        compulsory = tuple(cat.add(c) for c in by_role["O"])
        electives = tuple(cat.add(c) for c in by_role["E"])
        cat.bachelors[key] = Programme(
            "bachelor", key, f"BA-{fld.prefix}", f"Bachelorgrad i {fld.name_nb}", f"Bachelor's degree in {fld.name_en}",
            f"BA{fld.prefix}", f"Bachelorprogram i {fld.name_nb}", f"Bachelor's programme in {fld.name_en}",
            BACHELOR_CREDITS, exams, compulsory, electives, fill_ba)
        if fld.has_master and by_role["M"]:
            theses = tuple(cat.add(c) for c in _thesis_courses(style, fld))
            cat.masters[key] = Programme(
                "master", key, f"MA-{fld.prefix}", f"Mastergrad i {fld.name_nb}", f"Master's degree in {fld.name_en}",
                f"MA{fld.prefix}", f"Masterprogram i {fld.name_nb}", f"Master's programme in {fld.name_en}",
                MASTER_CREDITS, (), tuple(cat.add(c) for c in by_role["M"]),
                tuple(cat.add(c) for c in by_role["V"]), fill_ma, theses, fld.theses)
    if inst.code in TEST_COURSES:
        code, nb, en = TEST_COURSES[inst.code]
        cat.add(CourseDef(code, nb, en, 10, "letter", "course", "test", *_TEST_DESCRIPTION))
    return cat
