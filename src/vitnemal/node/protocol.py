"""The exchange protocol between institutions: signed requests and signed answers (JWS, ES256).

A request is a compact JWS whose header names the requesting institution (``kid`` = its code) and whose payload
carries the person (current id, earlier ids, name, birth date), the student's consent as recorded by the requester,
a unique id (``jti``) and the time it was made. An answer is a compact JWS by the node, bound to the request by
``in_reply_to``. Both sides check the signature against the key the registry publishes for the signer, so a node
cannot be impersonated and an answer cannot be replayed for another request.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from vitnemal.bounded_json import JsonRefused
from vitnemal.bounded_json import loads as bounded_loads
from vitnemal.identity.national_id import InvalidNationalId, earlier_id_refusal, parse_national_id
from vitnemal.node.jws import ALGORITHM as ALGORITHM
from vitnemal.node.jws import MAX_DEPTH as MAX_DEPTH
from vitnemal.node.jws import MAX_HEADER_BYTES as MAX_HEADER_BYTES
from vitnemal.node.jws import MAX_PAYLOAD_BYTES as MAX_PAYLOAD_BYTES
from vitnemal.node.jws import Payload as Payload
from vitnemal.node.jws import ProtocolError as ProtocolError
from vitnemal.node.jws import sign as sign
from vitnemal.node.jws import verify as verify
from vitnemal.node.wire import (
    PROTOCOL_VERSION,
    AnswerEnvelope,
    AnswerStatus,
    ConsentWire,
    DiplomaDocument,
    DisclosureItem,
    LegalBasis,
    LoginWire,
    QualificationItem,
    RequestEnvelope,
    ResultItem,
    SubjectWire,
    WithheldItem,
)
from vitnemal.records.models import CONSENT_ADMISSION, CONSENT_RESULTS_EXCHANGE, AdmissionConsent

MEDIA_TYPE = "application/jose"
PATH = "exchange/v1/results"
MAX_REFUSAL_BYTES = 64 * 1024


@dataclass(frozen=True)
class Subject:
    """Who the request is about, as the requesting institution knows the person."""

    national_id: str
    earlier_ids: tuple[str, ...] = ()
    first_name: str = ""
    last_name: str = ""
    birth_date: str | None = None

    def all_ids(self) -> tuple[str, ...]:
        return (self.national_id, *self.earlier_ids)


@dataclass(frozen=True)
class ConsentClaim:
    """The student's consent as recorded where it was given (the requester's akseptanse).

    ``answered_at`` is the consent's date (ISO 8601 with time zone); ``reference`` is the requester's own reference
    to that consent (e.g. its row id), so a disclosure in a node's log can be traced back to it.
    """

    type: str
    answer: str
    answered_at: str
    recorded_by: str
    reference: str = ""


def admission_claim(consent: AdmissionConsent, own: str) -> ConsentClaim:
    """The claim an admission's request carries for the applicant's recorded OPPTAK consent at ``own`` (Samordna
    opptak, or the institution for its local admission): its answer and date, and our reference to it, which goes
    into every node's disclosure log. Send it only while the answer that holds is a yes: a node refuses an N."""
    return ConsentClaim(CONSENT_ADMISSION, consent.answer, consent.answered_at.isoformat(), own,
                        reference=f"{own}/admission-consent/{consent.id}")


@dataclass(frozen=True)
class OwnerLogin:
    """The owner's login at the portal: when they authenticated (ISO 8601 with time zone) and at which level
    (the ID token's ``acr``, e.g. ``idporten-loa-substantial``)."""

    authenticated_at: str
    acr: str


@dataclass(frozen=True)
class ResultsRequest:
    """A request to one node. ``basis`` says which of ``consent`` / ``login`` carries its legal basis;
    ``disclosures`` (owner_login only) asks for the node's log of disclosures about the person as well;
    ``diploma`` (owner_login only) asks, instead of the results, for the signed PDF of that issued diploma set."""

    requester: str
    node: str
    request_id: str
    issued_at: int
    fetch_date: str
    subject: Subject
    consent: ConsentClaim | None
    basis: LegalBasis = LegalBasis.CONSENT
    login: OwnerLogin | None = None
    disclosures: bool = False
    diploma: str | None = None

    def envelope(self) -> RequestEnvelope:
        """The request as it goes on the wire; not validated here (the node validates what it receives)."""
        s = self.subject
        return RequestEnvelope.model_construct(
            iss=self.requester, aud=self.node, jti=self.request_id, iat=self.issued_at,
            purpose=self.consent.type if self.consent is not None else CONSENT_RESULTS_EXCHANGE,
            fetch_date=self.fetch_date,
            subject=SubjectWire.model_construct(national_id=s.national_id, earlier_ids=list(s.earlier_ids),
                                                first_name=s.first_name, last_name=s.last_name,
                                                birth_date=s.birth_date),
            consent=None if self.consent is None else ConsentWire.model_construct(**asdict(self.consent)),
            basis=self.basis, login=None if self.login is None else LoginWire.model_construct(**asdict(self.login)),
            disclosures=self.disclosures, diploma=self.diploma,
        )

    def payload(self) -> Payload:
        return self.envelope().model_dump(mode="json", warnings=False)


