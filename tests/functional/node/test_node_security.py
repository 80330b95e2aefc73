"""The node refuses what it cannot trust: unsigned, unknown, forged, stale, replayed or misaddressed requests."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import func, select
from tests.factories import MiniFederation, add_course, add_person, add_result
from tests.functional.node.conftest import PERSON, NodePath, Reply

from vitnemal.institutions.exchange_keys import generate_key, load_private_key
from vitnemal.node.protocol import ConsentClaim, ResultsRequest, Subject, new_request_id, sign, verify
from vitnemal.records.models import Disclosure


def _request(**changes) -> ResultsRequest:
    req = ResultsRequest(
        requester="185", node="216", request_id=new_request_id(), issued_at=int(time.time()),
        fetch_date=date.today().isoformat(), subject=Subject(PERSON),
        consent=ConsentClaim("RESUTVEKSL", "J", datetime(2026, 1, 1, tzinfo=UTC).isoformat(), "185"),
    )
    return replace(req, **changes)


def _post(server: NodePath, body: str) -> Reply:
    return server.post(body)


def _disclosures(fed: MiniFederation) -> int:
    with fed.db("216").read_session() as s:
        return int(s.scalar(select(func.count(Disclosure.id))) or 0)


def test_a_proper_request_is_answered_signed_and_logged(node) -> None:
    fed, server = node
    key = load_private_key(fed.settings.keys_dir / "185.pem")
    response = _post(server, sign(_request().payload(), "185", key))
    assert response.status_code == 200
    _, payload = verify(response.text, fed.registry, expected_signer="216")
    assert payload["status"] == "ok" and payload["results"][0]["course_code"] == "RES-100"
    assert _disclosures(fed) == 1


@pytest.mark.parametrize(
    ("case", "status", "reason"),
    [
        ("unsigned", 400, "malformed"),
        ("unknown_signer", 401, "unknown_signer"),
        ("forged", 401, "bad_signature"),
        ("stale", 401, "stale"),
        ("wrong_audience", 400, "wrong_audience"),
        ("claims_other_requester", 401, "wrong_signer"),
    ],
)
def test_untrusted_requests_are_refused_and_disclose_nothing(node, case: str, status: int, reason: str) -> None:
    fed, server = node
    key = load_private_key(fed.settings.keys_dir / "185.pem")
    req = _request()
    body = {
        "unsigned": lambda: '{"iss": "185", "aud": "216"}',
        "unknown_signer": lambda: sign(replace(req, requester="999").payload(), "999", generate_key()),
        "forged": lambda: sign(req.payload(), "185", generate_key()),
        "stale": lambda: sign(replace(req, issued_at=int(time.time()) - 3600).payload(), "185", key),
        "wrong_audience": lambda: sign(replace(req, node="214").payload(), "185", key),
        "claims_other_requester": lambda: sign(replace(req, requester="216").payload(), "185", key),
    }[case]()
    response = _post(server, body)
    assert response.status_code == status
    assert response.json()["detail"]["error"] == reason
    assert _disclosures(fed) == 0


def test_a_replayed_request_is_refused(node) -> None:
    fed, server = node
    key = load_private_key(fed.settings.keys_dir / "185.pem")
    body = sign(_request().payload(), "185", key)
    assert _post(server, body).status_code == 200
    again = _post(server, body)
    assert again.status_code == 409 and again.json()["detail"]["error"] == "replayed"
    assert _disclosures(fed) == 1


@pytest.mark.parametrize("make_node", ["http"], indirect=True)  # the case workers' API exists over HTTP only
def test_case_worker_api_needs_the_institutions_own_token(node) -> None:
    fed, server = node
    url = f"{server.url}/api/institutions/216/orders"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"authorization": f"Bearer {fed.tokens['185']}"}).status_code == 401
    assert httpx.get(url, headers={"authorization": f"Bearer {fed.tokens['216']}"}).status_code == 200
    # an institution not served by this host has no API here at all
    assert httpx.get(f"{server.url}/api/institutions/185/orders",
                     headers={"authorization": f"Bearer {fed.tokens['185']}"}).status_code == 404


def _ask(fed, server, req: ResultsRequest) -> Reply:
    return _post(server, sign(req.payload(), "185", load_private_key(fed.settings.keys_dir / "185.pem")))


def test_malformed_fields_are_refused_not_crashed_on(node) -> None:
    fed, server = node
    for bad in ({"fetch_date": "zzz"}, {"subject": Subject(PERSON, birth_date="5")},
                {"subject": Subject(PERSON, earlier_ids=("12345678901",))},
                {"subject": Subject(PERSON, earlier_ids=("01039510282",))}):  # an ordinary number is no earlier id
        response = _ask(fed, server, _request(**bad))
        assert response.status_code == 400, bad
        assert response.json()["detail"]["error"] == "malformed"
    assert _disclosures(fed) == 0


def _number(born: date, kind: str = "fodselsnummer", start: int = 100) -> str:
    from vitnemal.identity.national_id import make_national_id

    return next(n for i in range(start, 500) if (n := make_national_id(born, i, kind=kind)))


def _payload(fed, server, req: ResultsRequest) -> dict:
    response = _ask(fed, server, req)
    assert response.status_code == 200, response.text
    return verify(response.text, fed.registry, expected_signer="216")[1]


def _logged(fed) -> list[tuple[str, str]]:
    with fed.db("216").read_session() as s:
        return [(r.national_id, r.answer) for r in s.execute(select(Disclosure).order_by(Disclosure.id)).scalars()]


def test_another_persons_ordinary_number_as_earlier_id_discloses_nothing(node) -> None:
    """Issue 7 #3: B's fødselsnummer recorded as A's "earlier id" (same birth date) must not disclose B."""
    fed, server = node  # 216 holds PERSON (B, Kari Nordmann, born 1 March 1995) with RES-100
    person_a = _number(date(1995, 3, 1), start=200)
    response = _ask(fed, server, _request(subject=Subject(person_a, earlier_ids=(PERSON,), first_name="Per",
                                                          last_name="Hansen", birth_date="1995-03-01")))
    assert response.status_code == 400 and "ordinary fødselsnummer" in response.json()["detail"]["message"]
    assert _disclosures(fed) == 0


