"""The seed's rules for the diploma set, checked on worked examples without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from diploma_examples import (
    HISF,
    MASTER,
    MASTER_RESULTS,
    bachelor_set,
    master_inputs,
    master_set,
    non_degree_set,
    r,
)

from vitnemal.diplomas.diploma_set import Term
from vitnemal.diplomas.rules import (
    LanguageNotAllowed,
    Recognition,
    award_date,
    choose_language,
    compose_diploma_set,
    shows_programme,
    transcript_groups,
)


def rows(diploma, heading):  # type: ignore[no-untyped-def]
    group = next(g for g in diploma.transcript.groups if g.heading == heading)
    return [(line.code, line.term_label, str(line.credits), line.grade) for line in group.lines]


def test_groups_follow_the_degree_structure_with_the_thesis_last() -> None:
    d = master_set()
    assert [g.heading for g in d.transcript.groups] == [
        "Obligatoriske emner", "Valgfrie emner", "Innpassede emner fra andre institusjoner", "Masteroppgave"]
    assert [g.kind for g in d.transcript.groups] == ["structure", "structure", "recognised", "thesis"]


def test_oldest_term_first_within_a_group() -> None:
    d = master_set()
    assert rows(d, "Obligatoriske emner") == [("INF4020", "2024 Vår", "10", "A"), ("INF4010", "2024 Høst", "10", "B")]
    electives = rows(d, "Valgfrie emner")
    assert [c for c, *_ in electives] == ["DAT200", "INF4120", "INF4110", "PRAKSIS"]  # 2021 Vår, 2024 Vår, 2025 Vår ×2


def test_only_courses_that_count_are_listed() -> None:
    codes = [line.code for line in master_set().transcript.lines]
    assert "INF4030" not in codes  # failed
    assert "INF4140" not in codes  # linked with zero credits counted
    assert "INF4120" in codes  # partly counted: listed with the credits that count, and a remark
    line = next(line for line in master_set().transcript.lines if line.code == "INF4120")
    assert line.credits == Decimal(5) and line.course_credits == Decimal(10) and line.partly
    assert "INF4120 Emne INF4120: 5 av 10 studiepoeng inngår i graden." in master_set().transcript.remarks


def test_exphil_and_exfac_come_first_under_their_own_heading() -> None:
    d = bachelor_set()
    assert d.transcript.groups[0].heading == "Examen philosophicum og examen facultatum"
    assert [line.code for line in d.transcript.groups[0].lines] == ["EXPHIL03", "EXFAC03-MN"]
    assert [line.code for line in d.transcript.groups[1].lines] == ["INF1000", "INF1100"]  # same term: by code
    en = bachelor_set("en")
    assert en.transcript.groups[0].heading == "Examen philosophicum and examen facultatum"


def test_an_external_exphil_is_recognised_under_the_exam_heading() -> None:
    rec = Recognition(name_nb="Examen philosophicum", name_en="Examen philosophicum", credits=Decimal(10),
                      institution_name=HISF, code="EX100", kind="exphil", term=Term.of(2018, "HØST"))
    groups = transcript_groups([], [rec], [], lang="nn", level="bachelor")
    assert groups[0].heading == "Examen philosophicum og examen facultatum"
    assert groups[0].lines[0].grade == "Innpassa" and groups[0].lines[0].institution == HISF


def test_master_thesis_has_its_own_heading_and_title() -> None:
    d = master_set()
    thesis = d.transcript.groups[-1]
    assert thesis.heading == "Masteroppgave" and thesis.kind == "thesis"
    assert thesis.lines[0].code == "INF5930"
    assert thesis.lines[0].thesis_title == "Maskinlæring for tidlig varsling av sepsis"
    assert master_set("nn").transcript.groups[-1].heading == "Masteroppgåve"
    assert master_set("en").transcript.groups[-1].heading == "Master's thesis"


def test_a_bachelor_thesis_stays_in_its_group() -> None:
    thesis = r("INF3990", 2022, "VÅR", "B", 0, credits="20", kind="thesis", title="Om bacheloroppgaver")
    groups = transcript_groups([thesis], [], [master_inputs().groups[0]], lang="nb", level="bachelor")
    assert [g.heading for g in groups] == ["Obligatoriske emner"]


@pytest.mark.parametrize(("lang", "word"), [("nb", "Innpasset"), ("nn", "Innpassa"), ("en", "Recognized")])
def test_recognised_courses_show_institution_credits_and_innpasset(lang: str, word: str) -> None:
    d = master_set(lang)  # type: ignore[arg-type]
    recognised = [line for line in d.transcript.lines if line.recognised]
    assert [(line.code, line.institution, str(line.credits), line.grade) for line in recognised] == [
        ("DAT200", HISF, "10", word), (None, HISF, "20", word)]
    block = recognised[1]
    assert block.block and block.term is None
    assert block.name == ("Specialisation in software development" if lang == "en"
                          else "Fordypning i programvareutvikling")


def test_recognised_course_goes_under_the_chosen_heading_in_any_language() -> None:
    rec = Recognition(name_nb="X", name_en="X", credits=Decimal(10), institution_name=HISF, group_heading="Elective "
                      "courses")
    groups = transcript_groups([], [rec], master_inputs().groups, lang="nb", level="master")
    assert [g.heading for g in groups] == ["Valgfrie emner"]
    rec2 = replace(rec, group_heading="Spesialisering")  # a heading of the faculty's own choosing
    groups = transcript_groups([], [rec2], master_inputs().groups, lang="nb", level="master")
    assert [(g.heading, g.kind) for g in groups] == [("Spesialisering", "recognised")]


def test_total_credits_add_up_to_the_degree() -> None:
    d = master_set()
    # 10+10 compulsory, 10 DAT200 + 5 (partly) + 10 + 5 electives, 20 block, 30 thesis
    assert d.transcript.total_credits == Decimal(100)


def test_award_date_is_the_last_exam_transferred_to_the_record() -> None:
    assert award_date(MASTER_RESULTS, date(2026, 1, 20)) == date(2025, 12, 18)
    # a failed or not-counted result does not move it
    late_fail = r("X", 2026, "VÅR", "F", 0, passed=False, on=date(2026, 6, 1))
    assert award_date((*MASTER_RESULTS, late_fail), date(2026, 1, 20)) == date(2025, 12, 18)
    assert award_date([r("Y", 2020, "VÅR", "A", 0)], date(2020, 7, 1)) == date(2020, 7, 1)  # no dates: recorded
    d = master_set()
    assert d.qualification.award_date == date(2025, 12, 18)
    assert d.front.award_line == "Dato for tildeling av grad: 18. desember 2025"


def test_programme_only_when_admitted_to_it() -> None:
    assert shows_programme("MAINF", True) and not shows_programme("MAINF", False)
    assert not shows_programme(None, True)
    d = master_set()
    assert d.front.programme_line == "Studieprogram: Masterprogram i informatikk"
    assert d.front.specialisation_line == "Studieretning: Programmering og systemarkitektur"
    not_admitted = master_set(admitted=False)
    assert not_admitted.front.programme_line is None and not_admitted.front.specialisation_line is None
    assert all(label != "Studieprogram" for label, _ in not_admitted.transcript.facts)


@pytest.mark.parametrize(("programme", "requested", "expected"), [
    ("nb", None, "nb"), ("nn", None, "nn"), ("en", None, "en"), (None, None, "nb"),
    ("nb", "en", "en"), ("nb", "nn", "nn"), ("nn", "nb", "nb"), ("en", "en", "en"),
])
def test_language_follows_the_programme(programme: str | None, requested: str | None, expected: str) -> None:
    assert choose_language(programme, requested) == expected  # type: ignore[arg-type]


def test_an_english_programme_is_not_given_a_norwegian_diploma() -> None:
    with pytest.raises(LanguageNotAllowed, match="taught in English"):
        choose_language("en", "nb")
    with pytest.raises(LanguageNotAllowed, match="use nb, nn or en"):
        choose_language("nb", "de")


def test_front_page_in_three_languages() -> None:
    nb, nn, en = master_set("nb").front, master_set("nn").front, master_set("en").front
    assert (nb.title, nn.title, en.title) == ("Vitnemål", "Vitnemål", "Diploma")
    assert nb.candidate_line == "Kari Nordmann, født 1. mars 1995,"
    assert nn.candidate_line == "Kari Nordmann, fødd 1. mars 1995,"
    assert en.candidate_line == "Kari Nordmann, born 1 March 1995,"
    assert (nb.conferral, nn.conferral, en.conferral) == (
        "er tildelt graden", "er tildelt grada", "has been awarded the degree")
    assert en.degree == "Master of Science in Informatics"
    assert [s.title for s in nb.signatures] == ["dekan", "fakultetsdirektør"]
    assert [s.title for s in en.signatures] == ["Dean", "Faculty Director"]
    assert nb.issued_line == "Dato for utstedelse: 2. februar 2026"
    assert en.issued_line == "Date of issue: 2 February 2026"
    assert master_set("nn").issuer.faculty == "Det matematisk-naturvitskaplege fakultetet"


def test_candidate_oath_only_where_the_programme_has_one() -> None:
    assert master_set().front.oath is None
    from diploma_examples import PROGRAMME

    from vitnemal.diplomas.rules import LangText

    sworn = replace(PROGRAMME, oath=LangText("Jeg lover å utøve yrket samvittighetsfullt.", None,
                                             "I promise to practise conscientiously."))
    d = master_set(programme=sworn)
    assert d.front.oath_heading == "Kandidatløfte" and d.front.oath.startswith("Jeg lover")
    assert master_set("en", programme=sworn).front.oath == "I promise to practise conscientiously."


def test_transcript_head_and_signature() -> None:
    d = master_set()
    assert d.transcript.title == "Grunnlag for vitnemål"
    assert dict(d.transcript.facts)["Fødselsnummer"] == "010395 12374"
    assert dict(d.transcript.facts)["Grad"] == "Master i informatikk"
    assert d.transcript.signature.title == "saksbehandler"
    assert master_set("nn").transcript.signature.title == "sakshandsamar"
    assert master_set("en").transcript.signature.title == "Faculty Officer"
    assert master_set("en").transcript.title == "Transcript of Records"
    no_id = master_set(candidate=replace(master_inputs().candidate, national_id=None))
    assert dict(no_id.transcript.facts)["Fødselsdato"] == "01.03.1995"


def test_information_page_for_a_degree_has_fields_one_to_three() -> None:
    d = master_set()
    headings = [s.heading for s in d.information.sections]
    assert headings == ["Generell informasjon om graden", "Studieprogrammets målsetting, innhold og organisering",
                        "Kandidatens læringsutbytte"]
    general = d.information.sections[0].paragraphs
    assert general[0] == ("Master i informatikk er tildelt i henhold til «forskrift om grader og yrkesutdanninger, "
                          "beskyttet tittel og normert studietid ved universiteter og høgskoler» av 16.12.2005.")
    assert general[1] == ("Normert studietid for graden er 2 år og den har et omfang av 120 studiepoeng. "
                          "Et fullført studieår er normert til 60 studiepoeng.")
    assert general[2] == ("Master i informatikk er en kvalifikasjon som inngår i andre syklus i Nasjonalt "
                          "kvalifikasjonsrammeverk for livslang læring, fastsatt av Kunnskapsdepartementet "
                          "15.12.2011.")
    nn = [s.heading for s in master_set("nn").information.sections]
    assert nn == ["Generell informasjon om graden", "Målsetting, innhald og organisering av studieprogrammet",
                  "Kandidaten sitt læringsutbytte"]
    en = master_set("en").information.sections
    assert en[2].heading == "The candidate’s learning outcomes"
    assert en[0].paragraphs[1].startswith("The nominal length of study for the degree is 2 years and it comprises "
                                          "120 ECTS credits.")
    assert "part of the second cycle in the Norwegian Qualifications Framework" in en[0].paragraphs[2]


def test_framework_plan_text_only_for_programmes_with_one() -> None:
    from diploma_examples import PROGRAMME

    from vitnemal.diplomas.rules import LangText

    planned = replace(PROGRAMME, framework_plan=LangText("lærerutdanning", None, "teacher education"),
                      framework_plan_date=date(2010, 3, 1))
    general = master_set(programme=planned).information.sections[0].paragraphs
    assert ("Utdanningen er gjennomført i samsvar med rammeplan for lærerutdanning fastsatt av "
            "Kunnskapsdepartementet 01.03.2010.") in general
    assert not any("rammeplan" in p for p in master_set().information.sections[0].paragraphs)


def test_non_degree_has_no_field_one_and_uses_the_transitional_heading() -> None:
    d = non_degree_set()
    assert [s.heading for s in d.information.sections] == ["Informasjon om studieprogrammet"]
    assert d.information.sections[0].paragraphs == ("Årsstudiet gir en innføring i informatikk.",
                                                    "Det er på 60 studiepoeng.")
    assert d.front.conferral == "har fullført"
    assert dict(d.transcript.facts)["Kvalifikasjon"] == "Årsstudium i informatikk"
    assert [s.heading for s in non_degree_set("en").information.sections] == ["Information about the programme"]


def test_no_programme_texts_gives_the_transitional_heading_with_a_pointer() -> None:
    d = bachelor_set()
    assert [s.heading for s in d.information.sections] == ["Generell informasjon om graden",
                                                           "Informasjon om studieprogrammet"]
    assert "Universitetet i Oslo" in d.information.sections[1].paragraphs[0]


def test_grades_in_the_sets_language() -> None:
    en = {line.code: line.grade for line in master_set("en").transcript.lines}
    assert en["PRAKSIS"] == "Passed" and en["INF4010"] == "B"
    nb = {line.code: line.grade for line in master_set("nb").transcript.lines}
    assert nb["PRAKSIS"] == "Bestått"


def test_distribution_only_for_letter_grades() -> None:
    lines = {line.code: line for line in master_set().transcript.lines}
    assert lines["INF4010"].distribution is not None
    assert lines["INF4020"].distribution is None  # none given (hidden)
    assert lines["DAT200"].distribution is None


def test_compose_is_pure_and_repeatable() -> None:
    assert compose_diploma_set(master_inputs()) == compose_diploma_set(master_inputs())
    assert master_set().qualification.code == MASTER.code
