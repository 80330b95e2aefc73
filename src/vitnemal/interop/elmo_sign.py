"""The enveloped XML signature of an ELMO document (EMREX: "Every EMREX ELMO element MUST be signed with
xmldsig-core2 enveloped signature", one ``ds:Reference`` with an empty URI, the signer's certificate in
``ds:KeyInfo``), made here (see :class:`ElmoSigner`) and checked with signxml.

Signing uses the project's own signers (the federation CA's P-256 keys: ECDSA-SHA256, SHA-256 digests, exclusive
canonicalisation, so that any XML-DSig implementation, xmlsec1 among them, can check it). Checking trusts nothing
in the document: the certificate in ``KeyInfo`` must be one the receiver already holds (EMREX publishes the data
provider's certificate in its registry, EMREG), the signature must be the root's last child and cover the whole
document, and only what the signature covers is returned.

Input from outside is bounded before it is parsed: its size, its depth, no DTD, no entities, no network.
"""

from __future__ import annotations

import base64
import binascii
import functools
import gzip
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from lxml import etree

from vitnemal.interop.elmo import NS

DS = "http://www.w3.org/2000/09/xmldsig#"
MAX_ELMO_BYTES = 8 * 1024 * 1024  # a 40-course transcript with its signed PDF is well under 1 MB
MAX_DEPTH = 40  # ELMO nests LOS → hasPart → LOS a few levels; the signature adds four


class ElmoSignatureInvalid(ValueError):
    """The document's signature is missing, broken, from an unknown key, or does not cover the document."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False, load_dtd=False,
                           huge_tree=False, remove_blank_text=False)


def parse_bounded(xml: bytes) -> Any:
    """Parse ELMO from outside: at most :data:`MAX_ELMO_BYTES`, no DTD, no entities, at most :data:`MAX_DEPTH`
    levels; raises ``ValueError`` saying what is wrong."""
    if len(xml) > MAX_ELMO_BYTES:
        raise ValueError(f"the ELMO document is {len(xml)} bytes; at most {MAX_ELMO_BYTES} are accepted")
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml:
        raise ValueError("the ELMO document has a DTD or entity declarations; ELMO needs neither")
    try:
        root = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"the ELMO document is not well-formed XML: {exc}") from None
    for el in root.iter():
        depth = sum(1 for _ in el.iterancestors())
        if depth > MAX_DEPTH:
            raise ValueError(f"the ELMO document nests deeper than {MAX_DEPTH} levels (line {el.sourceline})")
    return root


def _certificates(pem: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem)


_EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
_ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


@dataclass(frozen=True)
class ElmoSigner:
    """A data provider's signing key and certificate chain, read once; :meth:`sign` makes the enveloped signature.

    The signature is built here rather than by signxml because signxml spent two thirds of an export's signing
    time parsing and serialising the whole document (the attached PDF's base64 included) three times over; the
    signature itself is the same: ECDSA-SHA256 (or RSA-SHA256), one reference with an empty URI, the transforms
    enveloped-signature and exclusive canonicalisation, a SHA-256 digest, the chain in ``KeyInfo``. Checking stays
    with signxml (:func:`verify_elmo`), and the tests check every signature with xmlsec1 as well.
    """

    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    certificates: tuple[str, ...]  # base64 DER, the signer's first

    @classmethod
    def from_pem(cls, key_pem: bytes, cert_pem: bytes) -> ElmoSigner:
        key = serialization.load_pem_private_key(key_pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise ValueError("an ELMO signer's key is an EC (P-256) or RSA key")
        der = [c.public_bytes(serialization.Encoding.DER) for c in _certificates(cert_pem)]
        if not der:
            raise ValueError("an ELMO signer needs its certificate")
        return cls(key, tuple(base64.b64encode(d).decode("ascii") for d in der))

    def _signature_value(self, data: bytes) -> bytes:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        # XML-DSig writes an ECDSA signature as r and s side by side, each as long as the curve's order (RFC 6931).
        r, s = decode_dss_signature(self.key.sign(data, ec.ECDSA(hashes.SHA256())))
        size = (self.key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def sign_tree(self, root: Any) -> Any:
        """Append the enveloped signature to ``root`` (an unsigned ELMO document's root element) and return it."""
        # URI="" with the enveloped transform is the document without the signature: canonicalise it before the
        # signature is there. The document has no comments or processing instructions outside its root.
        digest = hashlib.sha256(etree.tostring(root, method="c14n", exclusive=True, with_comments=False)).digest()
        method = _RSA_SHA256 if isinstance(self.key, rsa.RSAPrivateKey) else _ECDSA_SHA256
        signature = etree.SubElement(root, f"{{{DS}}}Signature", nsmap={"ds": DS})
        info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
        etree.SubElement(info, f"{{{DS}}}CanonicalizationMethod", Algorithm=_EXC_C14N)
        etree.SubElement(info, f"{{{DS}}}SignatureMethod", Algorithm=method)
        reference = etree.SubElement(info, f"{{{DS}}}Reference", URI="")
        transforms = etree.SubElement(reference, f"{{{DS}}}Transforms")
        etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=_ENVELOPED)
        etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=_EXC_C14N)
        etree.SubElement(reference, f"{{{DS}}}DigestMethod", Algorithm=_SHA256)
        etree.SubElement(reference, f"{{{DS}}}DigestValue").text = base64.b64encode(digest).decode("ascii")
        signed_info = etree.tostring(info, method="c14n", exclusive=True, with_comments=False)
        value = etree.SubElement(signature, f"{{{DS}}}SignatureValue")
        value.text = base64.b64encode(self._signature_value(signed_info)).decode("ascii")
        data = etree.SubElement(etree.SubElement(signature, f"{{{DS}}}KeyInfo"), f"{{{DS}}}X509Data")
        for cert in self.certificates:
            etree.SubElement(data, f"{{{DS}}}X509Certificate").text = cert
        return root

    def sign(self, xml: bytes) -> bytes:
        """``xml`` (ELMO, unsigned) with the enveloped signature as the root's last child."""
        root = etree.fromstring(xml, _parser())
        if root.find(f".//{{{DS}}}Signature") is not None:
            raise ValueError("the ELMO document is signed already")
        signed = self.sign_tree(root)
        end = xml.rstrip().endswith(b"</elmo>") and xml.rstrip().rfind(b"</elmo>")
        if root.prefix is None and end:
            # The signature goes in front of the root's end tag, into the document as it was written: the same
            # document as the tree serialised again, without serialising its hundred kilobytes once more.
            return xml[:end] + etree.tostring(signed[-1]) + b"</elmo>\n"
        out: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
        return out


