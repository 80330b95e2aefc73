"""The school benchmark: a county's admission points from CSV, and certificates rendered and signed per second.

``run_benchmark`` writes a deterministic county file (seeded random pupils over many schools, with a few bad rows
so the rejection path is exercised) into a temporary directory, then times

- the whole job from the file: import, validation, points, ranking, and writing the ranked list as CSV, exactly
  what ``vitnemal school points FILE --quiet --ranked-out ranked.csv`` does (the fast path of
  :mod:`vitnemal.school.fastpoints`; ``records_explained`` counts the records that took the explaining path),
  in wall and CPU seconds (CPU is the steadier figure on a shared machine) split by stage;
- rendering (typst, one compiler reused) and signing (pyHanko, one key loaded once, signature space reserved)
  of ``certificates`` certificates.
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from vitnemal import csv_cells
from vitnemal.diplomas.render import qr_svg
from vitnemal.files import write_private
from vitnemal.school.batch import run_points, temporary_work
from vitnemal.school.export import write_run_ranking
from vitnemal.school.importer import STANDARD_HEADER, pupil_row
from vitnemal.school.model import Certificate, Subject
from vitnemal.school.registry import SchoolEntry, organisation_number_problem
from vitnemal.school.render import CertificateRenderer
from vitnemal.school.service import load_certificates
from vitnemal.signing.ca import LocalCertificateAuthority
from vitnemal.signing.pdf import KeyFileSigner

SEED = 20260619
PUPILS_PER_SCHOOL = 60
BAD_ROW_EVERY = 997  # about 0.1 % of rows break a rule
_FIRST = ("Kari", "Ola", "Nora", "Emil", "Ingrid", "Jakob", "Sofie", "Lukas", "Emma", "Filip", "Maja", "Aksel")
_LAST = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Berg", "Haugen", "Dahl", "Lie", "Strand")
_ELECTIVES = ("Programmering", "Fysisk aktivitet og helse", "Innsats for andre", "Sal og scene", "Friluftsliv")
_ORAL = ("norsk muntlig", "engelsk muntlig", "matematikk muntlig-praktisk", "KRLE muntlig", "samfunnsfag muntlig")


def _grade(rng: random.Random, ability: float) -> str:
    roll = rng.random()
    if roll < 0.006:
        return "IV"
    if roll < 0.012:
        return "fritatt"
    return str(min(6, max(1, round(rng.gauss(ability, 0.9)))))


def _absence(rng: random.Random) -> dict[str, int]:
    days = rng.randint(0, 12)
    return {"days": days, "hours": rng.randint(0, 20), "excluded_days": rng.randint(0, min(days, 2))}


def generate_pupil(rng: random.Random, number: int) -> dict[str, Any]:
    """Return one made-up pupil (the JSON shape), valid except for about one row in a thousand."""
    ability = rng.gauss(4.1, 0.8)
    school = number // PUPILS_PER_SCHOOL + 1
    final = {
        s.value: _grade(rng, ability) for s in Subject if s not in (Subject.UTDANNINGSVALG, Subject.ARBEIDSLIVSFAG)
    }
    if rng.random() < 0.08:
        final[Subject.ARBEIDSLIVSFAG.value] = final.pop(Subject.FREMMEDSPRAK.value)
    sidemal_exempt = rng.random() < 0.05 or final[Subject.NORSK_SIDEMAL_SKRIFTLIG.value] == "fritatt"
    if sidemal_exempt:
        final[Subject.NORSK_SIDEMAL_SKRIFTLIG.value] = "fritatt"
    electives = [
        {"name": name, "grade": str(min(6, max(1, round(rng.gauss(ability + 0.3, 0.8)))))}
        for name in rng.sample(_ELECTIVES, rng.randint(1, 3))
    ]
    written = rng.choice(("norsk", "engelsk", "matematikk"))
    exams = {}
    if written == "norsk":
        exams["norsk hovedmål skriftlig"] = _grade(rng, ability)
        if not sidemal_exempt:
            exams["norsk sidemål skriftlig"] = _grade(rng, ability)
    else:
        exams[f"{written} skriftlig"] = _grade(rng, ability)
    exams[rng.choice(_ORAL)] = _grade(rng, ability + 0.2)
    if number % BAD_ROW_EVERY == BAD_ROW_EVERY - 1:
        final[Subject.MUSIKK.value] = "7"
    return {
        "id": f"P{number + 1:06}",
        "name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        "birth_date": f"2010-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}",
        "school": f"Skole {school:04} ungdomsskole",
        "municipality": f"Kommune {school % 40 + 1:02}",
        "final": final,
        "electives": electives,
        "exams": exams,
        "order": rng.choices(("G", "NG", "LG"), (0.9, 0.08, 0.02))[0],
        "conduct": rng.choices(("G", "NG", "LG"), (0.9, 0.08, 0.02))[0],
        "absence": {str(year): _absence(rng) for year in (8, 9, 10)},
        "place": "Bergen",
        "date": "2026-06-19",
        "principal": "Randi Rektorsen",
        "contact_teacher": "Lars Lærer",
    }


def write_county_csv(path: Path, pupils: int, seed: int = SEED) -> None:
    """Write a county file of ``pupils`` made-up pupils in the documented CSV format (same seed, same file)."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv_cells.writer(handle)
        writer.writerow(STANDARD_HEADER)
        for number in range(pupils):
            writer.writerow(pupil_row(generate_pupil(rng, number)))


