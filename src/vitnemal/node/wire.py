"""The exchange protocol on the wire (issue 12 #4): the request and answer envelopes and what an answer carries.

One set of pydantic models for both sides: :class:`RequestEnvelope` (what a requester signs) and
:class:`AnswerEnvelope` (what a node signs, with its passed results, released qualifications and their courses,
withheld qualifications and the log of disclosures). Senders serialise through them, so each field's name on the
wire is written once; receivers validate through them, so no side re-parses a message field by field. Both carry
the protocol version ``v``.

Validation on receipt bounds every string, number and list; the JSON around them is bounded in size and depth
before it is parsed (:func:`vitnemal.node.protocol.verify`, with :mod:`vitnemal.bounded_json`). Anything else is a
``pydantic.ValidationError``, which the protocol turns into a malformed request or answer.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints, field_validator

from vitnemal.records.terms import Season

PROTOCOL_VERSION: Final = 1

Key = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Name = Annotated[str, StringConstraints(max_length=300)]
Title = Annotated[str, StringConstraints(max_length=500)]
Description = Annotated[str, StringConstraints(max_length=20_000)]
Credits = Annotated[Decimal, Field(ge=0, le=999, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
# Whole seconds since 1970 as a JSON integer (strict: no bool, no float) in a plausible range.
Timestamp = Annotated[int, Field(strict=True, ge=0, lt=2**40)]
# A national id as sent; its checksum and kind are the identity rules' to judge (node.protocol.parse_request).
NationalIdText = Annotated[str, StringConstraints(min_length=1, max_length=11)]
Message = Annotated[str, StringConstraints(max_length=2_000)]


def _iso_date(text: str) -> str:
    date.fromisoformat(text)  # ValueError: not a date
    return text


IsoDate = Annotated[str, StringConstraints(max_length=10), AfterValidator(_iso_date)]

MAX_RESULTS = 10_000
MAX_QUALIFICATIONS = 500
MAX_LINKS = 1_000
# An issued diploma set travels inside a signed answer (base64): bounded well below the payload's 16 MB.
MAX_DIPLOMA_BYTES = 4 * 1024 * 1024
MAX_DIPLOMAS = 3  # the current document of a qualification in each language: bokmål, nynorsk, English
DocumentId = Annotated[str, StringConstraints(
    pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


def _none_is_empty(value: Any) -> Any:
    return [] if value is None else value


class Wire(BaseModel):
    # Unknown fields are ignored, so a newer node can add some without breaking older requesters.
    model_config = ConfigDict(frozen=True, extra="ignore")


class ResultItem(Wire):
    """One passed result (vurderingsprotokoll): a course in a term."""

    key: Key
    course_code: Code
    name_nb: Name
    name_en: Name
    kind: Code = "course"
    thesis_title: Title | None = None
    year: Annotated[int, Field(ge=1900, le=2200)]
    season: Season
    credits: Credits
    grade: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    grading_scale: Code = "letter"
    description_nb: Description | None = None
    description_en: Description | None = None


class CourseLink(Wire):
    """A result that counts toward a qualification, under a heading, wholly or partly."""

    result_key: Key
    group_nb: Name | None = None
    group_en: Name | None = None
    credits_counted: Credits | None = None


class DiplomaRef(Wire):
    """A diploma set the institution issued for a qualification and still holds as current (not replaced, not
    revoked): its public id, language, SHA-256 and size. Sent to the owner (through the portal) only."""

    document_id: DocumentId
    lang: Literal["nb", "nn", "en"]
    sha256: Sha256
    size_bytes: Annotated[int, Field(ge=1, le=MAX_DIPLOMA_BYTES)]
    issued_at: datetime


class DiplomaDocument(DiplomaRef):
    """The signed PDF of one issued diploma set (base64), answering an owner_login request that names it."""

    qualification_code: Code
    pdf: Annotated[str, StringConstraints(max_length=-(-MAX_DIPLOMA_BYTES // 3) * 4)]


class QualificationItem(Wire):
    """A released qualification (kvalifikasjonsprotokoll) with the results that make it up."""

    key: Key
    code: Code
    name_nb: Name
    name_en: Name
    level: Code = "other"
    programme_name_nb: Name | None = None
    programme_name_en: Name | None = None
    specialisation_nb: Name | None = None
    specialisation_en: Name | None = None
    credits: Credits
    award_date: date
    diploma_issued_on: date | None = None
    courses: Annotated[list[CourseLink], Field(max_length=MAX_LINKS)] = []
    # Only in an answer on the owner's login: the diploma sets issued for it (none in an exchange between
    # institutions, which has no use for the owner's documents).
    diplomas: Annotated[list[DiplomaRef], Field(max_length=MAX_DIPLOMAS)] = []

    _diplomas = field_validator("diplomas", mode="before")(_none_is_empty)


class WithheldItem(Wire):
    """A qualification the node holds but does not release (its diploma was not issued before the fetch date)."""

    code: Code
    name_nb: Name
    name_en: Name
    level: Code = "other"
    reason: Code


class DisclosureItem(Wire):
    """One entry of the node's disclosure log about the person (given to the owner only)."""

    at: datetime
    requester: Code
    basis: Code
    recipient: Literal["requester", "owner_via_portal"]
    disclosed_to: Name
    national_id: Annotated[str, StringConstraints(max_length=11)]
    answer: Code
    results_count: Count
    qualifications_count: Count
    consent_given_at: datetime | None = None
    consent_reference: Name | None = None
    login_at: datetime | None = None
    login_acr: Name | None = None
    # The diploma set handed out by this answer, when it handed one out (the owner shared it through the portal).
    document_id: DocumentId | None = None


