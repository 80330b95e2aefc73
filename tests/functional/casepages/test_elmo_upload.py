"""The ELMO upload on Person eksternstudium over real HTTP: a case worker imports a signed file and sees its results
on the page; a changed file, an unsigned one (unless vouched for) and one about someone else are refused in words
with nothing imported; the form needs its CSRF token and the case-worker role; a body above the limit is refused
before it is read."""

from __future__ import annotations

from contextlib import closing
from datetime import date
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select
from tests.factories import add_person
from tests.functional.interop.test_elmo_signature import Signer, elmo
from tests.staff_helpers import StaffSite, csrf, log_in_staff, staff_site

from vitnemal.audit.models import AuditEvent
from vitnemal.exchange.models import ExternalStudyRecord
from vitnemal.interop.elmo_sign import MAX_ELMO_BYTES

OLA = "01019012345"


@pytest.fixture(scope="module")
def site(tmp_path_factory, sqlite_template):  # type: ignore[no-untyped-def]
    with staff_site(tmp_path_factory.mktemp("elmo") / "fed", sqlite_template, ("185", "216")) as s:
        with s.db("185").session() as session:
            add_person(session, OLA, "Ola", "Nordmann", date(1990, 1, 1))
            add_person(session, "20019112345", "Test", "Testesen", date(1991, 1, 20))
        yield s


@pytest.fixture(scope="module")
def portal(site: StaffSite, tmp_path_factory) -> Signer:  # type: ignore[no-untyped-def]
    signer = Signer(tmp_path_factory.mktemp("ca"))
    trusted = Path(site.fed.settings.home) / "elmo-trusted.pem"
    trusted.write_bytes(signer.certificate.public_bytes(serialization.Encoding.PEM))
    return signer


def person_path(site: StaffSite, national_id: str) -> str:
    from vitnemal.identity.models import Person

    with site.db("185").read_session() as s:
        person_id = s.scalar(select(Person.id).where(Person.national_id == national_id))
    return f"/institutions/185/people/{person_id}/external"


def logged_in(site: StaffSite, user: str, path: str) -> tuple[httpx.Client, str]:
    client = site.client()
    landed = log_in_staff(client, user, path)
    assert landed.status_code == 200 and landed.url.path == path, (landed.status_code, landed.url)
    return client, csrf(landed.text)


def upload(client: httpx.Client, path: str, token: str | None, data: bytes, **fields: str) -> httpx.Response:
    form = {"csrf_token": token, **fields} if token else fields
    return client.post(path + "/elmo", data=form, files={"file": ("elmo.xml", data, "application/xml")})


def records(site: StaffSite) -> int:
    with site.db("185").read_session() as s:
        return s.scalar(select(func.count()).select_from(ExternalStudyRecord)) or 0


def test_a_case_worker_imports_a_signed_file_and_sees_it_on_the_page(site: StaffSite, portal: Signer) -> None:
    path = person_path(site, OLA)
    client, token = logged_in(site, "saksbehandler@uio.no", path)
    with closing(client):
        page = client.get(path)
        assert "Importer resultater fra utlandet (ELMO)" in page.text and 'enctype="multipart/form-data"' in page.text
        done = upload(client, path, token, portal.sign(elmo()))
        assert done.status_code == 200, done.text[:500]
        assert "Filen er importert" in done.text and "Signert av" in done.text
        assert "Høgskulen i Sogn og Fjordane: 2 resultater, 1 kvalifikasjon" in done.text
        external = client.get(path).text
        assert "Høgskulen i Sogn og Fjordane" in external and "RES-100" in external and "Innpasset" in external
    with site.db("185").read_session() as s:
        events = s.execute(select(AuditEvent.actor, AuditEvent.subject_national_id)
                           .where(AuditEvent.action == "elmo.imported")).all()
    assert [tuple(e) for e in events] == [("saksbehandler@uio.no", OLA)]


def test_refused_files_say_why_and_import_nothing(site: StaffSite, portal: Signer) -> None:
    path = person_path(site, "20019112345")
    client, token = logged_in(site, "saksbehandler@uio.no", path)
    before = records(site)
    signed = portal.sign(elmo(name="Test Testesen", birth_date=date(1991, 1, 20)))
    with closing(client):
        changed = upload(client, path, token, signed.replace(b"<resultLabel>B</resultLabel>",
                                                             b"<resultLabel>A</resultLabel>", 1))
        assert changed.status_code == 422 and "Ingenting er importert" in changed.text
        assert "Signaturen holder ikke" in changed.text
        unsigned = elmo(name="Test Testesen", birth_date=date(1991, 1, 20))
        refused = upload(client, path, token, unsigned)
        assert refused.status_code == 422 and "Filen er ikke signert" in refused.text
        someone = upload(client, path, token, portal.sign(elmo()))
        assert someone.status_code == 422 and "Filen gjelder Ola Nordmann (01.01.1990), ikke Test Testesen" in \
            someone.text
        empty = client.post(path + "/elmo", data={"csrf_token": token}, files={"file": ("", b"", "text/plain")})
        assert empty.status_code == 422 and "Velg ELMO-filen som skal importeres." in empty.text
        assert records(site) == before
        vouched = upload(client, path, token, unsigned, unsigned="yes")
        assert vouched.status_code == 200 and "Ikke signert: importert fordi du sa" in vouched.text
    assert records(site) == before + 2


def test_the_form_needs_its_token_the_role_and_a_bounded_body(site: StaffSite, portal: Signer) -> None:
    path = person_path(site, OLA)
    client, token = logged_in(site, "saksbehandler@uio.no", path)
    with closing(client):
        assert upload(client, path, None, portal.sign(elmo())).status_code == 403
        chunk = b"x" * (1024 * 1024)
        head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.xml"\r\n\r\n'
        huge = client.post(path + "/elmo", content=iter([head] + [chunk] * (2 * MAX_ELMO_BYTES // len(chunk) + 1)),
                           headers={"content-type": "multipart/form-data; boundary=b", "x-csrf-token": token})
        assert huge.status_code == 413
    officer, officer_token = logged_in(site, "vitnemal@uio.no", "/institutions/185/diplomas")
    with closing(officer):
        assert upload(officer, path, officer_token, portal.sign(elmo())).status_code == 403
