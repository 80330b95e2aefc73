"""The diploma benchmark: signed PDF/A-3b diploma sets issued per second (one process, all cores), the median
render and sign time per document, and verifications per second.

``run_benchmark`` makes a throwaway federation with one institution (185) whose records hold ``people`` bachelor
graduates (examen philosophicum and 34 courses, 180 credits, grade distributions shown), whose diploma sets run to
four pages: front page, information page and a two-page transcript. It then runs the real issuing pipeline
(:func:`vitnemal.diplomas.issue.issue_many`: read the records, build, render with typst, sign with pyHanko, write
the file, record it in its own transaction) over half of them in one process and over the other half with one
worker process per core, and finally verifies issued files (:func:`vitnemal.signing.verify.check_pdf`) in one
process.

Rates are measured from the first document out to the last, so the workers' start (a fresh interpreter each,
loading typst and the key once) is reported apart as ``pool_start_s``. ``stages_cpu_ms`` splits each set's CPU
time by stage (reading the records, ELMO, QR, typst, signing, writing the file, recording it), measured with the
process's CPU clock so that the split holds while others load the machine; ``load_average_1m`` (before, after)
says how loaded it was.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.records.terms import SEASONS

PROGRAMME = "BAHIST"
COURSES = 34  # of 5 credits, besides examen philosophicum: 35 transcript rows


def _seed(db: Database, people: int) -> None:
    """Write the graduates (see the module docstring) in one transaction."""
    from vitnemal.identity.models import Person
    from vitnemal.programmes.models import Programme, ProgrammeAdmission
    from vitnemal.records.models import (
        AssessmentResult,
        Course,
        Qualification,
        QualificationCourse,
        QualificationGroup,
    )

    with db.session() as s:
        s.add(Programme(
            code=PROGRAMME, name_nb="Bachelorprogram i historie", name_nn="Bachelorprogram i historie",
            name_en="Bachelor's programme in history", language="nb", faculty_nb="Det humanistiske fakultet",
            faculty_nn="Det humanistiske fakultetet", faculty_en="Faculty of Humanities", nominal_years=Decimal(3),
            credits=Decimal(180), nqf_cycle=1,
            objectives_nb="Programmet gir bred kunnskap om historiske prosesser fra antikken til i dag, og trener "
                          "studentene i kildekritikk, analyse og skriftlig framstilling. " * 3,
            outcomes_nb="Kandidaten kan gjøre rede for sentrale historiske utviklingslinjer, vurdere kilder "
                        "kritisk og formidle historisk kunnskap skriftlig og muntlig. " * 3,
        ))
        exphil = Course(code="EXPHIL03", name_nb="Examen philosophicum", name_en="Examen philosophicum",
                        credits=Decimal(10), kind="exphil")
        courses = [Course(code=f"HIS{1000 + 10 * n}", name_nb=f"Historie: emne {n + 1} med et langt navn",
                          name_en=f"History: course {n + 1}", credits=Decimal(5)) for n in range(COURSES)]
        s.add_all([exphil, *courses])
        s.flush()
        for number, (born, national_id) in zip(range(people), _national_ids(), strict=False):
            person = Person(national_id=national_id, first_name=f"Kandidat{number}", last_name="Nordmann",
                            birth_date=born)
            s.add(person)
            s.flush()
            results = [AssessmentResult(person_id=person.id, course_id=c.id, year=2021 + n // 12,
                                        season=SEASONS[n // 6 % 2], grade="ABCDE"[(number + n) % 5], passed=True,
                                        credits=c.credits, assessed_on=date(2021 + n // 12, 6, 10))
                       for n, c in enumerate([exphil, *courses])]
            s.add_all(results)
            qual = Qualification(person_id=person.id, code="BA-HIST", name_nb="Bachelor i historie",
                                 name_en="Bachelor of Arts in History", level="bachelor",
                                 programme_code=PROGRAMME, credits=Decimal(180), award_date=date(2024, 6, 20))
            s.add_all([qual, ProgrammeAdmission(person_id=person.id, programme_code=PROGRAMME,
                                                admitted_on=date(2021, 8, 1))])
            s.flush()
            groups = [QualificationGroup(qualification_id=qual.id, position=0, heading_nb="Obligatoriske emner",
                                         heading_en="Compulsory courses"),
                      QualificationGroup(qualification_id=qual.id, position=1, heading_nb="Valgfrie emner",
                                         heading_en="Elective courses")]
            s.add_all(groups)
            s.flush()
            s.add_all(QualificationCourse(qualification_id=qual.id, result_id=r.id,
                                          group_id=groups[0 if n < 20 else 1].id) for n, r in enumerate(results))


def _national_ids() -> Iterator[tuple[date, str]]:
    """Distinct valid synthetic (+80) numbers with their birth dates, never a real person's."""
    from vitnemal.identity.national_id import make_national_id

    for individual in range(100, 500):
        for day in range(3650):
            born = date(1990, 1, 1) + timedelta(days=day)
            number = make_national_id(born, individual, series="synthetic")
            if number is not None:
                yield born, number


