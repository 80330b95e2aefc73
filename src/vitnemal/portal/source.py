"""Where the owner's results come from: every institution's node, asked live with the owner's login as legal basis.

``ResultsSource`` is the small Protocol the fetch depends on. :class:`ExchangeResultsSource` is the real one: it
signs each request with the portal's own key (the portal is a member of the federation's registry), sends it
with the exchange's node client and checks the node's signed answer with the exchange's own checks
(:func:`vitnemal.exchange.outcomes.classify`). :class:`StaticResultsSource` answers from a table, for tests.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from joserfc.jwk import ECKey

from vitnemal.exchange.client import NodeClient
from vitnemal.exchange.outcomes import ImportedQualification, ImportedResult, Outcome, classify
from vitnemal.identity.national_id import InvalidNationalId, parse_national_id
from vitnemal.institutions.registry import PORTAL_CODE, InstitutionEntry, Registry
from vitnemal.node.protocol import (
    ProtocolError,
    Refusal,
    fetch_day,
    owner_login_request,
    parse_answer,
    sign,
    verify,
)
from vitnemal.node.wire import MAX_DIPLOMA_BYTES, AnswerStatus, DiplomaRef
from vitnemal.portal import rules


@dataclass(frozen=True)
class Owner:
    """The logged-in person: national id from the login (``pid``), the name when the provider gives one."""

    national_id: str
    name: str = ""
    # The login the portal asks on (the nodes accept a recent one at "substantial" or "high" only).
    authenticated_at: datetime | None = None
    acr: str = ""

    @property
    def birth_date(self) -> date | None:
        try:
            return parse_national_id(self.national_id).birth_date
        except InvalidNationalId:
            return None


@dataclass(frozen=True)
class Institution:
    code: str
    name_nb: str
    name_en: str


@dataclass(frozen=True)
class SourceAnswer:
    """One institution's answer, as the portal stores it: an outcome, and the passed results it sent."""

    institution: str
    outcome: str
    message: str = ""
    results: list[dict[str, Any]] = field(default_factory=list)
    qualifications: list[dict[str, Any]] = field(default_factory=list)
    retry: bool = False
    # The node's log of disclosures about the owner (who asked, when, on which basis), when it sent one.
    disclosures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        """The institution gave an answer (with or without results); False means "Klarte ikke hente data"."""
        return self.outcome in (Outcome.IMPORTED, Outcome.NO_RESULTS, Outcome.NO_CONSENT, Outcome.NOT_SHARING,
                                Outcome.RESERVED, Outcome.DEGREE_NOT_RELEASED)


@dataclass(frozen=True)
class HandedDiploma:
    """An issued diploma set as its institution's node handed it out on the owner's login: the signed PDF and what
    the node's signed answer says of it (its id, language and SHA-256, which the PDF's bytes match)."""

    institution: str
    document_id: str
    lang: str
    sha256: str
    pdf: bytes


class DiplomaNotHanded(Exception):
    """The institution did not hand out the diploma set: it did not answer, refused, or sent something else."""


class ResultsSource(Protocol):
    def institutions(self) -> list[Institution]: ...

    async def fetch(self, owner: Owner, institution: str) -> SourceAnswer: ...

    async def fetch_diploma(self, owner: Owner, institution: str, document_id: str) -> HandedDiploma:
        """The signed PDF of one issued diploma set of the owner's; raises DiplomaNotHanded."""
        ...


def _result_dict(r: ImportedResult, name: tuple[str, str] | None) -> dict[str, Any]:
    out = {"key": r.key, "course_code": r.course_code, "name_nb": r.name_nb, "name_en": r.name_en, "kind": r.kind,
           "thesis_title": r.thesis_title, "year": r.year, "season": r.season, "credits": format(r.credits, "f"),
           "grade": r.grade, "grading_scale": r.grading_scale}
    if name is not None:
        out["institution_name_nb"], out["institution_name_en"] = name
    return out


