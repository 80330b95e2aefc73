"""``vitnemal id``: national identity numbers."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperCommand

app = typer.Typer(
    help="National identity numbers (fødselsnummer, D-, H- and test numbers).", no_args_is_help=True
)

class _NumberCommand(TyperCommand):
    """``check`` reads its NUMBER words from the context's extra arguments: typer coerces every typed parameter
    through pydantic, whose import alone took about as long as the rest of this command's start-up."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [*super().collect_usage_pieces(ctx), "NUMBER..."]


@app.command("check", cls=_NumberCommand, context_settings={"allow_extra_args": True})
def check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="<nb|nn|en>", envvar="VITNEMAL_LANG",
                                             show_default="nb", help="Language of what is printed: nb, nn or en."
                                             )] = None,
) -> None:
    """Check a national identity number: exit 0 if valid (prints kind, series, birth date), 1 if not.

    NUMBER is the 11-digit number; spaces are allowed, also unquoted (015361 12185).

    The first check digit may follow Skatteetaten's 2032 rule (computed with remainder 0, 1, 2 or 3), whatever the
    date: such numbers can be issued before 2032. The second is always strict. --json says which rule (k1_rule,
    k1_remainder).
    """
    from vitnemal.cli.id_check import LANGS, language
    from vitnemal.cli.id_check import check as check_number

    said = language(lang)
    if said is None:
        raise typer.BadParameter(f"{lang!r} is not one of {', '.join(LANGS)}", param_hint="--lang")

    if not ctx.args:
        raise typer.BadParameter("give the 11-digit number, e.g. vitnemal id check 015361 12185",
                                 param_hint="NUMBER")
    code = check_number(ctx.args, as_json, said)
    if code:
        raise typer.Exit(code)
