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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from cryptography import x509

from vitnemal.config import Settings
from vitnemal.files import private_dir, write_private
from vitnemal.school.model import Certificate
from vitnemal.school.records import IssuedCertificate, SchoolRecords, new_document_id, verify_url
from vitnemal.school.registry import SchoolEntry, SchoolRegistry, UnregisteredSchool
from vitnemal.school.render import CertificateRenderer
from vitnemal.school.service import Progress, Rejected, load_certificates
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


SignerLookup = Callable[[Certificate], tuple[SchoolEntry, PadesSigner]]


def issue_certificates(
    path: Path,
    out_dir: Path,
    lang: Language,
    signers: SignerLookup,
    settings: Settings,
    *,
    place: str | None = None,
    issued_on: date | None = None,
    progress: Progress | None = None,
) -> IssueReport:
    """Write a signed, recorded PDF per valid pupil of ``path`` into ``out_dir``.

    ``progress`` is called after each certificate. ``place`` and ``issued_on`` fill in certificates that have
    none. Rows that break the rules, lack what a printed certificate needs (name, orden, atferd) or name a school
    that is not registered are returned as rejected; the others are still issued.
    """
    loaded = load_certificates(path, issuable=True)
    private_dir(out_dir, tighten=False)
    renderer = CertificateRenderer()
    report = IssueReport(rejected=loaded.rejected)
    records = SchoolRecords(settings)
    taken: set[str] = set()
    today = issued_on or date.today()
    try:
        for done, item in enumerate(loaded.accepted, start=1):
            cert = item.certificate
            try:
                school, signer = signers(cert)
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
            url = verify_url(settings, document_id)
            pdf = signer.sign(renderer.render(cert, lang, today=today, document_id=document_id, url=url),
                              contact_info=url)
            target = out_dir / pdf_file_name(cert.pupil.id, taken)
            write_private(target, pdf, tighten_dir=False)  # a pupil's grades: owner-only
            records.add(IssuedCertificate(document_id, school.organisation_number, lang,
                                          hashlib.sha256(pdf).hexdigest(), len(pdf), signer.signer_subject, target))
            report.written.append(target)
            report.document_ids.append(document_id)
            if progress is not None:
                progress(done, len(loaded.accepted))
    finally:
        records.close()
    report.rejected.sort(key=lambda r: _location_order(r.location))
    return report


def _location_order(location: str) -> int:
    parts = location.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