@functools.lru_cache(maxsize=8)
def _signer(key_pem: bytes, cert_pem: bytes) -> ElmoSigner:
    return ElmoSigner.from_pem(key_pem, cert_pem)


def sign_elmo(xml: bytes, *, key_pem: bytes, cert_pem: bytes) -> bytes:
    """``xml`` (ELMO, unsigned) with an enveloped signature as the root's last child; ``cert_pem`` is the signer's
    certificate (first) and its chain, all of which go into ``KeyInfo``."""
    return _signer(key_pem, cert_pem).sign(xml)


def sign_elmo_files(xml: bytes, key_path: Path, cert_path: Path, chain: Sequence[Path] = ()) -> bytes:
    """:func:`sign_elmo` with the signer's key and certificate (and its CA certificates) read from PEM files."""
    cert_pem = cert_path.read_bytes() + b"".join(p.read_bytes() for p in chain)
    return sign_elmo(xml, key_pem=key_path.read_bytes(), cert_pem=cert_pem)


@dataclass(frozen=True)
class VerifiedElmo:
    """What the signature covers (the document without its signature) and the certificate that signed it."""

    root: Any
    certificate: x509.Certificate

    def xml(self) -> bytes:
        out: bytes = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")
        return out


def verify_elmo(xml: bytes, trusted: Sequence[x509.Certificate], *, parsed: Any = None) -> VerifiedElmo:
    """Check the enveloped signature of ``xml`` against the certificates the receiver trusts; raise
    :class:`ElmoSignatureInvalid` saying why not, or return what was signed. ``parsed``: the caller's own
    :func:`parse_bounded` of these very bytes (an import parses once: a 40-course file costs ~6 ms to parse)."""
    from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, XMLVerifier
    from signxml.exceptions import SignXMLException

    try:
        root = parse_bounded(xml) if parsed is None else parsed
    except ValueError as exc:
        raise ElmoSignatureInvalid(str(exc)) from None
    if root.tag != f"{{{NS}}}elmo":
        raise ElmoSignatureInvalid(f"the root element is {root.tag}, not ELMO's elmo")
    signatures = root.findall(f".//{{{DS}}}Signature")
    if len(signatures) != 1 or root[-1] is not signatures[0]:
        raise ElmoSignatureInvalid("an ELMO document has exactly one signature, as the last element of elmo "
                                   f"(found {len(signatures)})")
    embedded = signatures[0].findall(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    if not embedded:
        raise ElmoSignatureInvalid("the signature carries no certificate in KeyInfo")
    try:
        signer_der = base64.b64decode("".join((embedded[0].text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise ElmoSignatureInvalid("the certificate in KeyInfo is not base64") from None
    match = next((c for c in trusted if c.public_bytes(serialization.Encoding.DER) == signer_der), None)
    if match is None:
        raise ElmoSignatureInvalid("the document is signed with a certificate this receiver does not trust "
                                   "(an unknown key)")
    config = SignatureConfiguration(location="./", expect_references=1)
    try:
        result = XMLVerifier().verify(root, x509_cert=match, expect_config=config)
    except (InvalidSignature, InvalidInput, SignXMLException) as exc:
        raise ElmoSignatureInvalid(f"the signature does not match the document: {exc}") from None
    signed = result.signed_xml  # type: ignore[union-attr]
    if signed is None or signed.tag != root.tag:
        raise ElmoSignatureInvalid("the signature does not cover the whole document")
    return VerifiedElmo(signed, match)


# ------------------------------------------------------------------------------------------------ EMREX transport


def encode_for_transfer(xml: bytes) -> str:
    """The ``elmo`` form field of an EMREX response: the document gzipped, then base64."""
    return base64.b64encode(gzip.compress(xml, compresslevel=6, mtime=0)).decode("ascii")


def decode_transfer(value: str, *, limit: int = MAX_ELMO_BYTES) -> bytes:
    """The document in an ``elmo`` form field; at most ``limit`` bytes once inflated (a gzip bomb stops there)."""
    if len(value) > limit * 2:
        raise ValueError("the elmo field is too large")
    try:
        packed = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the elmo field is not base64") from None
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
            xml = stream.read(limit + 1)
    except (OSError, EOFError):
        raise ValueError("the elmo field is not gzip data") from None
    if len(xml) > limit:
        raise ValueError(f"the ELMO document inflates beyond {limit} bytes")
    return xml
