"""Signing PDFs: the :class:`PdfSigner` protocol and a PAdES signer with a key file (pyHanko).

Every document the project issues (school certificates, diplomas) carries a *certifying* signature
(DocMDP "no changes allowed"): a reader sees who issued it and that it is unchanged, and any later change,
even a signed one, shows up as a violation. Keys are P-256 (ECDSA), which poppler (pdfsig, evince) and
Adobe both verify; Ed25519 is not recognised by poppler.

Speed: the key and chain are loaded once per signer; the signature space is reserved from the chain's size
instead of by a dry-run signature (pyHanko's default); the CMS attributes that never change are built once
(:func:`cached_attributes_signer`); the XMP metadata's two changed values are edited in place
(:func:`_metadata_writer_class`). A signature then costs one ECDSA operation, one CMS assembly and one
incremental write: ~5 ms for a four-page diploma set (~14 ms with pyHanko's defaults otherwise). No timestamp
is requested and nothing is fetched (no OCSP/CRL): the signer works offline. A signer is safe to reuse for any
number of documents but not from several threads at once; give each worker thread or process its own.

The key may also live on a hardware token or HSM: :class:`vitnemal.signing.pkcs11.Pkcs11Signer` implements the
same protocol over PKCS#11.
"""

from __future__ import annotations

import dataclasses
import functools
import re
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


# Signed attributes that are the same in every signature of one signer (PAdES puts the signing time in /M).
_STATIC_ATTRIBUTES = frozenset({"content_type", "signing_certificate_v2", "cms_algorithm_protection"})


@functools.cache
def cached_attributes_signer(base: type) -> type:
    """Return a subclass of the pyHanko ``Signer`` class ``base`` that builds its CMS attributes once.

    pyHanko assembles the signed attributes (content type, the ESS signing-certificate-v2 with the certificate's
    hash and issuer) and the signer identifier with asn1crypto for every signature, which costs ~9 ms of a ~14 ms
    signature. They are the same for every document of a signer except the message digest, so they are built by
    pyHanko once, kept as DER, and reused: the signature is byte-for-byte what pyHanko would make. Anything out
    of the ordinary (a timestamp, CAdES attributes, revocation info, a dry run, another attribute) goes to pyHanko
    unchanged.
    """
    from asn1crypto import algos, cms
    from pyhanko.sign.general import simple_cms_attribute

    class CachedAttributesSigner(base):
        _static_attrs: tuple[str, list[bytes]] | None = None
        _sid_der: bytes | None = None

        async def signed_attrs(
            self,
            data_digest: bytes,
            digest_algorithm: str,
            attr_settings: Any = None,
            content_type: str = "data",
            use_pades: bool = False,
            timestamper: Any = None,
            dry_run: bool = False,
            is_pdf_sig: bool = True,
        ) -> Any:
            args = (data_digest, digest_algorithm, attr_settings, content_type, use_pades, timestamper, dry_run,
                    is_pdf_sig)
            plain = (use_pades and is_pdf_sig and content_type == "data" and timestamper is None and not dry_run
                     and (attr_settings is None or (attr_settings.cades_signed_attrs is None
                                                    and attr_settings.adobe_revinfo_attr is None)))
            if not plain:
                return await super().signed_attrs(*args)
            cached = self._static_attrs
            if cached is None or cached[0] != digest_algorithm:
                built = await super().signed_attrs(*args)
                types = {a["type"].native for a in built} - {"message_digest"}
                if not types <= _STATIC_ATTRIBUTES:
                    return built
                self._static_attrs = (digest_algorithm,
                                      [a.dump() for a in built if a["type"].native != "message_digest"])
                return built
            attrs = [cms.CMSAttribute.load(der) for der in cached[1]]
            attrs.append(simple_cms_attribute("message_digest", data_digest))
            return cms.CMSAttributes(attrs)

        def signer_info(self, digest_algorithm: str, signed_attrs: Any, signature: bytes) -> Any:
            if digest_algorithm == "shake256" or self.signing_cert is None:
                return super().signer_info(digest_algorithm, signed_attrs, signature)
            if self._sid_der is None:
                cert = self.signing_cert
                self._sid_der = cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber(
                    {"issuer": cert.issuer, "serial_number": cert.serial_number})}).dump()
            return cms.SignerInfo({
                "version": "v1",
                "sid": cms.SignerIdentifier.load(self._sid_der),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest_algorithm}),
                "signature_algorithm": self.get_signature_mechanism_for_digest(digest_algorithm),
                "signed_attrs": signed_attrs,
                "signature": signature,
            })

    return CachedAttributesSigner


