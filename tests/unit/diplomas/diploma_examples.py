"""Worked examples of diploma sets as plain inputs: a master's degree with recognised courses from HiSF, a
bachelor with exphil and exfac, and a qualification that is not a degree."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from vitnemal.diplomas.diploma_set import Candidate, DiplomaSet, GradeDistribution, Language, Term
from vitnemal.diplomas.rules import (
    CountedResult,
    DiplomaInputs,
    GroupDef,
    LangText,
    ProgrammeInfo,
    QualificationRecord,
    Recognition,
    Signatories,
    compose_diploma_set,
)

HISF = "Høgskulen i Sogn og Fjordane"
GROUPS = (
    GroupDef(0, "Obligatoriske emner", "Compulsory courses"),
    GroupDef(1, "Valgfrie emner", "Elective courses"),
    GroupDef(2, "Masteroppgave", "Master's thesis"),
)
CANDIDATE = Candidate("Kari", "Nordmann", date(1995, 3, 1), "01039512374")


def r(code: str, year: int, season: str, grade: str, group: int | None, *, credits: str = "10", kind: str = "course",
      title: str | None = None, counted: str | None = None, passed: bool = True, on: date | None = None,
      scale: str = "letter", distribution: GradeDistribution | None = None) -> CountedResult:
    return CountedResult(code=code, name_nb=f"Emne {code}", name_en=f"Course {code}", term=Term.of(year, season),
                         grade=grade, credits=Decimal(credits), kind=kind, grading_scale=scale,
                         credits_counted=None if counted is None else Decimal(counted), thesis_title=title,
                         group_position=group, passed=passed, assessed_on=on, distribution=distribution)


MASTER_RESULTS = (
    r("INF4010", 2024, "HØST", "B", 0, on=date(2024, 12, 12),
      distribution=GradeDistribution((3, 8, 9, 4, 2), "2020 Vår–2024 Høst")),
    r("INF4020", 2024, "VÅR", "A", 0, on=date(2024, 6, 3)),
    r("INF4110", 2025, "VÅR", "C", 1, on=date(2025, 6, 2)),
    r("INF4030", 2024, "HØST", "F", 1, passed=False, on=date(2024, 12, 10)),  # failed: never on the diploma
    r("INF4140", 2025, "VÅR", "B", 1, counted="0", on=date(2025, 6, 1)),  # linked with nothing counted
    r("INF4120", 2024, "VÅR", "D", 1, counted="5", on=date(2024, 6, 1)),  # partly counted
    r("INF5930", 2025, "HØST", "B", 2, credits="30", kind="thesis", title="Maskinlæring for tidlig varsling av sepsis",
      on=date(2025, 12, 18)),
    r("PRAKSIS", 2025, "VÅR", "Bestått", 1, credits="5", scale="pass_fail", on=date(2025, 5, 30)),
)
MASTER_RECOGNITIONS = (
    Recognition(name_nb="Algoritmar og datastrukturar", name_en="Algorithms and data structures",
                credits=Decimal("10"), institution_name=HISF, institution_code="216", code="DAT200",
                term=Term.of(2021, "VÅR"), group_heading="Valgfrie emner"),
    Recognition(name_nb="Fordypning i programvareutvikling", name_en="Specialisation in software development",
                credits=Decimal("20"), institution_name=HISF, institution_code="216", block=True),
)
PROGRAMME = ProgrammeInfo(
    code="MAINF", name=LangText("Masterprogram i informatikk", "Masterprogram i informatikk",
                                "Master's programme in informatics"),
    language="nb", faculty=LangText("Det matematisk-naturvitenskapelige fakultet",
                                    "Det matematisk-naturvitskaplege fakultetet",
                                    "Faculty of Mathematics and Natural Sciences"),
    nominal_years=Decimal(2), credits=Decimal(120), nqf_cycle=2,
    objectives=LangText("Programmet gir avansert kunnskap i informatikk.", None,
                        "The programme gives advanced knowledge of informatics."),
    learning_outcomes=LangText("Kandidaten kan analysere og løse avanserte problemer.", None,
                               "The candidate can analyse and solve advanced problems."),
)
MASTER = QualificationRecord(code="MA-INF", name_nb="Master i informatikk", name_en="Master of Science in Informatics",
                             level="master", credits=Decimal(120), award_date=date(2026, 1, 20),
                             programme_code="MAINF", programme_name_nb="Masterprogram i informatikk",
                             programme_name_en="Master's programme in informatics",
                             specialisation_nb="Programmering og systemarkitektur",
                             specialisation_en="Programming and system architecture")


def master_inputs(lang: Language = "nb", **changes: object) -> DiplomaInputs:
    inputs = DiplomaInputs(
        lang=lang, candidate=CANDIDATE, institution_code="185",
        institution_name=LangText("Universitetet i Oslo", None, "University of Oslo"),
        faculty=LangText(), qualification=MASTER, results=MASTER_RESULTS, issued_on=date(2026, 2, 2),
        groups=GROUPS, recognitions=MASTER_RECOGNITIONS, programme=PROGRAMME, admitted=True,
        remarks=("Emnet DAT200 er innpasset etter vedtak i sak 2025/123.",),
        signatories=Signatories("Dekan Dekanesen", "Direktør Direktørsen", "Saks Behandlersen"),
        url="https://www.uio.no",
    )
    return replace(inputs, **changes)  # type: ignore[arg-type]


def master_set(lang: Language = "nb", **changes: object) -> DiplomaSet:
    return compose_diploma_set(master_inputs(lang, **changes))


BACHELOR_GROUPS = (
    GroupDef(0, "Obligatoriske emner", "Compulsory courses"),
    GroupDef(1, "Examen philosophicum og examen facultatum", "Examen philosophicum and examen facultatum"),
)
BACHELOR_RESULTS = (
    r("INF1000", 2019, "HØST", "C", 0),
    r("EXFAC03-MN", 2020, "VÅR", "B", 1, kind="exfac"),
    r("EXPHIL03", 2019, "HØST", "A", 1, kind="exphil"),
    r("INF1100", 2019, "HØST", "B", 0),
)


def bachelor_set(lang: Language = "nb") -> DiplomaSet:
    q = QualificationRecord(code="BA-INF", name_nb="Bachelor i informatikk", name_en="Bachelor of Science in "
                            "Informatics", level="bachelor", credits=Decimal(180), award_date=date(2022, 6, 30))
    return compose_diploma_set(master_inputs(lang, qualification=q, results=BACHELOR_RESULTS,
                                             groups=BACHELOR_GROUPS, recognitions=(), programme=None,
                                             admitted=False, remarks=()))


def non_degree_set(lang: Language = "nb") -> DiplomaSet:
    q = QualificationRecord(code="ARS-INF", name_nb="Årsstudium i informatikk", name_en="One-year programme in "
                            "informatics", level="other", credits=Decimal(60), award_date=date(2021, 6, 30),
                            programme_code="ARSINF")
    prog = replace(PROGRAMME, code="ARSINF", objectives=LangText(), learning_outcomes=LangText(),
                   description=LangText("Årsstudiet gir en innføring i informatikk.\n\nDet er på 60 studiepoeng."))
    return compose_diploma_set(master_inputs(lang, qualification=q, results=BACHELOR_RESULTS[:1], groups=GROUPS,
                                             recognitions=(), programme=prog, admitted=True, remarks=()))