@dataclass(frozen=True)
class NodeAnswer:
    """What a node says. ``status`` is one of ANSWER_STATUSES; its contents are the typed models of
    :mod:`vitnemal.node.wire`, validated on receipt by :func:`parse_answer`."""

    node: str
    requester: str
    in_reply_to: str
    issued_at: int
    subject: str
    status: AnswerStatus
    message: str = ""
    matched_id: str | None = None
    results: list[ResultItem] = field(default_factory=list)
    qualifications: list[QualificationItem] = field(default_factory=list)
    withheld: list[WithheldItem] = field(default_factory=list)
    # Only for an owner_login request that asked for them: the node's log of disclosures about the person.
    disclosures: list[DisclosureItem] = field(default_factory=list)
    # Only for an owner_login request that named an issued diploma set: that document, signed PDF included.
    diploma: DiplomaDocument | None = None

    def envelope(self) -> AnswerEnvelope:
        """The answer as it goes on the wire. Not validated here: the node's own records are not re-checked on the
        hot path, and tests play hostile nodes that send what no model would allow; the requester validates."""
        return AnswerEnvelope.model_construct(
            iss=self.node, aud=self.requester, in_reply_to=self.in_reply_to, iat=self.issued_at, subject=self.subject,
            status=self.status, message=self.message, matched_id=self.matched_id, results=self.results,
            qualifications=self.qualifications, withheld=self.withheld, disclosures=self.disclosures,
            diploma=self.diploma,
        )

    def payload(self) -> Payload:
        return self.envelope().model_dump(mode="json", warnings=False)


# Refusals that concern this attempt only (a clock off, a retried request id, too many requests just now): the
# requester signs a fresh request later and asks again, as it would a node that was down.
PASSING_REASONS = frozenset({"stale", "replayed", "rate_limited"})


@dataclass(frozen=True)
class Answer:
    """The node answered: ``token`` is the signed answer (a compact JWS) of ``answer``."""

    token: str
    answer: NodeAnswer


@dataclass(frozen=True)
class Refusal:
    """The node refused the request: an HTTP status, a machine-readable ``reason`` and a message for people.

    ``retry_after_s`` is set when the requester should slow down and ask again after that many seconds.
    """

    status: int
    reason: str
    message: str
    retry_after_s: int | None = None

    @property
    def passing(self) -> bool:
        return self.reason in PASSING_REASONS

    def detail(self) -> dict[str, str | int]:
        out: dict[str, str | int] = {"error": self.reason, "message": self.message}
        if self.retry_after_s is not None:
            out["retry_after_s"] = self.retry_after_s
        return out

    def body(self) -> bytes:
        """The refusal as the node sends it: ``{"detail": {"error", "message"[, "retry_after_s"]}}``."""
        return json.dumps({"detail": self.detail()}, ensure_ascii=False).encode()

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after_s is None else {"retry-after": str(self.retry_after_s)}

    @classmethod
    def from_body(cls, status: int, body: bytes) -> Refusal:
        """Read a node's refusal back; a body that is not one keeps its first 200 characters as the message."""
        try:
            detail = bounded_loads(body, max_bytes=MAX_REFUSAL_BYTES, max_depth=4).get("detail")
        except (JsonRefused, AttributeError):
            detail = None
        if not isinstance(detail, dict):
            text = str(detail) if detail is not None else body[:200].decode("utf-8", "replace")
            return cls(status, "unknown", text[:300])
        retry = detail.get("retry_after_s")
        return cls(status, str(detail.get("error"))[:100], str(detail.get("message"))[:300],
                   retry if isinstance(retry, int) and not isinstance(retry, bool) and 0 <= retry < 10**7 else None)


ANSWER_STATUSES = frozenset(AnswerStatus)


# The seed's fetch date ("hentedato": a degree is sent only when Dato_Utlev_Vitn is before it) is a Norwegian
# calendar day. On a UTC clock the date is still yesterday's from 23:00 to 24:00 UTC (22:00 in summer), which
# would withhold a degree handed out the day before in Norway; requester and node must agree on this day.
NORWAY = ZoneInfo("Europe/Oslo")


