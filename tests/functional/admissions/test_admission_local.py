"""An institution's local-admission round is worked by the server's own worker (issue 14: no
`vitnemal admissions work --for CODE` needed): 185 starts a round on consents given in its Søknadsweb, and the
server that serves 185 fetches it from the other institutions."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

from tests.factories import make_federation
from tests.functional.admissions.conftest import SO, SOURCES, people, seed_sources

from vitnemal.admissions import service, standing
from vitnemal.admissions.applicant_list import read_csv
from vitnemal.admissions.models import RoundKind, RoundStatus
from vitnemal.admissions.tasks import has_due_applicants
from vitnemal.devtools.postgres import free_port
from vitnemal.devtools.server import BackgroundServer
from vitnemal.records.consent import answer_admission_consent
from vitnemal.web.app import create_app


def test_a_local_admission_round_is_worked_by_the_server(tmp_path, sqlite_template) -> None:
    ids = people(3)
    port = free_port()
    fed = make_federation(tmp_path / "fed", SOURCES, f"http://127.0.0.1:{port}", template=sqlite_template,
                          admission=True)
    seed_sources(fed, ids)
    settings = replace(fed.settings, poll_interval_s=0.2)
    with fed.db("185").session() as s:
        for n in ids:
            answer_admission_consent(s, n, True, actor=f"applicant:{n}")
        started = service.start_round(s, requester="185", kind=RoundKind.LOCAL, name="Lokalt opptak",
                                      lines=read_csv(("fnr\n" + "\n".join(ids)).encode()),
                                      institutions=fed.registry.codes(), started_by="opptak@185",
                                      source="liste.csv", now=datetime.now(UTC))
    assert started.accepted == 3
    with BackgroundServer(create_app(settings, with_worker=True, codes=SOURCES), port=port):
        deadline = time.monotonic() + 120  # a bound on waiting, not a figure
        while True:
            with fed.db("185").read_session() as s:
                progress = standing.round_progress(s, started.round_id, datetime.now(UTC))
            if progress.status is RoundStatus.DONE or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert (progress.status, progress.done, progress.complete) == (RoundStatus.DONE, 3, 3), progress
    assert progress.outcomes == {"imported": 6}  # 214 and 216 asked about each; 185 (the requester) is not


def test_the_look_for_work_sees_only_running_rounds_with_applicants_due(admission) -> None:
    """The host's look into every institution's database (has_due_applicants, one query) says yes exactly when the
    worker would claim: a running round of that requester with an applicant due; not paused, not done, not
    another requester's."""
    ids = people(2)
    live = admission(ids)
    db = live.fed.db(SO)
    assert not has_due_applicants(db, SO, datetime.now(UTC))  # no round at all
    for n in ids:
        live.consent(n)
    round_id = live.start("fnr\n" + "".join(f"{n}\n" for n in ids)).round_id
    assert has_due_applicants(db, SO, datetime.now(UTC))
    assert not has_due_applicants(db, "185", datetime.now(UTC))  # the round is Samordna opptak's
    with db.session() as s:
        service.pause_round(s, round_id, by="opptak", now=datetime.now(UTC))
    assert not has_due_applicants(db, SO, datetime.now(UTC))
    with db.session() as s:
        service.resume_round(s, round_id, by="opptak", now=datetime.now(UTC))
    assert has_due_applicants(db, SO, datetime.now(UTC))
    live.work()
    assert not has_due_applicants(db, SO, datetime.now(UTC))  # every applicant answered
