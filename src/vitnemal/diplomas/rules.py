"""The seed's rules for the content of a diploma set, as pure functions over plain data (no I/O).

:func:`compose_diploma_set` turns :class:`DiplomaInputs` (what the records and the recognition decisions say) into
a :class:`~vitnemal.diplomas.diploma_set.DiplomaSet`. The rules, each in its own function:

* language (:func:`choose_language`): Norwegian programmes get a Norwegian diploma (bokmål or nynorsk, the
  candidate's choice), English programmes an English one; an English version is always available on request;
* only courses that count wholly or partly toward the degree appear (:func:`counts_toward`);
* grouping (:func:`transcript_groups`): examen philosophicum and examen facultatum first under their own heading,
  then the degree structure's headings in order, recognised courses under the heading the case worker chose (or
  their own), and a master's thesis last under its own heading with its title under the course name; within a
  group the oldest term comes first;
* courses from other institutions show the institution and credits and "Innpasset"/"Innpassa"/"Recognized";
* the award date is the date the last exam of the degree was transferred to the record (:func:`award_date`);
* programme and specialisation are printed only when the degree builds on a programme the candidate was admitted
  to (:func:`shows_programme`);
* the information page has fields 1–3 for degrees, 2–3 otherwise, or the transitional heading
  (:func:`information_sections`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from vitnemal.diplomas import texts as t
from vitnemal.diplomas.diploma_set import (
    Candidate,
    DiplomaSet,
    FrontPage,
    GradeDistribution,
    GroupKind,
    InformationPage,
    InfoSection,
    Issuer,
    Language,
    QualificationFacts,
    Signature,
    Term,
    Transcript,
    TranscriptGroup,
    TranscriptLine,
)
from vitnemal.diplomas.texts import LABELS, RECOGNISED
from vitnemal.identity.national_id import InvalidNationalId, parse_national_id

LANGUAGES: tuple[Language, ...] = ("nb", "nn", "en")
# The grade distribution's window and anonymity threshold (see vitnemal.diplomas.distribution).
WINDOW_YEARS = 5
MINIMUM_CANDIDATES = 10
EXAM_KINDS = ("exphil", "exfac")
NQF_CYCLES = {"bachelor": 1, "master": 2, "phd": 3}


class LanguageNotAllowed(ValueError):
    """A diploma language the rules do not allow for this programme; the message says which ones are."""


@dataclass(frozen=True)
class LangText:
    """A text in bokmål, nynorsk and English, any of them missing."""

    nb: str | None = None
    nn: str | None = None
    en: str | None = None

    def get(self, lang: Language, *, fallback: bool = False) -> str | None:
        """The text in ``lang``; nynorsk falls back to bokmål, and with ``fallback`` anything falls back to nb."""
        value: str | None = getattr(self, lang)
        if value is None and (lang == "nn" or fallback):
            value = self.nb
        return value


@dataclass(frozen=True)
class ProgrammeInfo:
    """What the diploma needs to know about a study programme (the ``programmes`` table)."""

    code: str
    name: LangText
    language: Language
    faculty: LangText = field(default_factory=LangText)
    oath: LangText = field(default_factory=LangText)
    nominal_years: Decimal | None = None
    credits: Decimal | None = None
    nqf_cycle: int | None = None
    framework_plan: LangText = field(default_factory=LangText)  # the "xxx" of "rammeplan for xxx"
    framework_plan_date: date | None = None
    objectives: LangText = field(default_factory=LangText)  # field 2
    learning_outcomes: LangText = field(default_factory=LangText)  # field 3
    description: LangText = field(default_factory=LangText)  # the programme text under the transitional heading


@dataclass(frozen=True)
class GroupDef:
    """A heading of the degree's structure."""

    position: int
    heading_nb: str
    heading_en: str


@dataclass(frozen=True)
class CountedResult:
    """A result of this institution linked to the qualification (wholly, or ``credits_counted`` of it)."""

    code: str
    name_nb: str
    name_en: str
    term: Term
    grade: str
    credits: Decimal
    kind: str = "course"
    grading_scale: str = "letter"
    credits_counted: Decimal | None = None
    thesis_title: str | None = None
    group_position: int | None = None
    passed: bool = True
    assessed_on: date | None = None
    distribution: GradeDistribution | None = None


@dataclass(frozen=True)
class Recognition:
    """An external course or a block recognised toward the qualification by a decided recognition case."""

    name_nb: str
    name_en: str
    credits: Decimal
    institution_name: str
    institution_code: str | None = None
    code: str | None = None
    kind: str = "course"
    term: Term | None = None
    credits_counted: Decimal | None = None
    thesis_title: str | None = None
    group_heading: str | None = None
    block: bool = False


