"""The order state machine: claiming, lease takeover, retries and finishing, with a clock passed in (no servers)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from tests.factories import add_person, consent

from vitnemal.db import Database
from vitnemal.exchange import lifecycle, service
from vitnemal.exchange.models import OrderOutcome, ResultsOrder
from vitnemal.exchange.outcomes import Outcome, Verdict
from vitnemal.exchange.states import (
    OrderStatus,
    OutcomeState,
    RetryPolicy,
    after_attempt,
    after_round,
    is_due,
)

T0 = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
LEASE_S = 30.0
POLICY = RetryPolicy(retry_after_s=86_400, max_attempts=3)
PERSON = "01039510010"


def test_what_is_due() -> None:
    later, earlier = T0 + timedelta(seconds=1), T0 - timedelta(seconds=1)
    assert is_due(OrderStatus.QUEUED, None, None, T0)
    assert is_due(OrderStatus.RUNNING, earlier, None, T0)  # its holder died: taken over
    assert not is_due(OrderStatus.RUNNING, later, None, T0)
    assert not is_due(OrderStatus.RUNNING, None, None, T0)
    assert is_due(OrderStatus.WAITING, None, T0, T0)
    assert not is_due(OrderStatus.WAITING, None, later, T0)
    assert not is_due(OrderStatus.DONE, earlier, earlier, T0)


def test_retries_until_attempts_run_out() -> None:
    assert after_attempt(0, True, T0, POLICY) == (OutcomeState.RETRY, T0 + timedelta(days=1))
    assert after_attempt(1, True, T0, POLICY) == (OutcomeState.RETRY, T0 + timedelta(days=1))
    assert after_attempt(2, True, T0, POLICY) == (OutcomeState.FINAL, None)
    assert after_attempt(0, False, T0, POLICY) == (OutcomeState.FINAL, None)


def test_a_round_ends_queued_waiting_or_done() -> None:
    soon, later = T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    final = (OutcomeState.FINAL, None)
    assert after_round([final, (OutcomeState.PENDING, None), (OutcomeState.RETRY, soon)]) == (OrderStatus.QUEUED, None)
    assert after_round([final, (OutcomeState.RETRY, later), (OutcomeState.RETRY, soon)]) == (OrderStatus.WAITING, soon)
    assert after_round([final, final]) == (OrderStatus.DONE, None)
    assert after_round([]) == (OrderStatus.DONE, None)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def _place(db: Database, members: tuple[str, ...] = ("185", "216", "214")) -> int:
    with db.session() as s:
        person = add_person(s, PERSON)
        consent(s, person)
        return service.place_order(s, national_id=PERSON, ordered_by="t", own_code="185", members=list(members),
                                   now=T0).id


def _answer(db: Database, order_id: int, owner: str, now: datetime, **verdicts: Verdict) -> None:
    with db.session() as s:
        service.record_outcomes(s, order_id=order_id, owner=owner, now=now, policy=POLICY, lease_s=LEASE_S,
                                answered=[service.Answered(code, code, v, 5) for code, v in verdicts.items()])


def test_a_claim_holds_until_the_lease_runs_out_then_another_worker_takes_over(db: Database) -> None:
    order_id = _place(db)
    with db.session() as s:
        assert lifecycle.claim_orders(s, owner="a", now=T0, lease_s=LEASE_S, limit=5) == [order_id]
    with db.session() as s:
        assert lifecycle.claim_orders(s, owner="b", now=T0 + timedelta(seconds=29), lease_s=LEASE_S, limit=5) == []
        assert not lifecycle.claim_order(s, order_id, owner="b", now=T0 + timedelta(seconds=29), lease_s=LEASE_S)
    # "a" answered for 216 before it stalled; its lease runs out and "b" (a worker or a case worker's command,
    # by the same rule) takes over.
    _answer(db, order_id, "a", T0 + timedelta(seconds=1), **{"216": Verdict(Outcome.NO_RESULTS, "")})
    takeover = T0 + timedelta(seconds=1 + LEASE_S + 1)
    with db.session() as s:
        assert lifecycle.claim_order(s, order_id, owner="b", now=takeover, lease_s=LEASE_S)
        # 216 answered already, so only 214 is asked again
        assert [o.institution_code for o in lifecycle.due_outcomes(s, order_id, takeover)] == ["214"]
        # the old holder can no longer write or finish
        assert lifecycle.hold(s, order_id, "a") is None
        assert lifecycle.finish_round(s, order_id=order_id, owner="a", now=takeover) is None
    _answer(db, order_id, "a", takeover, **{"214": Verdict(Outcome.IMPORTED, "")})  # ignored: not the holder
    with db.read_session() as s:
        assert s.scalar(select(OrderOutcome.state).where(OrderOutcome.institution_code == "214")) \
            is OutcomeState.PENDING


def test_retry_waiting_and_done(db: Database) -> None:
    order_id = _place(db)
    with db.session() as s:
        lifecycle.claim_orders(s, owner="a", now=T0, lease_s=LEASE_S, limit=5)
    _answer(db, order_id, "a", T0, **{"216": Verdict(Outcome.IMPORTED, ""),
                                      "214": Verdict(Outcome.UNAVAILABLE, "down", retry=True)})
    with db.session() as s:
        assert lifecycle.finish_round(s, order_id=order_id, owner="a", now=T0) is OrderStatus.WAITING
        order = s.get(ResultsOrder, order_id)
        assert order is not None and order.status is OrderStatus.WAITING and order.lease_owner is None
        assert order.next_run_at == T0 + timedelta(days=1)
        assert not lifecycle.has_due_orders(s, T0 + timedelta(hours=23))
        assert lifecycle.has_due_orders(s, T0 + timedelta(days=1))
        assert not lifecycle.claim_order(s, order_id, owner="b", now=T0 + timedelta(hours=23), lease_s=LEASE_S)
    next_day = T0 + timedelta(days=1)
    with db.session() as s:
        assert lifecycle.claim_order(s, order_id, owner="b", now=next_day, lease_s=LEASE_S)
        assert [o.institution_code for o in lifecycle.due_outcomes(s, order_id, next_day)] == ["214"]
    _answer(db, order_id, "b", next_day, **{"214": Verdict(Outcome.IMPORTED, "")})
    with db.session() as s:
        assert lifecycle.finish_round(s, order_id=order_id, owner="b", now=next_day) is OrderStatus.DONE
        order = s.get(ResultsOrder, order_id)
        assert order is not None and order.finished_at == next_day and order.next_run_at is None
        assert not lifecycle.has_due_orders(s, next_day + timedelta(days=30))


def test_a_round_that_did_not_record_every_answer_is_queued_again(db: Database) -> None:
    order_id = _place(db)
    with db.session() as s:
        lifecycle.claim_orders(s, owner="a", now=T0, lease_s=LEASE_S, limit=5)
    _answer(db, order_id, "a", T0, **{"216": Verdict(Outcome.IMPORTED, "")})
    with db.session() as s:
        assert lifecycle.finish_round(s, order_id=order_id, owner="a", now=T0) is OrderStatus.QUEUED
        assert lifecycle.claim_order(s, order_id, owner="b", now=T0, lease_s=LEASE_S)


def test_the_sql_rule_is_the_python_rule(db: Database) -> None:
    """Every combination of status, lease and retry time: the due clause picks exactly what is_due says."""
    cases = [(status, lease, run) for status in OrderStatus
             for lease in (None, T0 - timedelta(seconds=1), T0 + timedelta(seconds=1))
             for run in (None, T0, T0 + timedelta(seconds=1))]
    ids = []
    for status, lease, run in cases:
        order_id = _place(db, members=("185",)) if not ids else None
        with db.session() as s:
            if order_id is None:
                first = s.get(ResultsOrder, ids[0])
                assert first is not None
                clone = ResultsOrder(person_id=first.person_id, national_id=PERSON, ordered_at=T0, ordered_by="t",
                                     status=OrderStatus.QUEUED)
                s.add(clone)
                s.flush()
                order_id = clone.id
            s.execute(update(ResultsOrder).where(ResultsOrder.id == order_id)
                      .values(status=status, lease_until=lease, next_run_at=run))
        ids.append(order_id)
    with db.read_session() as s:
        due = set(s.scalars(select(ResultsOrder.id).where(lifecycle.due_clause(T0))))
    assert due == {i for i, (status, lease, run) in zip(ids, cases, strict=True) if is_due(status, lease, run, T0)}


def test_statuses_are_enums_and_unknown_values_are_refused(db: Database) -> None:
    order_id = _place(db)
    with db.read_session() as s:
        order = service.load_order(s, order_id)
        assert order is not None and order.status is OrderStatus.QUEUED
        assert {o.state for o in order.outcomes} == {OutcomeState.PENDING}
    with pytest.raises(Exception, match="'finished' is not a valid OrderStatus"), db.session() as s:
        s.execute(update(ResultsOrder).where(ResultsOrder.id == order_id).values(status="finished"))
