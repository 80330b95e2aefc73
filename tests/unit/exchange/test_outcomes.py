"""Classifying replies: every check in order, and nothing malformed ever reaches the import."""

from __future__ import annotations

import json
from datetime import date

import pytest

from vitnemal.exchange.outcomes import Outcome, Reply, classify
from vitnemal.institutions.exchange_keys import generate_key, public_jwk
from vitnemal.institutions.registry import InstitutionEntry, Registry
from vitnemal.node.protocol import NodeAnswer, sign

KEY = generate_key()
REGISTRY = Registry({"216": InstitutionEntry("216", "HiSF", "HiSF", "HiSF", "http://x/nodes/216", public_jwk(KEY))})
PERSON = "01039510010"
RESULT = {"key": "A|2020|VÅR", "course_code": "A", "name_nb": "A", "name_en": "A", "year": 2020, "season": "VÅR",
          "credits": "10", "grade": "B"}


def _answer(**kw: object) -> NodeAnswer:
    base: dict[str, object] = {"node": "216", "requester": "185", "in_reply_to": "req1", "issued_at": 1,
                               "subject": PERSON, "status": "ok", "results": [RESULT]}
    return NodeAnswer(**{**base, **kw})  # type: ignore[arg-type]


def _classify(body: bytes | str, status: int | None = 200, error: str | None = None):
    raw = body.encode() if isinstance(body, str) else body
    return classify(Reply(status, raw, error, 5), node="216", requester="185", request_id="req1",
                    subject_ids=(PERSON,), registry=REGISTRY, fetch_date=date(2026, 11, 25))


def _signed(answer: NodeAnswer, key=KEY) -> str:
    return sign(answer.payload(), "216", key)


def test_a_good_answer_is_imported() -> None:
    verdict = _classify(_signed(_answer()))
    assert verdict.outcome is Outcome.IMPORTED
    assert verdict.results[0].course_code == "A" and str(verdict.results[0].credits) == "10"


@pytest.mark.parametrize(
    ("reply", "outcome", "retry"),
    [
        ((b"", None, "connection refused"), Outcome.UNAVAILABLE, True),
        ((b"oops", 503, None), Outcome.UNAVAILABLE, True),
        # a stale request (clock skew) is asked again with a fresh one; an unknown requester is not
        ((json.dumps({"detail": {"error": "stale", "message": "old"}}).encode(), 401, None), Outcome.REFUSED, True),
        ((json.dumps({"detail": {"error": "unknown_signer", "message": "?"}}).encode(), 401, None), Outcome.REFUSED,
         False),
        ((b"not a jws", 200, None), Outcome.INVALID_ANSWER, False),
    ],
)
def test_transport_and_refusals(reply, outcome, retry) -> None:
    verdict = _classify(reply[0], reply[1], reply[2])
    assert verdict.outcome is outcome and verdict.retry is retry


def test_forged_misbound_and_wrong_person_answers() -> None:
    assert _classify(_signed(_answer(), generate_key())).outcome is Outcome.INVALID_ANSWER
    assert _classify(_signed(_answer(in_reply_to="other"))).outcome is Outcome.INVALID_ANSWER
    assert _classify(_signed(_answer(requester="194"))).outcome is Outcome.INVALID_ANSWER
    assert _classify(_signed(_answer(subject="01039510282"))).outcome is Outcome.IDENTITY_MISMATCH


def test_malformed_results_are_rejected_whole() -> None:
    bad_season = {**RESULT, "season": "SOMMER"}
    assert _classify(_signed(_answer(results=[RESULT, bad_season]))).outcome is Outcome.INVALID_ANSWER
    bad_credits = {**RESULT, "credits": "lots"}
    assert _classify(_signed(_answer(results=[bad_credits]))).outcome is Outcome.INVALID_ANSWER
    dangling = [{"key": "Q", "code": "Q", "name_nb": "Q", "name_en": "Q", "credits": "180",
                 "award_date": "2020-06-01", "diploma_issued_on": "2020-07-01",
                 "courses": [{"result_key": "missing|2020|VÅR"}]}]
    assert _classify(_signed(_answer(qualifications=dangling))).outcome is Outcome.INVALID_ANSWER


