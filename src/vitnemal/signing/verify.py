"""Checking a signed PDF: is each signature intact, by a trusted certificate, covering the whole document, and
is the document certified against changes?

Used by tests and by anyone who wants an answer in Python; poppler's ``pdfsig`` gives an independent one.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization


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
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for root in trust_roots:
        certs = x509.load_pem_x509_certificates(Path(root).read_bytes()) if isinstance(root, Path) else [root]
        roots += [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in certs]
    try:
        reader = PdfFileReader(BytesIO(pdf))
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
