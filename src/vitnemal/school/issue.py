"""Issuing certificates for a whole file: validate, render, sign, write one PDF per pupil.

Each school signs with its own key. Without a key of its own, a school gets one from the local CA under the
settings home (``<home>/ca``, created on first use, school keys in ``<home>/ca/schools``), which is right for
demos and tests; production passes a real key and certificate (``--key``/``--cert``) instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from vitnemal.school.model import Certificate
from vitnemal.school.render import CertificateRenderer
from vitnemal.school.service import Progress, Rejected, load_certificates
from vitnemal.school.texts import Language
from vitnemal.signing.pdf import KeyFileSigner, PdfSigner

SIGNING_REASON = "Vitnemål for grunnskolen"
DEFAULT_SCHOOL = "Grunnskole"


class SchoolSigners:
    """Returns the signer for a certificate's school: one fixed signer, or per-school keys from a local CA.

    Signers are created once per school and reused for every certificate (the key is loaded once).
    """

    def __init__(self, *, ca_dir: Path | None = None, fixed: PdfSigner | None = None) -> None:
        if (ca_dir is None) == (fixed is None):
            raise ValueError("give either ca_dir (local CA) or fixed (a signer of your own)")
        self._ca_dir = ca_dir
        self._fixed = fixed
        self._by_school: dict[str, PdfSigner] = {}

    def __call__(self, cert: Certificate) -> PdfSigner:
        if self._fixed is not None:
            return self._fixed
        school = cert.pupil.school or DEFAULT_SCHOOL
        signer = self._by_school.get(school)
        if signer is None:
            signer = self._by_school[school] = self._school_signer(school, cert.pupil.municipality)
        return signer

    def _school_signer(self, school: str, municipality: str) -> PdfSigner:
        from vitnemal.signing.ca import LocalCertificateAuthority

        assert self._ca_dir is not None
        ca = LocalCertificateAuthority.create_or_load(self._ca_dir)
        key, cert = ca.issue_signer(self._ca_dir / "schools", school, municipality or school)
        return KeyFileSigner(key, cert, [ca.cert_path], reason=SIGNING_REASON, location=municipality or None)


@dataclass
class IssueReport:
    written: list[Path] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def pdf_file_name(pupil_id: str, taken: set[str]) -> str:
    """Return a safe, unused file name for a pupil's PDF: the id with anything but [A-Za-z0-9._-] replaced."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", pupil_id).strip("._") or "pupil"
    name, n = f"{stem}.pdf", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem}-{n}.pdf"
    taken.add(name.casefold())
    return name


def issue_certificates(
    path: Path,
    out_dir: Path,
    lang: Language,
    signers: Callable[[Certificate], PdfSigner] | None,
    *,
    place: str | None = None,
    issued_on: date | None = None,
    progress: Progress | None = None,
) -> IssueReport:
    """Write a PDF per valid pupil of ``path`` into ``out_dir`` (signed unless ``signers`` is None).

    ``progress`` is called after each certificate. ``place`` and ``issued_on`` fill in certificates that have
    none. Rows that break the rules, or lack what a printed certificate needs (name, orden, atferd), are returned
    as rejected; the others are still issued.
    """
    loaded = load_certificates(path, issuable=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    renderer = CertificateRenderer()
    report = IssueReport(rejected=loaded.rejected)
    taken: set[str] = set()
    today = issued_on or date.today()
    for done, item in enumerate(loaded.accepted, start=1):
        cert = item.certificate
        if place and not cert.place:
            cert = replace(cert, place=place)
        if issued_on and not cert.issued_on:
            cert = replace(cert, issued_on=issued_on)
        pdf = renderer.render(cert, lang, today=today)
        if signers is not None:
            pdf = signers(cert).sign(pdf)
        target = out_dir / pdf_file_name(cert.pupil.id, taken)
        target.write_bytes(pdf)
        report.written.append(target)
        if progress is not None:
            progress(done, len(loaded.accepted))
    return report