def test_a_node_that_sends_an_unreleased_degree_is_not_trusted() -> None:
    unreleased = [{"key": "Q", "code": "Q", "name_nb": "Q", "name_en": "Q", "credits": "180",
                   "award_date": "2026-06-01", "diploma_issued_on": None, "courses": []}]
    assert _classify(_signed(_answer(qualifications=unreleased))).outcome is Outcome.INVALID_ANSWER


@pytest.mark.parametrize("status", ["not_sharing", "reserved", "no_consent", "no_results", "identity_mismatch",
                                    "degree_not_released"])
def test_node_statuses_map_to_outcomes(status: str) -> None:
    assert _classify(_signed(_answer(status=status, results=[]))).outcome.value == status


def test_an_unavailable_node_is_asked_again_the_same_time_next_day_until_attempts_run_out() -> None:
    from datetime import UTC, datetime

    from vitnemal.exchange.outcomes import Verdict
    from vitnemal.exchange.service import Answered, outcome_update
    from vitnemal.exchange.states import RetryPolicy

    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    policy = RetryPolicy(retry_after_s=86_400, max_attempts=3)
    down = Answered("216", "HiSF", Verdict(Outcome.UNAVAILABLE, "216 did not answer", retry=True), 5000)
    first = outcome_update(0, down, now, policy)
    assert first["state"] == "retry" and first["attempts"] == 1
    assert first["next_attempt_at"] == datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # "samme tid neste dag"
    assert "asked again at 2026-11-26T09:30" in first["message"]
    last = outcome_update(2, down, now, policy)
    assert last["state"] == "final" and last["next_attempt_at"] is None and last["outcome"] == "unavailable"
    imported = Answered("216", "HiSF", Verdict(Outcome.IMPORTED, "", results=()), 40)
    assert outcome_update(0, imported, now, policy)["state"] == "final"


DEEP = b"[" * 100_000 + b"]" * 100_000


def _signed_raw(payload: bytes, key=KEY) -> str:
    from joserfc import jws

    return jws.serialize_compact({"alg": "ES256", "kid": "216", "typ": "vitnemal+jws"}, payload, key)


@pytest.mark.parametrize("status", [400, 401, 409])
def test_a_deeply_nested_refusal_is_a_refusal_not_a_crash(status: int) -> None:
    body = b'{"detail": ' + DEEP + b"}"
    verdict = _classify(body, status)
    assert verdict.outcome is Outcome.REFUSED and not verdict.retry


def test_a_signed_deeply_nested_answer_is_an_invalid_answer() -> None:
    verdict = _classify(_signed_raw(b'{"status": "ok", "results": ' + DEEP + b"}"))
    assert verdict.outcome is Outcome.INVALID_ANSWER
    assert "nested deeper than 16 levels" in verdict.message


def test_an_unsigned_deeply_nested_jws_header_is_an_invalid_answer() -> None:
    import base64

    header = base64.urlsafe_b64encode(b'{"alg": "ES256", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}").rstrip(b"=")
    verdict = _classify(header + b".e30.c2ln")
    assert verdict.outcome is Outcome.INVALID_ANSWER and "header" in verdict.message


def test_a_signed_answer_with_an_impossible_number_is_an_invalid_answer() -> None:
    payload = json.dumps({**_answer().payload(), "iat": 1}).replace('"iat": 1,', '"iat": 1e400,')
    verdict = _classify(_signed_raw(payload.encode()))
    assert verdict.outcome is Outcome.INVALID_ANSWER


def test_an_answer_larger_than_the_jose_default_limit_is_imported_whole() -> None:
    """A person with hundreds of results makes an answer over joserfc's default 128,000-character payload limit;
    it was refused as "not a compact JWS" although it is well within the protocol's own bound."""
    many = [{**RESULT, "key": f"A{i}|2020|VÅR", "course_code": f"A{i}", "description_nb": "x" * 200}
            for i in range(600)]
    token = _signed(_answer(results=many))
    assert len(token) > 200_000
    verdict = _classify(token)
    assert verdict.outcome is Outcome.IMPORTED and len(verdict.results) == 600