def _stamper(stamps: list[float]) -> Callable[[int, int], None]:
    """Return a progress callback that notes when each document was done."""
    return lambda _done, _total: stamps.append(time.perf_counter())


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _pages(pdf: bytes) -> int:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    return int(PdfFileReader(BytesIO(pdf)).root["/Pages"]["/Count"])


def run_benchmark(people: int = 600, processes: int | None = None, verify: int = 200) -> dict[str, Any]:
    """Return the figures (see the module docstring); ``people`` diplomas are issued in all."""
    from vitnemal.devtools.federation import build_federation
    from vitnemal.diplomas.issue import BATCH, IssueContext, issue_many, pending_jobs
    from vitnemal.diplomas.signers import federation_ca_cert, local_signer_spec
    from vitnemal.signing.verify import check_pdf

    processes = processes or os.cpu_count() or 1
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vitnemal-bench-") as tmp:
        started = time.perf_counter()
        fed = build_federation(Path(tmp) / "fed", ["185"], "http://127.0.0.1:9")
        db = fed.db("185")
        _seed(db, people)
        with db.read_session() as session:
            jobs = pending_jobs(session)
        db.dispose()
        settings: Settings = fed.settings
        context = IssueContext(settings=settings, institution_code="185", institution_name="Universitetet i Oslo",
                               institution_name_en="University of Oslo", signer=local_signer_spec(settings, "185"),
                               issued_by="bench")
        setup_s = time.perf_counter() - started

        runs = {}
        for label, batch, workers in (("one_process", jobs[: len(jobs) // 2], 1),
                                      ("all_cores", jobs[len(jobs) // 2 :], processes)):
            stamps: list[float] = []
            begun = time.perf_counter()
            report = issue_many(context, batch, processes=workers, progress=_stamper(stamps))
            if report.failed:
                raise RuntimeError(f"the benchmark's diplomas failed: {report.failed[0].message}")
            steady = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
            runs[label] = (report, steady, stamps[0] - begun, time.perf_counter() - begun)

        ca_cert = federation_ca_cert(settings)
        assert ca_cert is not None
        issued = [row.storage_path for report, *_ in runs.values() for row in report.issued]
        files = [(settings.home / (p or "")).read_bytes() for p in issued[:verify]]
        verify_times = []
        for pdf in files:
            t0 = time.perf_counter()
            if not check_pdf(pdf, [ca_cert]).genuine:
                raise RuntimeError("an issued diploma did not verify")
            verify_times.append(time.perf_counter() - t0)

    one, pool = runs["one_process"], runs["all_cores"]
    stages = _stage_split([*one[0].files, *pool[0].files], [*one[0].record_ms, *pool[0].record_ms])
    cpu_per_set = sum(stages.values())
    render_ms = one[0].render_ms + pool[0].render_ms
    sign_ms = one[0].sign_ms + pool[0].sign_ms
    return {
        "signed_per_s": round(pool[1], 1),
        "signed_per_s_one_process": round(one[1], 1),
        "processes": processes,
        "cpu_count": os.cpu_count(),
        "render_ms_median": round(statistics.median(render_ms), 2),
        "sign_ms_median": round(statistics.median(sign_ms), 2),
        "render_ms_p95": round(sorted(render_ms)[int(0.95 * (len(render_ms) - 1))], 2),
        "sign_ms_p95": round(sorted(sign_ms)[int(0.95 * (len(sign_ms) - 1))], 2),
        "verify_per_s": round(len(verify_times) / sum(verify_times), 1),
        "verify_ms_median": _ms(statistics.median(verify_times)),
        "documents": len(issued),
        "documents_one_process": len(one[0].issued),
        "documents_all_cores": len(pool[0].issued),
        "pages": _pages(files[0]),
        "pdf_standard": "PDF/A-3b",
        "signed_pdf_kb_median": round(statistics.median(len(f) for f in files) / 1024, 1),
        "pool_start_s": round(pool[2], 2),
        "wall_s_one_process": round(one[3], 2),
        "wall_s_all_cores": round(pool[3], 2),
        "setup_s": round(setup_s, 2),
        # where the CPU goes, per set (mean ms; read: the set's share of its batch's read of the records)
        "stages_cpu_ms": {k: round(v, 2) for k, v in stages.items()},
        "stages_share_pct": {k: round(100 * v / cpu_per_set, 1) for k, v in stages.items()},
        "cpu_ms_per_set": round(cpu_per_set, 2),
        # the rate the cores would give if all their time went to these stages: steadier than signed_per_s when
        # others share the machine (it does not count waiting for a core), but it is an estimate, not a rate
        "cpu_bound_signed_per_s": round(processes * 1000 / cpu_per_set, 1),
        "batch": BATCH,
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def _stage_split(files: list[Any], record_ms: list[float]) -> dict[str, float]:
    """Mean CPU milliseconds per set of each stage: the workers' (read, elmo, qr, typst, sign, write) and
    recording in the calling process."""
    names = ("read", "elmo", "qr", "typst", "sign", "write")
    out = {name: statistics.fmean(f.stages.get(name, 0.0) for f in files) for name in names}
    out["record"] = statistics.fmean(record_ms) if record_ms else 0.0
    return out
