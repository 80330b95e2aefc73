"""``vitnemal staff``: grant, list and revoke roles at an institution and the operator's; each is an audit event."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from vitnemal.audit.models import AuditEvent
from vitnemal.cli import app
from vitnemal.devtools.federation import build_federation
from vitnemal.staff.roles import Role, roles_of

runner = CliRunner()


def test_grant_list_and_revoke(tmp_path, sqlite_template) -> None:
    fed = build_federation(tmp_path / "fed", ["185"], "http://127.0.0.1:9", template=sqlite_template)
    env = {"VITNEMAL_HOME": str(fed.settings.home), "VITNEMAL_DATABASE_URL": ""}

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["staff", *args], env=env)
        return result.exit_code, result.output

    code, out = run("grant", "--user", "Ola@UiO.no", "--role", "institution_admin", "-i", "185", "--by", "kari@uio.no")
    assert code == 0 and "ola@uio.no now holds institution_admin at 185" in out
    code, out = run("grant", "--user", "ola@uio.no", "--role", "institution_admin", "-i", "185")
    assert code == 0 and "already held" in out
    code, out = run("list", "-i", "185", "--json")
    assert {"user": "ola@uio.no", "role": "institution_admin"}.items() <= next(
        r for r in json.loads(out) if r["user"] == "ola@uio.no").items()
    with fed.db("185").read_session() as session:
        assert roles_of(session, "ola@uio.no") == {Role.ADMIN}
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.role_granted",
                                                          AuditEvent.detail == "ola@uio.no institution_admin"))
        assert [e.actor for e in events] == ["kari@uio.no"]
    code, out = run("revoke", "--user", "ola@uio.no", "--role", "institution_admin", "-i", "185")
    assert code == 0 and "no longer holds" in out
    code, out = run("revoke", "--user", "ola@uio.no", "--role", "institution_admin", "-i", "185")
    assert code == 1 and "hadde ikke institution_admin ved 185" in out
    with fed.db("185").read_session() as session:
        assert roles_of(session, "ola@uio.no") == set()
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.role_revoked")) is not None


def test_refusals_say_what_to_do(tmp_path, sqlite_template) -> None:
    fed = build_federation(tmp_path / "fed", ["185"], "http://127.0.0.1:9", template=sqlite_template)
    env = {"VITNEMAL_HOME": str(fed.settings.home), "VITNEMAL_DATABASE_URL": ""}
    for args, message in [
        (["grant", "--user", "ola@uio.no", "--role", "boss", "-i", "185"], "is not a role"),
        (["grant", "--user", "not a name", "--role", "case_worker", "-i", "185"], "is not a user name"),
        (["grant", "--user", "ola@uio.no", "--role", "case_worker"], "enten --institution"),
        (["grant", "--user", "ola@uio.no", "--role", "federation_operator", "-i", "185"], "bruk --operator"),
        (["grant", "--user", "ola@uio.no", "--role", "case_worker", "-i", "999"], "Ukjent institusjon 999"),
    ]:
        result = runner.invoke(app, ["staff", *args], env=env)
        assert result.exit_code == 1 and message in result.output, (args, result.output)


def test_the_operator_role_is_kept_in_the_web_surface_database(tmp_path, sqlite_template) -> None:
    fed = build_federation(tmp_path / "fed", ["185"], "http://127.0.0.1:9", template=sqlite_template)
    env = {"VITNEMAL_HOME": str(fed.settings.home), "VITNEMAL_DATABASE_URL": ""}
    result = runner.invoke(app, ["staff", "grant", "--user", "ola@sikt.no", "--operator"], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["staff", "list", "--operator", "--json"], env=env)
    assert [r["role"] for r in json.loads(result.output)] == ["federation_operator"]
    with fed.db("185").read_session() as session:
        assert roles_of(session, "ola@sikt.no") == set()
