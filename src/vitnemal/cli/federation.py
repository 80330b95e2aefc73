"""``vitnemal federation``: make and inspect the (demo) federation."""

from __future__ import annotations

import json
from typing import Any

import typer

from vitnemal.cli import federation_members
from vitnemal.cli.common import (
    fail,
    refuse,
)
from vitnemal.i18n import P_

app = typer.Typer(help="The federation: institutions, their nodes and keys, the operator's changes and the demo data.",
                  no_args_is_help=True)


@app.command()
def generate(
    seed: int = typer.Option(2014, help="Seed: the same seed gives the same institutions, people and results."),
    people: int = typer.Option(3000, min=0, help="People in the federation (the scripted scenario people count)."),
    institutions: int | None = typer.Option(None, min=1, help="Limit the number of institutions (at least 5)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing federation at VITNEMAL_HOME."),
) -> None:
    """Make the demo federation at VITNEMAL_HOME (default var/federation): registry, keys, one database per
    institution, case workers' API tokens and example people per scenario."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from vitnemal.config import Settings
    from vitnemal.demo import FederationExists, generate_federation

    settings = Settings.from_env()
    console = Console(soft_wrap=True)  # paths stay on one line, so they can be copied
    columns = (TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("Planlegger føderasjonen", total=None)

            def report(stage: str, done: int, total: int) -> None:
                progress.update(task, description=stage, completed=done, total=total)

            summary = generate_federation(settings, seed=seed, people=people, institutions=institutions,
                                          progress=report, force=force)
    except FederationExists as exc:
        raise fail(str(exc)) from None
    except ValueError as exc:
        raise refuse(P_("cli", "Cannot generate: %(reason)s"), reason=exc) from None
    console.print(f"[bold green]Federation generated[/] in {summary.seconds:.1f} s at {summary.home}")
    console.print(f"  {summary.institutions} institutions ({len(summary.reserved)} reserved: "
                  f"{', '.join(summary.reserved)}; {len(summary.not_sharing)} not sharing: "
                  f"{', '.join(summary.not_sharing)})")
    console.print(f"  {summary.people} people, {summary.person_records} person records, {summary.results} results, "
                  f"{summary.qualifications} qualifications (seed {summary.seed})")
    console.print(f"  Registry:    {summary.registry_path}")
    console.print(f"  Credentials: {summary.credentials_path} (case workers' API tokens, keep private)")
    console.print(f"  Scenarios:   {summary.scenarios_path}")
    tp = summary.scenarios.get("test_person_1", {})
    if tp:
        console.print(f"  Try: {tp['name']} {tp['national_id']} fetched by {tp['fetch_from']} "
                      f"({tp.get('course', '')})")


def _status(settings: Any) -> list[dict[str, Any]]:
    from sqlalchemy import func, select

    from vitnemal.db import Database
    from vitnemal.identity.models import Person
    from vitnemal.institutions.registry import Registry
    from vitnemal.records.models import ExchangeSettings

    rows = []
    for entry in Registry.load(settings.registry_path):
        if not entry.answers and not entry.withdrawn:  # the portal (and other requesters) have no node or records
            continue
        row: dict[str, Any] = {"code": entry.code, "short_name": entry.short_name, "name": entry.name_nb,
                               "shares": None, "reserved": None, "people": None, "node_url": entry.node_url,
                               "withdrawn_at": entry.withdrawn_at}
        if entry.withdrawn:  # taken out: listed for its name, its records are no longer asked
            rows.append(row)
            continue
        db = Database(settings.url_for(entry.code))
        try:
            with db.read_session() as session:
                es = session.scalar(select(ExchangeSettings).order_by(ExchangeSettings.id))
                if es is not None:
                    row["shares"], row["reserved"] = es.module_active, es.reserved
                row["people"] = session.scalar(select(func.count(Person.id)))
        except Exception as exc:  # a member whose database is missing is still listed, with the reason
            row["error"] = str(exc).splitlines()[0]
        finally:
            db.dispose()
        rows.append(row)
    return rows


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the members: code, name, whether they share, whether they are reserved, people in their records."""
    from rich.console import Console
    from rich.table import Table

    from vitnemal.config import Settings

    settings = Settings.from_env()
    try:
        rows = _status(settings)
    except FileNotFoundError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return

    def yes_no(value: bool | None) -> str:
        return "?" if value is None else ("ja" if value else "nei")

    table = Table(title=f"Føderasjonen i {settings.home} ({len(rows)} institusjoner)")
    for column in ("Kode", "Kortnavn", "Navn", "Deler", "Reservert", "Personer"):
        table.add_column(column, justify="right" if column in ("Kode", "Personer") else "left")
    for row in rows:
        shares = "tatt ut" if row["withdrawn_at"] else yes_no(row["shares"])
        table.add_row(row["code"], row["short_name"], row["name"], shares, yes_no(row["reserved"]),
                      "?" if row["people"] is None else str(row["people"]))
    Console().print(table)


federation_members.add_commands(app)
