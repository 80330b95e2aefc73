"""A selection of results as signed ELMO: valid against the shipped official schema, the national id only when asked
for, the signed PDF attached, and an enveloped XML signature that signxml and, independently, xmlsec1 accept, and
that both reject once the document is tampered with (a changed grade, a removed element) or signed by a key the
receiver does not know."""

from __future__ import annotations

import base64
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography import x509
from lxml import etree

from vitnemal.interop.elmo import NS, validate_elmo
from vitnemal.interop.elmo_sign import (
    ElmoSignatureInvalid,
    decode_transfer,
    encode_for_transfer,
    sign_elmo,
    sign_elmo_files,
    verify_elmo,
)
from vitnemal.portal.elmo import snapshot_to_elmo
from vitnemal.signing.ca import IssuerKind, LocalCertificateAuthority, RegisteredSigner

N = {"e": NS}
RES = {"key": "RES-100|2014|VÅR", "course_code": "RES-100", "name_nb": "Resultatutveksling",
       "name_en": "Results exchange", "kind": "course", "thesis_title": None, "year": 2014, "season": "VÅR",
       "credits": "10", "grade": "B", "grading_scale": "letter"}
RECOGNISED = {**RES, "key": "EXT-1|2015|HØST", "course_code": "EXT-1", "name_nb": "Utvekslingsemne",
              "name_en": "Exchange course", "year": 2015, "season": "HØST", "credits": "30", "grade": "Innpasset",
              "grading_scale": "recognised"}
OTHER = {**RES, "key": "INF1000|2016|HØST", "course_code": "INF1000", "name_nb": "Grunnkurs i programmering",
         "name_en": "Introduction to programming", "year": 2016, "season": "HØST", "credits": "7.5", "grade": "A"}
BACHELOR = {"key": "BA-RES", "code": "BA-RES", "name_nb": "Bachelor i resultater", "name_en": "Bachelor of results",
            "level": "bachelor", "credits": "180", "award_date": "2016-06-20",
            "courses": ["RES-100|2014|VÅR", "EXT-1|2015|HØST"]}
SNAPSHOT = [
    {"code": "216", "name": "Høgskulen i Sogn og Fjordane", "name_en": "Sogn og Fjordane University College",
     "results": [RES, RECOGNISED], "qualifications": [BACHELOR]},
    {"code": "185", "name": "Universitetet i Oslo", "name_en": "University of Oslo", "schac": "uio.no",
     "url": "https://www.uio.no", "results": [OTHER], "qualifications": []},
]
PDF = b"%PDF-1.7\n% the signed PDF of the selection stands in here\n%%EOF\n"
AT = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


