"""``vitnemal diplomas``: issuing diploma sets (in bulk, or again), the golden path's sample, and the record.

Without ``--key``/``--cert`` or ``--pkcs11-lib`` an institution signs with its certificate from the federation's
local CA (``$VITNEMAL_HOME/ca``, made on first use); ``vitnemal verify`` trusts that CA by default.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vitnemal import i18n
from vitnemal.cli.common import (
    HOME,
    JSON,
    OPENS_DATABASE,
    Language,
    check_institution,
    fail,
    parse_date,
    refuse,
    said_error,
    settings_for,
)
from vitnemal.i18n import P_

if TYPE_CHECKING:
    from vitnemal.config import Settings
    from vitnemal.diplomas.issue import IssueContext, IssueJob, IssueReport
    from vitnemal.diplomas.rules import Signatories
    from vitnemal.diplomas.signers import SignerSpec

MAX_NAME = 120  # characters of a signer's name: one line under the signature
app = typer.Typer(help="Higher-education diplomas: issue, reissue, sample, list. " + OPENS_DATABASE,
                  no_args_is_help=True)


def _signer_spec(settings: Settings, code: str, name: str, key: Path | None, cert: Path | None,
                 chain: list[Path] | None, pkcs11_lib: str | None, pkcs11_key: str | None,
                 pkcs11_token: str | None) -> SignerSpec:
    from vitnemal.diplomas.signers import SignerSpec, local_signer_spec

    if pkcs11_lib is not None:
        if cert is None or pkcs11_key is None:
            raise typer.BadParameter("a PKCS#11 key needs --pkcs11-key (its label) and --cert",
                                     param_hint="--pkcs11-lib")
        return SignerSpec(code, name, cert_path=cert, chain=tuple(chain or ()), pkcs11_lib=pkcs11_lib,
                          pkcs11_token=pkcs11_token, pkcs11_key_label=pkcs11_key,
                          pkcs11_pin=settings.pkcs11_pin or None)
    if (key is None) != (cert is None):
        raise typer.BadParameter("give both --key and --cert, or neither", param_hint="--key/--cert")
    if key is not None and cert is not None:
        return SignerSpec(code, name, key_path=key, cert_path=cert, chain=tuple(chain or ()))
    return local_signer_spec(settings, code, name)


def account_name() -> str:
    """The full name of the account running the command (its GECOS field), else its login name."""
    user = getpass.getuser()
    try:
        import pwd

        full = pwd.getpwnam(user).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError):
        full = ""
    return full or user


def _context(settings: Settings, code: str, spec_args: dict[str, Any], issued_on: date | None,
             faculty: str | None, signatories: Signatories | None = None) -> IssueContext:
    from vitnemal.diplomas.issue import IssueContext
    from vitnemal.institutions.registry import Registry

    check_institution(settings, code)
    entry = Registry.load(settings.registry_path).get(code)
    spec = _signer_spec(settings, code, entry.name_nb, **spec_args)
    return IssueContext(settings=settings, institution_code=code, institution_name=entry.name_nb,
                        institution_name_en=entry.name_en, signer=spec, issued_on=issued_on or i18n.today(),
                        issued_by=f"vitnemal diplomas issue ({getpass.getuser()})", faculty=faculty,
                        signatories=signatories)


def _report(report: IssueReport, context: IssueContext, as_json: bool) -> None:
    files = zip(report.issued, report.files, strict=True)
    if as_json:
        typer.echo(json.dumps({
            "issued": [{"document_id": d.document_id, "qualification_id": d.qualification_id,
                        "qualification": f.job.qualification_code, "faculty": f.faculty,
                        "person_id": d.person_id, "lang": d.lang, "sha256": d.sha256,
                        "storage_path": d.storage_path, "path": str(context.settings.home / f.storage_path)}
                       for d, f in files],
            "directory": str(context.documents_dir),
            "failed": [{"qualification_id": f.job.qualification_id, "qualification": f.job.qualification_code,
                        "person_id": f.job.person_id, "reason": f.message} for f in report.failed],
            "skipped": [j.qualification_id for j in report.skipped],
        }, ensure_ascii=False))
        return
    typer.echo(f"{len(report.issued)} diploma set(s) issued, {len(report.failed)} failed, "
               f"{len(report.skipped)} issued elsewhere meanwhile")
    if report.files:
        size = sum(f.size_bytes for f in report.files)
        typer.echo(f"Files in {context.documents_dir}/ ({len(report.files)} PDF, {size / 1e6:.1f} MB; "
                   f"`vitnemal diplomas list -i {context.institution_code}` lists them)")
        summary = Counter((f.job.qualification_code, f.lang, f.faculty) for f in report.files)
        for (qualification, lang, faculty), n in sorted(summary.items()):
            typer.echo(f"  {n:4d} × {qualification} ({lang}), {faculty}")
    for failure in report.failed:
        typer.echo(f"  not issued: {failure.job.qualification_code} of person {failure.job.person_id}: "
                   f"{failure.message}", err=True)
    if any("faculty" in f.message for f in report.failed):
        typer.echo("  (register the programme with `vitnemal programmes add`, or give --faculty NAME for "
                   "programmes that are not registered)", err=True)


@app.command("issue")
def issue(
    institution: Annotated[str, typer.Option("--institution", "-i", help="Institution code, e.g. 185.")],
    lang: Annotated[Language | None, typer.Option(help="Language; default: the programme's.")] = None,
    processes: Annotated[int, typer.Option(min=0, help="Worker processes; 0: one per core.")] = 0,
    reissue: Annotated[list[str] | None, typer.Option(
        "--reissue", metavar="QUAL/PERSON", help="Issue again, e.g. MA-INF/14859710086; repeatable.")] = None,
    issued: Annotated[str | None, typer.Option("--date", help="Issue date (YYYY-MM-DD). Default: today.")] = None,
    faculty: Annotated[str | None, typer.Option(
        help="Faculty to print for programmes that are not registered (`vitnemal programmes`).")] = None,
    key: Annotated[Path | None, typer.Option(exists=True, dir_okay=False, help="Signing key (PEM).")] = None,
    cert: Annotated[Path | None, typer.Option(exists=True, dir_okay=False, help="Its certificate (PEM).")] = None,
    chain: Annotated[list[Path] | None, typer.Option(exists=True, dir_okay=False,
                                                     help="Issuing CA certificate(s) to embed.")] = None,
    pkcs11_lib: Annotated[str | None, typer.Option(help="PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so; "
                                                        "PIN from VITNEMAL_PKCS11_PIN.")] = None,
    pkcs11_key: Annotated[str | None, typer.Option(help="Label of the key on the token.")] = None,
    pkcs11_token: Annotated[str | None, typer.Option(help="Label of the token.")] = None,
    officer: Annotated[str | None, typer.Option(
        envvar="VITNEMAL_OFFICER", show_default="the full name of the account running the command",
        help="Name on the transcript's signature line (the case worker who issues).")] = None,
    dean: Annotated[str, typer.Option(help="Name on the front page's dean signature line.")] = "",
    director: Annotated[str, typer.Option(help="Name on the front page's faculty director line.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print what was issued as JSON.")] = False,
    home: Path | None = HOME,
) -> None:
    """Issue every completed qualification not yet issued (or, with --reissue, those named), in parallel."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from vitnemal.db import Database
    from vitnemal.diplomas.issue import issue_many, pending_jobs, reissue_job
    from vitnemal.diplomas.rules import LanguageNotAllowed, Signatories

    issued_on = parse_date(issued, "--date")
    settings = settings_for(home)
    spec_args = {"key": key, "cert": cert, "chain": chain, "pkcs11_lib": pkcs11_lib, "pkcs11_key": pkcs11_key,
                 "pkcs11_token": pkcs11_token}
    for option, name in (("--officer", officer or ""), ("--dean", dean), ("--director", director)):
        if len(name) > MAX_NAME:
            raise typer.BadParameter(f"longer than {MAX_NAME} characters", param_hint=option)
    signatories = Signatories(dean=dean.strip(), director=director.strip(),
                              officer=(officer or "").strip() or account_name())
    context = _context(settings, institution, spec_args, issued_on, faculty, signatories)
    language = lang if lang else None
    db = Database(settings.url_for(institution))
    try:
        with db.read_session() as session:
            if reissue:
                jobs = []
                for item in reissue:
                    qualification, _, person = item.partition("/")
                    if not qualification or not person:
                        raise typer.BadParameter(f"{item!r}: write QUALIFICATION/NATIONAL_ID, e.g. MA-INF/14859710086",
                                                 param_hint="--reissue")
                    jobs.append(reissue_job(session, qualification, person, lang=language))
            else:
                jobs = pending_jobs(session, lang=language)
    except (LookupError, LanguageNotAllowed) as exc:
        raise fail(said_error(exc)) from None
    finally:
        db.dispose()
    workers = min(processes or os.cpu_count() or 1, max(1, len(jobs)))
    columns = (TextColumn("vitnemål"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("issue", total=len(jobs))
        report = issue_many(context, jobs, processes=workers,
                            progress=lambda done, total: bar.update(task, completed=done))
    _report(report, context, as_json)
    if report.failed:
        raise typer.Exit(1)


@app.command("sample")
def sample(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="Where to write the signed PDF.")],
    lang: Annotated[Language | None, typer.Option(help="Language; default: the programme's (bokmål).")] = None,
    home: Path | None = HOME,
) -> None:
    """Issue and sign the demo master's candidate's diploma set (recognised HiSF courses) from the local demo
    federation (made if missing); print the path of the CA certificate that signed it."""
    from vitnemal.demo.diploma_sample import SIGNATORIES, URL, sample_diploma_set
    from vitnemal.diplomas.build import DiplomaNotPossible
    from vitnemal.diplomas.issue import DiplomaIssuer, issue_diploma
    from vitnemal.diplomas.rules import LanguageNotAllowed
    from vitnemal.diplomas.signers import federation_ca_cert

    if not out.parent.is_dir():
        raise refuse(P_("cli", "--out %(path)s: the directory %(directory)s does not exist."), 2, path=out,
                     directory=out.parent)
    settings = settings_for(home)
    try:
        diploma, candidate = sample_diploma_set(settings, lang=lang if lang else None)
    except (DiplomaNotPossible, LanguageNotAllowed, LookupError) as exc:
        raise fail(said_error(exc)) from None
    context = _context(settings, candidate.institution_code, dict.fromkeys(
        ("key", "cert", "chain", "pkcs11_lib", "pkcs11_key", "pkcs11_token")), diploma.issued_on, None)
    context = replace(context, url=URL, signatories=SIGNATORIES, issued_by="vitnemal diplomas sample")
    job = _sample_job(settings, candidate.institution_code, candidate.person_id, candidate.qualification_code,
                      diploma.lang)
    issuer = DiplomaIssuer(context)
    try:
        record = issue_diploma(issuer, job, diploma=diploma)
    finally:
        issuer.close()
    shutil.copyfile(settings.home / (record.storage_path or ""), out)
    ca_cert = federation_ca_cert(settings)
    typer.echo(f"Wrote {out}: diploma set ({record.lang}) of {diploma.candidate.name}, "
               f"{diploma.qualification.name}, at {diploma.issuer.name}")
    typer.echo(f"Document id {record.document_id}: {context.verify_url(record.document_id)}")
    typer.echo(f"Signed by {record.signer_subject}")
    typer.echo(f"Check it: vitnemal verify {out} --trust {ca_cert}")
    typer.echo("Certificate of the CA that signed it:")
    typer.echo(str(ca_cert))


