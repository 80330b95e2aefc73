"""The long poll's rules: answer on the reading that says so, keep reading until then, bounded in time and in
number, and stop for a client that left; when the case page and the owner's page are answered."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from vitnemal.casepages.live import PARTIAL_GAP_S, Reading, answer_now
from vitnemal.portal.fetch import Progress
from vitnemal.portal.routes import PARTIAL_GAP_S as PAGE_GAP_S
from vitnemal.portal.routes import _progress_answer
from vitnemal.web import longpoll


class Readings:
    """Hands out the given values one per reading (the last one again once they run out)."""

    def __init__(self, *values: int) -> None:
        self.values = list(values)
        self.count = 0

    def __call__(self) -> int:
        self.count += 1
        return self.values[min(self.count, len(self.values)) - 1]


def wait(readings: Readings, ready: object, **kwargs: object) -> int:
    return asyncio.run(longpoll.wait_for(readings, ready, **kwargs))  # type: ignore[arg-type]


def test_ready_on_the_first_reading_answers_at_once() -> None:
    readings = Readings(3)
    assert wait(readings, lambda value, waited: value == 3) == 3
    assert readings.count == 1


def test_reads_until_the_reading_says_to_answer() -> None:
    readings = Readings(0, 0, 0, 1)
    assert wait(readings, lambda value, waited: value == 1, max_wait_s=10) == 1
    assert readings.count == 4


def test_a_wait_that_never_becomes_ready_ends_with_the_last_reading() -> None:
    readings = Readings(0, 0, 7)
    assert wait(readings, lambda value, waited: False, max_wait_s=0.2) == 7
    assert readings.count >= 3


def test_past_the_limit_of_waits_an_ask_is_answered_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(longpoll, "_waiting", longpoll.MAX_WAITING)
    readings = Readings(0, 1)
    assert wait(readings, lambda value, waited: value == 1, max_wait_s=10) == 0
    assert readings.count == 1


def test_a_client_that_left_ends_its_wait_and_frees_its_place() -> None:
    readings = Readings(0)

    async def gone() -> bool:
        return True

    assert wait(readings, lambda value, waited: False, gone=gone, max_wait_s=10) == 0
    assert readings.count == 2 and longpoll.waiting() == 0


def test_young_things_are_read_often_old_ones_seldom() -> None:
    assert longpoll.reading_interval(0.5) == 0.02
    assert longpoll.reading_interval(5) == 0.25
    assert longpoll.reading_interval(60) == 1.0
    readings = Readings(0, 0, 0)
    wait(readings, lambda value, waited: False, age=lambda value: 60.0, max_wait_s=0.3)
    assert readings.count == 2  # read once at the start and once when the wait ran out, not every 20 ms


def reading(answered: int, pending: int, status: str = "running") -> Reading:
    return Reading(status, answered, pending, datetime.now(UTC) - timedelta(seconds=1))


def test_the_case_page_is_answered_the_moment_the_last_institution_answers() -> None:
    seen = ("running", 40)
    assert not answer_now(seen, reading(40, 10), 5.0)  # nothing new
    assert answer_now(seen, reading(50, 0), 0.0)  # the last one: at once
    assert not answer_now(seen, reading(45, 5), 0.0)  # some more: gathered a moment first
    assert answer_now(seen, reading(45, 5), PARTIAL_GAP_S)
    assert answer_now(("running", 50), reading(50, 0, "done"), 0.0)  # the order's status changed
    assert answer_now(seen, Reading("", 0, 0, None), 0.0)  # no such order: the full answer says 404


def test_the_owners_page_reloads_when_every_institution_answered_or_a_second_after_news() -> None:
    started = datetime.now(UTC)
    assert not _progress_answer((3, 0), Progress(3, 0, 5, started), 5.0)
    assert _progress_answer((3, 0), Progress(0, 0, 5, started), 0.0)
    assert not _progress_answer((3, 0), Progress(2, 0, 5, started), 0.0)
    assert _progress_answer((3, 0), Progress(2, 0, 5, started), PAGE_GAP_S)
    assert _progress_answer((0, 1), Progress(0, 0, 5, started), 0.0)  # a retried institution's results arrived
