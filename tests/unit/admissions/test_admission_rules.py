"""How admission reads an applicant's results, as pure rules: degrees, credits per level, courses, completeness."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from vitnemal.admissions.models import Stopped
from vitnemal.admissions.rules import (
    NO_DEGREE,
    FetchedContents,
    FetchState,
    Reason,
    incomplete_reasons,
    pack,
    summarise,
    unpack,
)
from vitnemal.exchange.outcomes import ImportedLink, ImportedQualification, ImportedResult
from vitnemal.exchange.states import OutcomeState


def result(code: str, year: int, season: str, grade: str, credits: str = "10") -> ImportedResult:
    return ImportedResult(key=f"{code}|{year}|{season}", course_code=code, name_nb=f"Emne {code}",
                          name_en=f"Course {code}", kind="course", thesis_title=None, year=year, season=season,
                          credits=Decimal(credits), grade=grade, grading_scale="letter", description_nb=None,
                          description_en=None)


def degree(code: str, level: str, awarded: date, keys: list[str], credits: str = "180") -> ImportedQualification:
    return ImportedQualification(key=code, code=code, name_nb=f"Grad {code}", name_en=f"Degree {code}", level=level,
                                 programme_name_nb=None, programme_name_en=None, specialisation_nb=None,
                                 specialisation_en=None, credits=Decimal(credits), award_date=awarded,
                                 diploma_issued_on=date(awarded.year, awarded.month, 28),
                                 links=tuple(ImportedLink(k, "Fag", "Courses", None) for k in keys))


def test_credits_are_summed_per_level_of_the_degree_each_course_belongs_to() -> None:
    ba = [result("BA1", 2015, "HØST", "B"), result("BA2", 2016, "VÅR", "C", "20")]
    ma = [result("MA1", 2019, "HØST", "A", "30")]
    loose = [result("X1", 2021, "VÅR", "D", "7.5")]
    fetched = [
        FetchedContents("216", "HiSF", (*ba, *loose), (degree("BA", "bachelor", date(2017, 6, 1),
                                                             [r.key for r in ba]),)),
        FetchedContents("185", "UiO", tuple(ma), (degree("MA", "master", date(2020, 6, 1), [ma[0].key], "120"),)),
    ]
    summary = summarise(fetched)
    assert summary.credits_by_level == {"bachelor": Decimal(30), "master": Decimal(30), NO_DEGREE: Decimal("7.5")}
    assert summary.total_credits == Decimal("67.5")
    assert [(d.institution, d.code, d.level, d.award_date) for d in summary.degrees] == [
        ("216", "BA", "bachelor", date(2017, 6, 1)), ("185", "MA", "master", date(2020, 6, 1))]
    assert [(c.code, c.term, c.grade, c.level) for c in summary.courses] == [
        ("BA1", "2015 HØST", "B", "bachelor"), ("BA2", "2016 VÅR", "C", "bachelor"),
        ("MA1", "2019 HØST", "A", "master"), ("X1", "2021 VÅR", "D", NO_DEGREE)]


def test_a_course_taken_again_counts_once_with_its_best_grade() -> None:
    taken = (result("MAT100", 2014, "HØST", "E"), result("MAT100", 2015, "VÅR", "B"),
             result("MAT100", 2016, "VÅR", "C"))
    summary = summarise([FetchedContents("216", "HiSF", taken, ())])
    assert [(c.code, c.term, c.grade) for c in summary.courses] == [("MAT100", "2015 VÅR", "B")]
    assert summary.total_credits == Decimal(10)


def test_the_same_course_code_at_two_institutions_counts_at_each() -> None:
    summary = summarise([FetchedContents("216", "A", (result("K1", 2014, "HØST", "A"),), ()),
                         FetchedContents("214", "B", (result("K1", 2015, "HØST", "C"),), ())])
    assert summary.total_credits == Decimal(20)


def test_a_pass_fail_retake_keeps_the_later_term() -> None:
    taken = (result("EXPHIL", 2014, "HØST", "Bestått"), result("EXPHIL", 2016, "VÅR", "Bestått"))
    summary = summarise([FetchedContents("185", "UiO", taken, ())])
    assert [c.term for c in summary.courses] == ["2016 VÅR"]


def test_packed_contents_read_back_equal() -> None:
    ba = (result("BA1", 2015, "HØST", "B", "7.5"),)
    quals = (degree("BA", "bachelor", date(2017, 6, 1), [ba[0].key]),)
    assert unpack(pack(ba, quals)) == (ba, quals)


def test_complete_when_every_institution_answered_for_good() -> None:
    fetches = {"216": FetchState(OutcomeState.FINAL, "imported"), "214": FetchState(OutcomeState.FINAL, "no_results"),
               "184": FetchState(OutcomeState.FINAL, "reserved")}
    assert incomplete_reasons(fetches, ["216", "214", "184"]) == []


def test_each_reason_names_the_institution() -> None:
    later = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    fetches = {"216": FetchState(OutcomeState.RETRY, "unavailable", later),
               "214": FetchState(OutcomeState.FINAL, "identity_mismatch"),
               "184": FetchState(OutcomeState.FINAL, "imported")}
    reasons = incomplete_reasons(fetches, ["216", "214", "184", "194"])
    assert reasons == [Reason("waiting_retry", "216"), Reason("identity_mismatch", "214"), Reason("not_asked", "194")]
    assert reasons[0].next_attempt_at == later


def test_a_withdrawn_consent_is_the_reason_and_the_unasked_are_not_listed() -> None:
    fetches = {"216": FetchState(OutcomeState.FINAL, "imported"), "185": FetchState(OutcomeState.RETRY, "unavailable")}
    assert incomplete_reasons(fetches, ["216", "214", "185"], Stopped.CONSENT_WITHDRAWN) == [
        Reason("consent_withdrawn")]


def test_each_line_names_its_institution_as_it_was_named_that_day() -> None:
    """A merged institution: 216 was Høgskulen i Sogn og Fjordane until 2016, Høgskulen på Vestlandet since."""
    def name_on(code: str, day: date) -> str:
        return "Høgskulen i Sogn og Fjordane" if day < date(2017, 1, 1) else "Høgskulen på Vestlandet"

    old, new = result("GEO1", 2014, "VÅR", "B"), result("GEO2", 2019, "HØST", "A")
    fetched = [FetchedContents("216", "Høgskulen på Vestlandet", (old, new),
                               (degree("BA", "bachelor", date(2016, 6, 20), [old.key]),))]
    summary = summarise(fetched, name_on=name_on)
    assert [(c.code, c.institution_name) for c in summary.courses] == [
        ("GEO1", "Høgskulen i Sogn og Fjordane"), ("GEO2", "Høgskulen på Vestlandet")]
    assert [d.institution_name for d in summary.degrees] == ["Høgskulen i Sogn og Fjordane"]
    assert {c.institution_name for c in summarise(fetched).courses} == {"Høgskulen på Vestlandet"}


def test_no_results_about_an_applicant_the_list_did_not_name_is_not_confirmed() -> None:
    fetches = {"185": FetchState(OutcomeState.FINAL, "no_results"), "216": FetchState(OutcomeState.FINAL, "imported")}
    assert incomplete_reasons(fetches, ["185", "216"], named=False) == [Reason("unnamed")]
    assert incomplete_reasons(fetches, ["185", "216"]) == []
    imported_only = {"216": FetchState(OutcomeState.FINAL, "imported")}
    assert incomplete_reasons(imported_only, ["216"], named=False) == []
