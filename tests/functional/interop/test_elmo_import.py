"""ELMO import: a signed file (plain or packed as EMREX sends it) read back into the learner, the reports per
issuer and their qualifications and courses; refused whole, in words, when it was changed, is signed by a key the
receiver does not trust, is not signed, is not valid against the schema, or is hostile. A foreign file: the official
schema's example, signed by a foreign university's RSA key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from tests.functional.interop.foreign import self_signed
from tests.functional.interop.test_elmo_signature import SNAPSHOT, Signer, elmo
from typer.testing import CliRunner

from vitnemal.cli import app
from vitnemal.interop.elmo import NS
from vitnemal.interop.elmo_import import ElmoRefused, in_language, read_elmo
from vitnemal.interop.elmo_sign import DS, encode_for_transfer, sign_elmo

STANDARD = Path("/work/shared/standards/elmo/example.xml")


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Signer:  # type: ignore[no-untyped-def]
    return Signer(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def stranger(tmp_path_factory) -> Signer:  # type: ignore[no-untyped-def]
    return Signer(tmp_path_factory.mktemp("other-ca"), "Someone else's CA")


def test_an_export_reads_back_as_the_same_results(portal: Signer) -> None:
    imported = read_elmo(portal.sign(elmo()), [portal.certificate])
    assert imported.signed and "Vitnemålsportalen" in (imported.signer or "")
    assert (imported.learner.given_names, imported.learner.family_name) == ("Ola", "Nordmann")
    assert imported.learner.birth_date.isoformat() == "1990-01-01"  # type: ignore[union-attr]
    assert [dict(r.issuer_identifiers)["no-institution-number"] for r in imported.reports] == ["216", "185"]
    for report, institution in zip(imported.reports, SNAPSHOT, strict=True):
        assert in_language(report.issuer_titles, "nb") == institution["name"]
        assert in_language(report.issuer_titles, "en") == institution["name_en"]
        courses = {i.code: i for i in report.items_all() if i.kind == "Course"}
        assert set(courses) == {r["course_code"] for r in institution["results"]}
        for result in institution["results"]:
            course = courses[result["course_code"]]
            assert course.ects == Decimal(result["credits"])
            assert in_language(course.titles, "nb") == result["name_nb"]
            assert course.term_start is not None and course.term_start.year == result["year"]
            assert course.grade == ("Innpasset" if result["grading_scale"] == "recognised" else result["grade"])
    degree = imported.reports[0].items[0]
    assert degree.kind == "Degree Programme" and degree.code == "BA-RES" and degree.date.isoformat() == "2016-06-20"
    assert [p.code for p in degree.parts] == ["RES-100", "EXT-1"]
    assert degree.parts[0].scheme == "A-F" and "Graded scale" in in_language(degree.parts[0].scheme_texts, "en")
    assert imported.counts() == (1, 3)
    assert imported.attachments == (("EMREX transcript", "Vitnemålsportalen"),)


def test_the_emrex_packing_reads_the_same(portal: Signer) -> None:
    signed = portal.sign(elmo())
    assert read_elmo(encode_for_transfer(signed).encode(), [portal.certificate]) == read_elmo(signed,
                                                                                           [portal.certificate])


def _refusal(data: bytes, trusted: list[x509.Certificate], **kwargs: bool) -> ElmoRefused:
    with pytest.raises(ElmoRefused) as caught:
        read_elmo(data, trusted, **kwargs)
    return caught.value


def test_a_changed_grade_or_a_removed_course_is_refused(portal: Signer) -> None:
    signed = portal.sign(elmo())
    changed = signed.replace(b"<resultLabel>B</resultLabel>", b"<resultLabel>A</resultLabel>", 1)
    removed = signed.replace(signed[signed.index(b"<hasPart>"):signed.index(b"</hasPart>") + 10], b"", 1)
    for tampered in (changed, removed):
        assert tampered != signed
        refusal = _refusal(tampered, [portal.certificate])
        assert refusal.key == "bad_signature"
        assert refusal.text("nb").startswith("Signaturen holder ikke: filen er endret etter at den ble signert")


def test_an_unknown_key_and_an_unsigned_file_are_refused(portal: Signer, stranger: Signer) -> None:
    refusal = _refusal(stranger.sign(elmo()), [portal.certificate])
    assert refusal.key == "untrusted" and "--trust" in refusal.text("en")
    assert "ikkje stolar på" in refusal.text("nn")
    assert _refusal(elmo(), [portal.certificate]).key == "unsigned"
    assert read_elmo(elmo(), [], allow_unsigned=True).signed is False
    # A file that is signed is checked even when unsigned files are let through.
    assert _refusal(stranger.sign(elmo()), [portal.certificate], allow_unsigned=True).key == "untrusted"


def test_a_signed_file_the_schema_refuses_names_the_line_and_the_element(portal: Signer) -> None:
    xml = elmo().replace(b"<status>passed</status>", b"<status>maybe</status>", 1)
    signed = portal.sign(xml)
    line = signed[:signed.index(b"<status>maybe")].count(b"\n") + 1
    refusal = _refusal(signed, [portal.certificate])
    assert refusal.key == "invalid"
    assert f"line {line}, element status" in str(refusal) and "passed" in str(refusal)
    assert f"linje {line}, element status" in refusal.text("nb")


def test_hostile_files_are_refused_in_words(portal: Signer) -> None:
    big = b"<elmo>" + b" " * (9 * 1024 * 1024) + b"</elmo>"
    assert _refusal(big, []).key == "too_large"
    bomb = encode_for_transfer(b"<elmo>" + b" " * (9 * 1024 * 1024) + b"</elmo>").encode()
    refusal = _refusal(bomb, [])
    assert refusal.key == "unreadable" and "inflates beyond" in str(refusal)
    assert _refusal(b"\x1f\x8b\x08\x00garbage\xff", []).key == "unreadable"
    assert _refusal(b"<html><body>not ELMO</body></html>", []).key == "not_elmo"
    dtd = b'<!DOCTYPE elmo [<!ENTITY a "b">]><elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1"/>'
    assert "DTD" in str(_refusal(dtd, []))
    assert _refusal(b"<elmo><unclosed></elmo>", []).key == "not_xml"
    root = etree.fromstring(elmo())
    for los in list(root.iterfind(f"{{{NS}}}report/{{{NS}}}learningOpportunitySpecification")):
        los.getparent().remove(los)
    no_results = portal.sign(etree.tostring(root))  # valid ELMO: reports with an issuer and nothing else
    assert _refusal(no_results, [portal.certificate]).key == "empty"


@pytest.mark.parametrize(("old", "new"), [
    (b"<generatedDate>2026-12-01T20:00:00+00:00</generatedDate>",
     b"<generatedDate>2026-12-01T24:00:00+00:00</generatedDate>"),
    (b"<generatedDate>2026-12-01T20:00:00+00:00</generatedDate>",
     b"<generatedDate>10000-12-01T20:00:00+00:00</generatedDate>"),
    (b"<bday>1990-01-01</bday>", b"<bday>10000-01-01</bday>"),
    (b"<bday>1990-01-01</bday>", b"<bday>-0001-01-01</bday>"),
], ids=["24:00", "year 10000", "born 10000", "born 1 BC"])
def test_a_date_the_schema_allows_but_cannot_be_read_is_refused_in_words(portal: Signer, old: bytes,
                                                                          new: bytes) -> None:
    # review R25: xs:date/xs:dateTime allow 24:00:00 and years beyond 9999 or before 1; these were a ValueError
    # out of date.fromisoformat (a traceback in `vitnemal elmo import`) instead of a refusal
    xml = elmo()
    assert old in xml
    with pytest.raises(ElmoRefused) as refused:
        read_elmo(portal.sign(xml.replace(old, new)), [portal.certificate])
    assert refused.value.key == "bad_date" and new.split(b">")[1].split(b"<")[0].decode() in refused.value.text("nb")


def test_a_time_without_a_zone_is_read_as_utc_and_printed(portal: Signer, tmp_path: Path) -> None:
    # review R25: xs:dateTime may leave out the zone; `vitnemal elmo import` failed on it with a ValueError
    # (naive datetime) out of i18n.local
    xml = elmo().replace(b"<generatedDate>2026-12-01T20:00:00+00:00</generatedDate>",
                         b"<generatedDate>2026-12-01T20:00:00</generatedDate>")
    (tmp_path / "f.xml").write_bytes(portal.sign(xml))
    assert read_elmo((tmp_path / "f.xml").read_bytes(), [portal.certificate]).generated_at.utcoffset() is not None
    result = CliRunner().invoke(app, ["elmo", "import", str(tmp_path / "f.xml"), "--trust", str(portal.cert),
                                      "--lang", "en"])
    assert result.exit_code == 0 and "ELMO file made 1 December 2026 21:00" in result.output, result.output


@pytest.fixture(scope="module")
def foreign() -> tuple[bytes, x509.Certificate, bytes]:
    """The official example without its (made-up) signature, signed again by a foreign university's RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = self_signed(key, "University of Warsaw")
    root = etree.parse(str(STANDARD), etree.XMLParser(remove_comments=True)).getroot()
    root.remove(root.find(f"{{{DS}}}Signature"))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    return sign_elmo(etree.tostring(root), key_pem=key_pem, cert_pem=cert_pem), cert, cert_pem


