"""``vitnemal verify FILE``: is this signed document genuine?

Exit status (:func:`exit_code`): 0 genuine, 1 not genuine (the reason is printed), 2 not readable (no such file, not
a PDF, or over one of the verifier's limits: "unreadable: <the limit>"). The file is checked in a worker process
with the time limit and memory cap of :mod:`vitnemal.signing.pool`, as the web service does.

Trust: ``--trust CA.pem`` (repeatable), else the federation CA of the configured home, ``$VITNEMAL_HOME/ca/ca.pem``
(resolved once, so it is found from any directory when VITNEMAL_HOME is set). Without VITNEMAL_HOME the default
home (``var/federation``) is looked for in this directory and its parents, as git finds its repository, so a
command run in a sub-folder of the demo folder (its ``documents/``, say) finds it too. When the issuing
institution's records are on this machine (the demo federation), the document id is checked against them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from vitnemal.config import Settings
    from vitnemal.diplomas.issuers import IssuingRecords
    from vitnemal.diplomas.verify import VerificationReport

MAX_FILE_BYTES = 50 * 1024 * 1024
WELL_KNOWN_CA = "/.well-known/vitnemal-ca.pem"


def exit_code(report: VerificationReport) -> int:
    """0 genuine, 1 not genuine, 2 not readable (the command's exit status)."""
    from vitnemal.signing.verify import Reason

    if report.document.genuine:
        return 0
    return 2 if report.document.reason == Reason.UNREADABLE else 1


def trust_hint(settings: Settings, roots: list[Path], home_set: bool) -> str:
    """Say how to trust a federation's CA (for an unknown one): where to download it and how to pass it."""
    if roots:
        tried = f"trusted here: {', '.join(map(str, roots))}"
    elif home_set:
        tried = f"VITNEMAL_HOME is {settings.home}, which has no ca/ca.pem"
    else:
        tried = "VITNEMAL_HOME is not set, and no var/federation with a CA is in this folder or its parents"
    return (f"To trust a federation's CA ({tried}): download its certificate from the federation's own address, "
            f"e.g. {settings.public_url.rstrip('/')}{WELL_KNOWN_CA} (not an address printed in the document), and "
            "run `vitnemal verify FILE --trust vitnemal-ca.pem`; or set VITNEMAL_HOME to the federation's folder.")


def configured_home(settings: Settings, environ: Mapping[str, str], cwd: Path) -> Path:
    """Return the home whose CA and records this command uses: VITNEMAL_HOME when set, else the first federation
    found from ``cwd`` upwards (``<dir>/var/federation``, or ``<dir>`` itself, holding ``ca/ca.pem``), else the
    default under ``cwd``.

    A found home is used only when it is the user's own and nobody else can write in it (as git asks of a repository
    it finds): a ``var/federation`` planted in a shared parent such as /tmp must not decide whom the command trusts.
    """
    from vitnemal.config import DEFAULT_HOME
    from vitnemal.signing.ca import CA_CERT_FILE

    if "VITNEMAL_HOME" in environ:
        return settings.home.resolve()
    for folder in [cwd, *cwd.parents]:
        for candidate in (folder / DEFAULT_HOME, folder):
            if _own(candidate, candidate / "ca", candidate / "ca" / CA_CERT_FILE):
                return candidate.resolve()
    return (cwd / DEFAULT_HOME).resolve()


def _own(*paths: Path) -> bool:
    """Return whether every path exists, belongs to this user and is writable by no one else."""
    try:
        return all((st := p.stat()).st_uid == os.getuid() and not st.st_mode & 0o022 for p in paths)
    except OSError:
        return False


def _records(settings: Settings) -> IssuingRecords:
    """The issuing records on this machine: every institution's of the registry, and the schools', that exist."""
    from vitnemal.db import Database
    from vitnemal.diplomas.issuers import IssuingRecords
    from vitnemal.institutions.registry import Registry

    @contextmanager
    def read_session(code: str) -> Iterator[Session]:
        db = Database(settings.url_for(code))
        try:
            with db.read_session() as session:
                yield session
        finally:
            db.dispose()

    registry = Registry.load(settings.registry_path) if settings.registry_path.exists() else None
    names = {code: entry.name_nb for code, entry in registry.institutions.items()} if registry else {}
    return IssuingRecords.here(settings, names, read_session)


def _print_report(report: VerificationReport, path: Path) -> None:
    from vitnemal.i18n import show_time

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
        typer.echo(f"Signing time: {show_time(check.signing_time, 'en')} (as the signer states it; no timestamp)")
    typer.echo(f"SHA-256: {check.sha256}")
    if check.document_id:
        typer.echo(f"Document id: {check.document_id}")
    record = report.record
    if not check.readable:
        return
    line = f"Issuing record: {record.note}"
    if record.known and record.issued_at:
        line += f"; issued {show_time(record.issued_at, 'en')} ({record.kind})"
    typer.echo(line)
    for warning in report.warnings:
        typer.echo(f"Note: {warning}")


def _read(file: Path) -> bytes:
    try:
        if file.stat().st_size > MAX_FILE_BYTES:
            typer.echo(f"{file}: not readable: larger than {MAX_FILE_BYTES // 2**20} MiB", err=True)
            raise typer.Exit(2)
        return file.read_bytes()
    except OSError as exc:
        typer.echo(f"{file}: not readable: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None


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
        from cryptography import x509
        from sqlalchemy.exc import SQLAlchemyError

        from vitnemal.config import Settings
        from vitnemal.diplomas.signers import federation_ca_cert
        from vitnemal.diplomas.verify import verify_document
        from vitnemal.signing.pool import CheckPool
        from vitnemal.signing.verify import Reason

        pdf = _read(file)
        settings = Settings.from_env()
        settings = settings.with_home(configured_home(settings, os.environ, Path.cwd()))
        roots = [root.resolve() for root in trust]
        if not roots:
            default = federation_ca_cert(settings)
            roots = [default] if default is not None else []
        for root in roots:
            try:
                x509.load_pem_x509_certificates(root.read_bytes())
            except (OSError, ValueError) as exc:
                what = "no such file" if isinstance(exc, OSError) else "not a PEM certificate"
                typer.echo(f"--trust {root}: {what}; give a CA certificate in PEM format", err=True)
                raise typer.Exit(2) from None
        # One worker, forked: this process has no other threads, and the fork starts with pyHanko imported.
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with CheckPool(1, start_method=method) as pool:
            try:
                records = _records(settings)
                report = verify_document(pdf, roots, records.open, records.issuer_of, check=pool.check)
            except SQLAlchemyError:
                report = verify_document(pdf, roots, check=pool.check)
        untrusted = report.document.reason == Reason.UNTRUSTED_CA
        if as_json:
            data = report.to_dict()
            if untrusted:
                data["hint"] = trust_hint(settings, roots, "VITNEMAL_HOME" in os.environ)
            typer.echo(json.dumps(data, ensure_ascii=False))
        else:
            _print_report(report, file)
            if untrusted:
                typer.echo(trust_hint(settings, roots, "VITNEMAL_HOME" in os.environ))
        raise typer.Exit(exit_code(report))