class AnswerStatus(StrEnum):
    """What a node says about the person: the seed's three questions, in the order they are asked."""

    OK = "ok"
    NOT_SHARING = "not_sharing"
    RESERVED = "reserved"
    NO_CONSENT = "no_consent"
    NO_RESULTS = "no_results"
    IDENTITY_MISMATCH = "identity_mismatch"
    DEGREE_NOT_RELEASED = "degree_not_released"


class LegalBasis(StrEnum):
    """Why the requester may have the results: the student's consent (an institution, an admission body), or the
    owner themself, logged in at the portal (accepted only from a registry member of kind ``portal``)."""

    CONSENT = "consent"
    OWNER_LOGIN = "owner_login"


class AnswerContents(Wire):
    """Everything an answer carries besides its envelope, validated in one go on receipt."""

    results: Annotated[list[ResultItem], Field(max_length=MAX_RESULTS)] = []
    qualifications: Annotated[list[QualificationItem], Field(max_length=MAX_QUALIFICATIONS)] = []
    withheld: Annotated[list[WithheldItem], Field(max_length=MAX_QUALIFICATIONS)] = []
    disclosures: Annotated[list[DisclosureItem], Field(max_length=MAX_RESULTS)] = []

    _lists = field_validator("results", "qualifications", "withheld", "disclosures", mode="before")(_none_is_empty)


class AnswerEnvelope(AnswerContents):
    """A node's signed answer: who answers (``iss``) whom (``aud``), to which request (``in_reply_to``), about
    whom (``subject``, and ``matched_id`` when an earlier id matched), and what it says."""

    v: Literal[1] = PROTOCOL_VERSION
    iss: Code
    aud: Code
    in_reply_to: Key
    iat: Timestamp
    subject: NationalIdText
    status: AnswerStatus
    message: Message | None = None
    matched_id: NationalIdText | None = None
    # The diploma set an owner_login request asked for by its id (``RequestEnvelope.diploma``).
    diploma: DiplomaDocument | None = None


class SubjectWire(Wire):
    """Who a request is about, as the requester knows the person."""

    national_id: NationalIdText
    earlier_ids: Annotated[list[NationalIdText], Field(max_length=20)] = []
    first_name: Name | None = None
    last_name: Name | None = None
    birth_date: IsoDate | None = None

    _ids = field_validator("earlier_ids", mode="before")(_none_is_empty)


class ConsentWire(Wire):
    """The student's consent as the requester recorded it (its date ISO 8601 with a zone, its own reference)."""

    type: Annotated[str, StringConstraints(max_length=20)]
    answer: Annotated[str, StringConstraints(max_length=1)]
    answered_at: Annotated[str, StringConstraints(max_length=40)]
    recorded_by: Annotated[str, StringConstraints(max_length=20)]
    reference: Annotated[str, StringConstraints(max_length=100)] | None = None


class LoginWire(Wire):
    """The owner's login at the portal: when (ISO 8601 with a zone) and at which level (the ID token's acr)."""

    authenticated_at: Annotated[str, StringConstraints(max_length=40)]
    acr: Annotated[str, StringConstraints(max_length=100)]


class RequestEnvelope(Wire):
    """A requester's signed request to one node (``aud``), under a legal basis: a consent, or the owner's login."""

    v: Literal[1] = PROTOCOL_VERSION
    iss: Code
    aud: Code
    jti: Key
    iat: Timestamp
    purpose: Code | None = None
    fetch_date: IsoDate
    subject: SubjectWire
    consent: ConsentWire | None = None
    basis: LegalBasis | None = None
    login: LoginWire | None = None
    disclosures: StrictBool | None = None
    # Owner_login only: instead of the results, the signed PDF of this issued diploma set (the owner shares it).
    diploma: DocumentId | None = None


# --- the batch question (issue 14): one signed admission request about many applicants -----------------------------

MAX_BATCH = 100  # applicants in one batch question: an answer about all of them stays well inside one message
# An applicant the node kept out of a batch's answer to keep the answer within its bounds: nothing about them was
# disclosed or logged; the requester asks about them in a single request.
ASK_ALONE: Final = "ask_alone"
# An item's id is the disclosure log's request id (records.models.Disclosure.request_id: 64 characters).
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class BatchItemWire(Wire):
    """One applicant in a batch question: its own id (the disclosure log's request id, so each applicant is logged
    and guarded against replay on its own), who, and the applicant's own consent."""

    id: ItemId
    subject: SubjectWire
    consent: ConsentWire


class BatchRequestEnvelope(Wire):
    """An admission body's (or a local admission's) signed question to one node about up to :data:`MAX_BATCH`
    applicants, each on their own admission consent. There is no owner-login basis, log or diploma in a batch."""

    v: Literal[1] = PROTOCOL_VERSION
    iss: Code
    aud: Code
    jti: Key
    iat: Timestamp
    purpose: Code
    fetch_date: IsoDate
    items: Annotated[list[BatchItemWire], Field(min_length=1, max_length=MAX_BATCH)]


class BatchAnswerItem(AnswerContents):
    """The node's answer about one applicant of a batch, as a single answer would give it (``id`` is the item's)."""

    id: ItemId
    subject: NationalIdText
    status: AnswerStatus | Literal["ask_alone"]
    message: Message | None = None
    matched_id: NationalIdText | None = None


class BatchAnswerEnvelope(Wire):
    """A node's signed answer to a batch question: one item per applicant asked, in the order asked."""

    v: Literal[1] = PROTOCOL_VERSION
    iss: Code
    aud: Code
    in_reply_to: Key
    iat: Timestamp
    items: Annotated[list[BatchAnswerItem], Field(max_length=MAX_BATCH)]
