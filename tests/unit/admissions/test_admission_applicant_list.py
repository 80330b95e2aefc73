"""The applicants' list: every bad line reported with its number and reason, the rest taken."""

from __future__ import annotations

from datetime import date

import pytest

from vitnemal.admissions.applicant_list import ApplicantLine, LineRejection, ListRefused, read_csv, read_items
from vitnemal.admissions.models import LineProblem
from vitnemal.identity.national_id import make_national_id

A = make_national_id(date(1995, 3, 14), 123)
B = make_national_id(date(1996, 7, 2), 234)


def lines(text: str) -> list[ApplicantLine | LineRejection]:
    return list(read_csv(text.encode()))


def test_good_lines_are_taken_with_reference_and_names() -> None:
    got = lines(f"fodselsnummer;referanse;fornavn;etternavn\n{A};S-1;Kari;Nordmann\n\n{B[:6]} {B[6:]};;;\n")
    # The file's own line numbers (the header is line 1; the blank line 3 is skipped but counted).
    assert got == [ApplicantLine(2, A, "S-1", "Kari", "Nordmann"), ApplicantLine(4, B, None, None, None)]


def test_bad_lines_are_reported_by_number_and_reason_and_the_rest_taken() -> None:
    bad = A[:10] + str((int(A[10]) + 1) % 10)
    got = lines(f"national_id,reference\n{A},1\n{bad},2\n{A},3\n{B},4,extra\n{B},5\n")
    assert [(g.line_no, type(g).__name__, getattr(g, "reason", None)) for g in got] == [
        (2, "ApplicantLine", None), (3, "LineRejection", LineProblem.INVALID_NATIONAL_ID),
        (4, "LineRejection", LineProblem.DUPLICATE), (5, "LineRejection", LineProblem.MALFORMED),
        (6, "ApplicantLine", None)]
    duplicate = got[2]
    assert isinstance(duplicate, LineRejection) and "line 2" in duplicate.message


def test_the_api_items_follow_the_same_rules_numbered_from_one() -> None:
    got = list(read_items([{"national_id": A}, {"national_id": "123"}, {"national_id": A}, {"reference": "x"}]))
    assert [(g.line_no, getattr(g, "reason", None)) for g in got] == [
        (1, None), (2, LineProblem.INVALID_NATIONAL_ID), (3, LineProblem.DUPLICATE),
        (4, LineProblem.INVALID_NATIONAL_ID)]


def test_a_list_without_the_id_column_is_refused_whole() -> None:
    with pytest.raises(ListRefused, match="fodselsnummer"):
        lines(f"navn\n{A}\n")


def test_a_list_over_the_line_bound_is_refused() -> None:
    with pytest.raises(ListRefused, match="more than 2"):
        list(read_csv(f"fnr\n{A}\n{B}\n{A}\n".encode(), max_lines=2))


def test_a_list_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(ListRefused, match="UTF-8"):
        list(read_csv(b"fnr\n\xff\xfe\n"))


def test_an_unclosed_quote_or_a_huge_cell_refuses_the_list_with_its_line() -> None:
    # csv's own field limit (128 KiB) is reached by a quote left open: the whole rest of the file is one cell.
    # That is the list's fault, said as a ListRefused naming the line, not a csv.Error out of the service.
    with pytest.raises(ListRefused, match=r"line 3 .*quote"):
        list(read_csv(f'fnr;referanse\n{A};S-1\n{B};"S-2\n'.encode() + b"x" * 200_000 + b"\n"))
