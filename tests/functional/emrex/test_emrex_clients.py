"""The EMREX client registry: ``vitnemal emrex clients add|list|show|remove`` on the portal's database, every
refusal in words, each change an audit event; the registry's look-up by return address answers only an active
client's exact address."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from typer.testing import CliRunner

from vitnemal.audit.models import AuditEvent
from vitnemal.cli import app
from vitnemal.db import Database
from vitnemal.devtools.federation import build_federation
from vitnemal.emrex import clients
from vitnemal.emrex.rules import EmrexRefused

runner = CliRunner()
RETURN = "https://jobb.example.no/emrex/return"


@pytest.fixture
def fed(tmp_path, sqlite_template):  # type: ignore[no-untyped-def]
    return build_federation(tmp_path / "fed", ["185"], "http://127.0.0.1:9", template=sqlite_template)


def _run(fed, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    env = {"VITNEMAL_HOME": str(fed.settings.home), "VITNEMAL_DATABASE_URL": ""}
    result = runner.invoke(app, ["emrex", "clients", *args], env=env)
    return result.exit_code, result.output


def test_add_list_show_remove(fed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    code, out = _run(fed, "add", "jobbnett", "--name", "Jobbnett AS", "--url", "HTTPS://Jobb.Example.no/emrex/return",
                     "--contact", "personvern@jobb.example.no", "--by", "ola")
    assert code == 0 and f"Registered jobbnett (Jobbnett AS, emrex1); answered at {RETURN}." in out
    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "pub.pem").write_bytes(key)
    code, out = _run(fed, "add", "uni-abroad", "--kind", "emrex2", "--name", "Universität X", "--url",
                     "https://uni.example.de/cb", "--contact", "dpo@uni.example.de", "--key", str(tmp_path / "pub.pem"),
                     "--json")
    assert code == 0, out
    added = json.loads(out)
    assert added["kind"] == "emrex2" and len(added["keys"]) == 1 and len(added["keys"][0]) == 43  # RFC 7638
    code, out = _run(fed, "list", "--json")
    assert [c["client_id"] for c in json.loads(out)] == ["jobbnett", "uni-abroad"]
    code, out = _run(fed, "show", "jobbnett")
    assert code == 0 and "Contact: personvern@jobb.example.no" in out and "National id: no" in out
    code, out = _run(fed, "remove", "jobbnett", "--by", "ola")
    assert code == 0 and "Removed jobbnett" in out
    code, out = _run(fed, "list")
    assert "jobbnett" not in out and "uni-abroad" in out
    code, out = _run(fed, "list", "--removed")
    assert "jobbnett\temrex1\tJobbnett AS (removed)" in out
    code, out = _run(fed, "remove", "jobbnett")
    assert code == 1 and "ingen aktiv EMREX-klient jobbnett" in out
    db = Database(fed.settings.url_for("portal"))
    with db.read_session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action.like("emrex.%"))
                                 .order_by(AuditEvent.id)).all()
        assert [(e.action, e.actor) for e in events] == [
            ("emrex.client_added", "operator:ola"), ("emrex.client_added", events[1].actor),
            ("emrex.client_removed", "operator:ola")]
        # Its address is free again; its id stays taken (its transfers name it).
        now = datetime.now(UTC)
        clients.add_client(session, client_id="jobbnett-2", name="Jobbnett", kind="emrex1", urls=[RETURN],
                           contact_email="a@jobb.example.no", now=now, actor="t", production=True)
        with pytest.raises(EmrexRefused, match="registered already"):
            clients.add_client(session, client_id="jobbnett", name="J", kind="emrex1", urls=["https://j.example/r"],
                               contact_email="a@jobb.example.no", now=now, actor="t", production=True)
    db.dispose()


@pytest.mark.parametrize(("args", "message"), [
    (["Bad_Id", "--url", RETURN], "client id must be"),
    (["ok", "--url", "http://jobb.example.no/r"], "must use https"),
    (["ok", "--url", "https://jobb.example.no/a b"], "may hold only"),
    (["ok", "--url", "https://jobb.example.no/a;b"], "may hold only"),
    (["ok", "--url", "https://jobb.example.no:99999/r"], "cannot be read"),
    (["ok", "--url", RETURN, "--contact", "not-an-address"], "contact must be an e-mail"),
    (["ok", "--url", RETURN, "--kind", "emrex2"], "give its public key"),
    (["ok", "--url", RETURN, "--kind", "emrex3"], "kind must be one of"),
])
def test_refusals_say_what_is_wrong(fed, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    base = ["add", *args[:1], "--name", "X", *args[1:]]
    if "--contact" not in base:
        base += ["--contact", "dpo@x.example.no"]
    code, out = _run(fed, *base)
    assert code == 1 and message in " ".join(out.split()), out
    assert "Traceback" not in out


def test_a_key_file_with_a_private_key_is_refused(fed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    private = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "k.pem").write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    (tmp_path / "k.json").write_text(json.dumps({"keys": [{"kty": "EC", "kid": "1", "crv": "P-256", "x": "a",
                                                           "y": "b", "d": "secret"}]}))
    (tmp_path / "bad.json").write_text(json.dumps({"keys": [{"kty": "EC", "kid": "a"}]}))
    code, out = _run(fed, "add", "cc", "--kind", "emrex2", "--name", "C", "--url", RETURN, "--contact",
                     "a@b.example.no", "--key", str(tmp_path / "bad.json"))
    assert code == 1 and "cannot be read as a public EC key" in out, out
    for name in ("k.pem", "k.json"):
        code, out = _run(fed, "add", "cc", "--kind", "emrex2", "--name", "C", "--url", RETURN, "--contact",
                         "a@b.example.no", "--key", str(tmp_path / name))
        assert code == 1 and "private" in out, out


def test_only_an_active_clients_exact_address_is_answered(fed, sqlite_template) -> None:  # type: ignore[no-untyped-def]
    shutil.copyfile(sqlite_template, fed.settings.url_for("portal").removeprefix("sqlite:///"))
    db = Database(fed.settings.url_for("portal"))
    now = datetime.now(UTC)
    with db.session() as session:
        clients.add_client(session, client_id="jobbnett", name="Jobbnett", kind="emrex1",
                           urls=[RETURN, "http://localhost:8700/return"], contact_email="a@jobb.example.no", now=now,
                           actor="t", production=False)
    with db.session() as session:
        assert clients.client_for_url(session, "https://JOBB.example.no/emrex/return", production=False
                                      ).client_id == "jobbnett"
        for other in (RETURN + "/x", RETURN + "?next=https://evil.example", "https://jobb.example.no/emrex/",
                      "https://evil.example/emrex/return"):
            with pytest.raises(EmrexRefused, match="not the return address"):
                clients.client_for_url(session, other, production=False)
        # Registered while not in production; never answered in production.
        with pytest.raises(EmrexRefused, match="https"):
            clients.client_for_url(session, "http://localhost:8700/return", production=True)
        clients.remove_client(session, "jobbnett", now=now, actor="t")
        with pytest.raises(EmrexRefused):
            clients.client_for_url(session, RETURN, production=False)
    db.dispose()


def test_a_key_on_a_curve_jose_does_not_name_is_refused_in_words(fed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # review R24: a P-224 or Brainpool public key raised KeyError out of joserfc (a traceback for the operator)
    for curve in (ec.SECP224R1(), ec.BrainpoolP256R1()):
        (tmp_path / "k.pem").write_bytes(ec.generate_private_key(curve).public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        code, out = _run(fed, "add", "cc", "--kind", "emrex2", "--name", "C", "--url", RETURN, "--contact",
                         "a@b.example.no", "--key", str(tmp_path / "k.pem"))
        assert code == 1 and f"på kurven {curve.name}" in " ".join(out.split()), out