@dataclass(frozen=True)
class QualificationRecord:
    code: str
    name_nb: str
    name_en: str
    level: str
    credits: Decimal
    award_date: date
    programme_code: str | None = None
    programme_name_nb: str | None = None
    programme_name_en: str | None = None
    specialisation_nb: str | None = None
    specialisation_en: str | None = None


@dataclass(frozen=True)
class Signatories:
    """Names of the signers: dean and faculty director on the front page, the case worker on the transcript."""

    dean: str = ""
    director: str = ""
    officer: str = ""


@dataclass(frozen=True)
class DiplomaInputs:
    """Everything :func:`compose_diploma_set` needs, as read from the records by the build service."""

    lang: Language
    candidate: Candidate
    institution_code: str
    institution_name: LangText
    faculty: LangText
    qualification: QualificationRecord
    results: tuple[CountedResult, ...]
    issued_on: date
    groups: tuple[GroupDef, ...] = ()
    recognitions: tuple[Recognition, ...] = ()
    programme: ProgrammeInfo | None = None
    admitted: bool = False
    remarks: tuple[str, ...] = ()
    signatories: Signatories = field(default_factory=Signatories)
    url: str | None = None


def choose_language(programme_language: Language | None, requested: str | None) -> Language:
    """The diploma's language: the programme's unless another is asked for and allowed.

    Norwegian programmes (nb, nn; the default when the language is not recorded) may have bokmål, nynorsk or
    English; English programmes English only.
    """
    base: Language = programme_language or "nb"
    if requested is None:
        return base
    if requested not in LANGUAGES:
        raise LanguageNotAllowed(f"{requested!r} is not a diploma language: use nb, nn or en")
    if requested == "en" or requested == base or (base != "en" and requested in ("nb", "nn")):
        return requested
    raise LanguageNotAllowed("The programme is taught in English, so its diploma is written in English; "
                             "ask for en (or no language).")


def counts_toward(result: CountedResult) -> bool:
    """Whether a linked result appears on the diploma: passed, and not linked with zero credits."""
    return result.passed and (result.credits_counted is None or result.credits_counted > 0)


def award_date(results: Sequence[CountedResult], recorded: date) -> date:
    """The date of the last exam of the degree transferred to the record, or ``recorded`` when none has one."""
    dates = [r.assessed_on for r in results if counts_toward(r) and r.assessed_on is not None]
    return max(dates) if dates else recorded


def shows_programme(programme_code: str | None, admitted: bool) -> bool:
    """Programme (and specialisation) are printed only for a degree built on a programme the candidate was
    admitted to."""
    return programme_code is not None and admitted


def nqf_cycle(level: str, programme: ProgrammeInfo | None) -> int | None:
    if programme is not None and programme.nqf_cycle is not None:
        return programme.nqf_cycle
    return NQF_CYCLES.get(level)


def _name(nb: str, en: str, lang: Language) -> str:
    return (en or nb) if lang == "en" else nb


def _result_line(r: CountedResult, lang: Language) -> TranscriptLine:
    counted = r.credits if r.credits_counted is None else r.credits_counted
    return TranscriptLine(
        code=r.code, name=_name(r.name_nb, r.name_en, lang), term=r.term, term_label=t.term_label(r.term, lang),
        credits=counted, grade=t.grade_text(r.grade, lang), kind=r.kind, course_credits=r.credits,
        name_en=r.name_en, thesis_title=r.thesis_title, grading_scale=r.grading_scale,
        distribution=r.distribution if r.grading_scale == "letter" else None,
    )


def _recognised_line(r: Recognition, lang: Language) -> TranscriptLine:
    counted = r.credits if r.credits_counted is None else r.credits_counted
    return TranscriptLine(
        code=r.code, name=_name(r.name_nb, r.name_en, lang), term=r.term, term_label=t.term_label(r.term, lang),
        credits=counted, grade=RECOGNISED[lang], kind=r.kind, course_credits=r.credits, name_en=r.name_en,
        thesis_title=r.thesis_title, institution=r.institution_name, institution_code=r.institution_code,
        recognised=True, block=r.block, grading_scale="recognised",
    )


def _sort_key(line: TranscriptLine) -> tuple[bool, tuple[int, int], str, str]:
    return line.term is None, (line.term.year, line.term.index) if line.term else (0, 0), line.code or "", line.name


