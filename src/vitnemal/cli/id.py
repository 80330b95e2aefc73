"""``vitnemal id``: national identity numbers."""

from __future__ import annotations

from typing import Annotated

import typer

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


@app.command("check")
def check(
    number: Annotated[
        list[str],
        typer.Argument(
            metavar="NUMBER",
            help="The 11-digit number; spaces are allowed, also unquoted (015361 12185).",
            show_default=False,
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
) -> None:
    """Check a national identity number: exit 0 if valid (prints kind, series, birth date), 1 if not.

    The first check digit may follow Skatteetaten's 2032 rule (computed with remainder 0, 1, 2 or 3), whatever the
    date: such numbers can be issued before 2032. The second is always strict. --json says which rule (k1_rule,
    k1_remainder).
    """
    import json

    from rich.console import Console
    from rich.markup import escape

    from vitnemal.identity.national_id import InvalidNationalId, parse_national_id

    text = " ".join(number)
    try:
        nid = parse_national_id(text)
    except InvalidNationalId as exc:
        if as_json:
            error = {"valid": False, "error": exc.code, "message": exc.message}
            typer.echo(json.dumps(error, ensure_ascii=False))
        else:
            Console(stderr=True, highlight=False).print(
                f"[red]✗[/red] {escape(text)}: {escape(exc.message)} [dim]({exc.code})[/dim]", soft_wrap=True
            )
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
    console = Console(highlight=False)
    console.print(
        f"[green]✓[/green] {nid.formatted}: valid {_KIND_LABELS[nid.kind.value]}"
        + (f" — {series}" if series else ""),
        soft_wrap=True,
    )
    console.print(f"  born {nid.birth_date.isoformat()}, {_GENDER_LABELS[nid.gender]}", soft_wrap=True)
    if nid.k1_remainder:
        console.print(f"  first check digit by Skatteetaten's 2032 rule (remainder {nid.k1_remainder})",
                      soft_wrap=True)