def fetch_day(now: datetime) -> date:
    """The fetch date of a request made at ``now`` (timezone-aware): Norway's calendar day at that moment."""
    if now.tzinfo is None:
        raise ValueError("naive datetime: give times as UTC-aware datetimes")
    return now.astimezone(NORWAY).date()


def owner_login_request(*, portal: str, node: str, national_id: str, authenticated_at: datetime, acr: str,
                        now: datetime, disclosures: bool = False, diploma: str | None = None) -> ResultsRequest:
    """The portal's request on behalf of the logged-in owner (legal basis ``owner_login``): sign its
    ``payload()`` with :func:`sign` as ``portal``. ``authenticated_at`` is the login's time (the ID token's
    ``auth_time``, or when the portal received it) and ``acr`` its level; with ``disclosures`` the node also returns
    its log of disclosures about the owner; with ``diploma`` (a document id the node named in an earlier answer) it
    sends that issued diploma set's signed PDF instead of the results."""
    return ResultsRequest(
        requester=portal, node=node, request_id=new_request_id(), issued_at=int(now.timestamp()),
        fetch_date=fetch_day(now).isoformat(), subject=Subject(national_id), consent=None,
        basis=LegalBasis.OWNER_LOGIN, login=OwnerLogin(authenticated_at.isoformat(), acr), disclosures=disclosures,
        diploma=diploma,
    )


def new_request_id() -> str:
    return uuid.uuid4().hex


def now_ts() -> int:
    return int(datetime.now(UTC).timestamp())


def _first_error(exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']} ({exc.error_count()} problem{'s' if exc.error_count() > 1 else ''})"


def _check_version(payload: Payload) -> None:
    # Before the model, so that another version is named as such rather than as one of its fields.
    if payload.get("v") != PROTOCOL_VERSION:
        raise ProtocolError("malformed", f"protocol version {str(payload.get('v'))[:10]!r} is not spoken here "
                            f"({PROTOCOL_VERSION} is)")


def parse_request(payload: Payload) -> ResultsRequest:
    """Validate a verified request payload against :class:`RequestEnvelope` and the identity rules, or raise
    ProtocolError("malformed")."""
    _check_version(payload)
    try:
        envelope = RequestEnvelope.model_validate(payload)
    except ValidationError as exc:
        raise ProtocolError("malformed", f"request has a malformed field: {_first_error(exc)}") from None
    subj = envelope.subject
    try:
        parse_national_id(subj.national_id)
        for number in subj.earlier_ids:
            refusal = earlier_id_refusal(parse_national_id(number))
            if refusal:
                raise ProtocolError("malformed", f"request names an earlier id that cannot be one: {refusal}")
    except InvalidNationalId as exc:
        raise ProtocolError("malformed", f"request names an invalid national id: {exc.message}") from None
    consent, login = envelope.consent, envelope.login
    return ResultsRequest(
        requester=envelope.iss, node=envelope.aud, request_id=envelope.jti, issued_at=envelope.iat,
        fetch_date=envelope.fetch_date,
        subject=Subject(national_id=subj.national_id, earlier_ids=tuple(subj.earlier_ids),
                        first_name=subj.first_name or "", last_name=subj.last_name or "", birth_date=subj.birth_date),
        consent=None if consent is None else ConsentClaim(
            type=consent.type, answer=consent.answer, answered_at=consent.answered_at,
            recorded_by=consent.recorded_by, reference=consent.reference or ""),
        basis=envelope.basis or LegalBasis.CONSENT,
        login=None if login is None else OwnerLogin(authenticated_at=login.authenticated_at, acr=login.acr),
        disclosures=envelope.disclosures is True, diploma=envelope.diploma,
    )


def parse_answer(payload: Payload) -> NodeAnswer:
    """Validate a verified answer payload against :class:`AnswerEnvelope`, or raise ProtocolError("malformed")."""
    _check_version(payload)
    try:
        envelope = AnswerEnvelope.model_validate(payload)
    except ValidationError as exc:
        raise ProtocolError("malformed", f"answer has a malformed field: {_first_error(exc)}") from None
    return NodeAnswer(
        node=envelope.iss, requester=envelope.aud, in_reply_to=envelope.in_reply_to, issued_at=envelope.iat,
        subject=envelope.subject, status=envelope.status, message=envelope.message or "",
        matched_id=envelope.matched_id, results=envelope.results, qualifications=envelope.qualifications,
        withheld=envelope.withheld, disclosures=envelope.disclosures, diploma=envelope.diploma,
    )
