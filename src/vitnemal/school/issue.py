"""Issuing certificates for a whole file: validate, find the school, render, sign, write, record.

A certificate is issued only for a school in the school registry (:mod:`vitnemal.school.registry`); a pupil whose
school is not registered is a rejected row. The signer is the registered school, never the name in the file:

- without a key of its own, each school gets a certificate from the local CA under the settings home
  (``<home>/ca``, school keys in ``<home>/ca/schools/school-<organisation number>.pem``) whose subject is the
  registered name and organisation number and whose policy says "school" (demos and tests);
- with ``--key``/``--cert`` every certificate is signed with that key; a certificate that names an organisation
  number (``organizationIdentifier``) must name the pupil's school.

Each certificate gets a document id, its verification URL and QR code on the page and in the signature's
``/ContactInfo``, and a row in its school's issuing record (:mod:`vitnemal.school.records`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from cryptography import x509

from vitnemal import i18n
from vitnemal.config import Settings
from vitnemal.files import private_dir, write_private
from vitnemal.school.model import Certificate
from vitnemal.school.records import IssuedCertificate, SchoolRecords, new_document_id, verify_url
from vitnemal.school.registry import SchoolEntry, SchoolRegistry, UnregisteredSchool
from vitnemal.school.render import CertificateRenderer
from vitnemal.school.service import Accepted, Progress, Rejected, load_certificates
from vitnemal.school.texts import Language
from vitnemal.signing.ca import ORGANIZATION_IDENTIFIER, IssuerKind, RegisteredSigner
from vitnemal.signing.pdf import KeyFileSigner, PadesSigner

SIGNING_REASON = "Vitnemål for grunnskolen"


def school_signer(entry: SchoolEntry) -> RegisteredSigner:
    """The CA's view of a registered school."""
    return RegisteredSigner(
        IssuerKind.SCHOOL, entry.organisation_number, entry.name,
        organization_number=entry.organisation_number, locality=entry.municipality or None,
    )


class SchoolSigners:
    """Finds a certificate's school in the registry and returns it with its signer.

    Signers are made once per school and reused for every certificate (the key is loaded once).
    """

    def __init__(
        self, registry: SchoolRegistry, *, ca_dir: Path | None = None, fixed: PadesSigner | None = None
    ) -> None:
        if (ca_dir is None) == (fixed is None):
            raise ValueError("give either ca_dir (local CA) or fixed (a signer of your own)")
        self.registry = registry
        self._ca_dir = ca_dir
        self._fixed = fixed
        self._by_school: dict[str, PadesSigner] = {}

    def close(self) -> None:
        """Close a token session of the fixed signer (key files need nothing)."""
        close = getattr(self._fixed, "close", None)
        if close is not None:
            close()

    def __call__(self, cert: Certificate) -> tuple[SchoolEntry, PadesSigner]:
        """Return the pupil's registered school and its signer; raises :class:`UnregisteredSchool`."""
        if not cert.pupil.school:
            raise UnregisteredSchool("school: missing; a certificate is issued by a registered school")
        entry = self.registry.find(cert.pupil.school, cert.pupil.municipality)
        if self._fixed is not None:
            _check_fixed_names(self._fixed.certificate, entry)
            return entry, self._fixed
        signer = self._by_school.get(entry.organisation_number)
        if signer is None:
            signer = self._by_school[entry.organisation_number] = self._school_signer(entry)
        return entry, signer

    def _school_signer(self, entry: SchoolEntry) -> PadesSigner:
        from vitnemal.signing.ca import LocalCertificateAuthority

        assert self._ca_dir is not None
        ca = LocalCertificateAuthority.create_or_load(self._ca_dir)
        key, cert = ca.issue_for(self._ca_dir / "schools", school_signer(entry))
        return KeyFileSigner(key, cert, [ca.cert_path], reason=SIGNING_REASON, location=entry.municipality or None)


