"""An ELMO file imported into a person's external-study records (Person eksternstudium), on both engines: an export
reads back as the same results; the same file again changes nothing and a changed grade is a change; a foreign
file keeps its grades in its own scale; the official schema's example and a file from another implementation
(emrex-gateway's sample of Vitnemålsportalen's EMREX test service) import; a file about someone else, or one that
holds what a record cannot keep, is refused whole and leaves nothing behind; the CLI does it in one transaction."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from sqlalchemy import func, select
from tests.factories import ENGINES, MiniFederation, add_person, federation_on_engine
from tests.functional.interop.foreign import self_signed
from tests.functional.interop.test_elmo_signature import RES, SNAPSHOT, Signer, elmo
from typer.testing import CliRunner

from vitnemal.audit.models import AuditEvent
from vitnemal.cli import app
from vitnemal.exchange.models import ExternalResult, ExternalStudyRecord
from vitnemal.exchange.service import external_records_view
from vitnemal.identity.models import Person
from vitnemal.interop.elmo_import import ElmoRefused, read_elmo
from vitnemal.interop.elmo_sign import DS, sign_elmo
from vitnemal.interop.elmo_store import elmo_sources, import_elmo

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
OLA = "01019012345"
KARI = "01019054321"
GATEWAY_ID = "12345678910"  # the national id emrex-gateway's sample (a Norwegian test file) names
STANDARD = Path("/work/shared/standards/elmo/example.xml")
GATEWAY = Path(__file__).with_name("data") / "emrex-gateway-sampleElmo.b64"


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Signer:  # type: ignore[no-untyped-def]
    return Signer(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def abroad() -> tuple[bytes, bytes, x509.Certificate]:
    """A foreign data provider's RSA key (PEM) and certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = self_signed(key, "University of Warsaw")
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()), cert.public_bytes(serialization.Encoding.PEM), cert)


def resigned(xml: bytes, signer: tuple[bytes, bytes, x509.Certificate]) -> bytes:
    """``xml`` without its own signature, signed by ``signer`` (as its provider would sign it today)."""
    root = etree.fromstring(xml, etree.XMLParser(remove_comments=True))
    for old in root.findall(f"{{{DS}}}Signature"):
        root.remove(old)
    return sign_elmo(etree.tostring(root), key_pem=signer[0], cert_pem=signer[1])


@pytest.fixture(params=ENGINES)
def fed(request: pytest.FixtureRequest, tmp_path: Path) -> MiniFederation:
    federation = federation_on_engine(request, tmp_path / "fed", ["214"], "http://127.0.0.1:9")
    with federation.db("214").session() as s:
        add_person(s, OLA, "Ola", "Nordmann", date(1990, 1, 1))
        add_person(s, "12048312345", "Wojciech Łukasz", "Rygielski", date(1983, 4, 12))
        add_person(s, GATEWAY_ID, "Test", "Testesen", date(1991, 1, 20))
        add_person(s, KARI, "Kari", "Nordmann", date(1990, 1, 1))  # Ola's twin
    return federation


def into(fed: MiniFederation, national_id: str, data: bytes, trusted: list[x509.Certificate]) -> object:
    with fed.db("214").session() as s:
        person = s.scalars(select(Person).where(Person.national_id == national_id)).one()
        return import_elmo(s, person, read_elmo(data, trusted), data, actor="sb@hint", now=NOW)


def shown(fed: MiniFederation, national_id: str) -> list[dict]:  # type: ignore[type-arg]
    with fed.db("214").session() as s:
        person = s.scalars(select(Person).where(Person.national_id == national_id)).one()
        return external_records_view(s, person.id)  # type: ignore[return-value]


def test_an_export_imports_as_the_same_results(fed: MiniFederation, portal: Signer) -> None:
    into(fed, OLA, portal.sign(elmo()), [portal.certificate])
    records = shown(fed, OLA)
    assert sorted(r["institution_name"] for r in records) == sorted(i["name"] for i in SNAPSHOT)
    for institution in SNAPSHOT:
        record = next(r for r in records if r["institution_name"] == institution["name"])
        assert record["institution"].startswith("E") and record["institution"] != institution["code"]
        got = {(r["code"], r["name_nb"], r["name_en"], r["term"], Decimal(r["credits"]), r["grade"])
               for r in record["results"]}
        assert got == {(r["course_code"], r["name_nb"], r["name_en"], f"{r['year']} {r['season']}",
                        Decimal(r["credits"]), r["grade"]) for r in institution["results"]}  # type: ignore[index]
        # A degree's own credits are not in the file (the schema forbids credits on a node and on its parts, and
        # the export puts them on the courses): what it reads back is the sum of its courses.
        credits = {r["course_code"]: Decimal(r["credits"]) for r in institution["results"]}  # type: ignore[index]
        quals = {(q["code"], q["name_nb"], q["name_en"], Decimal(q["credits"]), q["award_date"],
                  tuple(sorted(q["courses"]))) for q in record["qualifications"]}
        courses = [sorted(k.split("|")[0] for k in q["courses"]) for q in institution["qualifications"]]  # type: ignore[index]
        assert quals == {(q["code"], q["name_nb"], q["name_en"], sum(credits[c] for c in codes), q["award_date"],
                          tuple(codes))
                         for q, codes in zip(institution["qualifications"], courses, strict=True)}  # type: ignore[arg-type]


