"""The ELMO benchmark: a 40-course transcript exported as signed ELMO per second, and signed ELMO verified and
validated per second (what a receiver does before importing).

One export is the whole data provider's document step: the selection → ELMO XML with the PDF attached
(:func:`vitnemal.portal.elmo.snapshot_to_elmo`) → the enveloped XML signature with the portal's kind of signer
(P-256, from a throwaway CA), in one process or, with ``processes``, in several at once (the goal is
for two cores). The PDF is a fixed stand-in of ``pdf_kib`` KiB, not rendered: rendering and
signing the PDF is the portal benchmark's figure. One validation is :func:`vitnemal.interop.elmo_sign.verify_elmo`
(pinned certificate) and then the official schema over what was signed. One import into a record is what a case
worker's upload costs: :func:`vitnemal.interop.elmo_import.read_elmo` (signature, schema, reading) and
:func:`vitnemal.interop.elmo_store.import_elmo` into a new person's external studies, committed, on SQLite.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from vitnemal.db import Database
from vitnemal.identity.models import Person
from vitnemal.interop.elmo import validate_elmo
from vitnemal.interop.elmo_import import read_elmo
from vitnemal.interop.elmo_sign import sign_elmo, verify_elmo
from vitnemal.interop.elmo_store import import_elmo
from vitnemal.portal.elmo import snapshot_to_elmo
from vitnemal.schema import upgrade
from vitnemal.signing.ca import IssuerKind, LocalCertificateAuthority, RegisteredSigner


def transcript(courses: int) -> list[dict[str, Any]]:
    """One institution, one bachelor's degree holding ``courses`` courses (graded A–F, 7.5 credits each)."""
    results = [{"key": f"EMNE{i:03d}|{2015 + i // 10}|{'VÅR' if i % 2 else 'HØST'}", "course_code": f"EMNE{i:03d}",
                "name_nb": f"Emne nummer {i}", "name_en": f"Course number {i}", "kind": "course",
                "thesis_title": None, "year": 2015 + i // 10, "season": "VÅR" if i % 2 else "HØST",
                "credits": "7.5", "grade": "ABCDE"[i % 5], "grading_scale": "letter"} for i in range(courses)]
    degree = {"key": "BA", "code": "BA", "name_nb": "Bachelor", "name_en": "Bachelor", "level": "bachelor",
              "credits": "180", "award_date": "2020-06-20", "courses": [r["key"] for r in results]}
    return [{"code": "185", "name": "Universitetet i Oslo", "name_en": "University of Oslo", "schac": "uio.no",
             "url": "https://www.uio.no", "results": results, "qualifications": [degree]}]


def _export(snapshot: list[dict[str, Any]], pdf: bytes, key_pem: bytes, cert_pem: bytes, documents: int,
            now: datetime) -> tuple[bytes, float]:
    """Export ``documents`` signed documents; (the last one, the CPU seconds it took)."""
    signed = b""
    cpu = time.process_time()
    for _ in range(documents):
        xml = snapshot_to_elmo(snapshot, name="Ola Nordmann", birth_date=date(1990, 1, 1), lang="nb",
                               generated_at=now, pdf=pdf)
        signed = sign_elmo(xml, key_pem=key_pem, cert_pem=cert_pem)
    return signed, time.process_time() - cpu


def _imports(signed: bytes, trusted: list[x509.Certificate], count: int, directory: Path) -> tuple[float, float]:
    """Import ``signed`` into ``count`` people's records, each in its own transaction; (wall, CPU seconds)."""
    url = f"sqlite:///{directory / 'receiver.sqlite'}"
    upgrade(url)
    db = Database(url)
    with db.session() as session:
        session.add_all([Person(national_id=f"0101900{i:04d}", first_name="Ola", last_name="Nordmann",
                                birth_date=date(1990, 1, 1)) for i in range(count)])
    with db.read_session() as session:
        ids = [p.id for p in session.query(Person).order_by(Person.id)]
    now = datetime.now(UTC)
    wall, cpu = time.perf_counter(), time.process_time()
    for person_id in ids:
        with db.session() as session:
            person = session.get(Person, person_id)
            assert person is not None
            import_elmo(session, person, read_elmo(signed, trusted), signed, actor="bench", now=now)
    elapsed = time.perf_counter() - wall, time.process_time() - cpu
    db.dispose()
    return elapsed


def run_benchmark(*, courses: int = 40, documents: int = 400, pdf_kib: int = 60, processes: int = 1) -> dict[str, Any]:
    """``processes`` > 1 exports in that many processes at once (a data provider's workers), ``documents`` in all."""
    snapshot = transcript(courses)
    pdf = os.urandom(pdf_kib * 1024)
    with tempfile.TemporaryDirectory() as tmp:
        ca = LocalCertificateAuthority.create_or_load(Path(tmp) / "ca")
        key_path, cert_path = ca.issue_for(Path(tmp) / "ca" / "portal",
                                           RegisteredSigner(IssuerKind.PORTAL, "portal", "Vitnemålsportalen"))
        key_pem, cert_pem = key_path.read_bytes(), cert_path.read_bytes() + ca.cert_path.read_bytes()
    trusted = [x509.load_pem_x509_certificate(cert_pem)]
    now = datetime.now(UTC)
    shares = [documents // processes + (1 if i < documents % processes else 0) for i in range(processes)]
    wall = time.perf_counter()
    if processes == 1:
        signed, export_cpu = _export(snapshot, pdf, key_pem, cert_pem, documents, now)
    else:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            done = list(pool.map(_export, *zip(*[(snapshot, pdf, key_pem, cert_pem, n, now) for n in shares],
                                               strict=True)))
        signed, export_cpu = done[0][0], sum(cpu for _, cpu in done)
    export_wall = time.perf_counter() - wall
    validate_elmo(signed)  # loads the schema once, outside the timing
    checks = max(1, documents // 4)
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(checks):
        validate_elmo(verify_elmo(signed, trusted).xml())
    check_wall, check_cpu = time.perf_counter() - wall, time.process_time() - cpu
    with tempfile.TemporaryDirectory() as tmp:
        import_wall, import_cpu = _imports(signed, trusted, checks, Path(tmp))
    return {
        "courses": courses, "documents": documents, "processes": processes, "document_bytes": len(signed),
        "pdf_kib_stand_in": pdf_kib,
        "exports_signed_per_s": round(documents / export_wall, 1),
        "exports_signed_per_cpu_s": round(documents / export_cpu, 1) if export_cpu else None,
        "validations": checks, "imports_validated_per_s": round(checks / check_wall, 1),
        "imports_validated_per_cpu_s": round(checks / check_cpu, 1) if check_cpu else None,
        "imports_into_records_per_s": round(checks / import_wall, 1),
        "imports_into_records_per_cpu_s": round(checks / import_cpu, 1) if import_cpu else None,
        "goal_exports_per_s": 200, "load_1min": round(os.getloadavg()[0], 2),
    }