def _qualification_dict(q: ImportedQualification, name: tuple[str, str] | None,
                        diplomas: Sequence[DiplomaRef] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"key": q.key, "code": q.code, "name_nb": q.name_nb, "name_en": q.name_en, "level": q.level,
           "credits": format(q.credits, "f"), "award_date": q.award_date.isoformat(),
           "diploma_issued_on": q.diploma_issued_on.isoformat() if q.diploma_issued_on else None,
           "courses": [link.result_key for link in q.links]}
    if diplomas:
        out["diplomas"] = [{"document_id": d.document_id, "lang": d.lang, "sha256": d.sha256,
                            "size_bytes": d.size_bytes} for d in diplomas]
    if name is not None:
        out["institution_name_nb"], out["institution_name_en"] = name
    return out


def answer_contents(entry: InstitutionEntry, results: Sequence[ImportedResult],
                    qualifications: Sequence[ImportedQualification],
                    diplomas: Mapping[str, Sequence[DiplomaRef]] | None = None,
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Passed results and qualifications as stored; each carries the institution's name of its day when that
    differs from today's (a merged institution: the registry's name history says which name held when), and a
    qualification the diploma sets issued for it (``diplomas``, by qualification key)."""
    current = (entry.name_nb, entry.name_en)

    def then(day: date) -> tuple[str, str] | None:
        name = entry.name_on(day)
        return None if name == current else name

    kept = [r for r in results if rules.is_passed(r.grade)]
    return ([_result_dict(r, then(rules.term_day(r.year, r.season))) for r in kept],
            [_qualification_dict(q, then(q.award_date), (diplomas or {}).get(q.key, ())) for q in qualifications])


class ExchangeResultsSource:
    """Asks the nodes over the exchange protocol, signed as the portal (``kid`` = ``portal``), on the owner's login
    (no consent is needed: the portal's basis is in law, uhl. § 4-14); nodes accept that basis from a registry
    member of kind portal only."""

    def __init__(self, registry: Registry, key: ECKey, client: NodeClient, *, timeout_s: float = 5.0,
                 own: str = PORTAL_CODE) -> None:
        self.registry = registry
        self.key = key
        self.client = client
        self.timeout_s = timeout_s
        self.own = own

    def institutions(self) -> list[Institution]:
        """Every member that runs a node (institutions, the language-test register), not the portal itself."""
        # Named so that members sharing today's name since a merger are told apart ("Klarte ikke hente data").
        return [Institution(e.code, self.registry.distinct_name(e.code), self.registry.distinct_name(e.code, "en"))
                for e in self.registry if e.answers]

    def request(self, owner: Owner, institution: str, now: datetime) -> tuple[str, str]:
        """(request id, signed request) for one institution: the owner's login as legal basis, and the node's log
        of disclosures about the owner asked for too ("who has fetched my results")."""
        req = owner_login_request(portal=self.own, node=institution, national_id=owner.national_id,
                                  authenticated_at=owner.authenticated_at or now, acr=owner.acr, now=now,
                                  disclosures=True)
        return req.request_id, sign(req.payload(), self.own, self.key)

    async def fetch(self, owner: Owner, institution: str) -> SourceAnswer:
        now = datetime.now(UTC)
        entry = self.registry.get(institution)
        request_id, token = self.request(owner, institution, now)
        reply = await self.client.send(entry.node_url, token, self.timeout_s)
        verdict = classify(reply, node=institution, requester=self.own, request_id=request_id,
                           subject_ids=(owner.national_id,), registry=self.registry, fetch_date=fetch_day(now))
        results, qualifications = answer_contents(entry, verdict.results, verdict.qualifications, verdict.diplomas)
        return SourceAnswer(institution, verdict.outcome.value, verdict.message, results, qualifications,
                            retry=verdict.retry,
                            disclosures=[self._named(d.model_dump(mode="json")) for d in verdict.disclosures])

    def _named(self, disclosure: dict[str, Any]) -> dict[str, Any]:
        # Who asked, by the registry's name: a requester that runs no node (Samordna opptak) is not among the
        # institutions the page knows, and the node's own words for it are only its code.
        code = str(disclosure.get("requester") or "")
        if code not in self.registry:
            return disclosure
        return {**disclosure, "requester_name_nb": self.registry.distinct_name(code),
                "requester_name_en": self.registry.distinct_name(code, "en")}

    async def fetch_diploma(self, owner: Owner, institution: str, document_id: str) -> HandedDiploma:
        """Ask ``institution``'s node for one issued diploma set on the owner's login (the node logs it as a
        disclosure to the owner); the answer is checked as every answer is (signed by that node, bound to this
        request, about this person) and the PDF's bytes against the SHA-256 the signed answer states."""
        now = datetime.now(UTC)
        entry = self.registry.get(institution)
        req = owner_login_request(portal=self.own, node=institution, national_id=owner.national_id,
                                  authenticated_at=owner.authenticated_at or now, acr=owner.acr, now=now,
                                  diploma=document_id)
        reply = await self.client.send(entry.node_url, sign(req.payload(), self.own, self.key), self.timeout_s)
        if reply.error is not None or reply.status_code is None or reply.status_code >= 500:
            raise DiplomaNotHanded(f"{institution} did not answer ({reply.error or reply.status_code})")
        if reply.status_code >= 400:
            refusal = Refusal.from_body(reply.status_code, reply.body)
            raise DiplomaNotHanded(f"{institution} refused: {refusal.reason}: {refusal.message}")
        try:
            _, payload = verify(reply.body, self.registry, expected_signer=institution)
            answer = parse_answer(payload)
        except ProtocolError as exc:
            raise DiplomaNotHanded(f"{institution}'s answer was rejected: {exc.message}") from None
        if (answer.node, answer.requester, answer.in_reply_to, answer.subject) != (
                institution, self.own, req.request_id, owner.national_id):
            raise DiplomaNotHanded(f"{institution}'s answer is not an answer to this request")
        document = answer.diploma
        if answer.status is not AnswerStatus.OK or document is None or document.document_id != document_id:
            raise DiplomaNotHanded(answer.message or f"{institution} sent no diploma set {document_id}")
        try:
            pdf = base64.b64decode(document.pdf, validate=True)
        except (binascii.Error, ValueError):
            raise DiplomaNotHanded(f"{institution}'s diploma set is not base64") from None
        if len(pdf) > MAX_DIPLOMA_BYTES or hashlib.sha256(pdf).hexdigest() != document.sha256:
            raise DiplomaNotHanded(f"{institution}'s diploma set does not match the SHA-256 its answer states")
        return HandedDiploma(institution, document.document_id, document.lang, document.sha256, pdf)


Answerer = SourceAnswer | Callable[[Owner], SourceAnswer]


class StaticResultsSource:
    """Answers from a table (code → answer, or a function of the owner); a code missing from it never answers."""

    def __init__(self, institutions: Sequence[Institution], answers: Mapping[str, Answerer],
                 delay_s: float = 0.0, diplomas: Mapping[str, HandedDiploma] | None = None) -> None:
        self._institutions = list(institutions)
        self.answers = dict(answers)
        self.delay_s = delay_s
        self.asked: list[str] = []
        self.diplomas = dict(diplomas or {})  # document id → the diploma set handed out

    def institutions(self) -> list[Institution]:
        return list(self._institutions)

    async def fetch(self, owner: Owner, institution: str) -> SourceAnswer:
        self.asked.append(institution)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        answer = self.answers.get(institution)
        if answer is None:
            return SourceAnswer(institution, Outcome.UNAVAILABLE.value, f"{institution} did not answer", retry=True)
        return answer(owner) if callable(answer) else answer

    async def fetch_diploma(self, owner: Owner, institution: str, document_id: str) -> HandedDiploma:
        found = self.diplomas.get(document_id)
        if found is None or found.institution != institution:
            raise DiplomaNotHanded(f"{institution} has no diploma set {document_id}")
        return found
