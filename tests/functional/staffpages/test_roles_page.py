"""The administrator's page of staff and roles: give a role, take it away, each an audit event; one's own
administrator role stays."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.staff_helpers import csrf, log_in_staff, staff_site

from vitnemal.audit.models import AuditEvent
from vitnemal.staff.roles import Role, roles_of


@pytest.fixture
def site(tmp_path, sqlite_template):
    with staff_site(tmp_path / "fed", sqlite_template) as s:
        yield s


def test_give_and_take_a_role(site) -> None:
    with site.client() as client:
        page = log_in_staff(client, "admin@uio.no", "/institutions/185/staff")
        assert page.url.path == "/institutions/185/staff" and "saksbehandler@uio.no" in page.text
        given = client.post("/institutions/185/staff/grant", data={
            "csrf_token": csrf(page.text), "username": " Ola@UiO.no", "role": "diploma_officer"})
        assert given.url.query == b"done=granted" and "ola@uio.no" in given.text
        with site.db("185").read_session() as session:
            assert roles_of(session, "ola@uio.no") == {Role.DIPLOMA_OFFICER}
        bad = client.post("/institutions/185/staff/grant", data={
            "csrf_token": csrf(given.text), "username": "not a name", "role": "case_worker"})
        assert bad.status_code == 400 and "Skriv brukernavnet fra innloggingen" in bad.text
        assert client.post("/institutions/185/staff/grant", data={
            "csrf_token": csrf(given.text), "username": "ola@uio.no", "role": "federation_operator"}).status_code == 422
        taken = client.post("/institutions/185/staff/revoke", data={
            "csrf_token": csrf(given.text), "username": "ola@uio.no", "role": "diploma_officer"})
        assert taken.url.query == b"done=revoked"
        own = client.post("/institutions/185/staff/revoke", data={
            "csrf_token": csrf(taken.text), "username": "admin@uio.no", "role": "institution_admin"})
        assert own.status_code == 400 and "be en annen administrator" in own.text
    with site.db("185").read_session() as session:
        assert roles_of(session, "ola@uio.no") == set() and roles_of(session, "admin@uio.no") == {Role.ADMIN}
        trail = [(e.action, e.actor, e.detail) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.actor == "admin@uio.no").order_by(AuditEvent.id))]
    assert trail == [("staff.role_granted", "admin@uio.no", "ola@uio.no diploma_officer"),
                     ("staff.role_revoked", "admin@uio.no", "ola@uio.no diploma_officer")]
    with site.db("216").read_session() as session:
        assert roles_of(session, "ola@uio.no") == set()
