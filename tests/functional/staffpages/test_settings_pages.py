"""The administrator's Modulvalg and Akseptansetype pages: what they show, what they change, and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.staff_helpers import csrf, log_in_staff, staff_site

from vitnemal.audit.models import AuditEvent
from vitnemal.records.admin import consent_type
from vitnemal.records.models import ExchangeSettings


@pytest.fixture
def site(tmp_path, sqlite_template):
    with staff_site(tmp_path / "fed", sqlite_template) as s:
        yield s


def _events(site, code: str, action: str) -> list[tuple[str, str | None]]:
    with site.db(code).read_session() as session:
        return [(e.actor, e.detail) for e in session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def test_modulvalg_reserves_and_opens_the_exchange(site) -> None:
    with site.client() as client:
        page = log_in_staff(client, "admin@uio.no", "/institutions/185/settings/modules")
        assert page.url.path == "/institutions/185/settings/modules"
        assert "WebApplikasjon – Modulvalg" in page.text and "Institusjonen deler resultater." in page.text
        saved = client.post("/institutions/185/settings/modules",
                            data={"csrf_token": csrf(page.text), "module_active": "J", "reserved": "J"})
        assert saved.url.query == b"saved=1" and "Innstillingene er lagret." in saved.text
        assert "Institusjonen er reservert mot resultatutveksling." in saved.text
        with site.db("185").read_session() as session:
            row = session.scalar(select(ExchangeSettings))
            assert row is not None and row.module_active and row.reserved
        assert _events(site, "185", "settings.exchange_changed") == [("admin@uio.no", "RESUTVEKSL J→J, RESERVER N→J")]
        # Saving the same again changes nothing and records nothing.
        client.post("/institutions/185/settings/modules",
                    data={"csrf_token": csrf(saved.text), "module_active": "J", "reserved": "J"})
        assert len(_events(site, "185", "settings.exchange_changed")) == 1
        # 216 is untouched.
        with site.db("216").read_session() as session:
            assert not session.scalar(select(ExchangeSettings)).reserved  # type: ignore[union-attr]


def test_modulvalg_refuses_a_forged_or_bad_form(site) -> None:
    with site.client() as client:
        page = log_in_staff(client, "admin@uio.no", "/institutions/185/settings/modules")
        forged = client.post("/institutions/185/settings/modules", data={"module_active": "N", "reserved": "N"})
        assert forged.status_code == 403 and "Skjemaet var utløpt" in forged.text
        bad = client.post("/institutions/185/settings/modules",
                          data={"csrf_token": csrf(page.text), "module_active": "X", "reserved": "N"})
        assert bad.status_code == 422
        with site.db("185").read_session() as session:
            assert session.scalar(select(ExchangeSettings)).module_active  # type: ignore[union-attr]


def test_akseptansetype_needs_both_sequence_numbers_to_be_active(site) -> None:
    with site.client() as client:
        page = log_in_staff(client, "admin@uio.no", "/institutions/185/settings/consent-types")
        assert "Akseptansetype RESUTVEKSL" in page.text
        token = csrf(page.text)
        missing = client.post("/institutions/185/settings/consent-types",
                              data={"csrf_token": token, "active": "J", "seq_semreg": "3", "seq_studentweb": ""})
        assert missing.status_code == 400 and "trenger begge sekvensnumrene" in missing.text
        assert 'value="3"' in missing.text  # what was typed stays in the form
        wrong = client.post("/institutions/185/settings/consent-types",
                            data={"csrf_token": token, "active": "J", "seq_semreg": "0", "seq_studentweb": "abc"})
        assert wrong.status_code == 400 and wrong.text.count("er et heltall fra 1 til 999") == 2
        saved = client.post("/institutions/185/settings/consent-types",
                            data={"csrf_token": token, "active": "J", "seq_semreg": "3", "seq_studentweb": "2"})
        assert saved.url.query == b"saved=1" and "admin@uio.no" in saved.text
        with site.db("185").read_session() as session:
            view = consent_type(session)
        assert (view.active, view.seq_semreg, view.seq_studentweb, view.updated_by) == (True, 3, 2, "admin@uio.no")
        assert _events(site, "185", "settings.consent_type_changed") == [
            ("admin@uio.no", "RESUTVEKSL Aktivt N→J, semreg None→3, studentweb None→2")]
