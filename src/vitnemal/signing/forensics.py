"""PDF structure forensics: what a signed PDF says about itself, read without judging it. The signer's
certificate in plain words, the document id printed in its verification link (found by a bounded walk of the page
tree), a raw digest check for PDFs that no longer parse, and the checks of the unsigned ``/Contents``.

These are helpers of :mod:`vitnemal.signing.verify`; none of them decides whether a document is genuine.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from vitnemal.signing.ca import ORGANIZATION_IDENTIFIER
from vitnemal.signing.limits import DEFAULT_LIMITS, LimitExceeded, StructureLimits

# The institution code sits in the signer certificate's OU, e.g. "Institusjonsnummer 185".
INSTITUTION_UNIT_PREFIX = "Institusjonsnummer"
_INSTITUTION_UNIT = re.compile(rf"^{INSTITUTION_UNIT_PREFIX}\s+(\w+)$")
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_VERIFY_LINK = re.compile(rf"/verify/({_UUID})(?![0-9a-fA-F-])")
_URN_UUID = re.compile(rf"urn:uuid:({_UUID})")
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


@dataclass(frozen=True)
class SignerIdentity:
    """Who a signer certificate names: the institution (``organization``, ``institution_code``) and the issuer."""

    subject: str
    common_name: str
    organization: str | None
    institution_code: str | None
    organization_identifier: str | None
    issuer: str
    serial_number: str
    not_valid_after: datetime
    sha256_fingerprint: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["not_valid_after"] = self.not_valid_after.isoformat()
        return data


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def institution_unit(code: str) -> str:
    """Return the OU value that carries an institution code in a signer certificate ("Institusjonsnummer 185")."""
    return f"{INSTITUTION_UNIT_PREFIX} {code}"


def signer_identity(certificate: x509.Certificate) -> SignerIdentity:
    """Return the names in ``certificate`` that tell a reader who signed."""
    subject = certificate.subject
    code = None
    for unit in subject.get_attributes_for_oid(x509.NameOID.ORGANIZATIONAL_UNIT_NAME):
        match = _INSTITUTION_UNIT.match(str(unit.value))
        if match:
            code = match.group(1)
    return SignerIdentity(
        subject=subject.rfc4514_string(),
        common_name=_first(subject, x509.NameOID.COMMON_NAME) or subject.rfc4514_string(),
        organization=_first(subject, x509.NameOID.ORGANIZATION_NAME),
        institution_code=code,
        organization_identifier=_first(subject, ORGANIZATION_IDENTIFIER),
        issuer=certificate.issuer.rfc4514_string(),
        serial_number=format(certificate.serial_number, "x"),
        not_valid_after=certificate.not_valid_after_utc,
        sha256_fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
    )


def document_id_in(texts: list[str]) -> str | None:
    """Return the document id found in ``texts``: a ``.../verify/<uuid>`` link first, else a ``urn:uuid:``."""
    for pattern in (_VERIFY_LINK, _URN_UUID):
        for text in texts:
            match = pattern.search(text)
            if match:
                return match.group(1).lower()
    return None


def document_texts(reader: Any, limits: StructureLimits = DEFAULT_LIMITS.structure) -> list[str]:
    """Return the strings of a PDF where a document id may be written: link URIs, the Info dictionary, XMP.

    ``reader`` is a pyHanko ``PdfFileReader``. Broken parts are skipped: this only looks, it does not judge. A part
    over a limit is not skipped: :class:`LimitExceeded` (and pyHanko's decode limit) make the file unreadable.
    """
    texts: list[str] = []
    # A damaged page tree or metadata stream only means that no id is found there.
    with _unless_over_a_limit():
        seen = 0
        for page in pages(reader, limits):
            for annot_ref in page.get("/Annots", ()):
                seen += 1
                if seen > limits.annotations:
                    raise LimitExceeded(f"its pages have more than {limits.annotations} annotations")
                action = annot_ref.get_object().get("/A")
                if action is not None and "/URI" in action.get_object():
                    texts.append(str(action.get_object()["/URI"]))
    with _unless_over_a_limit():
        info = reader.trailer_view.get("/Info")
        if info is not None:
            texts += [str(v) for v in info.get_object().values()]
    with _unless_over_a_limit():
        metadata = reader.root.get("/Metadata")
        if metadata is not None:
            texts.append(metadata.get_object().data.decode("utf-8", "replace"))
    return texts


@contextlib.contextmanager
def _unless_over_a_limit() -> Iterator[None]:
    """Suppress what a damaged part raises, but never a limit: that answers for the whole file."""
    try:
        yield
    except Exception as exc:
        if is_limit(exc):
            raise
        return


def is_limit(exc: BaseException) -> bool:
    """Return whether ``exc`` says a limit was reached (ours, pyHanko's decode limits, or memory)."""
    from pyhanko.pdf_utils.misc import PdfDecodeLimitError

    return isinstance(exc, LimitExceeded | PdfDecodeLimitError | MemoryError)


def pages(reader: Any, limits: StructureLimits = DEFAULT_LIMITS.structure) -> list[Any]:
    """Return the page dictionaries of ``reader`` in order, walking the page tree with every bound a hostile file
    needs: each node once (a tree that lists itself, or an ancestor, as a kid is a cycle), at most
    ``limits.page_tree_depth`` levels and ``limits.page_tree_nodes`` nodes. Raises :class:`LimitExceeded`."""
    found: list[Any] = []
    visited: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(reader.root.raw_get("/Pages"), 0)]
    while stack:
        ref, depth = stack.pop()
        key = _key(ref)
        if key is not None:
            if key in visited:
                raise LimitExceeded("its page tree refers back to itself (a cycle)")
            visited.add(key)
        if depth > limits.page_tree_depth:
            raise LimitExceeded(f"its page tree is deeper than {limits.page_tree_depth} levels")
        if len(visited) + len(found) > limits.page_tree_nodes:
            raise LimitExceeded(f"its page tree has more than {limits.page_tree_nodes} nodes")
        node = ref.get_object()
        if "/Kids" in node:
            kids = node.raw_get("/Kids")
            kids = kids.get_object() if hasattr(kids, "get_object") else kids
            if len(kids) > limits.page_tree_nodes:
                raise LimitExceeded(f"its page tree has more than {limits.page_tree_nodes} nodes")
            stack.extend((kid, depth + 1) for kid in reversed(list(kids)))
        else:
            found.append(node)
    return found


def _key(ref: Any) -> tuple[int, int] | None:
    """Return the (object number, generation) of an indirect reference; None for a direct object."""
    idnum = getattr(ref, "idnum", None)
    return None if idnum is None else (int(idnum), int(getattr(ref, "generation", 0)))


@dataclass(frozen=True)
class RawDigestCheck:
    """The outcome of checking the last signature's byte ranges by hand.

    ``digest_matches`` is None when no signature could be found or its digest could not be read.
    """

    found: bool
    digest_matches: bool | None
    covers_entire_file: bool


def raw_digest_check(pdf: bytes) -> RawDigestCheck:
    """Check the first signature of ``pdf`` without a PDF parser: hash its byte ranges and compare the result with
    the message digest the signer signed.

    Used when a PDF no longer parses (a changed byte in its cross-reference table, say): it still tells "the signed
    bytes were changed" apart from "this was never a signed PDF".
    """
    from asn1crypto import cms

    match = _BYTE_RANGE.search(pdf)
    if match is None:
        return RawDigestCheck(found=False, digest_matches=None, covers_entire_file=False)
    start1, len1, start2, len2 = (int(g) for g in match.groups())
    covers = start1 == 0 and start2 + len2 == len(pdf)
    if not (0 <= start1 + len1 < start2 <= len(pdf)):
        return RawDigestCheck(found=True, digest_matches=False, covers_entire_file=covers)
    hex_contents = pdf[start1 + len1 : start2].strip(b"<> \r\n")
    try:
        # The DER length says where the signature ends: stripping the zero padding would also eat a signature whose
        # last byte is 0 (one in 256).
        signed_data = cms.ContentInfo.load(bytes.fromhex(hex_contents.decode("ascii")))["content"]
        signer_info = signed_data["signer_infos"][0]
        algorithm = signer_info["digest_algorithm"]["algorithm"].native
        expected = next(
            attr["values"][0].native
            for attr in signer_info["signed_attrs"]
            if attr["type"].native == "message_digest"
        )
        digest = hashlib.new(algorithm)
    except (ValueError, TypeError, KeyError, IndexError, StopIteration):
        return RawDigestCheck(found=True, digest_matches=None, covers_entire_file=covers)
    digest.update(pdf[start1 : start1 + len1])
    digest.update(pdf[start2 : start2 + len2])
    return RawDigestCheck(found=True, digest_matches=digest.digest() == expected, covers_entire_file=covers)


def contents_problem(
    pdf: bytes, byte_range: list[int], roots: list[x509.Certificate], *, check_certificates: bool = True
) -> str | None:
    """Return what is wrong with the parts of a signature that its digest does not cover, or None.

    A PDF signature cannot cover its own ``/Contents`` string, so a byte changed there escapes the digest when it
    falls in the zero padding after the CMS structure, flips the case of a hex digit, or sits in a certificate the
    validator does not use (the CA's copy, say). Each of those is caught here: the padding must be zeros, the hex
    digits of one case, and (with ``check_certificates``, for a chain already found to be trusted) every certificate
    carried in the signature must be signed by one carried beside it or by a trust root.
    """
    from asn1crypto import cms
    from asn1crypto.parser import parse

    start, length, end = byte_range[0] + byte_range[1], byte_range[1], byte_range[2]
    if byte_range[0] != 0 or not 0 < length <= end <= len(pdf):
        return "the signature's byte range is malformed"
    hex_digits = pdf[start:end].strip()
    if not (hex_digits.startswith(b"<") and hex_digits.endswith(b">")):
        return "the signature's contents are not a hex string"
    hex_digits = hex_digits[1:-1]
    if hex_digits.lower() != hex_digits and hex_digits.upper() != hex_digits:
        return "the signature's hex digits were changed (mixed case)"
    try:
        raw = bytes.fromhex(hex_digits.decode("ascii"))
        _, _, _, header, contents, _ = parse(raw)
        used = len(header) + len(contents)
        if not _strict_der(raw[:used]):
            return "the signature's CMS structure was changed (it is not in DER)"
        signed_data = cms.ContentInfo.load(raw[:used])["content"]
        [signer_info] = signed_data["signer_infos"]
        digest_algorithms = [a.dump() for a in signed_data["digest_algorithms"]]
        carried = [
            x509.load_der_x509_certificate(choice.chosen.dump())
            for choice in signed_data["certificates"]
            if choice.name == "certificate"
        ]
        if raw[used:].strip(b"\0"):
            return "bytes after the signature's CMS structure were changed (the padding is not zeros)"
        if digest_algorithms != [signer_info["digest_algorithm"].dump()]:
            return "the signature's list of digest algorithms was changed"
        structure = _structure_problem(signed_data, signer_info, carried)
        if structure is not None:
            return structure
        if check_certificates:
            issuers = carried + roots
            for certificate in carried:
                if not any(_issued_by(certificate, issuer) for issuer in issuers):
                    return "a certificate carried in the signature was changed"
    except Exception as exc:  # asn1crypto and cryptography raise many kinds for damaged DER
        if is_limit(exc):
            raise
        return "the signature's contents cannot be decoded"
    return None


def _strict_der(data: bytes, depth: int = 0) -> bool:
    """Return whether ``data`` is one DER element whose constructed parts are exactly filled by their children,
    with minimal definite lengths, no end-of-contents markers (which DER never uses), and primitive values in
    their canonical form (:func:`_canonical_primitive`). A validator that decodes leniently reads the other forms
    as the same value, so a changed byte there would otherwise go unseen."""
    from asn1crypto.parser import parse

    if depth > 40:
        return False
    try:
        class_, constructed, tag, header, contents, trailer = parse(data, strict=True)
    except ValueError:
        return False
    if trailer or (class_ == 0 and tag == 0):
        return False
    length = len(contents)
    minimal = 1 if length < 0x80 else 2 + (length.bit_length() - 1) // 8
    tag_bytes = 1 if tag < 31 else 1 + -(-tag.bit_length() // 7)
    if len(header) != tag_bytes + minimal:
        return False
    if not constructed:
        return class_ != 0 or _canonical_primitive(tag, contents)
    offset = 0
    while offset < length:
        try:
            _, _, _, child_header, child_contents, _ = parse(contents[offset:])
        except ValueError:
            return False
        size = len(child_header) + len(child_contents)
        if not _strict_der(contents[offset : offset + size], depth + 1):
            return False
        offset += size
    return offset == length


def _canonical_primitive(tag: int, contents: bytes) -> bool:
    """Return whether a universal primitive value is in its one DER form (the forms a lenient decoder would read
    the same either way: padded integers, padded OID arcs, odd booleans and nulls, bit strings with unused bits).

    The BIT STRINGs reached in a CMS structure are keys and signature values, always whole bytes.
    """
    if tag == 1:  # BOOLEAN
        return contents in (b"\x00", b"\xff")
    if tag == 2:  # INTEGER
        return bool(contents) and not (
            len(contents) > 1 and (contents[:2] < b"\x00\x80" or (contents[0] == 0xFF and contents[1] >= 0x80))
        )
    if tag == 3:  # BIT STRING
        return contents[:1] == b"\x00"
    if tag == 5:  # NULL
        return contents == b""
    if tag == 6:  # OBJECT IDENTIFIER: no arc starts with a 0x80 padding byte, and the last byte ends an arc
        starts = [0] + [i + 1 for i, byte in enumerate(contents[:-1]) if byte < 0x80]
        return bool(contents) and contents[-1] < 0x80 and all(contents[i] != 0x80 for i in starts)
    return True


def _structure_problem(signed_data: Any, signer_info: Any, carried: list[x509.Certificate]) -> str | None:
    """Return what breaks RFC 5652's rules for the unsigned fields pyHanko does not look at, or None.

    The versions must be the ones RFC 5652 prescribes for the signer identifier used, and an issuer-and-serial
    identifier must name a carried certificate exactly (byte for byte), not merely resemble one.
    """
    sid = signer_info["sid"]
    by_serial = sid.name == "issuer_and_serial_number"
    if signer_info["version"].native != ("v1" if by_serial else "v3"):
        return "the signature's SignerInfo version was changed"
    if signed_data["version"].native != ("v1" if by_serial else "v3"):
        return "the signature's SignedData version was changed"
    if by_serial:
        issuer, serial = sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native
        if not any(c.issuer.public_bytes() == issuer and c.serial_number == serial for c in carried):
            return "the signature's signer identifier was changed"
    return None


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        if issuer.subject != certificate.issuer:
            return False
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
