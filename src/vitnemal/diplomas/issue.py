"""Issuing diploma sets: build, render, sign, store the file, record it.

One document goes through two steps, kept apart so that the slow one runs in parallel:

1. :meth:`DiplomaIssuer.produce` (any process): read the records, build the set, render it (typst), sign it
   (certifying PAdES with the verification URL as ``/ContactInfo``) and write the file under
   ``<home>/documents/<code>/<document_id>.pdf`` (written to a temporary name, flushed to disk, then renamed);
2. :func:`record_issued` (the caller's transaction): the :class:`IssuedDocument` row, the qualification's
   ``diploma_issued_on`` (Dato_Utlev_Vitn, which the exchange uses) when it has none, and on a reissue the old
   record's ``replaced_by_id``.

The language versions of one award (bokmål, nynorsk, English) are siblings, each valid: a graduate holds the
Norwegian diploma and its English version side by side. Only a reissue in the *same* language replaces a document.

The file is always on disk before its record is written, so a crash can leave a file without a record (harmless:
it was never handed out, and a later run issues a new one) but never a record without a file. A qualification
issued meanwhile by someone else is detected under the row lock and the new file discarded: each qualification
is issued once. A reissue keeps ``diploma_issued_on`` as it was: the exchange asks when the diploma was *first*
issued, and a later date would hide a degree that was already shared.

Bulk issuing (:func:`issue_many`) runs step 1 in worker processes (each with one :class:`DiplomaIssuer`: one typst
compiler and one loaded key) and step 2 in the calling process, one transaction per document, as results arrive.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from vitnemal.config import Settings
from vitnemal.diplomas.diploma_set import DiplomaSet
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.diplomas.rules import Signatories
from vitnemal.diplomas.signers import SignerSpec, make_signer
from vitnemal.files import write_private
from vitnemal.records.models import Qualification

KIND = "diploma_set"


class AlreadyIssued(RuntimeError):
    """The qualification was issued (or its document replaced) by someone else while this copy was made."""


@dataclass(frozen=True)
class IssueContext:
    """What every document of one run shares; small and picklable, so worker processes get a copy."""

    settings: Settings
    institution_code: str
    institution_name: str
    signer: SignerSpec
    institution_name_en: str | None = None
    issued_on: date = field(default_factory=date.today)
    issued_by: str = "vitnemal"
    faculty: str | None = None
    url: str | None = None
    signatories: Signatories | None = None

    @property
    def documents_dir(self) -> Path:
        return self.settings.home / "documents" / self.institution_code

    def verify_url(self, document_id: str) -> str:
        """The address in the document's QR code and ``/ContactInfo``: the public verification page of this id."""
        return f"{self.settings.public_url.rstrip('/')}/verify/{document_id}"


@dataclass(frozen=True)
class IssueJob:
    """One document to make: whose qualification, in which language, under which new id, replacing what.

    ``reissue`` marks a document asked for again: it may be made for a qualification whose diploma was issued
    before (on paper, or by another system) even when there is no earlier record (``replaces_id``) to replace.
    """

    person_id: int
    qualification_id: int
    qualification_code: str
    document_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    lang: str | None = None
    replaces_id: int | None = None
    reissue: bool = False


@dataclass(frozen=True)
class ProducedFile:
    """A signed document on disk, not yet recorded; ``storage_path`` is relative to the settings home."""

    job: IssueJob
    lang: str
    sha256: str
    size_bytes: int
    storage_path: str
    signer_subject: str
    render_ms: float
    sign_ms: float
    faculty: str = ""
    # CPU milliseconds of each stage in the worker (read is this document's share of its batch's read), so the
    # split holds on a loaded machine; wall milliseconds of rendering and signing are render_ms and sign_ms.
    stages: dict[str, float] = field(default_factory=dict)


