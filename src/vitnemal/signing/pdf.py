"""Signing PDFs: the :class:`PdfSigner` protocol and a PAdES signer with a key file (pyHanko).

Every document the project issues (school certificates, diplomas) carries a *certifying* signature
(DocMDP "no changes allowed"): a reader sees who issued it and that it is unchanged, and any later change,
even a signed one, shows up as a violation. Keys are P-256 (ECDSA), which poppler (pdfsig, evince) and
Adobe both verify; Ed25519 is not recognised by poppler.

Speed: the key and chain are loaded once per signer; the signature space is reserved from the chain's size
instead of by a dry-run signature (pyHanko's default), so a signature costs one ECDSA operation and one
incremental write (~13 ms for a one-page certificate). A signer is safe to reuse for any number of documents
but not from several threads at once; give each worker thread its own.

A PKCS#11 (hardware token / HSM) signer implementing the same protocol is left for later:
``pyhanko.sign.pkcs11.PKCS11Signer`` plugs into :class:`KeyFileSigner`'s ``sign`` unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization

DEFAULT_FIELD_NAME = "Signatur"
# Room in the signature for CMS structure, signed attributes and the ECDSA value, besides the certificates.
_CMS_OVERHEAD_BYTES = 2048


class PdfSigner(Protocol):
    """Something that returns a signed copy of a PDF."""

    def sign(self, pdf: bytes) -> bytes: ...


class SigningError(RuntimeError):
    """The PDF could not be signed (unreadable PDF, key and certificate not matching, ...)."""


def reserved_signature_bytes(certificates: Sequence[x509.Certificate]) -> int:
    """Return the signature space to reserve, in hex digits as pyHanko counts it, for a chain of certificates."""
    der_size = sum(len(c.public_bytes(serialization.Encoding.DER)) for c in certificates)
    raw = der_size + _CMS_OVERHEAD_BYTES
    return 2 * (-(-raw // 512) * 512)  # rounded up to 512 bytes, two hex digits per byte


class KeyFileSigner:
    """A certifying PAdES signer with a PEM key file, its certificate and the issuing chain."""

    def __init__(
        self,
        key_path: Path,
        cert_path: Path,
        chain: Sequence[Path] = (),
        *,
        field_name: str = DEFAULT_FIELD_NAME,
        reason: str | None = None,
        location: str | None = None,
        certify: bool = True,
        key_passphrase: bytes | None = None,
    ) -> None:
        from pyhanko.sign import fields, signers

        try:
            self._signer = signers.SimpleSigner.load(
                str(key_path),
                str(cert_path),
                ca_chain_files=tuple(str(p) for p in chain),
                key_passphrase=key_passphrase,
            )
        except (OSError, ValueError) as exc:
            raise SigningError(f"cannot load the signing key {key_path} / certificate {cert_path}: {exc}") from exc
        if self._signer is None:  # pyHanko returns None when the files do not load
            raise SigningError(f"cannot load the signing key {key_path} / certificate {cert_path}")
        self.certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
        chain_certs = [x509.load_pem_x509_certificates(Path(p).read_bytes()) for p in chain]
        self._bytes_reserved = reserved_signature_bytes(
            [self.certificate, *(c for group in chain_certs for c in group)]
        )
        self._metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=reason,
            location=location,
            certify=certify,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        self._pdf_signer = signers.PdfSigner(self._metadata, signer=self._signer)

    @property
    def signer_name(self) -> str:
        """The certificate's common name, e.g. the school's name."""
        names = self.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()

    def sign(self, pdf: bytes) -> bytes:
        """Return ``pdf`` with a certifying signature appended as an incremental update."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.misc import PdfError

        try:
            writer = IncrementalPdfFileWriter(BytesIO(pdf))
            output = self._pdf_signer.sign_pdf(writer, bytes_reserved=self._bytes_reserved)
        except PdfError as exc:
            raise SigningError(f"cannot sign the PDF: {exc}") from exc
        return output.getvalue()
