"""Registry members have a kind; only members that run a node are asked, and the portal is not one of them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from vitnemal.exchange.outcomes import Outcome, Reply, classify
from vitnemal.institutions.registry import MemberKind, Registry, new_portal_member
from vitnemal.node.protocol import Refusal


def test_the_portal_is_a_member_without_a_node_and_old_registries_still_load(tmp_path: Path) -> None:
    old = {"institutions": [{"code": "185", "name_nb": "UiO", "name_en": "UiO", "short_name": "UiO",
                             "node_url": "http://x/nodes/185", "public_jwk": {}}]}
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    registry = Registry.load(path)
    assert registry.get("185").kind is MemberKind.INSTITUTION
    registry.institutions["portal"] = new_portal_member(tmp_path / "keys")
    assert (tmp_path / "keys" / "portal.pem").stat().st_mode & 0o777 == 0o600
    registry.save(path)
    again = Registry.load(path)
    assert again.get("portal").kind is MemberKind.PORTAL and not again.get("portal").answers
    assert again.codes() == ["185"] and sorted(again.all_codes()) == ["185", "portal"]


def test_slow_down_is_asked_again_after_the_nodes_retry_after(tmp_path: Path) -> None:
    refusal = Refusal(429, "rate_limited", "slow down", retry_after_s=17)
    verdict = classify(Reply(429, refusal.body(), None, 1), node="216", requester="185", request_id="r",
                       subject_ids=("x",), registry=Registry({}), fetch_date=date.today())
    assert verdict.outcome is Outcome.REFUSED and verdict.retry and verdict.retry_after_s == 17


def test_a_slow_down_is_not_a_failure_for_the_retry_policy() -> None:
    from datetime import UTC, datetime, timedelta

    from vitnemal.exchange.outcomes import Verdict
    from vitnemal.exchange.service import Answered, RetryPolicy, outcome_update

    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    policy = RetryPolicy(retry_after_s=86_400, max_attempts=3)
    slow = Answered("216", "HiSF", Verdict(Outcome.REFUSED, "slow down", retry=True, retry_after_s=17), 1)
    values = outcome_update(5, slow, now, policy)  # past the policy's 3 attempts: still asked again, soon
    assert values["state"] == "retry" and values["next_attempt_at"] == now + timedelta(seconds=17)
    down = Answered("216", "HiSF", Verdict(Outcome.UNAVAILABLE, "down", retry=True), 1)
    assert outcome_update(1, down, now, policy)["next_attempt_at"] == now + timedelta(days=1)
    assert outcome_update(2, down, now, policy)["state"] == "final"


def test_the_language_test_register_runs_a_node_but_answers_only_the_owner_through_the_portal() -> None:
    from datetime import UTC, datetime

    from vitnemal.institutions.registry import InstitutionEntry
    from vitnemal.node.protocol import ConsentClaim, LegalBasis, ResultsRequest, Subject, owner_login_request
    from vitnemal.node.rules import basis_refusal

    registry = Registry({"185": InstitutionEntry("185", "UiO", "UiO", "UiO", "u"),
                         "hkdir": InstitutionEntry("hkdir", "HK-dir", "HK-dir", "HK-dir", "u",
                                                   kind=MemberKind.LANGUAGE_TESTS)})
    assert registry.codes() == ["185"] and registry.node_codes() == ["185", "hkdir"]  # orders ask institutions
    now = datetime.now(UTC)
    by_portal = owner_login_request(portal="portal", node="hkdir", national_id="01536112185", authenticated_at=now,
                                    acr="idporten-loa-substantial", now=now)
    assert basis_refusal(by_portal, MemberKind.PORTAL, MemberKind.LANGUAGE_TESTS) is None
    by_institution = ResultsRequest("185", "hkdir", "r", 0, "2026-12-01", Subject("01536112185"),
                                    ConsentClaim("RESUTVEKSL", "J", now.isoformat(), "185"), LegalBasis.CONSENT)
    refusal = basis_refusal(by_institution, MemberKind.INSTITUTION, MemberKind.LANGUAGE_TESTS)
    assert refusal is not None and "portal" in refusal
    assert basis_refusal(by_institution, MemberKind.INSTITUTION) is None  # an institution's node answers it


def test_an_admission_body_is_hosted_without_a_node_and_asks_on_the_admission_consent_only() -> None:
    from datetime import UTC, datetime

    from vitnemal.institutions.registry import InstitutionEntry
    from vitnemal.node.protocol import ConsentClaim, ResultsRequest, Subject
    from vitnemal.node.rules import basis_refusal

    registry = Registry({"185": InstitutionEntry("185", "UiO", "UiO", "UiO", "u"),
                         "so": InstitutionEntry("so", "SO", "SO", "SO", "", kind=MemberKind.ADMISSION),
                         "portal": InstitutionEntry("portal", "P", "P", "P", "", kind=MemberKind.PORTAL)})
    assert registry.codes() == ["185"] and registry.node_codes() == ["185"]  # nobody asks Samordna opptak
    assert registry.hosted_codes() == ["185", "so"]  # but a host serves its database and pages

    def asking(requester: str, type: str) -> ResultsRequest:
        claim = ConsentClaim(type, "J", datetime.now(UTC).isoformat(), requester)
        return ResultsRequest(requester, "185", "r", 0, "2026-12-01", Subject("01536112185"), claim)

    assert basis_refusal(asking("so", "OPPTAK"), MemberKind.ADMISSION) is None
    assert "admission body" in (basis_refusal(asking("so", "RESUTVEKSL"), MemberKind.ADMISSION) or "")
    assert basis_refusal(asking("185", "OPPTAK"), MemberKind.INSTITUTION) is None  # its local admission
    assert basis_refusal(asking("185", "RESUTVEKSL"), MemberKind.INSTITUTION) is None
    refused = basis_refusal(asking("hkdir", "OPPTAK"), MemberKind.LANGUAGE_TESTS) or ""
    assert "only institutions and admission bodies ask on a consent" in refused
