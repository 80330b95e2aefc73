"""``vitnemal id``: national identity numbers."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperCommand

app = typer.Typer(
    help="National identity numbers (fødselsnummer, D-, H- and test numbers).", no_args_is_help=True
)

_KIND_LABELS = {"fodselsnummer": "fødselsnummer", "d_number": "D-nummer", "h_number": "H-nummer"}
_SERIES_LABELS = {
    "ordinary": "",
    "synthetic": "synthetic test series, Skatteetaten/Tenor (month + 80)",
    "fs_test": "FS/Samordna opptak series (month + 50)",
}
_GENDER_LABELS = {"female": "female", "male": "male", None: "gender not encoded"}


class _NumberCommand(TyperCommand):
    """``check`` reads its NUMBER words from the context's extra arguments: typer coerces every typed parameter
    through pydantic, whose import alone took about as long as the rest of this command's start-up."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [*super().collect_usage_pieces(ctx), "NUMBER..."]


@app.command("check", cls=_NumberCommand, context_settings={"allow_extra_args": True})
def check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
) -> None:
    """Check a national identity number: exit 0 if valid (prints kind, series, birth date), 1 if not.

    NUMBER is the 11-digit number; spaces are allowed, also unquoted (015361 12185).

    The first check digit may follow Skatteetaten's 2032 rule (computed with remainder 0, 1, 2 or 3), whatever the
    date: such numbers can be issued before 2032. The second is always strict. --json says which rule (k1_rule,
    k1_remainder).
    """
    # Plain click output, not Rich: importing Rich's console took a third of this command's start-up.
    import json

    from vitnemal.identity.national_id import InvalidNationalId, parse_national_id

    if not ctx.args:
        raise typer.BadParameter("give the 11-digit number, e.g. vitnemal id check 015361 12185",
                                 param_hint="NUMBER")
    text = " ".join(ctx.args)
    try:
        nid = parse_national_id(text)
    except InvalidNationalId as exc:
        if as_json:
            error = {"valid": False, "error": exc.code, "message": exc.message}
            typer.echo(json.dumps(error, ensure_ascii=False))
        else:
            typer.echo(f"{typer.style('✗', fg='red')} {text}: {exc.message} {typer.style(f'({exc.code})', dim=True)}",
                       err=True)
        raise typer.Exit(1) from None

    if as_json:
        payload = {
            "valid": True,
            "number": nid.number,
            "kind": nid.kind.value,
            "series": nid.series.value,
            "birth_date": nid.birth_date.isoformat(),
            "gender": nid.gender,
            "k1_rule": nid.k1_rule,
            "k1_remainder": nid.k1_remainder,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False))
        return
    series = _SERIES_LABELS[nid.series.value]
    typer.echo(f"{typer.style('✓', fg='green')} {nid.formatted}: valid {_KIND_LABELS[nid.kind.value]}"
               + (f" — {series}" if series else ""))
    typer.echo(f"  born {nid.birth_date.isoformat()}, {_GENDER_LABELS[nid.gender]}")
    if nid.k1_remainder:
        typer.echo(f"  first check digit by Skatteetaten's 2032 rule (remainder {nid.k1_remainder})")
