"""``vitnemal verify FILE``: is this signed document genuine?

Exit status: 0 genuine, 1 not genuine (the reason is printed), 2 not readable (no such file, or not a PDF).
By default the federation CA at ``$VITNEMAL_HOME/ca/ca.pem`` is trusted; ``--trust CA.pem`` names others. When the
issuing institution's records are on this machine (the demo federation), the document id is checked against them.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from vitnemal.config import Settings
    from vitnemal.diplomas.verify import VerificationReport

MAX_FILE_BYTES = 50 * 1024 * 1024


def _record_opener(settings: Settings):  # type: ignore[no-untyped-def]
    """Return ``open_session(code)`` for the institutions whose databases exist under ``settings``."""
    from contextlib import contextmanager

    from vitnemal.db import Database, is_sqlite

    @contextmanager
    def session_of(url: str):  # type: ignore[no-untyped-def]
        db = Database(url)
        try:
            with db.read_session() as session:
                yield session
        finally:
            db.dispose()

    def open_session(code: str) -> AbstractContextManager[Session] | None:
        url = settings.url_for(code)
        if is_sqlite(url) and not Path(url.removeprefix("sqlite:///")).exists():
            return None  # never create an empty database just to look in it
        return session_of(url)

    return open_session


def _locator(settings: Settings):  # type: ignore[no-untyped-def]
    """Return ``locate(document_id)``: the code of the institution here whose record holds the id, or None."""
    from vitnemal.diplomas.verify import locate_document
    from vitnemal.institutions.registry import Registry

    opener = _record_opener(settings)

    def codes() -> list[str]:
        from vitnemal.school.registry import SchoolRegistry, registry_path

        found = Registry.load(settings.registry_path).codes() if settings.registry_path.exists() else []
        # Schools keep their issuing records under their organisation numbers.
        return found + [s.organisation_number for s in SchoolRegistry.load(registry_path(settings.home))]

    def locate(document_id: str) -> str | None:
        for code in codes():
            opened = opener(code)
            if opened is None:
                continue
            with opened as session:
                if locate_document(session, document_id):
                    return code
        return None

    return locate


def _print_report(report: VerificationReport, path: Path) -> None:
    check = report.document
    verdict = "GENUINE" if report.genuine else f"NOT GENUINE ({check.reason}): {check.message}"
    typer.echo(f"{path}: {verdict}")
    for text, ok in check.checks():
        typer.echo(f"  [{'ok' if ok else 'FAIL'}] {text}")
    for problem in check.problems[1:]:
        typer.echo(f"  also ({problem.reason}): {problem.message}")
    if check.signer is not None:
        signer = check.signer
        who = signer.organization or signer.common_name
        code = f" (institution {signer.institution_code})" if signer.institution_code else ""
        typer.echo(f"Signed by: {who}{code}: {signer.subject}")
        typer.echo(f"  {check.issued_by}")
        typer.echo(f"  certificate issued by {signer.issuer}, serial {signer.serial_number}")
    if check.signing_time is not None:
        typer.echo(f"Signing time: {check.signing_time.isoformat()} (as the signer states it; no timestamp)")
    typer.echo(f"SHA-256: {check.sha256}")
    if check.document_id:
        typer.echo(f"Document id: {check.document_id}")
    record = report.record
    if not check.readable:
        return
    line = f"Issuing record: {record.note}"
    if record.known and record.issued_at:
        line += f"; issued {record.issued_at.isoformat()} ({record.kind})"
    typer.echo(line)
    for warning in report.warnings:
        typer.echo(f"Note: {warning}")


def check_readable(report: VerificationReport) -> bool:
    return report.document.readable


def register(app: typer.Typer) -> None:
    """Add the ``verify`` command to the top-level app."""

    @app.command("verify")
    def verify(
        file: Path = typer.Argument(..., help="The signed PDF to check."),
        trust: list[Path] = typer.Option(
            [], "--trust", help="A CA certificate (PEM) to trust; repeat for more. Default: the federation CA."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
    ) -> None:
        """Check a signed document: exit 0 genuine, 1 not genuine (with the reason), 2 not readable."""
        from sqlalchemy.exc import SQLAlchemyError

        from vitnemal.config import Settings
        from vitnemal.diplomas.keys import federation_ca_cert
        from vitnemal.diplomas.verify import verify_document

        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                typer.echo(f"{file}: not readable: larger than {MAX_FILE_BYTES // 2**20} MiB", err=True)
                raise typer.Exit(2)
            pdf = file.read_bytes()
        except OSError as exc:
            typer.echo(f"{file}: not readable: {exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None
        settings = Settings.from_env()
        roots = list(trust)
        if not roots:
            default = federation_ca_cert(settings)
            roots = [default] if default is not None else []
        for root in roots:
            if not root.is_file():
                typer.echo(f"--trust {root}: no such file; give a CA certificate in PEM format", err=True)
                raise typer.Exit(2)
        try:
            report = verify_document(pdf, roots, _record_opener(settings), _locator(settings))
        except ValueError as exc:  # a --trust file that is not a PEM certificate
            typer.echo(f"cannot read the trusted certificates: {exc}", err=True)
            raise typer.Exit(2) from None
        except SQLAlchemyError:
            report = verify_document(pdf, roots)
        if as_json:
            typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        else:
            _print_report(report, file)
            if not roots and check_readable(report):
                typer.echo("No trusted CA: there is no federation CA here; pass --trust CA.pem")
        raise typer.Exit(report.exit_code)