class DiplomaIssuer:
    """Makes signed diploma files: one renderer, one loaded signer and one database per instance.

    Create one per process (it is not thread-safe) and call :meth:`produce` for each job; :meth:`close` at the end.
    """

    def __init__(self, context: IssueContext) -> None:
        from vitnemal.db import Database
        from vitnemal.diplomas.distribution import GradeCounts
        from vitnemal.diplomas.render import DiplomaRenderer

        self.context = context
        self.renderer = DiplomaRenderer()
        self.signer = make_signer(context.signer)
        self.database = Database(context.settings.url_for(context.institution_code))
        self._counts = GradeCounts()

    def build(self, job: IssueJob) -> DiplomaSet:
        """Return the job's diploma set, read from the institution's records."""
        (built,) = self.build_many([job])
        if isinstance(built, Exception):
            raise built
        return built

    def build_many(self, jobs: list[IssueJob]) -> list[DiplomaSet | Exception]:
        """Return the jobs' sets (or why each cannot be made), read from the records in one go for all of them."""
        from vitnemal.diplomas.build import SetRequest, build_diploma_sets

        ctx = self.context
        with self.database.read_session() as session:
            return list(build_diploma_sets(
                session, [SetRequest(j.person_id, j.qualification_code, j.lang) for j in jobs],
                institution_name=ctx.institution_name, institution_name_en=ctx.institution_name_en,
                institution_code=ctx.institution_code, faculty=ctx.faculty, url=ctx.url, issued_on=ctx.issued_on,
                signatories=ctx.signatories, grade_counts=self._counts,
            ))

    def produce(self, job: IssueJob, diploma: DiplomaSet | None = None, *, read_ms: float = 0.0) -> ProducedFile:
        """Build (unless ``diploma`` is given), render, sign and store one document; return what to record."""
        from vitnemal.diplomas.render import qr_png
        from vitnemal.diplomas.verify import is_document_id
        from vitnemal.interop.elmo import diploma_to_elmo

        if not is_document_id(job.document_id):
            raise ValueError(f"{job.document_id!r} is not a document id (a lower-case UUID)")
        cpu = time.process_time
        c0 = cpu()
        diploma = diploma or self.build(job)
        url = self.context.verify_url(job.document_id)
        c1 = cpu()
        elmo = diploma_to_elmo(diploma)
        c2 = cpu()
        qr = qr_png(url)
        c3, started = cpu(), time.perf_counter()
        unsigned = self.renderer.render(diploma, job.document_id, url, elmo_xml=elmo, qr=qr)
        c4, rendered = cpu(), time.perf_counter()
        signed = self.signer.sign(unsigned, contact_info=url)
        c5, done = cpu(), time.perf_counter()
        relative = Path("documents") / self.context.institution_code / f"{job.document_id}.pdf"
        # Flushed to disk before its record is written; 0600, as it holds the graduate's results.
        write_private(self.context.settings.home / relative, signed, durable=True)
        c6 = cpu()
        stages = {"read": read_ms + (c1 - c0) * 1000, "elmo": (c2 - c1) * 1000, "qr": (c3 - c2) * 1000,
                  "typst": (c4 - c3) * 1000, "sign": (c5 - c4) * 1000, "write": (c6 - c5) * 1000}
        return ProducedFile(
            job=job, lang=diploma.lang, sha256=hashlib.sha256(signed).hexdigest(), size_bytes=len(signed),
            storage_path=relative.as_posix(), signer_subject=self.signer.signer_subject,
            render_ms=(rendered - started) * 1000, sign_ms=(done - rendered) * 1000, faculty=diploma.issuer.faculty,
            stages=stages,
        )

    def close(self) -> None:
        self.database.dispose()
        self.renderer.close()


def record_issued(session: Session, context: IssueContext, produced: ProducedFile, *,
                  now: datetime | None = None) -> IssuedDocument:
    """Record ``produced`` in ``session`` (the caller commits); see the module docstring for what changes.

    Raises :class:`AlreadyIssued` when the qualification got a diploma meanwhile (a first issue) or the replaced
    document was replaced meanwhile (a reissue); the caller then discards the file.
    """
    job = produced.job
    qual = session.scalar(select(Qualification).where(Qualification.id == job.qualification_id).with_for_update())
    if qual is None:
        raise LookupError(f"qualification {job.qualification_id} is gone from the records")
    if not job.reissue:
        if qual.diploma_issued_on is not None:
            raise AlreadyIssued(f"{qual.code} of person {qual.person_id} was issued on {qual.diploma_issued_on}")
        current = None
    else:
        # the document this one replaces is the current one in the same language (other languages are siblings)
        current = current_document(session, qual.id, produced.lang, for_update=True)
        if (current.id if current is not None else None) != job.replaces_id:
            raise AlreadyIssued(f"the {produced.lang} document of {qual.code} of person {qual.person_id} was "
                                "issued or replaced meanwhile")
    row = IssuedDocument(
        document_id=job.document_id, institution_code=context.institution_code, person_id=job.person_id,
        qualification_id=job.qualification_id, kind=KIND, lang=produced.lang, sha256=produced.sha256,
        size_bytes=produced.size_bytes, signer_subject=produced.signer_subject[:300],
        storage_path=produced.storage_path, issued_at=now or datetime.now(UTC), issued_by=context.issued_by[:100],
    )
    session.add(row)
    session.flush()
    if current is not None:
        current.replaced_by_id = row.id
    if qual.diploma_issued_on is None:
        qual.diploma_issued_on = context.issued_on
    return row


