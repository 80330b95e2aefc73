"""Staff log in through OIDC (the test provider's Feide-like side) and see only the institutions they hold roles at."""

from __future__ import annotations

import pytest
from tests.staff_helpers import csrf, field, log_in_person, log_in_staff, staff_site

from vitnemal.staff.roles import Role, grant_role, revoke_role, roles_of
from vitnemal.web.sessions import COOKIE


@pytest.fixture
def site(tmp_path, sqlite_template):
    with staff_site(tmp_path / "fed", sqlite_template) as s:
        yield s


def test_a_case_worker_logs_in_and_lands_on_their_institution(site) -> None:
    with site.client() as client:
        anonymous = client.get("/institutions/185")
        assert anonymous.url.path == "/staff/login" and anonymous.url.params["next"] == "/institutions/185"
        cookie_before = client.cookies.get(COOKIE)
        landed = log_in_staff(client, "saksbehandler@uio.no")
        assert landed.status_code == 200 and landed.url.path == "/institutions/185"
        assert "Universitetet i Oslo" in landed.text and "Saksbehandler" in landed.text
        assert client.cookies[COOKIE] != cookie_before  # a new session id at login
        # Not an administrator: the settings are not in the navigation.
        assert "/institutions/185/settings/modules" not in landed.text
        # Another institution's pages are closed, whatever is typed in the address.
        assert client.get("/institutions/216").status_code == 403
        # A staff login is no owner's login: the portal's own pages still ask for ID-porten.
        assert client.get("/my-results").url.path == "/auth/login"
        out = client.post("/auth/logout", data={"csrf_token": csrf(landed.text)})
        assert out.url.path == "/staff/logged-out" and "Du er logget ut" in out.text
        assert client.get("/institutions/185").url.path == "/staff/login"


def test_a_user_with_roles_at_two_institutions_chooses(site) -> None:
    with site.client() as client:
        home = log_in_staff(client, "kari.nordmann@uio.no")
        assert home.url.path == "/staff"
        assert 'href="/institutions/185"' in home.text and 'href="/institutions/216"' in home.text
        assert client.get("/institutions/216").status_code == 200


def test_a_login_without_roles_opens_nothing(site) -> None:
    with site.client() as client:
        home = log_in_staff(client, "nobody@uio.no")
        assert home.url.path == "/staff" and "nobody@uio.no" in home.text
        assert client.get("/institutions/185").status_code == 403


def test_a_person_logged_in_with_id_porten_is_no_member_of_staff(site) -> None:
    with site.client() as client:
        log_in_person(client, "01536112185")
        assert client.get("/institutions/185").url.path == "/staff/login"
        assert client.get("/staff").url.path == "/staff/login"


def test_a_revoked_role_closes_the_pages_at_once(site) -> None:
    with site.client() as client:
        log_in_staff(client, "admin@uio.no")
        assert client.get("/institutions/185").status_code == 200
        with site.db("185").session() as session:
            assert revoke_role(session, "admin@uio.no", Role.ADMIN, by="test")
        assert client.get("/institutions/185").status_code == 403
        with site.db("185").session() as session:
            assert grant_role(session, "ADMIN@uio.no ", Role.ADMIN, by="test")
            assert roles_of(session, "admin@uio.no") == {Role.ADMIN}
        assert client.get("/institutions/185").status_code == 200


def test_an_institution_not_served_here_is_not_found(site) -> None:
    with site.client() as client:
        log_in_staff(client, "saksbehandler@uio.no")
        assert client.get("/institutions/999").status_code == 404
        assert client.get("/institutions/%3Cscript%3E").status_code in (404, 422)


def test_the_staff_pages_speak_each_language(site) -> None:
    with site.client() as client:
        assert "Innlogging for ansatte" in client.get("/staff/login?lang=nb").text
        assert "Innlogging for tilsette" in client.get("/staff/login?lang=nn").text
        english = client.get("/staff/login?lang=en").text
        assert "Log in for staff" in english and "Innlogging" not in english
        page = log_in_staff(client, "admin@uio.no", "/institutions/185/settings/modules")
        assert "Innstillingane er lagra" not in page.text
        assert "Module choice" in client.get("/institutions/185/settings/modules?lang=en").text
        assert "Modulval" in client.get("/institutions/185/settings/modules?lang=nn").text


def test_staff_logins_and_failed_logins_are_audit_events(site) -> None:
    """Who got into the institutions' pages, and every refused attempt, is in the web surface's audit log."""
    from sqlalchemy import select

    from vitnemal.audit.models import AuditEvent
    from vitnemal.db import Database

    with site.client() as client:
        assert log_in_staff(client, "saksbehandler@uio.no").url.path == "/institutions/185"
    with site.client() as client:
        idp = client.get("/auth/start/feide-staff?next=/staff")
        cancelled = client.post("/test-idp/feide/authorize", data={
            "csrf_token": csrf(idp.text), "request": field(idp.text, "request"), "username": "", "action": "cancel"})
        assert cancelled.url.path == "/staff/login"
    # A person's ID-porten login is no staff login: nothing is recorded for it here.
    with site.client() as client:
        log_in_person(client, "01039510010")
    db = Database(site.fed.settings.url_for("portal"))
    try:
        with db.read_session() as s:
            events = [(e.action, e.actor, e.detail) for e in s.scalars(
                select(AuditEvent).where(AuditEvent.action.like("staff.log%")).order_by(AuditEvent.id))]
    finally:
        db.dispose()
    assert events == [("staff.logged_in", "saksbehandler@uio.no", "feide-staff"),
                      ("staff.login_failed", "anonymous", "cancelled")]