def _check_fixed_names(certificate: x509.Certificate, entry: SchoolEntry) -> None:
    for attribute in certificate.subject.get_attributes_for_oid(ORGANIZATION_IDENTIFIER):
        if str(attribute.value).removeprefix("NTRNO-") != entry.organisation_number:
            raise UnregisteredSchool(
                f"school: the signing certificate belongs to organisation {attribute.value!s}, "
                f"not to {entry.name} ({entry.organisation_number})"
            )


@dataclass
class IssueReport:
    written: list[Path] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    document_ids: list[str] = field(default_factory=list)


def pdf_file_name(pupil_id: str, taken: set[str]) -> str:
    """Return a safe, unused file name for a pupil's PDF: the id with anything but [A-Za-z0-9._-] replaced."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", pupil_id).strip("._") or "pupil"
    name, n = f"{stem}.pdf", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}.pdf"
    taken.add(name.casefold())
    return name


@dataclass(frozen=True)
class SignerConfig:
    """How to sign, small and picklable so that each worker process builds its own signers.

    A key of one's own (``key`` + ``cert``), a key on a PKCS#11 token (``pkcs11_lib``, ``pkcs11_key`` + ``cert``),
    or neither: each school's certificate from the local CA in ``ca_dir``.
    """

    registry: SchoolRegistry
    ca_dir: Path | None = None
    key: Path | None = None
    cert: Path | None = None
    chain: tuple[Path, ...] = ()
    pkcs11_lib: str | None = None
    pkcs11_key: str | None = None
    pkcs11_token: str | None = None
    pkcs11_pin: str | None = None

    def signers(self) -> SchoolSigners:
        """Return the signers (keys loaded, token session opened); raises SigningError."""
        if self.cert is None:
            return SchoolSigners(self.registry, ca_dir=self.ca_dir)
        if self.pkcs11_lib is not None:
            from vitnemal.signing.pkcs11 import Pkcs11Signer

            assert self.pkcs11_key is not None
            fixed: PadesSigner = Pkcs11Signer(
                self.pkcs11_lib, key_label=self.pkcs11_key, cert_path=self.cert, token_label=self.pkcs11_token,
                pin=self.pkcs11_pin, chain=self.chain, reason=SIGNING_REASON,
            )
        else:
            assert self.key is not None
            fixed = KeyFileSigner(self.key, self.cert, self.chain, reason=SIGNING_REASON)
        return SchoolSigners(self.registry, fixed=fixed)


@dataclass(frozen=True, slots=True)
class _Job:
    cert: Certificate
    school: SchoolEntry
    lang: Language
    today: date
    document_id: str
    url: str
    target: Path


class _Maker:
    """Renders, signs and writes certificates: one typst compiler and one set of loaded signers per process."""

    def __init__(self, config: SignerConfig) -> None:
        self.renderer = CertificateRenderer()
        self.signers = config.signers()

    def make(self, job: _Job) -> tuple[str, int, str]:
        _, signer = self.signers(job.cert)
        unsigned = self.renderer.render(job.cert, job.lang, today=job.today, document_id=job.document_id, url=job.url)
        pdf = signer.sign(unsigned, contact_info=job.url)
        write_private(job.target, pdf, tighten_dir=False)  # a pupil's grades: owner-only
        return hashlib.sha256(pdf).hexdigest(), len(pdf), signer.signer_subject


_worker: _Maker | None = None


def _start_worker(config: SignerConfig) -> None:
    global _worker
    _worker = _Maker(config)


def _make_in_worker(job: _Job) -> tuple[str, int, str]:
    assert _worker is not None
    return _worker.make(job)


class CertificateIssuer:
    """Issues certificates with ``workers`` processes (1: in this process); use as a context manager.

    Each worker renders, signs and writes; this process finds the school, allocates ids and file names, and
    writes the issuing records, so the record of a file is always written after the file.
    """

    def __init__(self, config: SignerConfig, settings: Settings, *, workers: int = 1) -> None:
        self.config = config
        self.settings = settings
        self.workers = max(1, workers)
        self._pool: Any = None
        self._local: _Maker | None = None

    def __enter__(self) -> CertificateIssuer:
        if self.workers == 1:
            self._local = _Maker(self.config)
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn: never fork a process that may run threads (the progress bar); workers start ready to sign.
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker, initargs=(self.config,))
            list(self._pool.map(_sleep, [0.05] * self.workers))  # start every worker now
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()
        if self._local is not None:
            self._local.signers.close()

    def make(self, jobs: list[_Job]) -> Iterator[tuple[_Job, tuple[str, int, str]]]:
        if self._local is not None:
            for job in jobs:
                yield job, self._local.make(job)
            return
        chunk = max(1, min(16, len(jobs) // (4 * self.workers)))
        yield from zip(jobs, self._pool.map(_make_in_worker, jobs, chunksize=chunk), strict=True)

    def issue(
        self, accepted: list[Accepted], out_dir: Path, lang: Language, *, place: str | None = None,
        issued_on: date | None = None, progress: Progress | None = None,
    ) -> IssueReport:
        """Issue a certificate for each accepted pupil; pupils of unregistered schools come back rejected."""
        private_dir(out_dir, tighten=False)
        report = IssueReport()
        taken: set[str] = set()
        today = issued_on or i18n.today()
        jobs: list[_Job] = []
        own = x509.load_pem_x509_certificate(self.config.cert.read_bytes()) if self.config.cert else None
        for item in accepted:
            cert = item.certificate
            try:
                if not cert.pupil.school:
                    raise UnregisteredSchool("school: missing; a certificate is issued by a registered school")
                school = self.config.registry.find(cert.pupil.school, cert.pupil.municipality)
                if own is not None:
                    _check_fixed_names(own, school)
            except UnregisteredSchool as exc:
                report.rejected.append(Rejected(item.location, cert.pupil.id, (str(exc),)))
                continue
            # The registered name is printed, not the spelling in the file.
            cert = replace(cert, pupil=replace(cert.pupil, school=school.name,
                                               municipality=cert.pupil.municipality or school.municipality))
            if place and not cert.place:
                cert = replace(cert, place=place)
            if issued_on and not cert.issued_on:
                cert = replace(cert, issued_on=issued_on)
            document_id = new_document_id()
            jobs.append(_Job(cert, school, lang, today, document_id, verify_url(self.settings, document_id),
                             out_dir / pdf_file_name(cert.pupil.id, taken)))
        records = SchoolRecords(self.settings)
        try:
            for done, (job, (sha256, size, subject)) in enumerate(self.make(jobs), start=1):
                records.add(IssuedCertificate(job.document_id, job.school.organisation_number, lang, sha256, size,
                                              subject, job.target))
                report.written.append(job.target)
                report.document_ids.append(job.document_id)
                if progress is not None:
                    progress(done, len(jobs))
        finally:
            records.close()
        return report


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def issue_certificates(
    path: Path,
    out_dir: Path,
    lang: Language,
    config: SignerConfig,
    settings: Settings,
    *,
    place: str | None = None,
    issued_on: date | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> IssueReport:
    """Write a signed, recorded PDF per valid pupil of ``path`` into ``out_dir``, with ``workers`` processes.

    ``progress`` is called after each certificate. ``place`` and ``issued_on`` fill in certificates that have
    none. Rows that break the rules, lack what a printed certificate needs (name, orden, atferd) or name a school
    that is not registered are returned as rejected; the others are still issued.
    """
    loaded = load_certificates(path, issuable=True)
    with CertificateIssuer(config, settings, workers=workers) as issuer:
        report = issuer.issue(loaded.accepted, out_dir, lang, place=place, issued_on=issued_on, progress=progress)
    report.rejected = sorted(loaded.rejected + report.rejected, key=lambda r: _location_order(r.location))
    return report


def _location_order(location: str) -> int:
    parts = location.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdecimal() else 0