def discard(context: IssueContext, produced: ProducedFile) -> None:
    """Remove a produced file that will not be recorded."""
    (context.settings.home / produced.storage_path).unlink(missing_ok=True)


def pending_jobs(session: Session, *, lang: str | None = None) -> list[IssueJob]:
    """Return a job for every completed qualification (award date set) whose diploma was not issued, oldest first."""
    rows = session.execute(
        select(Qualification.id, Qualification.person_id, Qualification.code)
        .where(Qualification.award_date.is_not(None), Qualification.diploma_issued_on.is_(None))
        .order_by(Qualification.award_date, Qualification.id)
    ).all()
    return [IssueJob(person_id=p, qualification_id=q, qualification_code=c, lang=lang) for q, p, c in rows]


def current_document(session: Session, qualification_id: int, lang: str, *,
                     for_update: bool = False) -> IssuedDocument | None:
    """Return the qualification's newest document in ``lang`` that has not been replaced, if any."""
    query = (select(IssuedDocument)
             .where(IssuedDocument.qualification_id == qualification_id, IssuedDocument.kind == KIND,
                    IssuedDocument.lang == lang, IssuedDocument.replaced_by_id.is_(None))
             .order_by(IssuedDocument.id.desc())
             .limit(1))
    return session.scalar(query.with_for_update() if for_update else query)


def reissue_job(session: Session, qualification_code: str, national_id: str, *, lang: str | None = None) -> IssueJob:
    """Return the job that issues a person's qualification again in ``lang`` (None: the programme's language),
    replacing its current document in that language if it has one; other languages' documents stay valid.

    Raises LookupError naming what was not found, LanguageNotAllowed for a language the programme does not allow.
    """
    from vitnemal.diplomas.build import diploma_language
    from vitnemal.records.service import get_person, get_qualification, normalise_id

    person = get_person(session, normalise_id(national_id))  # UnknownPerson (a LookupError) says itself
    qual = get_qualification(session, person, qualification_code)  # UnknownQualification is a LookupError
    chosen = diploma_language(session, qual.programme_code, lang)
    current = current_document(session, qual.id, chosen)
    return IssueJob(person_id=person.id, qualification_id=qual.id, qualification_code=qual.code, lang=chosen,
                    replaces_id=current.id if current is not None else None, reissue=True)


def issue_diploma(issuer: DiplomaIssuer, job: IssueJob, *, diploma: DiplomaSet | None = None) -> IssuedDocument:
    """Issue one document: produce the file, then record it in its own transaction; return the record.

    The file is removed again when the record cannot be written (e.g. :class:`AlreadyIssued`).
    """
    produced = issuer.produce(job, diploma)
    try:
        with issuer.database.session() as session:  # the issuer's engine: one per issuer, not one per document
            return record_issued(session, issuer.context, produced)
    except BaseException:
        discard(issuer.context, produced)
        raise


@dataclass(frozen=True)
class IssueFailure:
    """A job that produced no document, with the reason (e.g. the records lack what the diploma needs)."""

    job: IssueJob
    message: str


@dataclass
class IssueReport:
    """What a bulk run did: the records written (and their files, in the same order), the jobs that failed, those
    issued by someone else meanwhile."""

    issued: list[IssuedDocument] = field(default_factory=list)
    files: list[ProducedFile] = field(default_factory=list)
    failed: list[IssueFailure] = field(default_factory=list)
    skipped: list[IssueJob] = field(default_factory=list)
    render_ms: list[float] = field(default_factory=list)
    sign_ms: list[float] = field(default_factory=list)
    record_ms: list[float] = field(default_factory=list)  # CPU ms of recording each document, in this process


