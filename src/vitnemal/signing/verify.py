"""Checking a signed PDF: is it genuine?

- :func:`check_pdf` answers for a whole document, with a structured :class:`DocumentCheck` and one reason per kind
  of failure (:class:`Reason`). A document is genuine only when it has exactly one signature, a certifying one
  (DocMDP "no changes"), whose signed bytes are unchanged, whose signature value matches the signer's certificate,
  whose chain leads to one of the trust roots, and whose byte range covers the entire file: a revision appended
  after it (even a validly signed one drawing over page 1) makes the document not genuine.
- :func:`verify_pdf` reports on each signature separately (used by tests and the school certificates).

Poppler's ``pdfsig`` gives an independent answer; the tests check every document with both.

Chains are validated at the signing time the signature claims (never later than now), so a diploma stays
verifiable after its signer certificate expires. Without a trusted timestamp that time is the signer's own word;
see docs/verification.md for what that means and why no timestamp is added (none can be fetched offline).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from io import BytesIO
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vitnemal.signing.ca import describe_issuer, issuer_kind
from vitnemal.signing.forensics import (
    SignerIdentity,
    contents_problem,
    document_id_in,
    document_texts,
    is_limit,
    raw_digest_check,
    signer_identity,
)
from vitnemal.signing.limits import DEFAULT_LIMITS, VerifyLimits


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome for one signature.

    ``intact``: the signed bytes are unchanged; ``valid``: intact and the cryptography holds; ``trusted``: the
    signer's certificate chains to one of the trust roots; ``whole_document``: nothing was added after signing;
    ``certified``: a certification (DocMDP) signature; ``docmdp``: its permission level, e.g. "NO_CHANGES".
    """

    field_name: str
    signer: str
    intact: bool
    valid: bool
    trusted: bool
    whole_document: bool
    certified: bool
    docmdp: str | None

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.whole_document


@contextlib.contextmanager
def _quiet_path_building() -> Iterator[None]:
    """Keep pyHanko from logging a traceback for an untrusted chain; the result says ``trusted=False``."""
    logger = logging.getLogger("pyhanko")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


class UnreadablePdf(ValueError):
    """The bytes are not a PDF that can be read (a changed byte may do this as well)."""


