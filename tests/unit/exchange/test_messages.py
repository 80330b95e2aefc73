"""What a case worker reads: a sentence per outcome in nb, nn and en, naming the institution, in Oslo time."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from vitnemal.exchange.messages import change_text, order_label, outcome_text, status_text
from vitnemal.exchange.outcomes import Outcome
from vitnemal.exchange.states import OrderStatus, OutcomeState
from vitnemal.i18n import LANGUAGES, show_time

NAME = "Høgskulen i Sogn og Fjordane"


def test_times_are_norwegian_time_on_both_sides_of_the_summer_time_change() -> None:
    # Summer time begins 29 March 2026 at 01:00 UTC (02:00 becomes 03:00 in Oslo).
    assert show_time(datetime(2026, 3, 29, 0, 30, tzinfo=UTC)) == "29.03.2026 01:30"
    assert show_time(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == "29.03.2026 03:30"
    assert show_time(datetime(2026, 12, 1, 14, 36, tzinfo=UTC)) == "01.12.2026 15:36"  # issue 8's "an hour off"
    assert show_time(datetime(2026, 12, 1, 14, 36, tzinfo=UTC), "en") == "1 December 2026 15:36"
    assert order_label(datetime(2026, 7, 1, 22, 10, tzinfo=UTC)) == "Bestilt 02.07.2026 00:10"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_is_a_sentence_naming_the_institution_without_codes(outcome: Outcome, lang: str) -> None:
    text = outcome_text(name=NAME, outcome=outcome, state=OutcomeState.FINAL, results=2, degrees=1, attempts=3,
                        next_attempt_at=None, order_id=7, lang=lang)  # type: ignore[arg-type]
    assert NAME in text and text.endswith(".")
    assert not re.search(r"[a-z]+_[a-z]+", text), text  # no internal code such as invalid_answer


@pytest.mark.parametrize(("lang", "expected"), [
    ("nb", f"{NAME} svarte ikke nå; spørres automatisk på nytt 02.12.2026 15:36."),
    ("nn", f"{NAME} svarte ikkje no; blir spurd automatisk på nytt 02.12.2026 15:36."),
    ("en", f"{NAME} did not answer this time; it is asked again automatically at 2 December 2026 15:36."),
])
def test_a_node_that_is_down_says_when_it_is_asked_again(lang: str, expected: str) -> None:
    text = outcome_text(name=NAME, outcome=Outcome.UNAVAILABLE, state=OutcomeState.RETRY, results=0, degrees=0,
                        attempts=1, next_attempt_at=datetime(2026, 12, 2, 14, 36, tzinfo=UTC), order_id=7,
                        lang=lang)  # type: ignore[arg-type]
    assert text == expected


def test_counts_changes_and_status() -> None:
    def imported(results: int, degrees: int, lang: str = "nb") -> str:
        return outcome_text(name="X", outcome=Outcome.IMPORTED, state=OutcomeState.FINAL, results=results,
                            degrees=degrees, attempts=1, next_attempt_at=None, order_id=1,
                            lang=lang)  # type: ignore[arg-type]

    assert imported(1, 0) == "X: 1 resultat er hentet inn."
    assert imported(4, 1) == "X: 4 resultater og 1 grad er hentet inn."
    assert imported(4, 2, "nn") == "X: 4 resultat og 2 gradar er henta inn."
    assert imported(0, 1, "en") == "X: 1 degree imported."
    assert change_text(name="X", kind="new_result", code="RES-100") == "X: nytt resultat RES-100."
    waiting = status_text(status=OrderStatus.WAITING, ordered_at=datetime(2026, 12, 1, 14, 0, tzinfo=UTC),
                          next_run_at=datetime(2026, 12, 2, 14, 0, tzinfo=UTC), finished_at=None,
                          waiting_for=["Høgskolen i Nord-Trøndelag"], lang="nb")
    assert waiting == "Venter på nytt forsøk 02.12.2026 15:00: alle har svart unntatt Høgskolen i Nord-Trøndelag."


def test_every_outcome_has_a_tone_and_waiting_is_never_an_alarm() -> None:
    from vitnemal.exchange.messages import outcome_tone

    assert outcome_tone(Outcome.IMPORTED, OutcomeState.FINAL) == "success"
    assert outcome_tone(Outcome.UNAVAILABLE, OutcomeState.RETRY) == "info"  # retried by itself: nothing to do yet
    assert outcome_tone(Outcome.UNAVAILABLE, OutcomeState.FINAL) == "danger"
    assert outcome_tone(None, OutcomeState.PENDING) == "info"
    assert {outcome_tone(o, OutcomeState.FINAL) for o in Outcome} <= {"success", "neutral", "warning", "danger"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_degree_not_released_says_why_with_the_field_a_case_worker_knows(lang: str) -> None:
    text = outcome_text(name=NAME, outcome=Outcome.DEGREE_NOT_RELEASED, state=OutcomeState.FINAL, results=0,
                        degrees=0, attempts=1, next_attempt_at=None, order_id=7, lang=lang)  # type: ignore[arg-type]
    assert "Dato_Utlev_Vitn" in text and NAME in text
