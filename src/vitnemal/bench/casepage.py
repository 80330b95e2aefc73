"""The case worker's page benchmark: from pressing "Hent ekstern norsk utdanning" to every institution's outcome
on the page, measured in a real browser (Playwright driving Debian's chromium).

One ``vitnemal serve`` process runs the 50 nodes (each answering after an injected delay fixed per node within the
range), the worker and the pages, exactly as the demo does. The browser logs in through the test provider's
Feide-like side as the case worker of 185, opens a prepared case, presses the button (the page's own clock notes
the time of its click event) and waits (polling on every animation frame) until the page's outcome box says no
institution is pending; that difference is the figure. Each press is also cut in three by the order's own times
in the database (the browser and the server share this machine's clock): the press until the order is stored
(``to_order``), the order until its last outcome is stored (``order``), and that moment until the page shows it
(``to_page``: the part the page's script adds). The server's CPU time per press (the nodes, the worker and the
pages are that one process) is printed beside, the figure that holds however loaded the machine is.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from vitnemal.db import Database
from vitnemal.devtools.federation import build_federation
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import wait_until_healthy
from vitnemal.exchange.models import ResultsOrder
from vitnemal.identity.models import Person
from vitnemal.identity.national_id import make_national_id
from vitnemal.recognition import service as recognition
from vitnemal.records.models import AssessmentResult, Consent, ConsentAnswer, Course
from vitnemal.schema import upgrade
from vitnemal.testidp.staff import registry_pairs, staff_test_users

REQUESTER = "185"
CHROMIUM = "/usr/bin/chromium"
SECRET = "casepage-bench-secret-0123456789-abcdefghij"
# The page says every institution has answered when its outcome box has no pending row left.
# The press is the button's click event in the page (not the moment Playwright is asked to click: its checks and
# messages to the browser took 100-400 ms of a loaded machine before the page saw anything).
PRESSED_JS = """() => document.getElementById('fetch-button').addEventListener(
  'click', () => sessionStorage.setItem('t0', String(Date.now())), {capture: true})"""
DONE_JS = """() => {
  const box = document.getElementById('order-live');
  return box && box.dataset.pending === '0' ? [Number(sessionStorage.getItem('t0')), Date.now()] : false;
}"""


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _people(count: int) -> list[str]:
    out: list[str] = []
    day = 0
    while len(out) < count:
        nid = make_national_id(date(1992, 1, 1) + timedelta(days=day), 200 + day % 200)
        day += 1
        if nid and nid not in out:
            out.append(nid)
    return out


def _seed(db_of: Any, nodes: list[str], people: list[str]) -> list[int]:
    """Every person consents at 185 and holds one result at every node; returns one open case per person."""
    consent_at = datetime(2026, 1, 5, tzinfo=UTC)
    for code in nodes:
        with db_of(code).session() as s:
            course = Course(code=f"B{code}", name_nb=f"Emne {code}", name_en=f"Course {code}", credits=10)
            s.add(course)
            s.flush()
            for i, nid in enumerate(people):
                person = Person(national_id=nid, first_name="Bench", last_name=f"P{i}")
                s.add(person)
                s.flush()
                s.add(AssessmentResult(person_id=person.id, course_id=course.id, year=2020, season="VÅR", grade="B",
                                       passed=True, credits=course.credits))
    cases = []
    with db_of(REQUESTER).session() as s:
        for i, nid in enumerate(people):
            person = Person(national_id=nid, first_name="Bench", last_name=f"P{i}")
            s.add(person)
            s.flush()
            s.add(Consent(person_id=person.id, type="RESUTVEKSL", answer=ConsentAnswer.YES, answered_at=consent_at))
            s.flush()
            cases.append(recognition.open_case(s, national_id=nid, opened_by="bench", now=consent_at).id)
    return cases


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:13]) / os.sysconf("SC_CLK_TCK")


def _press(url: str, user: str, cases: list[int], nodes: int, warmup: int,
           server_pid: int) -> tuple[list[tuple[float, float]], float]:
    """Log in as the case worker and press the button on each case; return (pressed, all shown) in epoch
    milliseconds of each timed press, and the server's CPU seconds over them."""
    from playwright.sync_api import sync_playwright

    presses: list[tuple[float, float]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_context(base_url=url, locale="nb-NO").new_page()
        page.goto(f"/staff/login?next=/institutions/{REQUESTER}/cases")
        page.get_by_role("link", name="Logg inn med Feide").click()
        page.get_by_label("Brukernavn").fill(user)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"**/institutions/{REQUESTER}/cases")
        cpu_before = 0.0
        for i, case_id in enumerate(cases):
            if i == warmup:
                cpu_before = _cpu_s(server_pid)
            page.goto(f"/institutions/{REQUESTER}/cases/{case_id}")
            page.evaluate(PRESSED_JS)
            page.click("#fetch-button")
            pressed, shown = page.wait_for_function(DONE_JS, polling="raf", timeout=120_000).json_value()
            answered = page.locator("#order-live tr[data-institution]").count()
            if answered != nodes:
                raise RuntimeError(f"the page shows {answered} institutions, not {nodes}")
            if i >= warmup:
                presses.append((float(pressed), float(shown)))
        cpu = _cpu_s(server_pid) - cpu_before
        browser.close()
    return presses, cpu