def verify_pdf(pdf: bytes, trust_roots: Sequence[Path | x509.Certificate] = ()) -> list[SignatureCheck]:
    """Return a check per embedded signature (an empty list for an unsigned PDF).

    Raises :class:`UnreadablePdf` when the PDF cannot be parsed at all.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = _as_asn1(_load_roots(trust_roots))
    try:
        reader = PdfFileReader(BytesIO(pdf), decode_limits=DEFAULT_LIMITS.decode_limits())
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError) as exc:
        raise UnreadablePdf(f"not a readable PDF: {exc}") from exc
    checks: list[SignatureCheck] = []
    for embedded in signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        try:
            with _quiet_path_building():
                status = validate_pdf_signature(embedded, context)
        except (PdfError, ValueError) as exc:
            raise UnreadablePdf(f"signature {embedded.field_name!r} cannot be checked: {exc}") from exc
        docmdp = embedded.docmdp_level
        checks.append(
            SignatureCheck(
                field_name=embedded.field_name,
                signer=status.signing_cert.subject.human_friendly,
                intact=status.intact,
                valid=status.valid,
                trusted=status.trusted,
                whole_document=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
                certified=docmdp is not None,
                docmdp=None if docmdp is None else docmdp.name,
            )
        )
    return checks


class Reason(StrEnum):
    """Why a document is not genuine; each kind of failure has its own."""

    UNREADABLE = "unreadable"
    NOT_SIGNED = "not_signed"
    CHANGED_BYTES = "changed_bytes"
    SIGNER_CERTIFICATE_MISMATCH = "signer_certificate_mismatch"
    BAD_SIGNATURE = "bad_signature"
    APPENDED_REVISION = "appended_revision"
    UNTRUSTED_CA = "untrusted_ca"
    NOT_CERTIFIED = "not_certified"


@dataclass(frozen=True)
class Problem:
    """One reason a document is not genuine, with a sentence saying what was found."""

    reason: str
    message: str


@dataclass(frozen=True)
class DocumentCheck:
    """Everything :func:`check_pdf` found out about one file.

    ``problems`` is empty for a genuine document; otherwise its first entry is *the* reason. ``signatures`` counts
    every signature in the file, ``later_revisions`` the incremental updates after the first signature's revision.
    ``validated`` says the signature could be validated at all (its CMS structure read, its signer found); when it
    is False, ``intact`` comes from a raw digest check and the other flags are False. ``document_id`` is read from
    the verification URL (``.../verify/<uuid>``) in the signature's ``/ContactInfo``, else from a link or the
    metadata of the document.
    """

    sha256: str
    size_bytes: int
    readable: bool
    signatures: int = 0
    field_name: str | None = None
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    certified: bool = False
    docmdp: str | None = None
    covers_entire_file: bool = False
    later_revisions: int = 0
    signer: SignerIdentity | None = None
    signing_time: datetime | None = None
    document_id: str | None = None
    validated: bool = False
    problems: tuple[Problem, ...] = ()
    issuer_kind: str | None = None  # school / institution / portal, from the signer certificate's policy

    @property
    def issued_by(self) -> str | None:
        """"issued by a lower-secondary school: <name>" and the like, or None when there is no signer."""
        if self.signer is None:
            return None
        return describe_issuer(self.issuer_kind, self.signer.organization or self.signer.common_name)

    @property
    def genuine(self) -> bool:
        return not self.problems

    @property
    def reason(self) -> str | None:
        return self.problems[0].reason if self.problems else None

    @property
    def message(self) -> str:
        return self.problems[0].message if self.problems else "genuine"

    def with_problems(self, *extra: Problem) -> DocumentCheck:
        """Return a copy with ``extra`` problems added after the ones found in the file itself."""
        return replace(self, problems=self.problems + extra)

    def checks(self) -> list[tuple[str, bool]]:
        """Return what was checked, in order, each with whether it held (for people reading the CLI output)."""
        done = [("the file is a readable PDF", self.readable)]
        if not self.readable:
            return done
        done.append((f"the PDF is signed ({self.signatures} signature(s))", self.signatures > 0))
        if self.signatures == 0:
            return done
        done.append(("the signed bytes are unchanged (digest)", self.intact))
        if not self.validated:
            return [*done, ("the signature can be validated (its structure and signer certificate)", False)]
        done += [
            ("the signature value matches the signer's certificate", self.valid),
            ("the certificate chain leads to a trusted CA", self.trusted),
            ("the signature certifies the document, no changes allowed (DocMDP)", self.certified),
            ("the signature covers the entire file, nothing appended after it", self.covers_entire_file),
        ]
        return done

    def to_dict(self) -> dict[str, Any]:
        """Return the check as JSON-ready data (dates as ISO 8601)."""
        return {
            "genuine": self.genuine,
            "reason": self.reason,
            "message": self.message,
            "problems": [{"reason": p.reason, "message": p.message} for p in self.problems],
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "readable": self.readable,
            "signatures": self.signatures,
            "field_name": self.field_name,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "certified": self.certified,
            "docmdp": self.docmdp,
            "covers_entire_file": self.covers_entire_file,
            "later_revisions": self.later_revisions,
            "signer": self.signer.to_dict() if self.signer else None,
            "signing_time": self.signing_time.isoformat() if self.signing_time else None,
            "document_id": self.document_id,
            "validated": self.validated,
            "issuer_kind": self.issuer_kind,
            "issued_by": self.issued_by,
            "checks": [{"check": text, "ok": ok} for text, ok in self.checks()],
        }


def _load_roots(trust_roots: Sequence[Path | x509.Certificate]) -> list[x509.Certificate]:
    roots: list[x509.Certificate] = []
    for root in trust_roots:
        roots += x509.load_pem_x509_certificates(Path(root).read_bytes()) if isinstance(root, Path) else [root]
    return roots


def _as_asn1(certificates: list[x509.Certificate]) -> list[Any]:
    from asn1crypto import x509 as asn1_x509

    return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certificates]


def _damaged(pdf: bytes, base: DocumentCheck, error: Exception | str) -> DocumentCheck:
    """The answer for a PDF whose signature pyHanko cannot read or find, judged from the raw bytes.

    Changed signed bytes when the signature's digest says so; appended data when the signed part is intact but
    does not reach the end; a damaged signature when its contents do not decode; unreadable when the file shows
    no sign of a signature at all.
    """
    raw = raw_digest_check(pdf)
    signed = replace(base, readable=True, signatures=max(base.signatures, 1))
    if raw.found and raw.digest_matches is False:
        problem = Problem(Reason.CHANGED_BYTES, f"the signed bytes were changed (digest mismatch): {error}")
    elif raw.found and raw.digest_matches and not raw.covers_entire_file:
        problem = Problem(Reason.APPENDED_REVISION, f"data was appended after the signature: {error}")
        signed = replace(signed, intact=True)
    elif raw.found:
        problem = Problem(Reason.BAD_SIGNATURE, f"the signature is damaged: {error}")
    elif b"/ByteRange" in pdf or b"/Sig" in pdf:
        problem = Problem(Reason.CHANGED_BYTES, f"the signature dictionary was changed: {error}")
    elif base.readable:
        return replace(base, problems=(Problem(Reason.NOT_SIGNED, "the PDF has no signature"),))
    else:
        return replace(base, problems=(Problem(Reason.UNREADABLE, f"not a readable PDF: {error}"),))
    return replace(signed, problems=(problem,))


def check_pdf(
    pdf: bytes, trust_roots: Sequence[Path | x509.Certificate], limits: VerifyLimits = DEFAULT_LIMITS
) -> DocumentCheck:
    """Return what is true of ``pdf`` as a signed document, judged against ``trust_roots`` (CA certificates).

    Never raises for bad input: a file that is not a PDF, or one over a limit of ``limits`` (a cyclic page tree, a
    stream inflating beyond its cap, memory), is a check with reason ``unreadable`` whose message names the limit.
    Time and the memory cap are enforced only where the check runs in a worker (:mod:`vitnemal.signing.pool`).
    """
    try:
        return _check(pdf, trust_roots, limits)
    except Exception as exc:
        if not is_limit(exc):
            raise
        return over_limit(pdf, limits.describe(exc))


def over_limit(pdf: bytes, limit: str) -> DocumentCheck:
    """The answer for a file over a limit: ``unreadable: <the limit>``."""
    base = DocumentCheck(sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf), readable=False)
    return replace(base, problems=(Problem(Reason.UNREADABLE, f"unreadable: {limit}"),))


def _check(pdf: bytes, trust_roots: Sequence[Path | x509.Certificate], limits: VerifyLimits) -> DocumentCheck:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.ades.report import AdESIndeterminate
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator import ValidationContext

    base = DocumentCheck(sha256=hashlib.sha256(pdf).hexdigest(), size_bytes=len(pdf), readable=False)
    if b"%PDF-" not in pdf[:1024]:
        return _damaged(pdf, base, "not a PDF (no %PDF- header)")
    try:
        reader = PdfFileReader(BytesIO(pdf), decode_limits=limits.decode_limits())
        embedded = sorted(reader.embedded_signatures, key=lambda e: e.signed_revision)
        revisions = reader.xrefs.total_revisions
    except Exception as exc:  # pyHanko raises many kinds for a damaged file
        _raise_if_limit(exc)
        return _damaged(pdf, base, exc)
    base = replace(base, readable=True, signatures=len(embedded))
    if not embedded:
        unsigned = replace(base, document_id=document_id_in(document_texts(reader, limits.structure)))
        return _damaged(pdf, unsigned, "no signature found")
    first = embedded[0]
    later = revisions - 1 - first.signed_revision
    # The signed /ContactInfo (the verification URL) first, then links and metadata in the pages.
    texts = [str(first.sig_object.get("/ContactInfo", "")), *document_texts(reader, limits.structure)]
    base = replace(base, field_name=first.field_name, later_revisions=later, document_id=document_id_in(texts))
    roots = _load_roots(trust_roots)
    context = ValidationContext(trust_roots=_as_asn1(roots), allow_fetching=False, moment=_claimed_time(first))
    try:
        with _quiet_path_building():
            status = validate_pdf_signature(first, context)
    except SignatureValidationError as exc:
        _raise_if_limit(exc.__cause__ or exc)
        if exc.ades_subindication is AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND:
            problem = Problem(
                Reason.SIGNER_CERTIFICATE_MISMATCH,
                f"the signer certificate in the signature is not the one that was signed for: {exc}",
            )
        else:
            problem = Problem(Reason.BAD_SIGNATURE, f"the signature cannot be validated: {exc}")
        return replace(base, intact=raw_digest_check(pdf).digest_matches is True, problems=(problem,))
    except Exception as exc:  # a damaged signature dictionary or CMS structure
        _raise_if_limit(exc)
        return _damaged(pdf, base, exc)
    docmdp = first.docmdp_level
    checked = replace(
        base,
        validated=True,
        intact=status.intact,
        valid=status.intact and status.valid,
        trusted=bool(roots) and status.intact and status.valid and status.trusted,
        certified=docmdp is not None and docmdp.name == "NO_CHANGES",
        docmdp=None if docmdp is None else docmdp.name,
        covers_entire_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE" and len(embedded) == 1,
        signer=signer_identity(signer_cert := x509.load_der_x509_certificate(status.signing_cert.dump())),
        signing_time=status.signer_reported_dt,
        issuer_kind=issuer_kind(signer_cert),
    )
    unsigned_part = contents_problem(pdf, list(first.byte_range), roots, check_certificates=checked.trusted)
    problems = list(_problems(checked, later, bool(roots)))
    if unsigned_part is not None:
        checked = replace(checked, intact=False)
        problems.insert(0, Problem(Reason.CHANGED_BYTES, unsigned_part))
    return replace(checked, problems=tuple(problems))


def _raise_if_limit(exc: BaseException) -> None:
    if is_limit(exc):
        raise exc


def _claimed_time(embedded: Any) -> datetime:
    now = datetime.now(UTC)
    try:
        claimed = embedded.self_reported_timestamp
    except Exception:  # no usable time in the signature: validate as of now
        return now
    return now if claimed is None else min(claimed, now)


def _problems(check: DocumentCheck, later: int, have_roots: bool) -> Iterator[Problem]:
    if not check.intact:
        yield Problem(Reason.CHANGED_BYTES, "the signed bytes were changed after signing (digest mismatch)")
    elif not check.valid:
        yield Problem(Reason.BAD_SIGNATURE, "the signature value does not match the signer's certificate")
    if not check.covers_entire_file:
        if check.signatures > 1 or later > 0:
            what = f"{later} revision(s) and {check.signatures - 1} more signature(s) were added after the signature"
        else:
            what = "bytes were appended after the signed part of the file"
        yield Problem(Reason.APPENDED_REVISION, f"{what}; only the signed revision is genuine")
    if check.intact and check.valid and not check.trusted:
        who = check.signer.issuer if check.signer else "an unknown issuer"
        if have_roots:
            yield Problem(
                Reason.UNTRUSTED_CA, f"the signer's certificate (issued by {who}) does not lead to a trusted CA"
            )
        else:
            yield Problem(Reason.UNTRUSTED_CA, f"no trusted CA was given to check the chain of {who} against")
    if not check.certified:
        yield Problem(Reason.NOT_CERTIFIED, f"the signature does not certify against changes (DocMDP {check.docmdp})")