def _sample_job(settings: Settings, code: str, person_id: int, qualification_code: str, lang: str) -> IssueJob:
    from sqlalchemy import select

    from vitnemal.db import Database
    from vitnemal.diplomas.issue import IssueJob, current_document
    from vitnemal.records.models import Qualification

    db = Database(settings.url_for(code))
    try:
        with db.read_session() as session:
            qualification_id = session.scalar(select(Qualification.id).where(
                Qualification.person_id == person_id, Qualification.code == qualification_code))
            assert qualification_id is not None
            current = current_document(session, qualification_id, lang)
            return IssueJob(person_id=person_id, qualification_id=qualification_id,
                            qualification_code=qualification_code, lang=lang,
                            replaces_id=current.id if current is not None else None, reissue=True)
    finally:
        db.dispose()


@app.command("list")
def list_documents(
    institution: Annotated[str, typer.Option("--institution", "-i", help="Institution code, e.g. 185.")],
    as_json: bool = JSON,
    home: Path | None = HOME,
) -> None:
    """List the documents the institution issued, newest first, with what replaced what."""
    from sqlalchemy import select

    from vitnemal.cli.common import institution_session
    from vitnemal.diplomas.models import IssuedDocument
    from vitnemal.i18n import show_iso

    with institution_session(institution, home=home) as session:
        rows = session.scalars(select(IssuedDocument).order_by(IssuedDocument.id.desc())).all()
        ids = {r.id: r.document_id for r in rows}
        data = [{"document_id": r.document_id, "kind": r.kind, "lang": r.lang, "person_id": r.person_id,
                 "qualification_id": r.qualification_id, "issued_at": r.issued_at.isoformat(),
                 "sha256": r.sha256, "storage_path": r.storage_path,
                 "replaced_by": ids.get(r.replaced_by_id) if r.replaced_by_id else None} for r in rows]
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    for item in data:
        replaced = f" replaced by {item['replaced_by']}" if item["replaced_by"] else ""
        typer.echo(f"{item['document_id']} {show_iso(str(item['issued_at']))} {item['kind']} {item['lang']} "
                   f"person {item['person_id']} qualification {item['qualification_id']}{replaced}")