_XMP_MODIFY_DATE = re.compile(r"<xmp:ModifyDate>[^<]*</xmp:ModifyDate>")
_XMP_PRODUCER = re.compile(r"<pdf:Producer>[^<]*</pdf:Producer>")
_PDF_NAMESPACE = 'xmlns:pdf="http://ns.adobe.com/pdf/1.3/"'


def edit_xmp(xmp: str, modified: str, producer: str) -> str | None:
    """Return ``xmp`` with ``xmp:ModifyDate`` set to ``modified`` and ``pdf:Producer`` to ``producer`` (added after
    the date when missing), or None unless it is the simple shape typst writes: one ``rdf:Description`` that
    declares the pdf namespace, the date written once as an element, at most one producer element and no
    producer attribute. Values are XML-escaped."""
    from xml.sax.saxutils import escape

    if (xmp.count("<rdf:Description") != 1 or xmp.count(_PDF_NAMESPACE) != 1 or "pdf:Producer=" in xmp
            or "xmp:ModifyDate=" in xmp or len(_XMP_MODIFY_DATE.findall(xmp)) != 1
            or len(_XMP_PRODUCER.findall(xmp)) > 1):
        return None
    date = f"<xmp:ModifyDate>{escape(modified)}</xmp:ModifyDate>"
    made = f"<pdf:Producer>{escape(producer)}</pdf:Producer>"
    if _XMP_PRODUCER.search(xmp):
        xmp = _XMP_PRODUCER.sub(lambda _m: made, xmp)
        made = ""
    return _XMP_MODIFY_DATE.sub(lambda _m: date + made, xmp)


@functools.cache
def _metadata_writer_class() -> type:
    """Return a pyHanko ``IncrementalPdfFileWriter`` that updates the XMP metadata by editing its text.

    On writing, pyHanko sets the document's modification date and producer in the Info dictionary and in the XMP
    metadata (PDF/A asks both to agree). For the XMP it parses the whole packet into its own model and writes it
    out again: a third of a school certificate's signature. The two values are edited in place instead, in
    typst's packet as it is (:func:`edit_xmp`); the Info dictionary is updated by pyHanko as before, with the same
    date. A packet of any other shape goes to pyHanko unchanged.
    """
    from datetime import datetime

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata import info, model, xmp_xml

    class MetadataEditingWriter(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            info_ref = self._info
            stream = self.root["/Metadata"] if info_ref is not None and "/Metadata" in self.root else None
            plain = not (self._meta.xmp_unmanaged or self._meta.xmp_extra or self.output_version >= (2, 0))
            if info_ref is not None and isinstance(stream, xmp_xml.MetadataStream) and plain:
                now = datetime.now().astimezone().replace(microsecond=0)  # local time, as pyHanko writes it
                try:
                    edited = edit_xmp(stream.data.decode("utf-8"), now.isoformat(), model.VENDOR)
                except UnicodeDecodeError:
                    edited = None
                if edited is not None:
                    self._meta.last_modified = now
                    if info.update_info_dict(self._meta, info_ref.get_object(), only_update_existing=True):
                        self.mark_update(info_ref)
                    # what MetadataStream.update_xmp_with_meta does with its own serialisation
                    stream._data, stream._encoded_data, stream._xmp = edited.encode("utf-8"), None, None
                    self.update_container(stream)
                    self.update_root()
                    return
            super()._update_meta()

    return MetadataEditingWriter


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
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.sign.general import SigningError as PyHankoSigningError

        pdf_signer = self._pdf_signer
        if contact_info is not None:
            metadata = dataclasses.replace(self._metadata, contact_info=contact_info)
            pdf_signer = self._signer_class(metadata, signer=self._signer)
        try:
            writer = _metadata_writer_class()(BytesIO(pdf))
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
        fast = cached_attributes_signer(signers.SimpleSigner)(
            signing_cert=loaded.signing_cert, signing_key=loaded.signing_key, cert_registry=loaded.cert_registry
        )
        super().__init__(
            fast,
            x509.load_pem_x509_certificate(Path(cert_path).read_bytes()),
            load_chain(chain),
            field_name=field_name,
            reason=reason,
            location=location,
            certify=certify,
        )