def test_the_same_file_again_changes_nothing_and_a_new_grade_is_a_change(fed: MiniFederation,
                                                                          portal: Signer) -> None:
    first = into(fed, OLA, portal.sign(elmo()), [portal.certificate])
    again = into(fed, OLA, portal.sign(elmo()), [portal.certificate])
    assert [s.first_import for s in first.sources] == [True, True]  # type: ignore[attr-defined]
    assert [s.changes for s in again.sources] == [(), ()]  # type: ignore[attr-defined]
    better = [{**i, "results": [{**r, "grade": "A"} if r is RES else r for r in i["results"]]}  # type: ignore[attr-defined]
              for i in SNAPSHOT]
    changed = into(fed, OLA, portal.sign(_export(better)), [portal.certificate])
    kinds = [c.kind for s in changed.sources for c in s.changes]  # type: ignore[attr-defined]
    assert kinds == ["improved_grade"]
    with fed.db("214").session() as s:
        assert s.scalar(select(func.count()).select_from(ExternalResult)) == 3  # updated, not duplicated
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "elmo.imported")).all()
    assert len(events) == 3 and {e.subject_national_id for e in events} == {OLA}
    assert "Høgskulen i Sogn og Fjordane: 2 results, 1 qualifications" in (events[0].detail or "")


def _export(snapshot: list[dict]) -> bytes:  # type: ignore[type-arg]
    from tests.functional.interop.test_elmo_signature import AT, PDF

    from vitnemal.portal.elmo import snapshot_to_elmo

    return snapshot_to_elmo(snapshot, name="Ola Nordmann", birth_date=date(1990, 1, 1), lang="nb",
                            generated_at=AT, pdf=PDF)


def test_the_schemas_example_keeps_its_grades_in_its_own_scale(fed: MiniFederation, abroad) -> None:  # type: ignore[no-untyped-def]
    data = resigned(STANDARD.read_bytes(), abroad)
    done = into(fed, "12048312345", data, [abroad[2]])
    [record] = shown(fed, "12048312345")
    assert record["institution_name"] == "University of Warsaw"
    by_code = {r["code"]: r for r in record["results"]}
    assert by_code["1000-217bMRJ"]["grade"] == "45.1"  # 0-100, as written: not turned into A-F
    assert by_code["1000-217bMRJ"]["term"] == "2014 HØST"  # the winter semester starts in October
    assert not any(r["code"].startswith("1000-217bMRJ-") for r in record["results"])  # its classes are parts
    with fed.db("214").session() as s:
        person = s.scalars(select(Person).where(Person.national_id == "12048312345")).one()
        [source] = elmo_sources(s, person.id).values()
        scale = s.scalar(select(ExternalResult.grading_scale).where(ExternalResult.course_code == "1000-217bMRJ"))
    assert scale == "0-100" and source.grading_schemes["0-100"]["en"].startswith("A number of the scale from 0.0")
    assert source.country == "PL" and "University of Warsaw" in (source.signer or "")
    assert done.sources[0].qualifications >= 1  # type: ignore[attr-defined]


def test_a_file_from_another_implementation_imports(fed: MiniFederation, abroad) -> None:  # type: ignore[no-untyped-def]
    packed = GATEWAY.read_bytes()
    xml = base64.b64decode(packed)
    embedded = etree.fromstring(xml).findtext(f".//{{{DS}}}X509Certificate")
    theirs = x509.load_der_x509_certificate(base64.b64decode("".join((embedded or "").split())))
    # Its own signature, even with its certificate trusted, is refused in words: RSA-SHA1 is not accepted any more.
    with pytest.raises(ElmoRefused) as caught:
        read_elmo(packed, [theirs])
    assert caught.value.key == "bad_signature" and "SHA1" in str(caught.value)
    # What it holds, signed as a provider signs today, imports (gradingScheme before issueDate is said, not fatal).
    data = resigned(xml, abroad)
    read = read_elmo(data, [abroad[2]])
    assert read.deviations == ("gradingScheme before issueDate in 1 report(s), read as if after it",)
    into(fed, GATEWAY_ID, data, [abroad[2]])
    [record] = shown(fed, GATEWAY_ID)
    assert record["institution_name"] == "Universitetet i Oslo"
    assert {(r["code"], r["term"], r["grade"]) for r in record["results"]} == {
        ("INF4000-1", "2019 VÅR", "A"), ("HMS0507-1", "2015 HØST", "Bestått")}


def test_a_file_about_someone_else_is_refused_and_nothing_is_written(fed: MiniFederation, portal: Signer) -> None:
    with pytest.raises(ElmoRefused) as caught:
        into(fed, GATEWAY_ID, portal.sign(elmo()), [portal.certificate])
    assert caught.value.key == "mismatch"
    assert "Ola Nordmann (01.01.1990)" in caught.value.text("en") and "Test Testesen" in caught.value.text("en")
    with fed.db("214").session() as s:
        assert s.scalar(select(func.count()).select_from(ExternalStudyRecord)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "elmo.imported")) == 0