def run_benchmark(*, nodes: int = 50, latency: str = "20-200", runs: int = 20, warmup: int = 2) -> dict[str, Any]:
    """Figures in milliseconds; nothing is asserted (the machine may be busy: its load is printed too)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (bash scripts/system-packages)")
    with tempfile.TemporaryDirectory(prefix="vitnemal-casepage-bench-") as tmp:
        home = Path(tmp) / "home"
        template = Path(tmp) / "template.sqlite"
        upgrade(f"sqlite:///{template}")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        codes = [REQUESTER, *(str(300 + i) for i in range(nodes))]
        fed = build_federation(home, codes, url, template=template)
        upgrade(fed.settings.url_for("portal"))
        cases = _seed(fed.db, codes[1:], _people(runs + warmup))
        user = next(u.username for u in staff_test_users(registry_pairs(fed.registry))
                    if u.username.startswith("saksbehandler@") and u.institutions == (REQUESTER,))
        env = {**os.environ, "VITNEMAL_HOME": str(home), "VITNEMAL_INJECT_LATENCY_MS": latency,
               "VITNEMAL_SECRET_KEY": SECRET, "VITNEMAL_PUBLIC_URL": url, "VITNEMAL_DATABASE_URL": ""}
        # The server's output goes to a file: a pipe nobody reads would stall it once full.
        with (Path(tmp) / "serve.log").open("wb") as log:
            server = subprocess.Popen([sys.executable, "-m", "vitnemal", "serve", "--port", str(port)], env=env,
                                      stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_healthy(url, server)
            presses, cpu_s = _press(url, user, cases, nodes, warmup, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        db = Database(fed.settings.url_for(REQUESTER))
        with db.read_session() as s:
            orders = s.scalars(select(ResultsOrder).order_by(ResultsOrder.id)).all()[warmup:]
            stored = [(o.ordered_at.timestamp() * 1000, o.finished_at.timestamp() * 1000) for o in orders
                      if o.finished_at]
        db.dispose()
    if len(stored) != len(presses):
        raise RuntimeError(f"{len(presses)} presses timed but {len(stored)} orders finished")
    parts = {"to_order": [o - t0 for (t0, _), (o, _) in zip(presses, stored, strict=True)],
             "order": [f - o for o, f in stored],
             "to_page": [done - f for (_, done), (_, f) in zip(presses, stored, strict=True)]}
    page_ms = [done - t0 for t0, done in presses]
    load = os.getloadavg()
    return {
        "nodes": nodes, "latency_ms": latency, "runs": len(page_ms),
        "page_p50_ms": round(statistics.median(page_ms), 1), "page_p95_ms": round(_percentile(page_ms, 95), 1),
        "page_max_ms": round(max(page_ms), 1), "goal_p95_ms": 500,
        "order_p50_ms": round(statistics.median(parts["order"]), 1),
        "order_p95_ms": round(_percentile(parts["order"], 95), 1),
        "parts_p50_ms": {k: round(statistics.median(v), 1) for k, v in parts.items()},
        "parts_p95_ms": {k: round(_percentile(v, 95), 1) for k, v in parts.items()},
        "server_cpu_ms_per_press": round(cpu_s * 1000 / len(page_ms), 1),
        "load_average_1m": round(load[0], 2), "cpus": os.cpu_count(), "measured_at": time.strftime("%H:%M:%S"),
    }