def test_an_earlier_d_number_is_answered_only_for_the_same_name_and_birth_date(node) -> None:
    fed, server = node
    born = date(1995, 3, 1)
    d_number = _number(born, "d_number")
    with fed.db("216").session() as s:
        add_result(s, add_person(s, d_number, "Ola", "Utlending", born), add_course(s, "NOR100"), 2016, "HØST", "B")
    current = _number(born, start=200)
    # someone else (another name, same birth date) claims the D-number as their earlier id: nothing is disclosed
    payload = _payload(fed, server, _request(subject=Subject(current, (d_number,), "Per", "Hansen", "1995-03-01")))
    assert payload["status"] == "identity_mismatch" and payload["results"] == []
    # the holder themself, under their new fødselsnummer: answered, saying which id matched, logged under it
    payload = _payload(fed, server, _request(subject=Subject(current, (d_number,), "ola ", "UTLENDING",
                                                             "1995-03-01")))
    assert payload["status"] == "ok" and payload["matched_id"] == d_number
    assert [r["course_code"] for r in payload["results"]] == ["NOR100"]
    assert _logged(fed) == [(current, "identity_mismatch"), (d_number, "ok")]


def test_the_person_under_the_current_id_is_always_preferred(node) -> None:
    fed, server = node
    born = date(1995, 3, 1)
    d_number = _number(born, "d_number")
    with fed.db("216").session() as s:  # another Kari Nordmann, born the same day, holds the D-number
        add_result(s, add_person(s, d_number), add_course(s, "NOR100"), 2016, "HØST", "B")
    for _ in range(3):
        payload = _payload(fed, server, _request(subject=Subject(PERSON, (d_number,), "Kari", "Nordmann",
                                                                 "1995-03-01")))
        assert payload["matched_id"] == PERSON and [r["course_code"] for r in payload["results"]] == ["RES-100"]