def test_a_foreign_file_keeps_its_grades_in_its_own_scale(foreign: tuple[bytes, x509.Certificate, bytes]) -> None:
    signed, cert, _ = foreign
    imported = read_elmo(signed, [cert])
    assert (imported.learner.given_names, imported.learner.family_name) == ("Wojciech Łukasz", "Rygielski")
    assert imported.learner.citizenship == "PL"
    report = imported.reports[0]
    assert in_language(report.issuer_titles, "en") == "University of Warsaw"
    assert in_language(report.issuer_titles, "pl") == "University of Warsaw"  # no Polish reader here: English
    assert in_language(report.issuer_titles, "nb") == "University of Warsaw"  # no Norwegian name: English
    compilers = next(i for i in report.items_all() if i.code == "1000-217bMRJ")
    assert (compilers.grade, compilers.scheme, compilers.ects) == ("45.1", "0-100", Decimal(6))
    assert in_language(compilers.scheme_texts, "en").startswith("A number of the scale from 0.0 to 100.0")
    assert [p.kind for p in compilers.parts] == ["Class", "Class"]
    master = report.items[0]
    assert in_language(master.titles, "nb") == "Master i biologi"  # xml:lang="no" serves a Norwegian reader
    assert master.parts[0].grade == "Innpasset"
    odd = report.items[2]
    assert in_language(odd.titles, "en") == "The importance of <br> in HTML"  # the example's CDATA, as text


