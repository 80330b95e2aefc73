"""Reading ELMO from elsewhere (issue 10 #6): a file a foreign EMREX data provider (or this portal) signed, plain
XML or packed as EMREX sends it (gzip, then base64), turned into what it says: the learner, one report per issuer,
and each report's qualifications and courses with their credits and grades, kept in the issuer's own grading
scheme (the scheme's id and its description travel with every grade).

Nothing is read half: the file is refused whole, with what is wrong and what to do, when it is too large, not
ELMO, not signed (unless the caller says it trusts the file otherwise), signed by a certificate the receiver does
not trust, changed after signing, or not valid against the official schema (the line and the element are named).
Only what the signature covers is read. Refusals are :class:`ElmoRefused`, worded in nb, nn and en.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cryptography import x509

from vitnemal.interop.elmo import NS, XML_LANG, schema_error
from vitnemal.interop.elmo_refusals import REFUSALS as _TEXTS
from vitnemal.interop.elmo_sign import (
    DS,
    MAX_ELMO_BYTES,
    ElmoSignatureInvalid,
    decode_transfer,
    parse_bounded,
    verify_elmo,
)

E = f"{{{NS}}}"


class ElmoRefused(ValueError):
    """An ELMO file that is not imported; ``str()`` is the English sentence, :meth:`text` the one in a language."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        texts = _TEXTS[self.key]
        return texts.get(lang, texts["en"]).format(**self.params)


def _prefer(lang: str) -> tuple[str, ...]:
    # ELMO from Norway often says "no"; a Norwegian reader takes nb, nn and no alike before English.
    return {"nb": ("nb", "no", "nn", "en"), "nn": ("nn", "no", "nb", "en")}.get(lang, ("en", "nb", "no", "nn"))


def in_language(texts: Mapping[str, str], lang: str) -> str:
    """The text for ``lang`` among ``texts`` (by xml:lang; "" for none), else the nearest, else any."""
    for candidate in _prefer(lang):
        if texts.get(candidate):
            return texts[candidate]
    return next((t for t in texts.values() if t), "")


@dataclass(frozen=True)
class Credit:
    scheme: str  # "ects" mostly; kept as written
    value: Decimal
    level: str | None = None


@dataclass(frozen=True)
class ImportedItem:
    """A learningOpportunitySpecification: a qualification ("Degree Programme"), a course, a module, a class."""

    kind: str
    identifiers: tuple[tuple[str, str], ...]
    titles: Mapping[str, str]
    term: Mapping[str, str] = field(default_factory=dict)
    term_start: date | None = None
    term_end: date | None = None
    date: date | None = None
    status: str | None = None
    grade: str | None = None
    scheme: str | None = None
    scheme_texts: Mapping[str, str] = field(default_factory=dict)
    credits: tuple[Credit, ...] = ()
    levels: tuple[tuple[str, str], ...] = ()
    parts: tuple[ImportedItem, ...] = ()
    line: int | None = field(default=None, compare=False)  # where the item is in the file, for what is reported

    @property
    def code(self) -> str | None:
        """The issuer's own code ("local"), else the first identifier."""
        by_type = dict(self.identifiers)
        return by_type.get("local") or (self.identifiers[0][1] if self.identifiers else None)

    @property
    def ects(self) -> Decimal | None:
        return next((c.value for c in self.credits if c.scheme.lower() == "ects"), None)

    def walk(self) -> Iterator[ImportedItem]:
        yield self
        for part in self.parts:
            yield from part.walk()


@dataclass(frozen=True)
class ImportedReport:
    """One issuer's results."""

    country: str | None
    issuer_identifiers: tuple[tuple[str, str], ...]
    issuer_titles: Mapping[str, str]
    issue_date: datetime | None
    items: tuple[ImportedItem, ...]

    def items_all(self) -> Iterator[ImportedItem]:
        for item in self.items:
            yield from item.walk()


@dataclass(frozen=True)
class Learner:
    given_names: str
    family_name: str
    birth_date: date | None
    citizenship: str | None
    identifiers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ImportedElmo:
    """What a verified, valid ELMO file holds."""

    generated_at: datetime
    learner: Learner
    reports: tuple[ImportedReport, ...]
    attachments: tuple[tuple[str, str], ...]  # (type, title in English or the first language)
    signer: str | None  # the signing certificate's subject, None for an unsigned file taken on trust
    signed: bool
    # What the file does differently from the schema that is read anyway (see _tolerate), one sentence each (en).
    deviations: tuple[str, ...] = ()

    def counts(self) -> tuple[int, int]:
        """(qualifications, other items) in all reports."""
        items = [i for r in self.reports for i in r.items_all()]
        qualifications = sum(1 for i in items if i.kind == "Degree Programme")
        return qualifications, len(items) - qualifications


