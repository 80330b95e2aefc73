"""The node's rules (the seed's three questions and the request checks), without any I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime

from vitnemal.node import rules
from vitnemal.node.protocol import ConsentClaim

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_question_one_sharing() -> None:
    assert rules.sharing_refusal(module_active=True, reserved=False) is None
    assert rules.sharing_refusal(module_active=True, reserved=True) == "reserved"
    assert rules.sharing_refusal(module_active=False, reserved=False) == "not_sharing"
    assert rules.sharing_refusal(module_active=False, reserved=True) == "not_sharing"


def _consent(**kw: str) -> ConsentClaim:
    base = {"type": "RESUTVEKSL", "answer": "J", "answered_at": "2026-08-15T12:00:00+00:00", "recorded_by": "185"}
    return ConsentClaim(**{**base, **kw})


def test_question_two_consent() -> None:
    assert rules.consent_refusal(_consent(), "185", NOW) is None
    assert "no consent" in (rules.consent_refusal(None, "185", NOW) or "")
    assert "answered no" in (rules.consent_refusal(_consent(answer="N"), "185", NOW) or "")
    assert "RESUTVEKSL" in (rules.consent_refusal(_consent(type="SEMREG"), "185", NOW) or "")
    assert "not by the requester 185" in (rules.consent_refusal(_consent(recorded_by="216"), "185", NOW) or "")
    assert "future" in (rules.consent_refusal(_consent(answered_at="2027-01-01T00:00:00+00:00"), "185", NOW) or "")
    assert "not a date" in (rules.consent_refusal(_consent(answered_at="yesterday"), "185", NOW) or "")


def test_degree_released_only_when_diploma_issued_before_the_fetch_date() -> None:
    fetch = date(2026, 11, 25)
    assert rules.is_released(date(2026, 11, 24), fetch)
    assert not rules.is_released(date(2026, 11, 25), fetch)  # "mindre enn hentedato": the same day is not before
    assert not rules.is_released(None, fetch)


def test_freshness() -> None:
    now = 1_000_000.0
    assert rules.freshness_refusal(int(now) - 299, now, 300) is None
    assert "old" in (rules.freshness_refusal(int(now) - 301, now, 300) or "")
    assert "future" in (rules.freshness_refusal(int(now) + 301, now, 300) or "")