Progress = Callable[[int, int], None]
_worker: DiplomaIssuer | None = None


def _start_worker(context: IssueContext) -> None:
    from vitnemal.runtime import tune_gc

    global _worker
    _worker = DiplomaIssuer(context)
    tune_gc()  # the compiler, fonts and key loaded above live as long as the process


# Jobs a worker takes at once: their records are read in one go (a handful of queries for the batch), and a
# batch is small enough that the pool stays busy to the end and progress moves.
BATCH = 16


def _produce_batch(jobs: list[IssueJob]) -> list[ProducedFile | IssueFailure]:
    """Run jobs in this process's issuer; records that cannot make a diploma give a failure, not an error."""
    from vitnemal.diplomas.build import DiplomaNotPossible
    from vitnemal.diplomas.rules import LanguageNotAllowed

    assert _worker is not None, "the worker process was not initialised"
    started = time.process_time()
    try:
        built = _worker.build_many(jobs)
    except Exception as exc:  # the records could not be read: every job of the batch fails with the reason
        return [IssueFailure(job, f"{type(exc).__name__}: {exc}") for job in jobs]
    read_ms = (time.process_time() - started) * 1000 / max(1, len(jobs))
    out: list[ProducedFile | IssueFailure] = []
    for job, diploma in zip(jobs, built, strict=True):
        if isinstance(diploma, (DiplomaNotPossible, LanguageNotAllowed)):
            out.append(IssueFailure(job, str(diploma)))
            continue
        try:
            if isinstance(diploma, Exception):
                raise diploma
            out.append(_worker.produce(job, diploma, read_ms=read_ms))
        except Exception as exc:  # rendering or signing failed for this one: report it, go on with the others
            out.append(IssueFailure(job, f"{type(exc).__name__}: {exc}"))
    return out


def _batches(jobs: list[IssueJob], size: int = BATCH) -> list[list[IssueJob]]:
    return [jobs[i:i + size] for i in range(0, len(jobs), size)]


def _produced_in_pool(
    context: IssueContext, jobs: list[IssueJob], processes: int
) -> Iterator[ProducedFile | IssueFailure]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: a fresh interpreter per worker, sharing no database connection or lock with this process
    spawn = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(processes, mp_context=spawn, initializer=_start_worker, initargs=(context,))
    try:
        futures = [pool.submit(_produce_batch, batch) for batch in _batches(jobs)]
        for future in as_completed(futures):
            yield from future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _produced_here(context: IssueContext, jobs: list[IssueJob]) -> Iterator[ProducedFile | IssueFailure]:
    _start_worker(context)
    try:
        for batch in _batches(jobs):
            yield from _produce_batch(batch)
    finally:
        assert _worker is not None
        _worker.close()


def issue_many(context: IssueContext, jobs: list[IssueJob], *, processes: int = 1,
               progress: Progress | None = None) -> IssueReport:
    """Issue every job: files made by ``processes`` workers (1: in this process), each recorded here in its own
    transaction as soon as it arrives. ``progress(done, total)`` is called after each job.
    """
    from vitnemal.db import Database

    report = IssueReport()
    if not jobs:
        return report
    db = Database(context.settings.url_for(context.institution_code))
    produced = _produced_here(context, jobs) if processes <= 1 else _produced_in_pool(context, jobs, processes)
    try:
        for done, item in enumerate(produced, start=1):
            if isinstance(item, IssueFailure):
                report.failed.append(item)
            else:
                try:
                    started = time.process_time()
                    with db.session() as session:
                        report.issued.append(record_issued(session, context, item))
                    report.record_ms.append((time.process_time() - started) * 1000)
                    report.files.append(item)
                    report.render_ms.append(item.render_ms)
                    report.sign_ms.append(item.sign_ms)
                except AlreadyIssued:
                    discard(context, item)
                    report.skipped.append(item.job)
                except BaseException:
                    discard(context, item)
                    raise
            if progress is not None:
                progress(done, len(jobs))
    finally:
        db.dispose()
    return report