# ------------------------------------------------------------------------------------------------------- reading


def unpack(data: bytes, *, limit: int = MAX_ELMO_BYTES) -> bytes:
    """The ELMO XML in ``data``: the bytes themselves when they are XML, else EMREX's gzip+base64 packing
    inflated (at most ``limit`` bytes: a gzip bomb stops there)."""
    if len(data) > 2 * limit:
        raise ElmoRefused("too_large", size=len(data), limit=2 * limit)
    head = data.lstrip()[:1]
    if head == b"<" or data.startswith(b"\xef\xbb\xbf"):
        if len(data) > limit:
            raise ElmoRefused("too_large", size=len(data), limit=limit)
        return data
    try:
        text = data.decode("ascii").strip().replace("\n", "").replace("\r", "")
        if text.startswith("PD94") or text.startswith("PGVsbW8"):
            # base64 of "<?xml" or "<elmo" without the gzip step: how some providers store a file (emrex-gateway's
            # sample); a base64-wrapped file is never larger than 4/3 of the limit here, so this cannot blow up.
            plain = base64.b64decode(text, validate=True)
            if len(plain) > limit:
                raise ElmoRefused("too_large", size=len(plain), limit=limit)
            return plain
        return decode_transfer(text, limit=limit)
    except UnicodeDecodeError:
        raise ElmoRefused("unreadable", detail="it is binary, not text") from None
    except (ValueError, binascii.Error) as exc:
        raise ElmoRefused("unreadable", detail=str(exc)) from None