def transcript_groups(results: Sequence[CountedResult], recognitions: Sequence[Recognition],
                      groups: Sequence[GroupDef], *, lang: Language, level: str) -> tuple[TranscriptGroup, ...]:
    """The transcript's headings with their rows, in the order the module docstring gives; empty ones left out."""
    labels = LABELS[lang]
    structure = sorted(groups, key=lambda g: g.position)
    # (order, index) → (heading, kind, rows); the order is exams, structure, chosen headings, recognised, other,
    # thesis, and the index is the structure's position or, for headings a case worker chose, first appearance.
    buckets: dict[tuple[int, int], tuple[str, GroupKind, list[TranscriptLine]]] = {}
    chosen: dict[str, int] = {}

    def put(key: tuple[int, int], heading: str, kind: GroupKind, line: TranscriptLine) -> None:
        buckets.setdefault(key, (heading, kind, []))[2].append(line)

    def special(line: TranscriptLine) -> bool:
        if line.kind in EXAM_KINDS:
            put((0, 0), labels["group_exams"], "exams", line)
        elif line.kind == "thesis" and level == "master":
            put((5, 0), labels["group_thesis"], "thesis", line)
        else:
            return False
        return True

    positions = {g.position: i for i, g in enumerate(structure)}
    for r in results:
        line = _result_line(r, lang)
        if not counts_toward(r) or special(line):
            continue
        if r.group_position in positions:
            g = structure[positions[r.group_position]]
            put((1, positions[r.group_position]), t.heading_text(g.heading_nb, g.heading_en, lang), "structure", line)
        else:
            put((4, 0), labels["group_other"], "other", line)
    names = {t.heading_text(g.heading_nb, g.heading_en, n).casefold(): i
             for i, g in enumerate(structure) for n in LANGUAGES}
    for rec in recognitions:
        line = _recognised_line(rec, lang)
        if (rec.credits_counted is not None and rec.credits_counted <= 0) or special(line):
            continue
        wanted = (rec.group_heading or "").strip()
        if wanted.casefold() in names:
            i = names[wanted.casefold()]
            put((1, i), t.heading_text(structure[i].heading_nb, structure[i].heading_en, lang), "structure", line)
        elif wanted:
            put((2, chosen.setdefault(wanted.casefold(), len(chosen))), wanted, "recognised", line)
        else:
            put((3, 0), labels["group_recognised"], "recognised", line)
    return tuple(TranscriptGroup(heading, kind, tuple(sorted(rows, key=_sort_key)))
                 for _, (heading, kind, rows) in sorted(buckets.items()))


def partly_remarks(groups: Sequence[TranscriptGroup], lang: Language) -> tuple[str, ...]:
    """A remark for every course of which only part counts toward the degree (the seed's fourth remark topic)."""
    out = []
    for group in groups:
        for line in group.lines:
            if line.partly and line.course_credits is not None:
                course = f"{line.code} {line.name}" if line.code else line.name
                out.append(LABELS[lang]["partly"].format(course=course, counted=t.credits_text(line.credits, lang),
                                                          total=t.credits_text(line.course_credits, lang)))
    return tuple(out)


def _paragraphs(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split("\n\n") if p.strip())


def information_sections(q: QualificationFacts, programme: ProgrammeInfo | None, lang: Language,
                         institution: str) -> tuple[InfoSection, ...]:
    """Field 1 (degrees only), then fields 2 and 3, or the transitional heading when the programme has no texts
    for them yet."""
    sections = []
    if q.is_degree:
        general = [t.DEGREE_REGULATION[lang].format(degree=q.name)]
        if programme and programme.framework_plan.get(lang, fallback=True) and programme.framework_plan_date:
            general.append(t.FRAMEWORK_PLAN[lang].format(plan=programme.framework_plan.get(lang, fallback=True),
                                                         date=t.dotted_date(programme.framework_plan_date)))
        credits = programme.credits if programme and programme.credits else q.credits
        years = programme.nominal_years if programme and programme.nominal_years else credits / 60
        shown, word = t.years_text(years, lang)
        general.append(t.EXTENT[lang].format(years=shown, year_word=word, credits=t.credits_text(credits, lang)))
        if q.nqf_cycle in (1, 2, 3):
            general.append(t.NQF[lang].format(degree=q.name, cycle=t.CYCLES[lang][q.nqf_cycle - 1]))
        sections.append(InfoSection(t.INFO_GENERAL[lang], tuple(general)))
    objectives = _paragraphs(programme.objectives.get(lang)) if programme else ()
    outcomes = _paragraphs(programme.learning_outcomes.get(lang)) if programme else ()
    if objectives or outcomes:
        if objectives:
            sections.append(InfoSection(t.INFO_OBJECTIVES[lang], objectives))
        if outcomes:
            sections.append(InfoSection(t.INFO_OUTCOMES[lang], outcomes))
    else:
        text = _paragraphs(programme.description.get(lang)) if programme else ()
        sections.append(InfoSection(t.INFO_TRANSITIONAL[lang],
                                    text or (t.NO_PROGRAMME_TEXT[lang].format(institution=institution),)))
    return tuple(sections)


