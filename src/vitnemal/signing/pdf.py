"""Signing PDFs: the :class:`PdfSigner` protocol and a PAdES signer with a key file (pyHanko).

Every document the project issues (school certificates, diplomas) carries a *certifying* signature
(DocMDP "no changes allowed"): a reader sees who issued it and that it is unchanged, and any later change,
even a signed one, shows up as a violation. Keys are P-256 (ECDSA), which poppler (pdfsig, evince) and
Adobe both verify; Ed25519 is not recognised by poppler.

Speed: the key and chain are loaded once per signer; the signature space is reserved from the chain's size
instead of by a dry-run signature (pyHanko's default), so a signature costs one ECDSA operation and one
incremental write (~13 ms for a one-page certificate). No timestamp is requested and nothing is fetched
(no OCSP/CRL): the signer works offline. A signer is safe to reuse for any number of documents but not from
several threads at once; give each worker thread or process its own.

The key may also live on a hardware token or HSM: :class:`vitnemal.signing.pkcs11.Pkcs11Signer` implements the
same protocol over PKCS#11.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization

DEFAULT_FIELD_NAME = "Signatur"
# Room in the signature for CMS structure, signed attributes and the ECDSA value, besides the certificates.
_CMS_OVERHEAD_BYTES = 2048


class PdfSigner(Protocol):
    """Something that returns a signed copy of a PDF.

    ``contact_info`` goes into the signature dictionary's ``/ContactInfo`` (covered by the signature): the
    diplomas put their verification URL there, so a verifier finds the document id without reading page text.
    """

    def sign(self, pdf: bytes, *, contact_info: str | None = None) -> bytes: ...


class SigningError(RuntimeError):
    """The PDF could not be signed (unreadable PDF, key and certificate not matching, ...)."""


def reserved_signature_bytes(certificates: Sequence[x509.Certificate]) -> int:
    """Return the signature space to reserve, in hex digits as pyHanko counts it, for a chain of certificates."""
    der_size = sum(len(c.public_bytes(serialization.Encoding.DER)) for c in certificates)
    raw = der_size + _CMS_OVERHEAD_BYTES
    return 2 * (-(-raw // 512) * 512)  # rounded up to 512 bytes, two hex digits per byte


def _pdf17_signer_class() -> Any:
    """Return a pyHanko ``PdfSigner`` that keeps the document at PDF 1.7 (PDF/A-3 is based on PDF 1.7).

    pyHanko declares ISO 32002 for ECDSA on P-256, which raises the catalog's ``/Version`` to 2.0: a PDF/A-3b file
    would then claim to be PDF 2.0. PDF 1.7 with the ESIC extension (what pyHanko registers for PAdES below 2.0)
    already covers ECDSA signatures, and poppler and Adobe read them.
    """
    from pyhanko.sign import signers
    from pyhanko.sign.signers import constants

    class Pdf17PdfSigner(signers.PdfSigner):
        def register_extensions(self, pdf_out: Any, *, md_algorithm: str) -> None:
            pdf_out.ensure_output_version(version=(1, 7))
            pdf_out.register_extension(constants.ESIC_EXTENSION_1)

    return Pdf17PdfSigner


def load_chain(paths: Sequence[Path]) -> list[x509.Certificate]:
    """Return every certificate in the PEM files ``paths``, in order."""
    return [c for p in paths for c in x509.load_pem_x509_certificates(Path(p).read_bytes())]


class PadesSigner:
    """A certifying PAdES signer around any pyHanko ``Signer`` (key file or PKCS#11 token).

    ``certificate`` is the signer's certificate and ``chain`` the issuing certificates carried in each signature.
    """

    def __init__(
        self,
        pyhanko_signer: Any,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
        *,
        field_name: str = DEFAULT_FIELD_NAME,
        reason: str | None = None,
        location: str | None = None,
        certify: bool = True,
    ) -> None:
        from pyhanko.sign import fields, signers

        self.certificate = certificate
        self.chain = list(chain)
        self._signer = pyhanko_signer
        self._bytes_reserved = reserved_signature_bytes([certificate, *self.chain])
        self._metadata = signers.PdfSignatureMetadata(
            field_name=field_name,
            reason=reason,
            location=location,
            certify=certify,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        self._signer_class = _pdf17_signer_class()
        self._pdf_signer = self._signer_class(self._metadata, signer=pyhanko_signer)

    @property
    def signer_name(self) -> str:
        """The certificate's common name, e.g. the school's or institution's name."""
        names = self.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()

    @property
    def signer_subject(self) -> str:
        """The certificate's subject as an RFC 4514 string (what the issuing record stores)."""
        return self.certificate.subject.rfc4514_string()

    def sign(self, pdf: bytes, *, contact_info: str | None = None) -> bytes:
        """Return ``pdf`` with a certifying signature appended as an incremental update."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.sign.general import SigningError as PyHankoSigningError

        pdf_signer = self._pdf_signer
        if contact_info is not None:
            metadata = dataclasses.replace(self._metadata, contact_info=contact_info)
            pdf_signer = self._signer_class(metadata, signer=self._signer)
        try:
            writer = IncrementalPdfFileWriter(BytesIO(pdf))
            output = pdf_signer.sign_pdf(writer, bytes_reserved=self._bytes_reserved)
        except (PdfError, PyHankoSigningError) as exc:
            raise SigningError(f"cannot sign the PDF: {exc}") from exc
        return output.getvalue()


class KeyFileSigner(PadesSigner):
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
        from pyhanko.sign import signers

        try:
            loaded = signers.SimpleSigner.load(
                str(key_path),
                str(cert_path),
                ca_chain_files=tuple(str(p) for p in chain),
                key_passphrase=key_passphrase,
            )
        except (OSError, ValueError) as exc:
            raise SigningError(f"cannot load the signing key {key_path} / certificate {cert_path}: {exc}") from exc
        if loaded is None:  # pyHanko returns None when the files do not load
            raise SigningError(f"cannot load the signing key {key_path} / certificate {cert_path}")
        super().__init__(
            loaded,
            x509.load_pem_x509_certificate(Path(cert_path).read_bytes()),
            load_chain(chain),
            field_name=field_name,
            reason=reason,
            location=location,
            certify=certify,
        )