def test_an_earlier_id_held_by_two_people_discloses_nothing(node) -> None:
    fed, server = node
    born = date(1995, 3, 1)
    d_number, other_d = _number(born, "d_number"), _number(born, "d_number", start=200)
    with fed.db("216").session() as s:
        add_result(s, add_person(s, d_number), add_course(s, "NOR100"), 2016, "HØST", "B")
        add_person(s, _number(born, start=300), earlier=[other_d])
    current = _number(born, start=400)
    payload = _payload(fed, server, _request(subject=Subject(current, (d_number, other_d), "Kari", "Nordmann",
                                                             "1995-03-01")))
    assert payload["status"] == "identity_mismatch" and payload["results"] == []


def test_a_fetch_date_in_the_future_releases_no_unissued_degree(node) -> None:
    fed, server = node
    from tests.factories import add_degree

    from vitnemal.identity.models import Person
    from vitnemal.records.models import AssessmentResult

    with fed.db("216").session() as s:
        person = s.scalars(select(Person)).one()
        result = s.scalars(select(AssessmentResult)).one()
        add_degree(s, person, "BA-FUTURE", [result], issued=date(2030, 1, 1))
    response = _ask(fed, server, _request(fetch_date="2031-01-01"))
    _, payload = verify(response.text, fed.registry, expected_signer="216")
    assert payload["qualifications"] == []
    assert [w["code"] for w in payload["withheld"]] == ["BA-FUTURE"]


def test_request_ids_are_unique_per_requester_only(node) -> None:
    fed, server = node
    req = _request()
    assert _ask(fed, server, req).status_code == 200
    # the same id from another member is its own request (an id seen elsewhere must not block anyone)
    other = replace(req, requester="216")
    key_216 = load_private_key(fed.settings.keys_dir / "216.pem")
    assert _post(server, sign(other.payload(), "216", key_216)).status_code == 200
    assert _ask(fed, server, req).status_code == 409


@pytest.mark.parametrize("hostile", ["nested", "iat_overflow", "iat_float", "huge_integer", "nan"])
def test_hostile_signed_payloads_are_a_400_with_a_reason(node, hostile: str) -> None:
    """Issue 7 #8: a validly signed payload nested 1,000 deep, or with iat 1e400, was a 500."""
    from joserfc import jws

    fed, server = node
    key = load_private_key(fed.settings.keys_dir / "185.pem")
    good = json.dumps(_request().payload())
    body = {
        "nested": good[:-1] + ', "x": ' + "[" * 1000 + "]" * 1000 + "}",
        "iat_overflow": good.replace('"iat":', '"iat": 1e400, "was":'),
        "iat_float": good.replace('"iat":', '"iat": 1.5, "was":'),
        "huge_integer": good.replace('"iat":', '"iat": ' + "9" * 5000 + ', "was":'),
        "nan": good.replace('"iat":', '"iat": NaN, "was":'),
    }[hostile]
    token = jws.serialize_compact({"alg": "ES256", "kid": "185"}, body.encode(), key)
    response = _post(server, token)
    assert response.status_code == 400, response.text
    assert response.json()["detail"]["error"] == "malformed" and response.json()["detail"]["message"]
    assert _disclosures(fed) == 0


def test_a_deeply_nested_jws_header_is_a_400(node) -> None:
    import base64

    _, server = node
    header = base64.urlsafe_b64encode(b'{"alg":"ES256","kid":"185","x":' + b"[" * 5000 + b"]" * 5000 + b"}")
    response = _post(server, header.decode().rstrip("=") + ".e30.AAAA")
    assert response.status_code == 400 and response.json()["detail"]["error"] == "malformed"