def _id_fact(candidate: Candidate, lang: Language) -> tuple[str, str] | None:
    labels = LABELS[lang]
    if candidate.national_id:
        try:
            return labels["national_id"], parse_national_id(candidate.national_id).formatted
        except InvalidNationalId:
            return labels["national_id"], candidate.national_id
    if candidate.birth_date:
        return labels["birth_date"], t.short_date(candidate.birth_date)
    return None


def compose_diploma_set(inputs: DiplomaInputs) -> DiplomaSet:
    """Apply every rule of the module docstring and return the set in ``inputs.lang``."""
    lang, q, prog = inputs.lang, inputs.qualification, inputs.programme
    labels = LABELS[lang]
    degree_name = _name(q.name_nb, q.name_en, lang)
    awarded = award_date(inputs.results, q.award_date)
    facts = QualificationFacts(q.code, degree_name, q.name_nb, q.name_en, q.level, q.credits, awarded,
                               q.programme_code, nqf_cycle(q.level, prog))
    institution = inputs.institution_name.get(lang, fallback=True) or inputs.institution_code
    # the registered programme's faculty first: a faculty given by the caller is for unregistered programmes only
    faculty = ((prog.faculty.get(lang, fallback=True) if prog else None) or
               inputs.faculty.get(lang, fallback=True) or "")
    issuer = Issuer(inputs.institution_code, institution, faculty, inputs.institution_name.nb or institution,
                    inputs.institution_name.en or institution, inputs.url)
    kind = "degree" if facts.is_degree else "other"
    programme_line = specialisation_line = None
    facts_rows: list[tuple[str, str]] = [(labels["name"], inputs.candidate.name)]
    id_fact = _id_fact(inputs.candidate, lang)
    if id_fact:
        facts_rows.append(id_fact)
    facts_rows += [(labels["degree"] if facts.is_degree else labels["qualification"], degree_name),
                   (labels[f"award_date_{kind}"], t.long_date(awarded, lang))]
    if shows_programme(q.programme_code, inputs.admitted):
        name = (prog.name.get(lang, fallback=True) if prog else None) or _name(
            q.programme_name_nb or q.programme_code or "", q.programme_name_en or "", lang)
        programme_line = f"{labels['programme']}: {name}"
        facts_rows.append((labels["programme"], name))
        special = _name(q.specialisation_nb or "", q.specialisation_en or "", lang)
        if special:
            specialisation_line = f"{labels['specialisation']}: {special}"
            facts_rows.append((labels["specialisation"], special))
    oath = prog.oath.get(lang, fallback=True) if prog else None
    issued = t.long_date(inputs.issued_on, lang)
    born = t.long_date(inputs.candidate.birth_date, lang) if inputs.candidate.birth_date else ""
    front = FrontPage(
        title=labels["diploma"],
        candidate_line=labels["born"].format(name=inputs.candidate.name, date=born) if born
        else f"{inputs.candidate.name},",
        conferral=labels[f"conferral_{kind}"], degree=degree_name,
        award_line=labels[f"award_{kind}"].format(date=t.long_date(awarded, lang)),
        programme_line=programme_line, specialisation_line=specialisation_line,
        oath_heading=labels["oath"] if oath else None, oath=oath,
        issued_line=labels["issued"].format(date=issued),
        signatures=(Signature(labels["dean"], inputs.signatories.dean),
                    Signature(labels["director"], inputs.signatories.director)),
    )
    groups = transcript_groups(inputs.results, inputs.recognitions, inputs.groups, lang=lang, level=q.level)
    transcript = Transcript(
        title=labels["transcript"], facts=tuple(facts_rows), groups=groups,
        total_credits=sum((g.credits for g in groups), Decimal(0)),
        remarks=partly_remarks(groups, lang) + tuple(r.strip() for r in inputs.remarks if r.strip()),
        issued_line=labels["issued"].format(date=issued),
        signature=Signature(labels["officer"], inputs.signatories.officer),
        grading_text=t.GRADING_TEXT[lang],
        distribution_note=t.DISTRIBUTION_NOTE[lang].format(years=WINDOW_YEARS, minimum=MINIMUM_CANDIDATES),
    )
    return DiplomaSet(
        lang=lang, candidate=inputs.candidate, issuer=issuer, qualification=facts, issued_on=inputs.issued_on,
        front=front, information=InformationPage(information_sections(facts, prog, lang, institution)),
        transcript=transcript, title=f"{labels['diploma']} – {inputs.candidate.name} – {degree_name}",
    )
