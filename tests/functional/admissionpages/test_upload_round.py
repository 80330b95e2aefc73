"""Starting a round from the officer's pages (issue 14): the form, the upload (CSRF, bounded), each rejected line
in words on the round's page, a list that cannot be read named on the form again with nothing started, and the
same route answering a script in JSON; the form and the upload open for the admissions officer only."""

from __future__ import annotations

import pytest
from tests.functional.admissionpages.conftest import GRADUATE, NO_CONSENT, NOTHING, OFFICER
from tests.functional.admissionpages.test_admission_access import USERS
from tests.staff_helpers import csrf, log_in_staff

from vitnemal.admissions import service

NEW = "/institutions/so/admission/rounds/new"


@pytest.fixture(scope="module")
def officer(rounds):
    client = rounds.site.client()
    log_in_staff(client, OFFICER)
    yield client
    client.close()


def _upload(client, text: str | bytes | None, name: str = "Etteropptak 2027", token: str | None = None,
            **headers):
    token = token if token is not None else csrf(client.get(NEW).text)
    data = text.encode() if isinstance(text, str) else text
    files = {"file": ("søkere.csv", data, "text/csv")} if data is not None else None
    return client.post(NEW, data={"csrf_token": token, "name": name}, files=files, headers=headers,
                       follow_redirects=False)


def test_the_officer_starts_a_round_from_a_list_and_reads_each_rejected_line(rounds, officer) -> None:
    form = officer.get(NEW)
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    assert "Liste over søkere (CSV)" in form.text
    bad = GRADUATE[:10] + str((int(GRADUATE[10]) + 1) % 10)
    sent = _upload(officer, f"fodselsnummer;fornavn;etternavn\n{GRADUATE};Kari;Nordmann\n{bad};Per;Hansen\n"
                            f"{NO_CONSENT};Eva;Berg\n{GRADUATE};Kari;Nordmann\n{NOTHING};;\n")
    assert sent.status_code == 303, sent.text[:500]
    page = officer.get(sent.headers["location"])
    assert "Runden er startet: 2 søkere hentes. 3 linjer i lista ble ikke tatt inn; se nedenfor." in page.text
    assert f"Linje 3: ugyldig fødselsnummer ({bad})." in page.text
    assert "Linje 4: søkeren har ikke samtykket til henting av resultater." in page.text
    assert f"Linje 5: søkeren står allerede i lista ({GRADUATE})." in page.text
    assert "1 søker uten navn: lista mangler kolonnene fornavn og etternavn for dem." in page.text
    round_id = int(sent.headers["location"].split("/rounds/")[1].split("?")[0])
    with rounds.site.db("so").read_session() as s:
        started = service.get_round(s, round_id)
        assert (started.name, started.requester, started.created_by, started.source) == (
            "Etteropptak 2027", "so", OFFICER, "søkere.csv")


def test_a_list_that_cannot_be_read_starts_nothing_and_says_why(rounds, officer) -> None:
    with rounds.site.db("so").read_session() as s:
        before = len(service.list_rounds(s))
    for text, words in ((f"{GRADUATE}\n", "Første linje må navngi kolonnene, blant dem fodselsnummer."),
                        # a quote left open makes the rest of the file one cell, over csv's field limit
                        (f"fodselsnummer\n{GRADUATE}\n\"{NOTHING}\n" + "x" * 200_000, "Linje 3 kan ikke leses"),
                        (b"fodselsnummer\n\xff\n", "Lista er ikke UTF-8-tekst."),
                        (None, "Velg lista over søkere")):
        answer = _upload(officer, text)
        assert answer.status_code == 400 and "Ingenting ble startet" in answer.text and words in answer.text
    assert "Gi runden et navn" in _upload(officer, f"fodselsnummer\n{GRADUATE}\n", name="  ").text
    with rounds.site.db("so").read_session() as s:
        assert len(service.list_rounds(s)) == before


def test_a_script_gets_the_same_in_json(officer) -> None:
    sent = _upload(officer, f"fodselsnummer\n{GRADUATE}\n0101\n", accept="application/json")
    assert sent.status_code == 201
    body = sent.json()
    assert (body["accepted"], body["rejected"], body["unnamed"]) == (1, 1, 1)
    assert body["rejections"] == [{"line": 3, "reason": "invalid_national_id",
                                   "text": "Linje 3: ugyldig fødselsnummer (0101)."}]


def test_the_upload_needs_the_forms_token_and_is_bounded(rounds, officer) -> None:
    import http.client
    from urllib.parse import urlsplit

    assert _upload(officer, f"fodselsnummer\n{GRADUATE}\n", token="forged").status_code == 403
    # A body declared larger than a list may be is refused before one byte of it is read.
    where = urlsplit(rounds.site.url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    connection.putrequest("POST", NEW)
    connection.putheader("content-type", "multipart/form-data; boundary=x")
    connection.putheader("content-length", str(60 * 1024 * 1024))
    connection.endheaders()
    assert connection.getresponse().status == 413
    connection.close()


@pytest.mark.parametrize("user", sorted(u for u in USERS if not USERS[u]))
def test_only_the_admissions_officer_may_start_a_round(rounds, user: str) -> None:
    with rounds.site.client() as client:
        token = csrf(log_in_staff(client, user).text)
        assert client.get(NEW).status_code == 403
        assert _upload(client, f"fodselsnummer\n{GRADUATE}\n", token=token).status_code == 403


def test_the_server_answers_others_while_a_list_is_read(rounds, officer, monkeypatch) -> None:
    # review R30: the route read and stored the list on the event loop (an async route doing the database work),
    # so nothing else this process serves (its nodes, every page) was answered until the list was in: a
    # 40,000-line list held GET /nodes/185 for 27 s. Here the round's start waits until another request has been
    # answered; with the work on the event loop that request can never be answered while it waits.
    import threading

    import httpx

    started_round, answered = threading.Event(), threading.Event()
    original = service.start_round

    def slow_start(*args, **kwargs):  # type: ignore[no-untyped-def]
        started_round.set()
        answered.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(service, "start_round", slow_start)
    token = csrf(officer.get(NEW).text)
    upload: list[int] = []
    thread = threading.Thread(target=lambda: upload.append(_upload(officer, f"fodselsnummer\n{GRADUATE}\n",
                                                                   token=token).status_code))
    thread.start()
    assert started_round.wait(60)
    try:
        with httpx.Client(base_url=rounds.site.url, timeout=10) as other:
            status = other.get("/nodes/185").status_code
    finally:
        answered.set()
        thread.join()
    assert status == 200 and upload == [303]