def test_what_a_record_cannot_keep_refuses_the_whole_file_with_line_and_element(fed: MiniFederation,
                                                                                portal: Signer) -> None:
    long_code = "X" * 31
    snapshot = [SNAPSHOT[0], {**SNAPSHOT[1], "results": [{**SNAPSHOT[1]["results"][0],  # type: ignore[index]
                                                           "course_code": long_code}]}]
    data = portal.sign(_export(snapshot))
    with pytest.raises(ElmoRefused) as caught:
        into(fed, OLA, data, [portal.certificate])
    line = data[:data.index(f">{long_code}<".encode())].count(b"\n") + 1
    said = caught.value.text("nb")
    assert caught.value.key == "too_long" and "element identifier" in said
    assert said.startswith(f"Linje {line - 1}, ") or said.startswith(f"Linje {line - 2}, "), said
    with fed.db("214").session() as s:  # the first report, fine on its own, was not written either
        assert s.scalar(select(func.count()).select_from(ExternalStudyRecord)) == 0


def test_the_cli_imports_into_the_person_and_refuses_in_words(fed: MiniFederation, portal: Signer,
                                                             tmp_path: Path) -> None:
    path, trust = tmp_path / "ola.xml", tmp_path / "portal.pem"
    path.write_bytes(portal.sign(elmo()))
    trust.write_bytes(portal.certificate.public_bytes(serialization.Encoding.PEM))
    env = {"VITNEMAL_HOME": str(fed.settings.home), "VITNEMAL_DATABASE_URL": fed.settings.database_url}
    base = ["elmo", "import", str(path), "--trust", str(trust), "--institution", "214", "--by", "sb@hint"]
    result = CliRunner().invoke(app, [*base, "--person", OLA], env=env)
    assert result.exit_code == 0, result.output
    assert ("Importert i eksternstudiet til Ola Nordmann: Høgskulen i Sogn og Fjordane, 2 resultater og 1 "
            "kvalifikasjon.") in result.output
    assert "Universitetet i Oslo, 1 resultat og 0 kvalifikasjoner." in result.output
    assert {r["institution_name"] for r in shown(fed, OLA)} == {"Høgskulen i Sogn og Fjordane",
                                                              "Universitetet i Oslo"}
    wrong = CliRunner().invoke(app, [*base, "--person", GATEWAY_ID, "--lang", "en"], env=env)
    assert wrong.exit_code == 1 and "Error: The file is about Ola Nordmann (01.01.1990), not Test" in wrong.output
    nobody = CliRunner().invoke(app, [*base, "--person", "31129912345", "--lang", "en"], env=env)
    assert nobody.exit_code == 1 and "Nobody with the national id 31129912345 is registered at 214" in nobody.output
    half = CliRunner().invoke(app, ["elmo", "import", str(path), "--trust", str(trust), "--person", OLA], env=env)
    assert half.exit_code == 1 and "Oppgi både --person og --institution" in half.output


def test_a_twins_file_is_told_apart_by_the_national_id_and_the_given_name(fed: MiniFederation,
                                                                          portal: Signer) -> None:
    with_id = portal.sign(elmo(national_id=OLA))
    without_id = portal.sign(elmo())
    for data in (with_id, without_id):  # the same birth date and family name: the id, then the given name, differ
        with pytest.raises(ElmoRefused) as caught:
            into(fed, KARI, data, [portal.certificate])
        assert caught.value.key == "mismatch"
        assert "Filen gjelder Ola Nordmann (01.01.1990), ikke Kari Nordmann (01.01.1990)" in caught.value.text("nb")
    into(fed, OLA, with_id, [portal.certificate])  # his own id: imported
    assert {r["institution_name"] for r in shown(fed, OLA)} == {"Høgskulen i Sogn og Fjordane",
                                                              "Universitetet i Oslo"}
    assert shown(fed, KARI) == []


def test_a_heading_longer_than_the_record_keeps_is_refused_in_words(fed: MiniFederation) -> None:
    data = (Path(__file__).with_name("data") / "long-module-heading.xml").read_bytes()
    with pytest.raises(ElmoRefused) as caught, fed.db("214").session() as s:
        person = s.scalars(select(Person).where(Person.national_id == OLA)).one()
        import_elmo(s, person, read_elmo(data, [], allow_unsigned=True), data, actor="sb@hint", now=NOW)
    assert caught.value.key == "too_long"
    lines = data.decode().splitlines()
    module = next(n for n, line in enumerate(lines, 1) if "Modul xxx" in line) - 1  # its LOS opens the line before
    assert "<learningOpportunitySpecification>" in lines[module - 1]
    assert caught.value.text("en").startswith(f"Line {module}, element title: 'Modul xxx")
    assert "longer than the 200 characters" in caught.value.text("en")
    assert shown(fed, OLA) == []
