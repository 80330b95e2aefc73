"""What a printed certificate says (the view handed to the typst template), without rendering."""

from __future__ import annotations

from datetime import date

from school_examples import base_pupil

from vitnemal.school.model import Grade
from vitnemal.school.parsing import parse_certificate
from vitnemal.school.render import certificate_view
from vitnemal.school.texts import grade_text, long_date


def test_grades_are_printed_in_figures_and_words() -> None:
    assert [grade_text(Grade.of(n), "nb") for n in range(1, 7)] == [
        "1 en",
        "2 to",
        "3 tre",
        "4 fire",
        "5 fem",
        "6 seks",
    ]
    assert grade_text(Grade.of(1), "nn") == "1 ein"
    assert grade_text(Grade.of(5), "en") == "5 five"


def test_dates_are_written_out() -> None:
    assert long_date(date(2026, 6, 19), "nb") == "19. juni 2026"
    assert long_date(date(2026, 6, 19), "en") == "19 June 2026"


def test_the_view_of_the_base_pupil() -> None:
    pupil = base_pupil(
        electives=[{"name": "Programmering", "grade": "5"}, "IV"],
        absence={"8": {"days": 3, "hours": 14}, "9": {"days": 12, "hours": 1, "excluded_days": 10}},
        place="Bergen",
        date="2026-06-19",
        iop=True,
        iop_on_certificate=True,
        order="NG",
    )
    pupil["final"]["utdanningsvalg"] = "deltatt"
    view = certificate_view(parse_certificate(pupil), "nb")
    rows = view["final_rows"]
    assert isinstance(rows, list)
    names = [row[0] for row in rows]
    # valgfag stand after fremmedspråk and before utdanningsvalg
    assert names[-4:] == ["Fremmedspråk", "Valgfag: Programmering", "Valgfag", "Utdanningsvalg"]
    assert rows[-2][1] == "Vurdering ikke mulig" and rows[-1][1] == "Deltatt"
    assert view["exam_rows"] == [["Matematikk", "S", "3 tre"], ["Engelsk", "M", "4 fire"]]
    # days shown are after the documented days left out; hours are never turned into days; 10. trinn not given
    assert view["absence_rows"] == [["8. trinn", "3", "14"], ["9. trinn", "2", "1"], ["10. trinn", "–", "–"]]
    assert view["absence_excluded"] is True
    assert view["iop"] is True
    assert (view["order"], view["conduct"]) == ("Nokså god", "God")
    assert view["place_and_date"] == "Bergen, 19. juni 2026"


def test_the_plan_is_not_shown_unless_asked_for() -> None:
    assert certificate_view(parse_certificate(base_pupil(iop=True)), "nn")["iop"] is False


def test_nynorsk_and_english_words() -> None:
    cert = parse_certificate(base_pupil())
    nn = certificate_view(cert, "nn", today=date(2026, 6, 19))
    en = certificate_view(cert, "en", today=date(2026, 6, 19))
    assert nn["final_rows"][0] == ["Norsk munnleg", "4 fire"]  # type: ignore[index]
    assert en["final_rows"][0] == ["Norwegian, oral", "4 four"]  # type: ignore[index]
    assert en["place_and_date"] == "19 June 2026"


def test_a_certificate_without_a_date_printed_after_midnight_in_oslo_has_oslo_s_date(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # review R28: it printed date.today(), the machine's UTC date (1 December at 23:30 UTC, 00:30 in Oslo)
    import time
    from datetime import UTC, datetime

    monkeypatch.setattr(time, "time", lambda: datetime(2026, 12, 1, 23, 30, tzinfo=UTC).timestamp())
    view = certificate_view(parse_certificate(base_pupil()), "nb")
    assert view["place_and_date"].endswith("2. desember 2026")  # type: ignore[union-attr]
