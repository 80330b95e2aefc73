"""The typed protocol: one version; both envelopes and the answer contents validated with bounds on receipt."""

from __future__ import annotations

import pytest

from vitnemal.node.protocol import ConsentClaim, ProtocolError, ResultsRequest, Subject, parse_answer, parse_request

RESULT = {"key": "A|2020|VÅR", "course_code": "A", "name_nb": "A", "name_en": "A", "year": 2020, "season": "VÅR",
          "credits": "10", "grade": "B"}
ANSWER = {"v": 1, "iss": "216", "aud": "185", "in_reply_to": "r", "iat": 1, "subject": "01039510010",
          "status": "ok", "results": [RESULT]}


def test_a_valid_answer_is_typed() -> None:
    answer = parse_answer(ANSWER)
    assert answer.results[0].season == "VÅR" and str(answer.results[0].credits) == "10"


@pytest.mark.parametrize(("change", "where"), [
    ({"v": 2}, "protocol version"),
    ({"results": [{**RESULT, "year": 3000}]}, "results.0.year"),
    ({"results": [{**RESULT, "description_nb": "x" * 20_001}]}, "results.0.description_nb"),
    ({"results": [{**RESULT, "credits": "1e400"}]}, "results.0.credits"),
    ({"results": [RESULT] * 10_001}, "results"),
    ({"qualifications": [{"key": "Q"}]}, "qualifications.0"),
])
def test_what_does_not_fit_the_models_is_malformed(change: dict, where: str) -> None:
    with pytest.raises(ProtocolError, match=where) as caught:
        parse_answer({**ANSWER, **change})
    assert caught.value.reason == "malformed"


def test_a_request_of_another_version_is_malformed() -> None:
    with pytest.raises(ProtocolError, match="protocol version"):
        parse_request({"v": 99, "subject": {}})


def _request() -> ResultsRequest:
    return ResultsRequest(requester="185", node="216", request_id="r1", issued_at=1_700_000_000,
                          fetch_date="2026-12-01", subject=Subject("01039510010", (), "Kari", "Nordmann", "1995-03-01"),
                          consent=ConsentClaim("RESUTVEKSL", "J", "2026-01-01T00:00:00+00:00", "185", "185/7"))


def test_both_envelopes_round_trip_through_their_models() -> None:
    request = _request()
    assert request.payload()["v"] == 1 and parse_request(request.payload()) == request
    answer = parse_answer(ANSWER)
    assert parse_answer(answer.payload()) == answer


@pytest.mark.parametrize(("change", "where"), [
    ({"iat": True}, "iat"),
    ({"iat": 1.5}, "iat"),
    ({"fetch_date": "zzz"}, "fetch_date"),
    ({"jti": "x" * 121}, "jti"),
    ({"disclosures": "yes"}, "disclosures"),
    ({"subject": {"national_id": "01039510010", "earlier_ids": ["x"] * 21}}, "subject.earlier_ids"),
])
def test_a_request_that_does_not_fit_its_envelope_is_malformed(change: dict, where: str) -> None:
    with pytest.raises(ProtocolError, match=where) as caught:
        parse_request({**_request().payload(), **change})
    assert caught.value.reason == "malformed"
