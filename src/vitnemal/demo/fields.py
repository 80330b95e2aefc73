"""The fields of study (fagområder) the demo institutions teach: course names (nb/en), credits, grading scales,
degree names and master thesis titles, read from ``fields.txt`` beside this module.

Each field is a section of that file, one course a line: ``<role> <credits> <scale> <name nb> | <name en>``.
Roles: ``O`` compulsory in the bachelor, ``E`` elective in the bachelor, ``M`` compulsory in the master, ``V``
elective in the master. Scales: ``L`` letter grades A–F, ``P`` pass/fail (bestått / ikke bestått). ``T`` lines
are master thesis titles. The section header names the examen facultatum variant a bachelor in the field takes
(``SV``, ``HF`` or ``MN``), or ``-`` for professional programmes that have neither exphil nor exfac.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).with_name("fields.txt")


@dataclass(frozen=True)
class FieldCourse:
    role: str
    credits: int
    scale: str  # "letter" or "pass_fail"
    name_nb: str
    name_en: str


@dataclass(frozen=True)
class Field:
    """A field of study: its code prefix, degree names, courses and thesis titles."""

    key: str
    prefix: str
    name_nb: str
    name_en: str
    exams: str
    courses: tuple[FieldCourse, ...]
    theses: tuple[str, ...]
    has_master: bool = True

    def by_role(self, role: str) -> list[FieldCourse]:
        return [c for c in self.courses if c.role == role]


def _pair(text: str) -> tuple[str, str]:
    nb, en = (part.strip() for part in text.split("|"))
    return nb, en


def parse_fields(text: str) -> dict[str, Field]:
    """Parse the fields file; raise ValueError naming the line that is not in the format above."""
    fields: dict[str, Field] = {}
    header: tuple[str, str, str, str, str] | None = None
    courses: list[FieldCourse] = []
    theses: list[str] = []

    def close() -> None:
        if header is not None:
            key, prefix, nb, en, exams = header
            fields[key] = Field(key, prefix, nb, en, exams, tuple(courses), tuple(theses))

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            if line.startswith("["):
                close()
                key, rest = line[1:].split("]", 1)
                prefix, nb, en, exams = (part.strip() for part in rest.split("|"))
                header = (key, prefix, nb, en, "" if exams == "-" else exams)
                courses, theses = [], []
            elif line.startswith("T "):
                theses.append(line[2:].strip())
            else:
                role, credits, scale, rest = line.split(" ", 3)
                if role not in "OEMV" or scale not in ("L", "P"):
                    raise ValueError(f"unknown role {role!r} or scale {scale!r}")
                nb, en = _pair(rest)
                courses.append(FieldCourse(role, int(credits), "pass_fail" if scale == "P" else "letter", nb, en))
        except ValueError as exc:
            raise ValueError(f"{DATA.name} line {number}: {exc}: {line!r}") from None
    close()
    return fields


_ALL = parse_fields(DATA.read_text(encoding="utf-8"))

# Courses any institution offers beside its fields: bachelor electives and master method courses, so that every
# programme can be filled to 180 or 120 credits.
COMMON = _ALL.pop("common")
FIELDS: dict[str, Field] = _ALL

# Examen philosophicum and the examen facultatum variants of the disciplinary bachelors.
EXPHIL = FieldCourse("exphil", 10, "letter", "Examen philosophicum", "Examen philosophicum")
EXFAC = {
    "SV": FieldCourse("exfac", 10, "letter", "Examen facultatum – samfunnsvitenskapelig variant",
                      "Examen facultatum – social sciences version"),
    "HF": FieldCourse("exfac", 10, "letter", "Examen facultatum – humanistisk variant",
                      "Examen facultatum – humanities version"),
    "MN": FieldCourse("exfac", 10, "letter", "Examen facultatum – naturvitenskapelig variant",
                      "Examen facultatum – natural sciences version"),
}
