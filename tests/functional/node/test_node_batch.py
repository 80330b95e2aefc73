"""The batch question (issue 14): Samordna opptak asks node 216 about many applicants in one signed request, each
on their own admission consent; each is answered as a single request would answer them and logged on their own
row; the batch is refused whole (nothing logged) when it is replayed, addressed or signed wrongly, on another
basis, too large, or over the requester's rate limit. Every test runs over HTTP and in-process."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from tests.factories import add_person
from tests.functional.node.conftest import PERSON, MakeNode, NodePath

from vitnemal.identity.national_id import make_national_id
from vitnemal.institutions.exchange_keys import load_private_key
from vitnemal.node import service
from vitnemal.node.batch import BATCH_PATH, BatchItem, BatchRequest, parse_batch_answer
from vitnemal.node.protocol import ConsentClaim, Subject, admission_claim, new_request_id, sign, verify
from vitnemal.node.wire import MAX_BATCH
from vitnemal.records.consent import answer_admission_consent
from vitnemal.records.models import Disclosure


def _valid(born: date, start: int = 100) -> str:
    return next(n for i in range(start, 500) if (n := make_national_id(born, i)))


NOBODY = _valid(date(1981, 2, 3))  # registered nowhere
OLD_ID_HOLDER = _valid(date(1994, 10, 23))  # at 216 under another id, with this name and birth date


def _claim(fed, national_id: str, *answers: bool, at: str = "so") -> ConsentClaim:
    with fed.db(at).session() as s:
        for yes in answers:
            row = answer_admission_consent(s, national_id, yes, actor=f"applicant:{national_id}")
        return admission_claim(row, at)


def _batch(items: list[BatchItem], requester: str = "so", node: str = "216", **changes) -> BatchRequest:
    fields = {"requester": requester, "node": node, "request_id": new_request_id(), "issued_at": int(time.time()),
              "fetch_date": date.today().isoformat(), "items": tuple(items), **changes}
    return BatchRequest(**fields)


def _post(fed, path: NodePath, batch: BatchRequest, signer: str | None = None):
    who = signer or batch.requester
    return path.post(sign(batch.payload(), who, load_private_key(fed.settings.keys_dir / f"{who}.pem")), BATCH_PATH)


def _log(fed) -> list:
    with fed.db("216").read_session() as s:
        return list(s.execute(select(Disclosure.__table__).order_by(Disclosure.id)).all())


def _item(fed, national_id: str, first: str = "", last: str = "", *answers: bool) -> BatchItem:
    return BatchItem(new_request_id(), Subject(national_id, (), first, last), _claim(fed, national_id,
                                                                                      *(answers or (True,))))


def test_each_applicant_is_answered_and_logged_on_their_own(make_node: MakeNode) -> None:
    fed, path = make_node()
    with fed.db("216").session() as s:
        add_person(s, _valid(date(1994, 10, 23), 300), "Chen", "Petrov", born=date(1994, 10, 23))
    items = [_item(fed, PERSON), _item(fed, NOBODY), _item(fed, OLD_ID_HOLDER, "Chen", "Petrov"),
             _item(fed, _valid(date(1990, 1, 1)), "", "", True, False)]
    batch = _batch(items)
    response = _post(fed, path, batch)
    assert response.status_code == 200, response.text
    _, payload = verify(response.text, fed.registry, expected_signer="216")
    answer = parse_batch_answer(payload)
    assert (answer.in_reply_to, answer.aud) == (batch.request_id, "so")
    assert [(i.id, i.status) for i in answer.items] == [
        (items[0].item_id, "ok"), (items[1].item_id, "no_results"), (items[2].item_id, "identity_mismatch"),
        (items[3].item_id, "no_consent")]
    assert [r.course_code for r in answer.items[0].results] == ["RES-100"]
    assert "same name and birth date is registered here under another national id" in answer.items[2].message
    assert "withdrawn their consent" in answer.items[3].message
    log = _log(fed)  # one row per applicant, under its own item id, with its own consent's reference
    assert [(r.request_id, r.national_id, r.answer) for r in log] == [
        (i.item_id, i.subject.national_id, a.status) for i, a in zip(items, answer.items, strict=True)]
    assert [r.consent_reference for r in log] == [i.consent.reference for i in items]
    assert log[0].results_count == 1 and log[1].results_count == 0


def test_a_replayed_batch_is_refused_and_logs_nothing_more(make_node: MakeNode) -> None:
    fed, path = make_node()
    batch = _batch([_item(fed, PERSON), _item(fed, NOBODY)])
    body = sign(batch.payload(), "so", load_private_key(fed.settings.keys_dir / "so.pem"))
    assert path.post(body, BATCH_PATH).status_code == 200
    again = path.post(body, BATCH_PATH)
    assert (again.status_code, again.json()["detail"]["error"]) == (409, "replayed")
    assert len(_log(fed)) == 2


@pytest.mark.parametrize("case", ["recognition_consent", "other_purpose", "portal", "wrong_signer", "audience",
                                  "stale", "too_many", "same_person_twice"])
def test_a_batch_that_may_not_be_answered_is_refused_whole(make_node: MakeNode, case: str) -> None:
    fed, path = make_node()
    good = [_item(fed, PERSON)]
    recognition = ConsentClaim("RESUTVEKSL", "J", datetime(2026, 1, 1, tzinfo=UTC).isoformat(), "so")
    portal_claim = ConsentClaim("OPPTAK", "J", datetime(2026, 1, 1, tzinfo=UTC).isoformat(), "portal")
    ids = [n for i in range(100, 400) if (n := make_national_id(date(1998, 5, 5), i))][:MAX_BATCH + 1]
    claim = good[0].consent
    batch, signer, expected = {
        "recognition_consent": (_batch([BatchItem(new_request_id(), Subject(PERSON), recognition)]), None,
                                (403, "basis_not_allowed")),
        "other_purpose": (_batch(good, purpose="RESUTVEKSL"), None, (403, "basis_not_allowed")),
        "portal": (_batch([BatchItem(new_request_id(), Subject(PERSON), portal_claim)], requester="portal"), None,
                   (403, "basis_not_allowed")),
        "wrong_signer": (_batch(good), "185", (401, "wrong_signer")),
        "audience": (_batch(good, node="185"), None, (400, "wrong_audience")),
        "stale": (_batch(good, issued_at=int(time.time()) - 3600), None, (401, "stale")),
        "too_many": (_batch([BatchItem(new_request_id(), Subject(n), claim) for n in ids]), None,
                     (400, "malformed")),
        "same_person_twice": (_batch([good[0], BatchItem(new_request_id(), Subject(PERSON), claim)]), None,
                              (400, "malformed")),
    }[case]
    response = _post(fed, path, batch, signer)
    assert (response.status_code, response.json()["detail"]["error"]) == expected, response.text
    assert _log(fed) == []  # nothing looked up, nothing disclosed, nothing logged


def test_a_batch_past_the_requesters_rate_limit_is_told_to_slow_down(make_node: MakeNode) -> None:
    fed, path = make_node(node_requests_per_minute=1)
    assert _post(fed, path, _batch([_item(fed, PERSON), _item(fed, NOBODY)])).status_code == 200
    refused = _post(fed, path, _batch([_item(fed, NOBODY)]))
    detail = refused.json()["detail"]
    assert (refused.status_code, detail["error"]) == (429, "rate_limited") and detail["retry_after_s"] >= 1
    assert len(_log(fed)) == 2  # the batch counted once, its applicants logged once each


def test_an_answer_too_large_for_the_batch_leaves_that_applicant_to_be_asked_alone(make_node: MakeNode,
                                                                                   monkeypatch) -> None:
    fed, path = make_node()
    monkeypatch.setattr(service, "MAX_BATCH_ANSWER_BYTES", 100)  # PERSON's one result does not fit
    items = [_item(fed, PERSON), _item(fed, NOBODY)]
    response = _post(fed, path, _batch(items))
    answer = parse_batch_answer(verify(response.text, fed.registry, expected_signer="216")[1])
    assert [(i.status, i.results) for i in answer.items] == [("ask_alone", []), ("no_results", [])]
    assert [r.request_id for r in _log(fed)] == [items[1].item_id]  # nothing disclosed about PERSON, so no row


def test_a_batch_larger_than_its_bound_is_refused_unread(node) -> None:
    _, path = node
    response = path.post("x" * (300 * 1024), BATCH_PATH)
    assert (response.status_code, response.json()["detail"]["error"]) == (413, "too_large")


def test_a_batch_counts_its_people_against_the_node_s_bounds(make_node: MakeNode) -> None:
    """Review R31: one message to the request limit, but each person asked about counts toward the people a
    minute and the day's flag of unusual volume."""
    from vitnemal.ratelimit import RateCounter

    fed, path = make_node(node_batch_people_per_minute=3)
    assert _post(fed, path, _batch([_item(fed, PERSON), _item(fed, NOBODY)])).status_code == 200
    with fed.db("216").read_session() as s:
        counted = {r.key: r.count for r in s.scalars(select(RateCounter))}
    assert counted == {"node:so": 1, "node-people:so": 2, "node-day:so": 2}
    refused = _post(fed, path, _batch([_item(fed, OLD_ID_HOLDER), _item(fed, _valid(date(1977, 7, 7)))]))
    assert (refused.status_code, refused.json()["detail"]["error"]) == (429, "rate_limited")
    assert len(_log(fed)) == 2  # the second batch was not answered: nothing more disclosed
