"""``vitnemal db``: the institution databases' schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from vitnemal.config import Settings

app = typer.Typer(help="The institutions' databases: schema upgrades.", no_args_is_help=True)


def upgrade_federation(settings: Settings, institutions: list[str] | None = None, quiet: bool = False,
                       broken: dict[str, str] | None = None) -> int:
    """Bring every (or each given) institution's database to the newest schema; return how many were upgraded.

    With ``broken`` a database that cannot be read is recorded there (code: reason) and the others go on;
    without it the first such database stops the upgrade with its error.
    """
    from rich.progress import Progress
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    from vitnemal.db import Database
    from vitnemal.institutions.registry import Registry
    from vitnemal.schema import current_revision, head_revision, upgrade

    codes = institutions or Registry.load(settings.registry_path).hosted_codes()
    upgraded = 0
    with Progress(disable=quiet, transient=True) as progress:
        task = progress.add_task("Upgrading databases", total=len(codes))
        for code in codes:
            url = settings.url_for(code)
            engine = create_engine(url)
            try:
                behind = current_revision(engine) != head_revision()
                if behind:
                    upgrade(url)
                    upgraded += 1
            except DBAPIError as exc:
                if broken is None:
                    raise
                broken[code] = f"the database {Database(url).label} cannot be read ({exc.orig})"
            finally:
                engine.dispose()
            progress.advance(task)
    return upgraded


@app.command("upgrade")
def upgrade_command(
    institution: list[str] | None = typer.Option(None, "--institution", "-i",
                                                 help="Only these institutions.",
                                                 show_default="every one in the registry"),
) -> None:
    """Upgrade the databases to this version's schema with the Alembic migrations; all data is kept."""
    from vitnemal.config import Settings
    from vitnemal.schema import head_revision
    from vitnemal.web.pages import upgrade_web_database

    settings = Settings.from_env()
    broken: dict[str, str] = {}
    count = upgrade_federation(settings, institution, broken=broken)
    count += 0 if institution else upgrade_web_database(settings)
    for code, reason in broken.items():
        typer.echo(f"Institution {code}: {reason}. Restore it from a backup, then run this again.", err=True)
    if broken:
        typer.echo(f"{count} database(s) upgraded; {len(broken)} could not be read.", err=True)
        raise typer.Exit(1)
    typer.echo(f"{count} database(s) upgraded; all are at revision {head_revision()}.")