def first_certificates(county: Path, count: int) -> list[Certificate]:
    """Return the first ``count`` valid certificates of a county file."""
    head = county.with_name("head.csv")
    with county.open(encoding="utf-8") as source, head.open("w", encoding="utf-8") as target:
        for _ in range(count + count // BAD_ROW_EVERY + 2):
            line = source.readline()
            if not line:
                break
            target.write(line)
    return [item.certificate for item in load_certificates(head).accepted][:count]


def _bench_numbers() -> Iterator[str]:
    """Valid organisation numbers starting with 1 (never a real organisation's), in order."""
    for base in itertools.count(1):
        for check in range(10):
            candidate = f"1{base:07}{check}"
            if organisation_number_problem(candidate) is None:
                yield candidate


def _process_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far, from /proc (None where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _workers_cpu_s(issuer: Any) -> float | None:
    pool = getattr(issuer, "_pool", None)
    if pool is None:
        return None  # one process: all of it is this process's
    times = [_process_cpu_s(pid) for pid in list(pool._processes)]
    return None if None in times else sum(t for t in times if t is not None)


def _issue_rate(work: Path, batch: list[Certificate], workers: int) -> dict[str, Any]:
    """Certificates per second through the whole issuing pipeline (find the school, render, sign, write, record)
    with ``workers`` processes, timed once the workers are ready, and the CPU per certificate of this process and
    of the workers (the figure two cores bound: 2 s / both)."""
    from vitnemal.config import Settings
    from vitnemal.school.issue import CertificateIssuer, SignerConfig
    from vitnemal.school.registry import SchoolRegistry
    from vitnemal.school.service import Accepted

    home = work / f"home-{workers}"
    schools = sorted({c.pupil.school for c in batch})
    registry = SchoolRegistry({})
    for number, name in zip(_bench_numbers(), schools, strict=False):
        registry.add(SchoolEntry(number, name))
    settings = Settings.from_env().with_home(home)
    settings = replace(settings, database_url="")
    accepted = [Accepted(f"line {n}", c) for n, c in enumerate(batch, start=2)]
    with CertificateIssuer(SignerConfig(registry, ca_dir=home / "ca"), settings, workers=workers) as issuer:
        issuer.issue(accepted[:4], work / f"warm-{workers}", "nb")  # keys issued, schemas made, workers warm
        before = _workers_cpu_s(issuer)
        started, cpu = time.perf_counter(), time.process_time()
        report = issuer.issue(accepted, work / f"out-{workers}", "nb")
        seconds, main_cpu = time.perf_counter() - started, time.process_time() - cpu
        after = _workers_cpu_s(issuer)
    written = len(report.written)
    workers_cpu = after - before if after is not None and before is not None else None
    return {
        "per_s": round(written / seconds, 1) if written else 0.0,
        "main_cpu_ms": _ms(main_cpu / written) if written else None,
        "workers_cpu_ms": _ms(workers_cpu / written) if written and workers_cpu is not None else None,
    }


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def run_benchmark(pupils: int = 60_000, certificates: int = 200) -> dict[str, Any]:
    """Return the figures: pupils per second for the whole county job, certificates (rendered + signed) per second."""
    with tempfile.TemporaryDirectory(prefix="vitnemal-bench-") as tmp:
        work = Path(tmp)
        county = work / "county.csv"
        started = time.perf_counter()
        write_county_csv(county, pupils)
        generate_s = time.perf_counter() - started

        started = time.perf_counter()
        cpu = time.process_time()
        with temporary_work() as spill:
            run = run_points(county, Path(spill))
            points_s = time.perf_counter() - started
            points_cpu_s = time.process_time() - cpu
            write_run_ranking(work / "ranked.csv", run)
        county_s = time.perf_counter() - started
        county_cpu_s = time.process_time() - cpu

        ca = LocalCertificateAuthority.create_or_load(work / "ca", "Bench-CA")
        key, cert = ca.issue_signer(work / "ca", "Skole 0001 ungdomsskole", "Kommune 02")
        setup = time.perf_counter()
        renderer = CertificateRenderer()
        signer = KeyFileSigner(key, cert, [ca.cert_path], reason="Vitnemål for grunnskolen")
        setup_s = time.perf_counter() - setup
        url = "https://vitnemal.example/verify/00000000-0000-4000-8000-000000000000"
        stages: dict[str, list[float]] = {"render": [], "qr": [], "sign": [], "write": []}
        cpu_stages: dict[str, list[float]] = {"render": [], "qr": [], "sign": [], "write": []}
        sizes: list[int] = []
        batch = first_certificates(county, certificates)
        started = time.perf_counter()
        for number, certificate in enumerate(batch):
            t0, c0 = time.perf_counter(), time.process_time()
            qr_svg(url)  # measured alone: render makes it again (its share of render)
            t1, c1 = time.perf_counter(), time.process_time()
            pdf = renderer.render(certificate, "nb", document_id=f"{number:08}", url=url)
            t2, c2 = time.perf_counter(), time.process_time()
            signed = signer.sign(pdf, contact_info=url)
            t3, c3 = time.perf_counter(), time.process_time()
            write_private(work / "single" / f"{number}.pdf", signed, tighten_dir=False)
            t4, c4 = time.perf_counter(), time.process_time()
            for name, wall, cpu_s in (("qr", t1 - t0, c1 - c0), ("render", t2 - t1, c2 - c1),
                                      ("sign", t3 - t2, c3 - c2), ("write", t4 - t3, c4 - c3)):
                stages[name].append(wall)
                cpu_stages[name].append(cpu_s)
            sizes.append(len(signed))
        certificates_s = time.perf_counter() - started - sum(stages["qr"])
        pipeline = {n: _issue_rate(work, batch, n) for n in (1, 2)}

    issued = len(batch)
    return {
        "pupils": pupils,
        "accepted": run.accepted,
        "rejected": run.rejected_count,
        "csv_generate_s": round(generate_s, 2),
        "county_total_s": round(county_s, 3),
        "import_points_rank_s": round(points_s, 3),
        "pupils_per_s": round(pupils / county_s, 1),
        "pupils_per_cpu_s": round(pupils / county_cpu_s, 1),
        "county_stages_s": {"read_check_score": round(points_s, 3), "write_ranked_csv": round(county_s - points_s, 3)},
        "county_stages_cpu_s": {"read_check_score": round(points_cpu_s, 3),
                                "write_ranked_csv": round(county_cpu_s - points_cpu_s, 3)},
        "records_explained": run.explained,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "certificates": issued,
        "certificates_total_s": round(certificates_s, 3),
        "certificates_per_s": round(issued / certificates_s, 1) if issued else 0.0,
        "render_ms_median": _median_ms(stages["render"]),
        "sign_ms_median": _median_ms(stages["sign"]),
        "render_ms_p95": _ms(sorted(stages["render"])[int(0.95 * (issued - 1))]) if issued else None,
        "sign_ms_p95": _ms(sorted(stages["sign"])[int(0.95 * (issued - 1))]) if issued else None,
        # CPU (not wall) per certificate and stage, steadier when others load the machine; the render includes
        # its QR code (qr, measured alone) and typst
        "certificate_stages_cpu_ms_median": {name: _median_ms(times) for name, times in cpu_stages.items()},
        "render_cpu_ms_median": _median_ms(cpu_stages["render"]),
        "sign_cpu_ms_median": _median_ms(cpu_stages["sign"]),
        # the rate two cores would give if all their time went to rendering, signing and writing (no record, no
        # pool): an estimate, not a rate
        "cpu_bound_certificates_per_s_2_cores": (
            round(2 / sum(statistics.median(cpu_stages[n]) for n in ("render", "sign", "write")), 1)
            if issued else None),
        "renderer_and_signer_setup_ms": _ms(setup_s),
        "signed_pdf_kb_median": round(statistics.median(sizes) / 1024, 1) if issued else None,
        **{f"issue_per_s_{n}_workers": figures["per_s"] for n, figures in pipeline.items()},
        # the whole pipeline's CPU per certificate: this process (schools, ids, records) and its workers (render,
        # sign, write); two cores bound the 2-worker rate at 2000 / (main + workers)
        "issue_cpu_ms_per_certificate": {f"{n}_workers": {"main": figures["main_cpu_ms"],
                                                          "workers": figures["workers_cpu_ms"]}
                                         for n, figures in pipeline.items()},
    }


def _median_ms(times: list[float]) -> float | None:
    return _ms(statistics.median(times)) if times else None
