"""``vitnemal school``: lower-secondary certificates and admission points.

Exit codes: 0 when every row was valid, 1 when some rows were rejected (the good rows are still processed and
the rejected ones listed on stderr with their line or item number), 2 on a usage error (missing file, bad
option, a file that cannot be read as CSV or JSON at all).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from vitnemal.cli.common import Language, parse_date

if TYPE_CHECKING:
    from vitnemal.school.service import Rejected

app = typer.Typer(help="Lower-secondary school leaving certificates and admission points.", no_args_is_help=True)

USAGE_ERROR = 2
# Files larger than this get a progress bar on stderr.
PROGRESS_FROM_BYTES = 256 * 1024

PupilFileArgument = Annotated[
    Path,
    typer.Argument(
        exists=True,
        dir_okay=False,
        readable=True,
        metavar="FILE",
        help="Pupils as CSV or JSON (see docs/school.md).",
        show_default=False,
    ),
]


@contextmanager
def _progress(path: Path, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a progress callback drawing a Rich bar on stderr for large files, or None for small ones."""
    if path.stat().st_size < PROGRESS_FROM_BYTES:
        yield None
        return
    with _progress_always(label) as update:
        yield update


@contextmanager
def _progress_always(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a progress callback drawing a Rich bar on stderr (shown only on a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _report_rejected(rejected: list[Rejected], accepted: int, total: int | None = None) -> None:
    """List the rejected rows on stderr; ``total`` counts them all when only the first ones were kept."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    for row in rejected:
        who = f" (id {row.pupil_id})" if row.pupil_id else ""
        console.print(f"[red]rejected[/red] {escape(row.location)}{escape(who)}:")
        for problem in row.problems:
            console.print(f"  - {escape(problem)}")
    total = len(rejected) if total is None else total
    if total > len(rejected):
        console.print(f"... and {total - len(rejected)} more rejected rows (only the first {len(rejected)} are listed)")
    if total:
        console.print(f"{accepted} pupils accepted, [red]{total} rejected[/red]")


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(USAGE_ERROR)


@app.command("points")
def points(
    file: PupilFileArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list: id, points and the working.")] = False,
    ranked_out: Annotated[
        Path | None,
        typer.Option("--ranked-out", metavar="FILE.csv|FILE.json", help="Also write the ranked list here."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No line per pupil: only the ranked list and the rejected rows.")
    ] = False,
) -> None:
    """Compute every pupil's admission points (inntakspoeng) with the working, and optionally the ranked list.

    The file is read as a stream and the ranked list sorted on disk, so any size fits in bounded memory.
    """
    from vitnemal.school.batch import json_list, run_points, temporary_work
    from vitnemal.school.export import RANKING_SUFFIXES, points_records, spool_record, spool_text, write_run_ranking
    from vitnemal.school.importer import InputFileError

    if ranked_out is not None and ranked_out.suffix.casefold() not in RANKING_SUFFIXES:
        raise typer.BadParameter("the ranked list is written as .csv or .json", param_hint="--ranked-out")
    with temporary_work() as work:
        try:
            with _progress(file, "inntakspoeng") as progress:
                spool = spool_record if as_json else None if quiet else spool_text
                run = run_points(file, Path(work), spool=spool, ranked=ranked_out is not None, progress=progress)
        except InputFileError as exc:
            raise _usage_error(str(exc)) from None
        if as_json:
            for chunk in json_list(points_records(run)):
                typer.echo(chunk, nl=False)
            typer.echo()
        else:
            for _, line in run.spooled():
                typer.echo(line)
        if ranked_out is not None:
            written = write_run_ranking(ranked_out, run)
            typer.echo(f"ranked list of {written} pupils written to {ranked_out}", err=True)
    _report_rejected(run.rejected, run.accepted, run.rejected_count)
    if run.rejected_count:
        raise typer.Exit(1)


@app.command("certificate")
def certificate(
    file: PupilFileArgument,
    out: Annotated[
        Path, typer.Option("--out", file_okay=False, help="Directory for the PDFs (one per pupil, <id>.pdf).")
    ],
    lang: Annotated[Language, typer.Option("--lang", help="Language of the certificate.")] = "nb",
    key: Annotated[
        Path | None, typer.Option("--key", exists=True, dir_okay=False, help="Signing key (PEM) of your own.")
    ] = None,
    cert: Annotated[
        Path | None, typer.Option("--cert", exists=True, dir_okay=False, help="Its certificate (PEM).")
    ] = None,
    chain: Annotated[
        list[Path] | None,
        typer.Option("--chain", exists=True, dir_okay=False, help="Issuing CA certificate(s) to embed; repeatable."),
    ] = None,
    pkcs11_lib: Annotated[
        str | None,
        typer.Option(help="PKCS#11 module of a token holding the key, e.g. /usr/lib/softhsm/libsofthsm2.so; "
                     "PIN from VITNEMAL_PKCS11_PIN; needs --pkcs11-key and --cert."),
    ] = None,
    pkcs11_key: Annotated[str | None, typer.Option(help="Label of the key on the token.")] = None,
    pkcs11_token: Annotated[str | None, typer.Option(help="Label of the token.")] = None,
    workers: Annotated[
        int, typer.Option(min=0, max=16, help="Processes that render and sign; 0: one per core for large files.")
    ] = 0,
    place: Annotated[str | None, typer.Option(help="Place printed where a pupil has none.")] = None,
    issued: Annotated[
        str | None, typer.Option("--date", help="Date (YYYY-MM-DD) printed where a pupil has none. Default: today.")
    ] = None,
) -> None:
    """Render every valid pupil's certificate as a signed, recorded PDF/A in bokmål, nynorsk or English.

    Certificates are issued only for schools in the school registry ($VITNEMAL_HOME/schools.json; see
    `vitnemal school register`). Without --key/--cert each school signs with a key from the local CA under the
    settings home ($VITNEMAL_HOME/ca, created on first use).
    """

    from vitnemal.config import Settings
    from vitnemal.school.importer import InputFileError
    from vitnemal.school.issue import SignerConfig, issue_certificates
    from vitnemal.school.registry import SchoolRegistry, registry_path
    from vitnemal.signing.pdf import SigningError

    if pkcs11_lib is not None:
        if key is not None or cert is None or pkcs11_key is None:
            raise typer.BadParameter("a key on a token needs --pkcs11-key (its label) and --cert, and no --key",
                                     param_hint="--pkcs11-lib")
    elif (key is None) != (cert is None):
        raise typer.BadParameter("give both --key and --cert, or neither", param_hint="--key/--cert")
    issued_on = parse_date(issued, "--date")
    settings = Settings.from_env()
    try:
        registry = SchoolRegistry.load(registry_path(settings.home))
    except (ValueError, KeyError, TypeError) as exc:
        raise _usage_error(f"the school registry {registry_path(settings.home)} cannot be read: {exc}") from None
    if not len(registry):
        raise _usage_error(
            f"no school is registered in {registry_path(settings.home)}: register the school first with "
            "`vitnemal school register ORGANISATION_NUMBER NAME --municipality M`"
        )
    config = SignerConfig(
        registry, ca_dir=settings.home / "ca" if cert is None else None, key=key, cert=cert,
        chain=tuple(chain or ()), pkcs11_lib=pkcs11_lib, pkcs11_key=pkcs11_key, pkcs11_token=pkcs11_token,
        pkcs11_pin=settings.pkcs11_pin or None,
    )
    if cert is not None:
        try:  # fail here, with a clear message, rather than in a worker
            config.signers().close()
        except SigningError as exc:
            raise _usage_error(str(exc)) from None
    try:
        with _progress_always("vitnemål") as progress:
            report = issue_certificates(
                file, out, lang, config, settings, place=place, issued_on=issued_on, progress=progress,
                workers=workers or _automatic_workers(file),
            )
    except InputFileError as exc:
        raise _usage_error(str(exc)) from None
    typer.echo(f"{len(report.written)} certificates written to {out}")
    _report_rejected(report.rejected, len(report.written))
    if report.rejected:
        raise typer.Exit(1)


def _automatic_workers(file: Path) -> int:
    """One process for a small file (starting workers costs more than they save), else one per core, up to 4."""
    import os

    return 1 if file.stat().st_size < 32 * 1024 else max(1, min(4, os.cpu_count() or 1))


@app.command("register")
def register(
    organisation_number: Annotated[str, typer.Argument(help="The school's organisation number (nine digits).")],
    name: Annotated[str, typer.Argument(help="The school's name, as printed on its certificates.")],
    municipality: Annotated[str, typer.Option("--municipality", help="The school's municipality.")] = "",
) -> None:
    """Register a school in the school registry, so that it may issue signed certificates."""
    from vitnemal.config import Settings
    from vitnemal.school.registry import SchoolEntry, register_schools, registry_path

    try:
        entry = SchoolEntry(organisation_number.strip(), " ".join(name.split()), municipality.strip())
    except ValueError as exc:
        raise _usage_error(str(exc)) from None
    home = Settings.from_env().home
    register_schools(home, [entry])
    typer.echo(f"registered {entry.name} ({entry.organisation_number}) in {registry_path(home)}")


@app.command("schools")
def schools(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List the registered schools."""
    from dataclasses import asdict

    from vitnemal.config import Settings
    from vitnemal.school.registry import SchoolRegistry, registry_path

    registry = SchoolRegistry.load(registry_path(Settings.from_env().home))
    if as_json:
        typer.echo(json.dumps([asdict(e) for e in registry], ensure_ascii=False))
        return
    if not len(registry):
        typer.echo("no schools registered (vitnemal school register ORGANISATION_NUMBER NAME)")
    for entry in registry:
        typer.echo(f"{entry.organisation_number}  {entry.name}  {entry.municipality}")
