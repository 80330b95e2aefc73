"""The typed contents of a node's answer (issue 12 #4): the node builds them, the requester validates them.

One set of pydantic models for what an answer carries — passed results, released qualifications with their
courses, withheld qualifications, the log of disclosures — so the node never writes those dicts by hand and the
requester never re-parses them field by field. Validation on receipt bounds every string, number and list (the
JSON around them is already bounded in size and depth by :mod:`vitnemal.bounded_json`); anything else is a
``pydantic.ValidationError``, which the protocol turns into a malformed answer.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Key = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Name = Annotated[str, StringConstraints(max_length=300)]
Title = Annotated[str, StringConstraints(max_length=500)]
Description = Annotated[str, StringConstraints(max_length=20_000)]
Credits = Annotated[Decimal, Field(ge=0, le=999, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]

MAX_RESULTS = 10_000
MAX_QUALIFICATIONS = 500
MAX_LINKS = 1_000


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
    season: Literal["VÅR", "HØST"]
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


class AnswerContents(Wire):
    """Everything an answer carries besides its envelope, validated in one go on receipt."""

    results: Annotated[list[ResultItem], Field(max_length=MAX_RESULTS)] = []
    qualifications: Annotated[list[QualificationItem], Field(max_length=MAX_QUALIFICATIONS)] = []
    withheld: Annotated[list[WithheldItem], Field(max_length=MAX_QUALIFICATIONS)] = []
    disclosures: Annotated[list[DisclosureItem], Field(max_length=MAX_RESULTS)] = []
