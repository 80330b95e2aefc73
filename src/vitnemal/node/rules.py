"""The node's rules, as plain functions: the seed's three questions and the request checks."""

from __future__ import annotations

from datetime import date, datetime

from vitnemal.node.protocol import ConsentClaim
from vitnemal.records.models import CONSENT_RESULTS_EXCHANGE


def sharing_refusal(module_active: bool, reserved: bool) -> str | None:
    """Question 1, "Deler denne institusjonen resultater?".

    Returns "not_sharing" when the RESUTVEKSL module is not active, "reserved" when the institution has reserved
    itself (RESERVER), or None when it shares. An inactive module wins: such an institution takes no part at all.
    """
    if not module_active:
        return "not_sharing"
    if reserved:
        return "reserved"
    return None


def consent_refusal(consent: ConsentClaim | None, requester: str, now: datetime) -> str | None:
    """Question 2, "Har studenten gitt samtykke til henting av resultater?".

    The consent travels in the signed request from the institution where the student gave it. Returns None when it
    is a yes (answer J) to RESUTVEKSL recorded by the requester itself and given before now, else the reason.
    """
    if consent is None:
        return "the request carries no consent"
    if consent.type != CONSENT_RESULTS_EXCHANGE:
        return f"consent of type {consent.type!r}, {CONSENT_RESULTS_EXCHANGE} is required"
    if consent.answer != "J":
        return "the student answered no (N) to results exchange"
    if consent.recorded_by != requester:
        return f"consent recorded by {consent.recorded_by}, not by the requesting institution {requester}"
    try:
        answered = datetime.fromisoformat(consent.answered_at)
    except ValueError:
        return f"consent date {consent.answered_at!r} is not a date"
    if answered.tzinfo is None or answered > now:
        return "consent is dated in the future or has no time zone"
    return None


def is_released(diploma_issued_on: date | None, fetch_date: date) -> bool:
    """A degree is shared only when its diploma was issued (Dato_Utlev_Vitn) before the fetch date."""
    return diploma_issued_on is not None and diploma_issued_on < fetch_date


def freshness_refusal(issued_at: int, now_ts: float, max_age_s: float) -> str | None:
    """Requests older than ``max_age_s``, or dated that far ahead (clock skew), are refused as stale."""
    age = now_ts - issued_at
    if age > max_age_s:
        return f"the request is {int(age)} s old; at most {int(max_age_s)} s is accepted"
    if age < -max_age_s:
        return "the request is dated in the future"
    return None


def result_key(course_code: str, year: int, season: str) -> str:
    """Identifies one result across fetches: the course and the term."""
    return f"{course_code}|{year}|{season}"
