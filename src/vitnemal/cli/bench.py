"""``vitnemal bench``: benchmarks that print their figures as JSON.

Each command delegates to the ``bench`` module of its domain package, which returns a dict of figures.
"""

from __future__ import annotations

import json

import typer

app = typer.Typer(help="Benchmarks; each prints one JSON object of figures.", no_args_is_help=True)


def _emit(figures: dict[str, object], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(figures))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("figure", "value")
    for key, value in figures.items():
        table.add_row(key, str(value))
    Console().print(table)


@app.command("school")
def school(
    pupils: int = typer.Option(60_000, help="Pupils in the generated county file."),
    certificates: int = typer.Option(200, help="Certificates to render and sign."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Admission points for a county from CSV, and certificates rendered and signed per second."""
    from vitnemal.school.bench import run_benchmark

    _emit(run_benchmark(pupils=pupils, certificates=certificates), as_json)
