"""An admission round end to end over real HTTP: the list's bad lines reported, every consenting applicant fetched
from every institution once, summarised as admission decides; a node down for part of the round retried without
redoing the answered; a consent withdrawn during the round stops that applicant's fetches."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from tests.functional.admissions.conftest import SO, SOURCES, people

from vitnemal.admissions import roster, standing
from vitnemal.admissions.models import Applicant, Fetch, LineProblem, RoundStatus, Stopped
from vitnemal.exchange.states import OrderStatus, OutcomeState
from vitnemal.institutions.stopped import set_stopped


def test_a_round_fetches_every_consenting_applicant_from_every_institution(admission) -> None:
    ids = people(8)
    live = admission(ids[:7])
    for n in ids[:6]:
        live.consent(n)
    live.consent(ids[6], yes=True)
    live.consent(ids[6], yes=False)  # withdrew before the list was read
    bad = ids[0][:10] + str((int(ids[0][10]) + 1) % 10)
    text = "fodselsnummer;referanse\n" + "".join(f"{n};S{i}\n" for i, n in enumerate(ids[:6])) + \
        f"{bad};X\n{ids[1]};dup\n{ids[6]};W\n{ids[7]};none\n"
    started = live.start(text)
    assert (started.accepted, started.rejected) == (6, 4)
    assert [(r.line_no, r.reason) for r in started.rejections] == [
        (8, LineProblem.INVALID_NATIONAL_ID), (9, LineProblem.DUPLICATE), (10, LineProblem.NO_CONSENT),
        (11, LineProblem.NO_CONSENT)]

    live.work()

    with live.fed.db(SO).session() as s:
        progress = standing.round_progress(s, started.round_id, datetime.now(UTC))
        assert (progress.status, progress.done, progress.complete, progress.applicants) == (RoundStatus.DONE, 6, 6, 6)
        assert progress.outcomes == {"imported": 6 * len(SOURCES)}
        rows = roster.applicants(s, started.round_id)
        view = roster.applicant_view(s, live.fed.registry, started.round_id, rows[0].applicant_id,
                                      viewer="opptak@samordnaopptak.no", now=datetime.now(UTC))
    summary = view.summary
    assert summary.credits_by_level == {"bachelor": Decimal(10), "none": Decimal(20)}
    assert [(d.institution, d.code, d.level) for d in summary.degrees] == [("216", "BA-X", "bachelor")]
    assert sorted((c.institution, c.code, c.grade) for c in summary.courses) == [
        ("185", "C185", "B"), ("214", "C214", "B"), ("216", "C216", "B")]
    for code in SOURCES:  # each applicant asked once at each node, nobody else at all
        assert live.disclosures(code) == 6
        assert live.disclosures(code, ids[6]) == live.disclosures(code, ids[7]) == 0


def tomorrow_came(live) -> None:
    """The retry time ("the same time the next day") has come: the clock moved on, not the rule."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    with live.fed.db(SO).session() as s:
        s.execute(update(Applicant).where(Applicant.status == OrderStatus.WAITING).values(next_run_at=past))
        s.execute(update(Fetch).where(Fetch.state == OutcomeState.RETRY).values(next_attempt_at=past))


def test_a_node_down_is_retried_by_the_rule_and_a_withdrawal_stops_the_applicant(admission) -> None:
    ids = people(4)
    live = admission(ids)
    for n in ids:
        live.consent(n)
    round_id = live.start("fnr\n" + "".join(f"{n}\n" for n in ids)).round_id
    home = live.fed.settings.home
    set_stopped(home, "214", True, by="test", now=datetime.now(UTC))
    live.work()
    with live.fed.db(SO).session() as s:
        progress = standing.round_progress(s, round_id, datetime.now(UTC))
        assert progress.waiting == 4 and progress.outcomes == {"imported": 8, "unavailable": 4}
        reasons = {r.national_id: [x.code for x in r.reasons] for r in roster.applicants(s, round_id)}
        assert reasons[ids[0]] == ["waiting_retry"]
    assert live.disclosures("214") == 0

    live.consent(ids[3], yes=False)  # withdrawn while the round waits for 214
    set_stopped(home, "214", False, by="test", now=datetime.now(UTC))
    tomorrow_came(live)
    live.work()

    with live.fed.db(SO).session() as s:
        progress = standing.round_progress(s, round_id, datetime.now(UTC))
        assert (progress.status, progress.done, progress.stopped) == (RoundStatus.DONE, 4, 1)
        stopped = s.scalars(select(Applicant).where(Applicant.national_id == ids[3])).one()
        assert (stopped.status, stopped.stopped) == (OrderStatus.DONE, Stopped.CONSENT_WITHDRAWN)
        incomplete = roster.applicants(s, round_id, only="incomplete")
        # The stop is the reason, and 214, which never answered about them, is left out for good.
        assert [(r.national_id, [x.code for x in r.reasons]) for r in incomplete] == [
            (ids[3], ["consent_withdrawn", "unavailable"])]
    assert live.disclosures("214") == 3 and live.disclosures("214", ids[3]) == 0
    assert live.disclosures("216") == live.disclosures("185") == 4  # the answered were not asked again


def test_a_list_without_names_cannot_confirm_no_results_so_the_applicant_stays_incomplete(admission) -> None:
    """Review R21 (the seed's failure reason 4): 216 holds the applicant under an old D-number. Without a name the
    node can only say "no results"; that is not taken as complete. With the name it says identity mismatch."""
    from tests.factories import add_person

    from vitnemal.admissions.texts import reason_text
    from vitnemal.identity.national_id import NationalIdKind, make_national_id

    born = date(1994, 10, 23)
    current = next(n for i in range(100, 500) if (n := make_national_id(born, i)))
    old = next(n for i in range(100, 500) if (n := make_national_id(born, i, kind=NationalIdKind.D_NUMBER)))
    live = admission([])
    with live.fed.db("216").session() as s:
        add_person(s, old, "Chen", "Petrov", born=born)
    live.consent(current)
    unnamed = live.start(f"fodselsnummer\n{current}\n", name="Uten navn")
    named = live.start(f"fodselsnummer;fornavn;etternavn\n{current};Chen;Petrov\n", name="Med navn")
    assert (unnamed.unnamed, named.unnamed) == (1, 0)
    live.work()
    with live.fed.db(SO).read_session() as s:
        [without] = roster.applicants(s, unnamed.round_id)
        [with_name] = roster.applicants(s, named.round_id)
        progress = standing.round_progress(s, unnamed.round_id, datetime.now(UTC))
        listed_incomplete = roster.applicants(s, unnamed.round_id, only="incomplete")
    assert [r.code for r in without.reasons] == ["unnamed"] and not without.complete
    assert (progress.done, progress.complete) == (1, 0) and len(listed_incomplete) == 1
    assert reason_text(without.reasons[0], "", "nb").startswith("Lista oppga ikke søkerens navn.")
    assert [(r.code, r.institution) for r in with_name.reasons] == [("identity_mismatch", "216")]
