"""``vitnemal bench verify``: verification of uploads through the worker pool, over real HTTP.

Figures (printed, never asserted): genuine diploma uploads per second through ``POST /verify`` with ``clients``
uploads in flight, their median and p95 latency; the same file checked in this process without the pool (what the
pool's isolation costs per file); and ``/healthz`` latency while hostile files (a cyclic page tree, a Flate bomb)
are being uploaded. The app is served by uvicorn in a thread of this process, its pool in worker processes.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from vitnemal.devtools.federation import build_federation
from vitnemal.devtools.hostile_pdfs import cyclic_page_tree, flate_bomb
from vitnemal.devtools.server import BackgroundServer


def _signed_document(settings: Any) -> bytes:
    import typst

    from vitnemal.diplomas.signers import local_signer_spec, make_signer

    source = "= Vitnemål\n" + "\n".join(f"Emne {i}: A" for i in range(200))
    pdf = typst.compile(source.encode(), format="pdf", pdf_standards="a-3b")
    return make_signer(local_signer_spec(settings, "185")).sign(pdf, contact_info="http://127.0.0.1/verify/x")


def _hostile() -> list[bytes]:
    """The two hostile files of issue 7: a page tree that lists itself, and 1 MiB of Flate inflating to ~1 GiB."""
    return [cyclic_page_tree(), flate_bomb(1024 * 2**20)]


def _ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return round(statistics.median(ordered) * 1000, 1), round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1)


def run_benchmark(uploads: int = 200, clients: int = 4) -> dict[str, Any]:
    """Return the figures described in the module docstring."""
    from vitnemal.diplomas.signers import federation_ca_cert
    from vitnemal.signing.verify import check_pdf
    from vitnemal.web.app import create_app

    with tempfile.TemporaryDirectory(prefix="vitnemal-verify-bench-") as tmp:
        fed = build_federation(Path(tmp) / "fed", ["185"], "http://127.0.0.1")
        pdf = _signed_document(fed.settings)
        ca = federation_ca_cert(fed.settings)
        assert ca is not None
        started = time.perf_counter()
        in_process = 0
        while in_process < 50 or time.perf_counter() - started < 2:
            assert check_pdf(pdf, [ca]).genuine
            in_process += 1
        in_process_per_s = in_process / (time.perf_counter() - started)
        with BackgroundServer(create_app(fed.settings, pages=False)) as server, httpx.Client(timeout=120) as http:

            def upload(body: bytes) -> tuple[float, dict[str, Any]]:
                begun = time.perf_counter()
                answer = http.post(f"{server.url}/verify", files={"file": ("x.pdf", body, "application/pdf")})
                return time.perf_counter() - begun, answer.json()

            first = time.perf_counter()
            assert upload(pdf)[1]["genuine"]  # starts the pool's workers
            pool_start_s = time.perf_counter() - first
            with ThreadPoolExecutor(clients) as threads:
                begun = time.perf_counter()
                answers = list(threads.map(upload, [pdf] * uploads))
                wall = time.perf_counter() - begun
            assert all(report["genuine"] for _, report in answers)
            hostile = _hostile() * 4
            with ThreadPoolExecutor(len(hostile)) as threads:
                pending = [threads.submit(upload, body) for body in hostile]
                health = []
                while not all(p.done() for p in pending):
                    begun = time.perf_counter()
                    http.get(f"{server.url}/healthz").raise_for_status()
                    health.append(time.perf_counter() - begun)
                    time.sleep(0.05)
                hostile_answers = [p.result()[1]["message"] for p in pending]
    median_ms, p95_ms = _ms([seconds for seconds, _ in answers])
    health_median, health_p95 = _ms(health or [0.0])
    return {
        "uploads_per_s": round(uploads / wall, 1),
        "upload_ms_median": median_ms,
        "upload_ms_p95": p95_ms,
        "checks_per_s_in_process_no_pool": round(in_process_per_s, 1),
        "uploads": uploads,
        "clients": clients,
        "pdf_kb": round(len(pdf) / 1024, 1),
        "pool_start_s": round(pool_start_s, 2),
        "healthz_ms_median_during_hostile": health_median,
        "healthz_ms_p95_during_hostile": health_p95,
        "healthz_probes": len(health),
        "hostile_answers": sorted(set(hostile_answers)),
    }