def test_the_example_as_shipped_is_refused_its_signature_is_made_up() -> None:
    shipped = STANDARD.read_bytes()
    embedded = etree.fromstring(shipped).findtext(f".//{{{DS}}}X509Certificate")
    import base64

    cert = x509.load_der_x509_certificate(base64.b64decode("".join(embedded.split())))
    assert _refusal(shipped, [cert]).key == "bad_signature"


def test_the_cli_prints_what_the_file_holds_in_each_language(foreign: tuple[bytes, x509.Certificate, bytes],
                                                              tmp_path: Path) -> None:
    signed, _, cert_pem = foreign
    path, trust = tmp_path / "elmo.xml.b64", tmp_path / "warszawa.pem"
    path.write_text(encode_for_transfer(signed))
    trust.write_bytes(cert_pem)
    runner = CliRunner()
    said = {}
    for lang in ("nb", "nn", "en"):
        result = runner.invoke(app, ["elmo", "import", str(path), "--trust", str(trust), "--lang", lang])
        assert result.exit_code == 0, result.output
        said[lang] = result.output
    assert "Person: Wojciech Łukasz Rygielski, født 12. april 1983" in said["nb"]
    assert "fødd 12. april 1983" in said["nn"] and "born 12 April 1983" in said["en"]
    assert "1000-217bMRJ Compiler construction — course, Winter Semester of 2014, 6 ECTS credits, grade 45.1 " \
           "(scale A number of the scale from 0.0 to 100.0 (one digit of precision))" in said["en"]
    assert "Signert av O=University of Warsaw,C=PL: signaturen holder." in said["nb"]
    refused = runner.invoke(app, ["elmo", "import", str(path)])
    assert refused.exit_code == 1
    assert "Feil: Filen er signert med et sertifikat denne mottakeren ikke stoler på" in refused.output
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(signed.replace(b"<resultLabel>45.1</resultLabel>", b"<resultLabel>95.1</resultLabel>"))
    result = runner.invoke(app, ["elmo", "import", str(tampered), "--trust", str(trust), "--lang", "en"])
    assert result.exit_code == 1 and "Error: The signature does not hold" in result.output
