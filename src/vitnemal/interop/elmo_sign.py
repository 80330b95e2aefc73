"""The enveloped XML signature of an ELMO document (EMREX: "Every EMREX ELMO element MUST be signed with
xmldsig-core2 enveloped signature", one ``ds:Reference`` with an empty URI, the signer's certificate in
``ds:KeyInfo``), made and checked with signxml.

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
import gzip
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
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


def sign_elmo(xml: bytes, *, key_pem: bytes, cert_pem: bytes) -> bytes:
    """``xml`` (ELMO, unsigned) with an enveloped signature as the root's last child; ``cert_pem`` is the signer's
    certificate (first) and its chain, all of which go into ``KeyInfo``."""
    from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner

    root = etree.fromstring(xml, _parser())
    certs = [c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in _certificates(cert_pem)]
    key = serialization.load_pem_private_key(key_pem, password=None)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        algorithm = SignatureMethod.ECDSA_SHA256
    elif isinstance(key, rsa.RSAPrivateKey):
        algorithm = SignatureMethod.RSA_SHA256
    else:
        raise ValueError("an ELMO signer's key is an EC (P-256) or RSA key")
    signer = XMLSigner(signature_algorithm=algorithm, digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signer.namespaces = {"ds": DS}
    signed = signer.sign(root, key=key, cert=certs)
    out: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return out


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


def verify_elmo(xml: bytes, trusted: Sequence[x509.Certificate]) -> VerifiedElmo:
    """Check the enveloped signature of ``xml`` against the certificates the receiver trusts; raise
    :class:`ElmoSignatureInvalid` saying why not, or return what was signed."""
    from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, XMLVerifier
    from signxml.exceptions import SignXMLException

    try:
        root = parse_bounded(xml)
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