class Signer:
    def __init__(self, directory: Path, name: str = "vitnemal lokal CA") -> None:
        self.ca = LocalCertificateAuthority.create_or_load(directory, name)
        self.key, self.cert = self.ca.issue_for(directory / "portal",
                                                RegisteredSigner(IssuerKind.PORTAL, "portal", "Vitnemålsportalen"))

    def sign(self, xml: bytes) -> bytes:
        return sign_elmo_files(xml, self.key, self.cert, [self.ca.cert_path])

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert.read_bytes())


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Signer:  # type: ignore[no-untyped-def]
    return Signer(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def stranger(tmp_path_factory) -> Signer:  # type: ignore[no-untyped-def]
    return Signer(tmp_path_factory.mktemp("other-ca"), "Someone else's CA")


def elmo(**kwargs: object) -> bytes:
    args: dict[str, object] = {"name": "Ola Nordmann", "birth_date": date(1990, 1, 1), "lang": "nb",
                               "generated_at": AT, "pdf": PDF}
    return snapshot_to_elmo(SNAPSHOT, **{**args, **kwargs})  # type: ignore[arg-type]


def xmlsec1(xml: bytes, trusted: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("xmlsec1") is None:
        pytest.fail("xmlsec1 is missing: bash scripts/system-packages installs it")
    path = tmp_path / "elmo.xml"
    path.write_bytes(xml)
    return subprocess.run(["xmlsec1", "--verify", "--trusted-pem", str(trusted), str(path)], capture_output=True,
                          text=True, timeout=60, check=False)


def test_the_export_is_valid_and_carries_what_the_receiver_needs(portal: Signer) -> None:
    signed = portal.sign(elmo())
    validate_elmo(signed)  # the signature is where the schema wants it: the last child of elmo
    root = etree.fromstring(signed)
    assert root.findtext("e:learner/e:givenNames", namespaces=N) == "Ola"
    assert root.findtext("e:learner/e:familyName", namespaces=N) == "Nordmann"
    assert root.findtext("e:learner/e:bday", namespaces=N) == "1990-01-01"
    assert root.find("e:learner/e:identifier", namespaces=N) is None  # not entitled: no national id
    reports = root.findall("e:report", namespaces=N)
    assert len(reports) == 2  # one per source institution
    hisf = reports[0]
    assert [t.text for t in hisf.findall("e:issuer/e:title", namespaces=N)] == [
        "Høgskulen i Sogn og Fjordane", "Sogn og Fjordane University College"]
    assert hisf.find("e:issuer/e:identifier[@type='no-institution-number']", namespaces=N).text == "216"
    assert reports[1].find("e:issuer/e:identifier[@type='schac']", namespaces=N).text == "uio.no"
    degree = hisf.find("e:learningOpportunitySpecification", namespaces=N)
    assert degree.findtext("e:type", namespaces=N) == "Degree Programme"
    courses = degree.findall("e:hasPart/e:learningOpportunitySpecification", namespaces=N)
    assert [c.findtext("e:identifier", namespaces=N) for c in courses] == ["RES-100", "EXT-1"]
    loi = "e:specifies/e:learningOpportunityInstance/"
    assert [c.findtext(loi + "e:resultLabel", namespaces=N) for c in courses] == ["B", "Innpasset"]
    assert [c.findtext(loi + "e:gradingSchemeLocalId", namespaces=N) for c in courses] == ["A-F", "recognised"]
    assert courses[0].findtext(loi + "e:status", namespaces=N) == "passed"
    assert courses[0].findtext(loi + "e:credit/e:value", namespaces=N) == "10"
    assert courses[0].find(loi + "e:academicTerm/e:start", namespaces=N).text == "2014-01-01"
    assert [t.text for t in courses[0].findall("e:title", namespaces=N)] == ["Resultatutveksling",
                                                                              "Results exchange"]
    assert {g.get("localId") for g in hisf.findall("e:gradingScheme", namespaces=N)} == {"A-F", "recognised"}
    other = reports[1].find("e:learningOpportunitySpecification", namespaces=N)
    assert other.findtext(loi + "e:credit/e:value", namespaces=N) == "7.5"
    content = root.findtext("e:attachment/e:content", namespaces=N)
    assert root.findtext("e:attachment/e:type", namespaces=N) == "EMREX transcript"
    assert base64.b64decode(content.removeprefix("data:application/pdf;base64,")) == PDF


def test_the_national_id_only_when_the_receiver_is_entitled_and_english_labels(portal: Signer) -> None:
    root = etree.fromstring(portal.sign(elmo(national_id="01019012345", lang="en")))
    assert root.find("e:learner/e:identifier[@type='nationalIdentifier']", namespaces=N).text == "01019012345"
    labels = [e.text for e in root.iter(f"{{{NS}}}resultLabel")]
    assert "Recognized" in labels and "Innpasset" not in labels


def test_signxml_and_xmlsec1_accept_the_signature(portal: Signer, tmp_path: Path) -> None:
    signed = portal.sign(elmo())
    verified = verify_elmo(signed, [portal.certificate])
    assert verified.root.findtext(f"{{{NS}}}learner/{{{NS}}}familyName") == "Nordmann"
    assert verified.root.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is None  # only what was signed
    result = xmlsec1(signed, portal.ca.cert_path, tmp_path)
    assert result.returncode == 0 and "OK" in result.stderr, result.stderr


def _change_grade(xml: bytes) -> bytes:
    return xml.replace(b"<resultLabel>B</resultLabel>", b"<resultLabel>A</resultLabel>", 1)


def _remove_course(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    part = root.find("e:report/e:learningOpportunitySpecification/e:hasPart", namespaces=N)
    part.getparent().remove(part)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return out


@pytest.mark.parametrize("tamper", [_change_grade, _remove_course], ids=["changed-grade", "removed-element"])
def test_a_tampered_document_is_rejected_by_both(portal: Signer, tmp_path: Path, tamper) -> None:  # type: ignore[no-untyped-def]
    signed = portal.sign(elmo())
    tampered = tamper(signed)
    assert tampered != signed
    with pytest.raises(ElmoSignatureInvalid, match="does not match"):
        verify_elmo(tampered, [portal.certificate])
    result = xmlsec1(tampered, portal.ca.cert_path, tmp_path)
    assert result.returncode != 0 and "FAIL" in result.stderr, result.stderr


def test_a_signature_from_an_unknown_key_is_rejected_by_both(portal: Signer, stranger: Signer,
                                                              tmp_path: Path) -> None:
    forged = stranger.sign(elmo())
    verify_elmo(forged, [stranger.certificate])  # a valid signature, only by someone else
    with pytest.raises(ElmoSignatureInvalid, match="does not trust"):
        verify_elmo(forged, [portal.certificate])
    result = xmlsec1(forged, portal.ca.cert_path, tmp_path)
    assert result.returncode != 0, result.stderr


def test_an_unsigned_or_doubly_signed_document_is_rejected(portal: Signer) -> None:
    with pytest.raises(ElmoSignatureInvalid, match="exactly one signature"):
        verify_elmo(elmo(), [portal.certificate])
    signed = portal.sign(elmo())
    root = etree.fromstring(signed)
    root.append(etree.fromstring(etree.tostring(root[-1])))
    with pytest.raises(ElmoSignatureInvalid, match="exactly one signature"):
        verify_elmo(etree.tostring(root), [portal.certificate])


def test_hostile_xml_is_refused_before_it_is_parsed(portal: Signer) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1">&b;</elmo>')
    with pytest.raises(ElmoSignatureInvalid, match="DTD"):
        verify_elmo(bomb, [portal.certificate])
    deep = b"<elmo>" + b"<a>" * 60 + b"</a>" * 60 + b"</elmo>"
    with pytest.raises(ElmoSignatureInvalid, match="deeper"):
        verify_elmo(deep, [portal.certificate])


def test_the_transfer_encoding_round_trips_and_stops_a_gzip_bomb(portal: Signer) -> None:
    signed = portal.sign(elmo())
    assert decode_transfer(encode_for_transfer(signed)) == signed
    with pytest.raises(ValueError, match="inflates beyond"):
        decode_transfer(encode_for_transfer(b" " * 200_000), limit=100_000)
    with pytest.raises(ValueError, match="not base64"):
        decode_transfer("not base64!")


def test_markup_and_control_characters_in_the_records_are_written_as_text(portal: Signer, tmp_path: Path) -> None:
    odd = {**OTHER, "name_nb": 'Fag & <b>"kode"</b>\x01 > 3\tår', "name_en": "", "grade": "A<"}
    snapshot = [{**SNAPSHOT[1], "name": "UiO & co <i>", "results": [odd]}]
    signed = portal.sign(snapshot_to_elmo(snapshot, name='Åse "Ø" Nordmann', birth_date=None, lang="nn",
                                          generated_at=AT))
    validate_elmo(signed)
    root = verify_elmo(signed, [portal.certificate]).root
    course = root.find("e:report/e:learningOpportunitySpecification", namespaces=N)
    assert [t.text for t in course.findall("e:title", namespaces=N)] == ['Fag & <b>"kode"</b> > 3\tår'] * 2
    assert course.findtext("e:specifies/e:learningOpportunityInstance/e:resultLabel", namespaces=N) == "A<"
    assert root.findtext("e:report/e:issuer/e:title", namespaces=N) == "UiO & co <i>"
    assert root.findtext("e:learner/e:givenNames", namespaces=N) == 'Åse "Ø"'
    result = xmlsec1(signed, portal.ca.cert_path, tmp_path)
    assert result.returncode == 0 and "OK" in result.stderr, result.stderr


def test_an_rsa_signer_and_a_document_written_by_someone_else_are_signed_alike(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from tests.functional.interop.foreign import self_signed

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = self_signed(key, "Uniwersytet Testowy")
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    # Written by lxml with a prefix on the root, not by our writer: the signer serialises the tree itself.
    root = etree.Element(f"{{{NS}}}elmo", nsmap={"x": NS})
    root.extend(list(etree.fromstring(elmo())))
    prefixed = etree.tostring(root, encoding="UTF-8")
    assert prefixed.startswith(b"<x:elmo")
    for xml in (elmo(), prefixed):
        signed = sign_elmo(xml, key_pem=key_pem, cert_pem=cert_pem)
        assert verify_elmo(signed, [cert]).root.findtext(f".//{{{NS}}}familyName") == "Nordmann"
        trusted = tmp_path / "rsa.pem"
        trusted.write_bytes(cert_pem)
        result = xmlsec1(signed, trusted, tmp_path)
        assert result.returncode == 0 and "OK" in result.stderr, result.stderr