def _texts(parent: Any, tag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in parent.findall(E + tag):
        out.setdefault(el.get(XML_LANG) or "", "".join(el.itertext()).strip())
    return out


def _identifiers(parent: Any) -> tuple[tuple[str, str], ...]:
    return tuple((el.get("type") or "", (el.text or "").strip()) for el in parent.findall(E + "identifier"))


def _day(value: str | None) -> date | None:
    # xs:date may carry a time zone ("2015-06-15+02:00"); the day is what is kept. The schema also lets through
    # years Python has no date for (10000, -0001): refused in words.
    if not value or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ElmoRefused("bad_date", value=value.strip()[:40]) from None


def _moment(value: str | None) -> datetime | None:
    # xs:dateTime also allows 24:00:00 and years beyond 9999, which datetime cannot hold: refused in words.
    if not value or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ElmoRefused("bad_date", value=value.strip()[:40]) from None
    # xs:dateTime may leave out the zone (then it is unknown): taken as UTC, so that it can be shown in Oslo time.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _decimal(value: str | None) -> Decimal:
    try:
        return Decimal((value or "").strip())
    except InvalidOperation:
        return Decimal(0)  # the schema's xs:decimal makes this unreachable for a valid file


def _item(los: Any, schemes: Mapping[str, Mapping[str, str]]) -> ImportedItem:
    loi = los.find(f"{E}specifies/{E}learningOpportunityInstance")
    term_el = loi.find(E + "academicTerm") if loi is not None else None
    scheme = loi.findtext(E + "gradingSchemeLocalId") if loi is not None else None
    credits = tuple(Credit((c.findtext(E + "scheme") or "").strip(), _decimal(c.findtext(E + "value")),
                           c.findtext(E + "level"))
                    for c in (loi.findall(E + "credit") if loi is not None else ()))
    levels = tuple(((lv.findtext(E + "type") or "").strip(), (lv.findtext(E + "value") or "").strip())
                   for lv in (loi.findall(E + "level") if loi is not None else ()))
    parts = tuple(_item(part, schemes) for part in los.findall(f"{E}hasPart/{E}learningOpportunitySpecification"))
    return ImportedItem(
        kind=(los.findtext(E + "type") or "").strip(), identifiers=_identifiers(los),
        titles=_texts(los, "title"),
        term=_texts(term_el, "title") if term_el is not None else {},
        term_start=_day(term_el.findtext(E + "start")) if term_el is not None else None,
        term_end=_day(term_el.findtext(E + "end")) if term_el is not None else None,
        date=_day(loi.findtext(E + "date")) if loi is not None else None,
        status=loi.findtext(E + "status") if loi is not None else None,
        grade=loi.findtext(E + "resultLabel") if loi is not None else None,
        scheme=scheme.strip() if scheme else None, scheme_texts=schemes.get((scheme or "").strip(), {}),
        credits=credits, levels=levels, parts=parts, line=los.sourceline)


def _report(report: Any) -> ImportedReport:
    issuer = report.find(E + "issuer")
    schemes = {(g.get("localId") or ""): _texts(g, "description") for g in report.findall(E + "gradingScheme")}
    return ImportedReport(
        country=issuer.findtext(E + "country"),
        issuer_identifiers=_identifiers(issuer), issuer_titles=_texts(issuer, "title"),
        issue_date=_moment(report.findtext(E + "issueDate")),
        items=tuple(_item(los, schemes) for los in report.findall(E + "learningOpportunitySpecification")))


def _tolerate(root: Any) -> tuple[Any, tuple[str, ...]]:
    """The document to validate, and what it does differently that is read anyway.

    One deviation is known and tolerated: ``gradingScheme`` before ``issueDate`` in a report (Vitnemålsportalen's
    own EMREX test output, as kept in emrex-eu/emrex-gateway, writes it there; the schema wants it after). The
    copy that is validated has it moved; the signature is checked on the file as it came."""
    misplaced = [r for r in root.findall(E + "report")
                 if (d := r.find(E + "issueDate")) is not None
                 and any(g.getparent() is r and r.index(g) < r.index(d) for g in r.findall(E + "gradingScheme"))]
    if not misplaced:
        return root, ()
    copy = deepcopy(root)
    for report in copy.findall(E + "report"):
        for scheme in report.findall(E + "gradingScheme"):
            report.remove(scheme)
            report.append(scheme)
    return copy, (f"gradingScheme before issueDate in {len(misplaced)} report(s), read as if after it",)


def _validate(root: Any) -> tuple[str, ...]:
    checked, deviations = _tolerate(root)
    error = schema_error(checked)
    if error is not None:
        raise ElmoRefused("invalid", line=error.line, element=error.element, reason=error.reason)
    return deviations


def _subject(xml: bytes, root: Any) -> str:
    embedded = root.findtext(f"{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode("".join((embedded or "").split())))
    except ValueError:
        return "?"
    return cert.subject.rfc4514_string()


def read_elmo(data: bytes, trusted: Sequence[x509.Certificate], *, allow_unsigned: bool = False) -> ImportedElmo:
    """What the ELMO file ``data`` holds, once its signature holds against ``trusted`` and it is valid; raises
    :class:`ElmoRefused` otherwise. ``allow_unsigned`` reads a file without a signature (the caller vouches for it);
    a file that has a signature is always checked."""
    xml = unpack(data)
    try:
        root = parse_bounded(xml)
    except ValueError as exc:
        raise ElmoRefused("not_xml", detail=str(exc)) from None
    if root.tag != E + "elmo":
        raise ElmoRefused("not_elmo", tag=root.tag, ns=NS)
    signer: str | None = None
    if root.find(f".//{{{DS}}}Signature") is None:
        if not allow_unsigned:
            raise ElmoRefused("unsigned")
        deviations = _validate(root)
        signed = root
    else:
        deviations = _validate(root)  # with line numbers of the file as it came
        try:
            verified = verify_elmo(xml, trusted, parsed=root)
        except ElmoSignatureInvalid as exc:
            if "does not trust" in str(exc):
                raise ElmoRefused("untrusted", subject=_subject(xml, root)) from None
            raise ElmoRefused("bad_signature", detail=str(exc)) from None
        signed, signer = verified.root, verified.certificate.subject.rfc4514_string()
    learner = signed.find(E + "learner")
    reports = tuple(_report(r) for r in signed.findall(E + "report"))
    if not any(r.items for r in reports):
        raise ElmoRefused("empty")
    attachments = tuple(((a.findtext(E + "type") or "").strip(), in_language(_texts(a, "title"), "en"))
                        for a in signed.iter(E + "attachment"))
    return ImportedElmo(
        generated_at=_moment(signed.findtext(E + "generatedDate")) or datetime.min,
        learner=Learner((learner.findtext(E + "givenNames") or "").strip(),
                        (learner.findtext(E + "familyName") or "").strip(), _day(learner.findtext(E + "bday")),
                        learner.findtext(E + "citizenship"), _identifiers(learner)),
        reports=reports, attachments=attachments, signer=signer, signed=signer is not None, deviations=deviations)
