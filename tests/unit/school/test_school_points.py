"""Worked examples of admission points, each computed by hand from the rules in the comment above it.

The base pupil (school_examples.py) has 14 final grades summing to 59, one valgfag 5 and the exams
matematikk skriftlig 3 and engelsk muntlig 4.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from school_examples import base_pupil

from vitnemal.school.model import EXEMPT, NOT_POSSIBLE, Grade
from vitnemal.school.parsing import parse_certificate
from vitnemal.school.points import NoCountableGrades, Source, admission_points, divide_half_up, elective_average


def points_of(pupil: dict[str, object]) -> Decimal:
    return admission_points(parse_certificate(pupil)).points


def test_one_valgfag_counts_at_its_own_value() -> None:
    # 59 (final) + 5 (valgfag) + 3 + 4 (exams) = 71 over 14 + 1 + 2 = 17 grades
    # 71 × 10 ÷ 17 = 41.7647… → 41.76
    result = admission_points(parse_certificate(base_pupil()))
    assert result.total == Decimal(71)
    assert result.count == 17
    assert result.elective_average == Decimal("5.00")
    assert result.points == Decimal("41.76")
    assert str(result.points) == "41.76"


def test_three_valgfag_are_averaged_to_one_grade_with_two_decimals() -> None:
    # valgfag 5, 4, 4 → 13 ÷ 3 = 4.333… → 4.33, counted once
    # 59 + 4.33 + 3 + 4 = 70.33 over 17 grades; 703.3 ÷ 17 = 41.3705… → 41.37
    result = admission_points(parse_certificate(base_pupil(electives=["5", "4", "4"])))
    assert result.elective_average == Decimal("4.33")
    assert result.total == Decimal("70.33")
    assert result.count == 17
    assert result.points == Decimal("41.37")
    assert [c.label for c in result.counted].count("valgfag (gjennomsnitt)") == 1


def test_two_valgfag_average_is_a_grade_with_decimals() -> None:
    # valgfag 5, 4 → 4.50; 59 + 4.50 + 7 = 70.50 over 17; 705 ÷ 17 = 41.4705… → 41.47
    assert points_of(base_pupil(electives=["5", "4"])) == Decimal("41.47")


def test_iv_counts_as_zero_and_stays_in_the_count() -> None:
    # musikk IV instead of 4: final 59 − 4 + 0 = 55, still 14 grades
    # 55 + 5 + 3 + 4 = 67 over 17; 670 ÷ 17 = 39.4117… → 39.41
    pupil = base_pupil()
    pupil["final"]["musikk"] = "IV"
    result = admission_points(parse_certificate(pupil))
    assert result.count == 17
    assert result.total == Decimal(67)
    assert result.points == Decimal("39.41")
    assert any(c.label == "musikk" and c.grade == "IV" and c.value == 0 for c in result.counted)


def test_fritatt_does_not_count_and_leaves_the_count() -> None:
    # kroppsøving fritatt instead of 5: final 59 − 5 = 54 over 13 grades
    # 54 + 5 + 3 + 4 = 66 over 16; 660 ÷ 16 = 41.25
    pupil = base_pupil()
    pupil["final"]["kroppsøving"] = "fritatt"
    result = admission_points(parse_certificate(pupil))
    assert (result.total, result.count, result.points) == (Decimal(66), 16, Decimal("41.25"))
    assert [s.label for s in result.skipped if s.grade == "fritatt"] == ["kroppsøving"]


def test_sidemal_exemption_gives_one_written_norsk_grade() -> None:
    # sidemål fritatt instead of 3: final 59 − 3 = 56 over 13 grades; valgfag 5 → 61 over 14
    # drawn for written norsk: one grade, hovedmål 4; oral engelsk 4 → 69 over 16
    # 690 ÷ 16 = 43.125 exactly → half-up 43.13 (half-even, and Python's round() on the float, give 43.12)
    pupil = base_pupil(exams={"norsk hovedmål skriftlig": "4", "engelsk muntlig": "4"})
    pupil["final"]["norsk sidemål skriftlig"] = "fritatt"
    result = admission_points(parse_certificate(pupil))
    assert (result.total, result.count) == (Decimal(69), 16)
    assert result.points == Decimal("43.13")
    assert round(690 / 16, 2) == 43.12  # the binary-float / half-even answer we must not give


def test_written_norsk_without_exemption_gives_two_grades() -> None:
    # hovedmål 4 and sidemål 3 at exam, oral engelsk 4: 59 + 5 + 4 + 3 + 4 = 75 over 18
    # 750 ÷ 18 = 41.666… → 41.67
    pupil = base_pupil(exams={"norsk hovedmål skriftlig": "4", "norsk sidemål skriftlig": "3", "engelsk muntlig": "4"})
    result = admission_points(parse_certificate(pupil))
    assert (result.total, result.count, result.points) == (Decimal(75), 18, Decimal("41.67"))
    assert sum(1 for c in result.counted if c.source is Source.EXAM) == 3


def test_orden_and_atferd_never_count() -> None:
    # the base pupil with orden G and atferd LG: still 71 over 17 → 41.76, and both are listed as not counted
    result = admission_points(parse_certificate(base_pupil(order="G", conduct="LG")))
    assert result.points == Decimal("41.76")
    assert {(s.label, s.grade) for s in result.skipped} == {("orden", "G"), ("atferd", "LG")}
    assert all(c.source is not Source.ORDER_AND_CONDUCT for c in result.counted)


def test_orden_and_atferd_given_among_the_final_grades_are_recognised() -> None:
    pupil = base_pupil(order=None, conduct=None)
    pupil["final"].update({"orden": "God", "atferd": "Nokså god"})
    result = admission_points(parse_certificate(pupil))
    assert result.points == Decimal("41.76")
    assert {(s.label, s.grade) for s in result.skipped} == {("orden", "G"), ("atferd", "NG")}


def test_utdanningsvalg_deltatt_does_not_count() -> None:
    pupil = base_pupil()
    pupil["final"]["utdanningsvalg"] = "deltatt"
    result = admission_points(parse_certificate(pupil))
    assert result.points == Decimal("41.76")
    assert ("utdanningsvalg", "deltatt") in {(s.label, s.grade) for s in result.skipped}


def test_rounding_boundary_where_the_two_readings_differ() -> None:
    # The base pupil: 71 ÷ 17 = 4.17647…
    #   our reading  : 71 × 10 ÷ 17 = 41.7647… → 41.76
    #   average first: 4.18 × 10 = 41.80
    result = admission_points(parse_certificate(base_pupil()))
    average_first = divide_half_up(result.total, result.count) * 10
    assert average_first == Decimal("41.80")
    assert result.points == Decimal("41.76")


def test_rounding_boundary_at_an_exact_half() -> None:
    # nine final grades 5 5 5 5 5 5 5 5 4 = 44; valgfag 5, 4, 4 → 13 ÷ 3 = 4.33; exams 6 + 6 = 12
    # 44 + 4.33 + 12 = 60.33 over 9 + 1 + 2 = 12 grades; 603.3 ÷ 12 = 50.275 exactly → half-up 50.28
    # In binary floats 60.33 × 10 ÷ 12 is 50.27499…, which round() takes down to 50.27.
    final = dict.fromkeys(
        ["norsk muntlig", "engelsk muntlig", "matematikk", "naturfag", "samfunnsfag", "KRLE", "musikk", "kroppsøving"],
        "5",
    )
    final["mat og helse"] = "4"
    pupil = base_pupil(
        final=final, electives=["5", "4", "4"], exams={"matematikk skriftlig": "6", "engelsk muntlig": "6"}
    )
    result = admission_points(parse_certificate(pupil))
    assert (result.total, result.count) == (Decimal("60.33"), 12)
    assert result.points == Decimal("50.28")
    assert round(60.33 * 10 / 12, 2) == 50.27  # what binary floats would have given


def test_valgfag_average_rounds_half_up_and_counts_iv_as_zero() -> None:
    # 5, 5, 4 → 14 ÷ 3 = 4.666… → 4.67; 5 and IV → 5 ÷ 2 = 2.50; fritatt is left out; all fritatt → none
    assert elective_average([Grade.of(5), Grade.of(5), Grade.of(4)]) == Decimal("4.67")
    assert elective_average([Grade.of(5), NOT_POSSIBLE]) == Decimal("2.50")
    assert elective_average([Grade.of(5), EXEMPT]) == Decimal("5.00")
    assert elective_average([EXEMPT]) is None


def test_the_working_is_shown() -> None:
    result = admission_points(parse_certificate(base_pupil(electives=["5", "4"])))
    assert result.formula.endswith("= 705.00 ÷ 17 = 41.47")
    valgfag = next(c for c in result.counted if c.source is Source.ELECTIVES)
    assert (valgfag.grade, valgfag.value) == ("5 + 4", Decimal("4.50"))


def test_no_countable_grades_is_an_error() -> None:
    pupil = base_pupil(
        final={"norsk muntlig": "fritatt"},
        electives=["fritatt"],
        exams={"matematikk skriftlig": "fritatt", "engelsk muntlig": "fritatt"},
    )
    with pytest.raises(NoCountableGrades, match="no grade counts"):
        admission_points(parse_certificate(pupil))


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        ("0", 1, "0.00"),
        ("600", 10, "60.00"),
        ("0.005", 1, "0.01"),
        ("0.0049999", 1, "0.00"),
        ("710", 17, "41.76"),
        ("-0.005", 1, "-0.01"),
        ("1E+2", 3, "33.33"),
    ],
)
def test_divide_half_up(numerator: str, denominator: int, expected: str) -> None:
    assert str(divide_half_up(Decimal(numerator), denominator)) == expected
