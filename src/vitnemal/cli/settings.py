"""``vitnemal settings``: the settings in force (from VITNEMAL_* variables), or the table of docs/settings.md."""

from __future__ import annotations

import typer


def settings_command(
    markdown: bool = typer.Option(False, "--markdown", help="Print the reference table of docs/settings.md."),
) -> None:
    """Show every setting: its variable, the value in force (secrets hidden) and what it does."""
    from dataclasses import fields

    from rich.console import Console
    from rich.table import Table

    from vitnemal.config import Settings, SettingsError, env_name, reference_markdown

    if markdown:
        typer.echo(reference_markdown(), nl=False)
        return
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    table = Table("variable", "value", "what it does", title="Settings in force (docs/settings.md)")
    for f in fields(settings):
        value = str(settings.environ()[env_name(f.name)])
        if f.metadata["secret"]:
            value = "(set, hidden)" if value else ""
        table.add_row(env_name(f.name), value, f.metadata["doc"])
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("settings")(settings_command)
