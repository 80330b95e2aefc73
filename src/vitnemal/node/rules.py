"""The node's rules, as plain functions: the seed's three questions and the request checks."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from vitnemal.institutions.registry import MemberKind
from vitnemal.node.protocol import ConsentClaim, LegalBasis, OwnerLogin, ResultsRequest
from vitnemal.records.models import CONSENT_ADMISSION, CONSENT_RESULTS_EXCHANGE

# The consents a request may carry, and what each is, for the reasons given in words.
CONSENT_TYPES = {CONSENT_RESULTS_EXCHANGE: "results exchange", CONSENT_ADMISSION: "fetching results for admission"}
# Who may ask on which consent: an institution on the student's RESUTVEKSL (recognition) or on the applicant's OPPTAK
# (its local admission); an admission body (Samordna opptak) on the applicant's OPPTAK only.
CONSENTS_OF = {MemberKind.INSTITUTION: frozenset(CONSENT_TYPES), MemberKind.ADMISSION: frozenset({CONSENT_ADMISSION})}


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

    The consent travels in the signed request from where it was given: the institution where the student gave it
    (RESUTVEKSL), or the admission where the applicant applied (OPPTAK). Returns None when it is a yes (answer J)
    recorded by the requester itself and given before now, else the reason. Which requester may carry which type
    is :func:`basis_refusal`'s to say.
    """
    if consent is None:
        return "the request carries no consent"
    if consent.type not in CONSENT_TYPES:
        return f"consent of type {consent.type!r}; {' or '.join(CONSENT_TYPES)} is required"
    if consent.answer != "J":
        if consent.type == CONSENT_ADMISSION:
            return ("the applicant has withdrawn their consent to fetching results for admission, or answered no "
                    f"(N, {consent.answered_at[:40]})")
        return "the student answered no (N) to results exchange"
    if consent.recorded_by != requester:
        return f"consent recorded by {consent.recorded_by}, not by the requester {requester}"
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


# ID-porten's levels that suffice for one's own results (issue 9: at least "substantial").
ACCEPTED_ACR = frozenset({"idporten-loa-substantial", "idporten-loa-high"})
LOGIN_MAX_AGE = timedelta(hours=12)
CLOCK_SKEW = timedelta(minutes=5)


def basis_refusal(request: ResultsRequest, requester_kind: MemberKind,
                  node_kind: MemberKind = MemberKind.INSTITUTION) -> str | None:
    """Whether this requester may use the request's legal basis: the owner's login only from a registered portal,
    a consent never from the portal, the admission consent (OPPTAK) from an admission body or an institution and
    the recognition consent (RESUTVEKSL) from an institution only, and the log of disclosures and an issued diploma
    set only for the owner; the language-test register answers its candidates through the portal only (it takes no
    part in the exchange between institutions). None when it may."""
    if node_kind is MemberKind.LANGUAGE_TESTS and request.basis is not LegalBasis.OWNER_LOGIN:
        return ("the language-test register answers only the owner's own login through the portal; results "
                "exchange between institutions does not include language tests")
    if request.basis is LegalBasis.OWNER_LOGIN:
        if requester_kind is not MemberKind.PORTAL:
            return f"only a registered portal may ask on the owner's login; {request.requester} is {requester_kind}"
        if request.subject.earlier_ids:
            return "a request on the owner's login names the logged-in person only, without earlier ids"
        return None
    if requester_kind is MemberKind.PORTAL:
        return "the portal asks on the owner's login (basis owner_login), never on a consent"
    allowed = CONSENTS_OF.get(requester_kind, frozenset())
    if not allowed:
        return f"only institutions and admission bodies ask on a consent; {request.requester} is {requester_kind}"
    consent = request.consent
    if consent is not None and consent.type in CONSENT_TYPES and consent.type not in allowed:
        return (f"{request.requester} is an admission body: it asks on the applicant's consent to "
                f"{CONSENT_TYPES[CONSENT_ADMISSION]} ({CONSENT_ADMISSION}), not on a {consent.type} consent, which "
                "a student gives to an institution")
    if request.disclosures:
        return "the log of disclosures is given only to the owner, on their login"
    if request.diploma:
        return "an issued diploma set is handed out only to its owner, on their login"
    return None


def login_refusal(login: OwnerLogin | None, now: datetime) -> str | None:
    """The owner's login is the legal basis only when it is recent and at least ID-porten's "substantial"."""
    if login is None:
        return "the request carries no login"
    if login.acr not in ACCEPTED_ACR:
        return f"login level {login.acr!r} is too low; {' or '.join(sorted(ACCEPTED_ACR))} is required"
    try:
        at = datetime.fromisoformat(login.authenticated_at)
    except ValueError:
        return f"login time {login.authenticated_at!r} is not a time"
    if at.tzinfo is None or at > now + CLOCK_SKEW:
        return "the login is dated in the future or has no time zone"
    if now - at > LOGIN_MAX_AGE:
        return f"the login is older than {LOGIN_MAX_AGE.seconds // 3600} hours; the owner must log in again"
    return None
