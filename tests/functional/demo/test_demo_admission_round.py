"""The demo's admission round: every demo person applied through Samordna opptak; the list's bad lines are reported
by line, and the round, worked by the worker inside the server, fetches the seed's test persons' results."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vitnemal.admissions import roster, service, standing
from vitnemal.admissions.applicant_list import read_csv
from vitnemal.admissions.models import LineProblem, RoundKind, RoundStatus
from vitnemal.config import Settings
from vitnemal.db import Database
from vitnemal.demo import generate_federation
from vitnemal.demo.admission_round import DEMO_ROUND_FILE
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.institutions.registry import ADMISSION_CODE, Registry
from vitnemal.web.app import create_app

TESTPERSON1 = "01536112185"

pytestmark = pytest.mark.slow


def test_the_demo_round_reports_its_bad_lines_and_fetches_the_test_persons(tmp_path: Path) -> None:
    port = free_port()
    # A generous deadline per node: on a loaded machine a node past the usual 5 s is retried the next day, which
    # would leave this test waiting for tomorrow.
    settings = Settings(home=tmp_path / "fed", public_url=f"http://127.0.0.1:{port}", node_timeout_s=120)
    generate_federation(settings, seed=2014, people=40, institutions=6)
    listed = (settings.home / DEMO_ROUND_FILE).read_bytes()
    assert TESTPERSON1 in listed.decode()
    registry = Registry.load(settings.registry_path)
    db = Database(settings.url_for(ADMISSION_CODE))
    with db.session() as s:
        started = service.start_round(s, requester=ADMISSION_CODE, kind=RoundKind.SAMORDNA_OPPTAK, name="Demo",
                                      lines=read_csv(listed), institutions=registry.codes(), started_by="test",
                                      source=DEMO_ROUND_FILE.name, now=datetime.now(UTC))
    assert [(r.line_no, r.reason) for r in started.rejections][:2] == [
        (12, LineProblem.INVALID_NATIONAL_ID), (22, LineProblem.DUPLICATE)]
    assert started.rejections[-1].reason is LineProblem.NO_CONSENT and started.accepted == 40  # every demo person
    with BackgroundServer(create_app(settings, with_worker=True), port=port):
        deadline = time.monotonic() + 600
        while True:
            with db.read_session() as s:
                progress = standing.round_progress(s, started.round_id, datetime.now(UTC))
            if progress.status is RoundStatus.DONE or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    assert (progress.status, progress.done) == (RoundStatus.DONE, 40), progress
    with db.session() as s:
        applicant = roster.find_applicant(s, started.round_id, TESTPERSON1)
        assert applicant is not None
        view = roster.applicant_view(s, registry, started.round_id, applicant.id, viewer="test",
                                      now=datetime.now(UTC))
        # The demo's scripted cases (an unissued diploma, an id the source holds under another number) are the
        # incomplete ones, each with its reason; Testperson1 is complete.
        incomplete = {r.national_id: {x.code for x in r.reasons}
                      for r in roster.applicants(s, started.round_id, only="incomplete")}
    db.dispose()
    assert ("216", "RES-100") in {(c.institution, c.code) for c in view.summary.courses}
    # 216 merged into Høgskulen på Vestlandet; Testperson1's 2014 course is named by the name of its day, and the
    # answer by today's name (told apart from any other member that shares it: none among this demo's six).
    [then] = {c.institution_name for c in view.summary.courses if c.institution == "216"}
    assert then == "Høgskulen i Sogn og Fjordane" != registry.get("216").name_nb
    [answer] = [f.name for f in view.fetches if f.institution == "216"]
    assert answer == registry.distinct_name("216") == "Høgskulen på Vestlandet"
    assert view.row.complete and TESTPERSON1 not in incomplete
    assert all(reasons and reasons <= {"degree_not_released", "identity_mismatch"} for reasons in incomplete.values())
