"""The operator's ``vitnemal federation`` commands: register, show, rotate-key, retire-key, take-out, test, log.

Each change goes through :mod:`vitnemal.federation.membership` (registry.json under its lock) and is recorded in
the operator's log (audit events in the web database, ``settings.url_for("portal")``) with the operator's user
name. Running nodes and requesters read the changed registry without a restart.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from vitnemal.cli.common import (
    BY,
    HOME,
    JSON,
    actor,
    fail,
    refuse,
    settings_for,
    web_session,
)
from vitnemal.i18n import P_

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from vitnemal.config import Settings
    from vitnemal.institutions.exchange_keys import PublicJwk
    from vitnemal.institutions.registry import InstitutionEntry

KEY = typer.Option(None, "--key", help="The institution's public key (PEM or JWK file, EC P-256; at most 8 KiB).",
                   exists=True, dir_okay=False, readable=True)
GENERATE = typer.Option(False, "--generate-key",
                        help="Make the key pair here instead (its private key goes to <home>/keys/<code>.pem, for a "
                             "node this host serves, as in the demo).")


def _operator(settings: Settings) -> AbstractContextManager[Session]:
    """The operator's log (the web database, made or upgraded first); an operator's mistake ends as a message."""
    from vitnemal.federation.rules import MembershipError

    return web_session(settings, errors=(MembershipError, LookupError, FileNotFoundError))


def _public_key(key: Path | None, generate: bool) -> tuple[PublicJwk, Any]:
    """(public JWK, private key to install here or None) from ``--key`` or ``--generate-key``."""
    from vitnemal.federation.rules import MAX_KEY_BYTES, MembershipError, parse_public_key
    from vitnemal.institutions.exchange_keys import generate_key, public_jwk

    if (key is None) == (not generate):
        raise refuse(P_("cli", "Give the institution's public key with --key FILE, or --generate-key to make one "
                               "here."))
    if generate:
        private = generate_key()
        return public_jwk(private), private
    assert key is not None
    with key.open("rb") as handle:
        data = handle.read(MAX_KEY_BYTES + 1)  # never more than the limit is read into memory
    try:
        return parse_public_key(data), None
    except MembershipError as exc:
        raise fail(f"{key}: {exc}") from None


def _install(settings: Settings, code: str, private: Any) -> None:
    from vitnemal.institutions.exchange_keys import save_private_key

    if private is not None:
        save_private_key(private, settings.keys_dir / f"{code}.pem")


def _entry_json(entry: InstitutionEntry, now: datetime) -> dict[str, Any]:
    from vitnemal.federation.rules import thumbprint

    return {"code": entry.code, "name": entry.name_nb, "name_en": entry.name_en, "short_name": entry.short_name,
            "kind": str(entry.kind), "endpoint": entry.node_url,
            "key": thumbprint(entry.public_jwk) if entry.public_jwk else None,
            "previous_keys": [{"key": thumbprint(p["jwk"]), "accepted_until": p["until"],
                               "accepted": datetime.fromisoformat(p["until"]) > now} for p in entry.previous_keys],
            "withdrawn_at": entry.withdrawn_at}


def _print_entry(entry: InstitutionEntry, now: datetime, as_json: bool) -> None:
    from vitnemal.i18n import show_time

    data = _entry_json(entry, now)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    typer.echo(f"{entry.code} {entry.name_nb} ({entry.short_name}, {entry.name_en}), {entry.kind}")
    typer.echo(f"  Endepunkt:  {entry.node_url or '(ingen node)'}")
    typer.echo(f"  Nøkkel:     {data['key']}")
    for previous in entry.previous_keys:
        until = datetime.fromisoformat(previous["until"])
        state = "godtas til" if until > now else "utløpt"
        typer.echo(f"  Forrige:    {data['previous_keys'][0]['key']} ({state} {show_time(until)})")
    if entry.withdrawn_at:
        typer.echo(f"  Tatt ut:    {show_time(datetime.fromisoformat(entry.withdrawn_at))} (navnet beholdes for "
                   "historikken; forespørsler avvises)")


def _change(do: Callable[[Session, Settings, datetime], InstitutionEntry], after: str, as_json: bool,
            home: Path | None) -> None:
    settings = settings_for(home)
    now = datetime.now(UTC)
    with _operator(settings) as session:
        entry = do(session, settings, now)
    _print_entry(entry, now, as_json)
    if not as_json:
        typer.echo(after.format(code=entry.code))


def register(
    code: str = typer.Argument(..., help="Institusjonsnummer, e.g. 185."),
    name: str = typer.Option(..., "--name", help="The institution's name in Norwegian (at most 200 characters)."),
    name_en: str = typer.Option(..., "--name-en", help="Its name in English."),
    short_name: str = typer.Option(..., "--short-name", help="Its short name, e.g. UiO (at most 40)."),
    endpoint: str = typer.Option(..., "--endpoint", help="Its node's base URL (at most 300 characters), e.g. "
                                 "https://fs.example.no/nodes/185; https only in production."),
    key: Path | None = KEY,
    generate_key: bool = GENERATE,
    as_json: bool = JSON,
    home: Path | None = HOME,
    by: str | None = BY,
) -> None:
    """Register an institution in the federation: every order asks its node from now on."""
    from vitnemal.federation import membership

    public, private = _public_key(key, generate_key)

    def do(session: Session, settings: Settings, now: datetime) -> InstitutionEntry:
        entry = membership.register(session, settings.registry_path, code=code, name_nb=name, name_en=name_en,
                                    short_name=short_name, endpoint=endpoint, public_jwk=public, actor=actor(by),
                                    now=now, require_https=settings.production)
        _install(settings, entry.code, private)
        return entry

    _change(do, "Registrert. Test forbindelsen: vitnemal federation test {code}", as_json, home)


def show(code: str = typer.Argument(..., help="The member's code."), as_json: bool = JSON,
         home: Path | None = HOME) -> None:
    """Show one member: endpoint, key (thumbprint), a previous key still accepted, taken out or not."""
    from vitnemal.institutions.registry import Registry

    settings = settings_for(home)
    try:
        entry = Registry.load(settings.registry_path).get(code)
    except (LookupError, FileNotFoundError) as exc:
        raise fail(str(exc).strip("'\"")) from None
    _print_entry(entry, datetime.now(UTC), as_json)


def rotate_key(
    code: str = typer.Argument(..., help="The member's code."),
    key: Path | None = KEY,
    generate_key: bool = GENERATE,
    overlap: str = typer.Option("1d", "--overlap", help="How long the old key stays accepted: 90m, 12h, 7d (1 "
                                "minute to 30 days)."),
    as_json: bool = JSON,
    home: Path | None = HOME,
    by: str | None = BY,
) -> None:
    """Give a member a new key without downtime: the old key stays accepted during the overlap, then is retired."""
    from vitnemal.federation import membership
    from vitnemal.federation.rules import MembershipError, parse_overlap

    try:
        span = parse_overlap(overlap)
    except MembershipError as exc:
        raise fail(str(exc)) from None
    public, private = _public_key(key, generate_key)

    def do(session: Session, settings: Settings, now: datetime) -> InstitutionEntry:
        entry = membership.rotate_key(session, settings.registry_path, code=code, public_jwk=public, overlap=span,
                                      actor=actor(by), now=now)
        # Only now, with both keys accepted everywhere, does this host start signing with the new one.
        _install(settings, entry.code, private)
        return entry

    _change(do, "Begge nøklene godtas i overlappen. Trekk den gamle tilbake når alle bruker den nye: "
                "vitnemal federation retire-key {code}", as_json, home)


def retire_key(code: str = typer.Argument(..., help="The member's code."), as_json: bool = JSON,
               home: Path | None = HOME, by: str | None = BY) -> None:
    """End a key rotation's overlap now: only the member's new key is accepted."""
    from vitnemal.federation import membership

    def do(session: Session, settings: Settings, now: datetime) -> InstitutionEntry:
        return membership.retire_previous_key(session, settings.registry_path, code=code, actor=actor(by), now=now)

    _change(do, "Den forrige nøkkelen er trukket tilbake; bare den nye godtas.", as_json, home)


def take_out(
    code: str = typer.Argument(..., help="The member's code."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the operator's log; at most 500 characters)."),
    yes: bool = typer.Option(False, "--yes", help="Do it without asking."),
    as_json: bool = JSON,
    home: Path | None = HOME,
    by: str | None = BY,
) -> None:
    """Take a member out: it is asked no more and its requests are refused; its name stays for the history."""
    from vitnemal.federation import membership

    if not yes and not typer.confirm(f"Ta {code} ut av føderasjonen? Forespørsler fra den avvises fra nå av"):
        raise typer.Exit(1)

    def do(session: Session, settings: Settings, now: datetime) -> InstitutionEntry:
        return membership.take_out(session, settings.registry_path, code=code, reason=reason, actor=actor(by),
                                   now=now)

    _change(do, "Tatt ut. Tidligere bestillinger og resultater viser fortsatt navnet.", as_json, home)


def add_commands(app: typer.Typer) -> None:
    app.command("register")(register)
    app.command("show")(show)
    app.command("rotate-key")(rotate_key)
    app.command("retire-key")(retire_key)
    app.command("take-out")(take_out)
    from vitnemal.cli.federation_test import log, test

    app.command("test")(test)
    app.command("log")(log)

