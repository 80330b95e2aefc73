"""The ``vitnemal`` command: one program that is both CLI and web app.

Sub-commands live in their own modules; heavy imports happen inside the commands so ``vitnemal --help`` stays fast.
"""

from __future__ import annotations

import typer

from vitnemal.cli import (
    bench,
    db,
    diplomas,
    exchange,
    federation,
    id,
    portal,
    programmes,
    recognition,
    records,
    school,
    serve,
    settings,
    staff,
    tokens,
    verify,
)

app = typer.Typer(
    name="vitnemal",
    help="Norwegian educational results: exchange between institutions, diplomas, verification.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(id.app, name="id")
app.add_typer(federation.app, name="federation")
app.add_typer(db.app, name="db")
app.add_typer(exchange.app, name="exchange")
app.add_typer(records.app, name="records")
app.add_typer(school.app, name="school")
app.add_typer(bench.app, name="bench")
app.add_typer(recognition.app, name="recognition")
app.add_typer(diplomas.app, name="diplomas")
app.add_typer(programmes.app, name="programmes")
app.add_typer(portal.app, name="portal")
app.add_typer(tokens.app, name="tokens")
app.add_typer(staff.app, name="staff")
serve.register(app)
settings.register(app)


def _plain_help(typer_app: typer.Typer) -> None:
    # Help as click prints it, not through Rich: importing Rich's renderer took more than half of `vitnemal --help`,
    # and Rich read "[default: …]" in help texts as markup and dropped it. Defaults and environment variables are
    # declared on the options (show_default=, envvar=) and printed by click.
    typer_app.rich_markup_mode = None
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _plain_help(group.typer_instance)


_plain_help(app)
verify.register(app)


def main() -> None:
    from vitnemal.schema import SchemaOutdated

    try:
        app()
    except SchemaOutdated as exc:
        typer.echo(str(exc), err=True)
        raise SystemExit(1) from None
