"""An export the browser stops reading (a download cancelled, a tab closed) must neither hold Samordna opptak's
database nor go unaudited: the look at every applicant is recorded before the first byte leaves (review R14)."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import insert, select
from tests.functional.admissionpages.conftest import OFFICER, start_round_at_so
from tests.staff_helpers import csrf, log_in_staff

from vitnemal.admissions import service
from vitnemal.audit.models import AuditEvent
from vitnemal.identity.national_id import make_national_id
from vitnemal.records.models import AdmissionConsent

ROUNDS = "/institutions/so/admission/rounds"
APPLICANTS = 20_000  # an export of many pages: more than the sockets' buffers take in at once


def _national_ids(count: int) -> list[str]:
    found: dict[str, None] = {}
    day = 0
    while len(found) < count:
        number = make_national_id(date(1990, 1, 1) + timedelta(days=day % 3000), 100 + day // 3000)
        if number:
            found[number] = None
        day += 1
    return list(found)


@pytest.fixture(scope="module")
def big_round(rounds) -> int:
    """A paused round of many consenting applicants, nothing fetched."""
    ids = _national_ids(APPLICANTS)
    with rounds.site.db("so").session() as s:
        s.execute(insert(AdmissionConsent), [{"national_id": n, "answer": "J",
                                              "answered_at": datetime.now(UTC) - timedelta(hours=1)} for n in ids])
    round_id = start_round_at_so(rounds.site, "fodselsnummer\n" + "".join(f"{n}\n" for n in ids), "Stort opptak")
    with rounds.site.db("so").session() as s:
        service.pause_round(s, round_id, by=OFFICER, now=datetime.now(UTC))
    return round_id


def test_an_export_left_unread_is_audited_and_holds_nothing(rounds, big_round) -> None:
    officer = rounds.site.client()
    log_in_staff(officer, OFFICER)
    base = urlsplit(str(officer.base_url))
    cookies = "; ".join(f"{name}={value}" for name, value in officer.cookies.items())
    with socket.create_connection((base.hostname, base.port)) as raw:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.sendall(f"GET {ROUNDS}/{big_round}/export.csv HTTP/1.1\r\nHost: {base.netloc}\r\n"
                    f"Cookie: {cookies}\r\n\r\n".encode())
        assert raw.recv(100).startswith(b"HTTP/1.1 200")
        # The browser reads no further. The export's look is in the audit log already:
        with rounds.site.db("so").read_session() as s:
            details = s.scalars(select(AuditEvent.detail).where(
                AuditEvent.action == "admission.round_exported", AuditEvent.actor == OFFICER)).all()
        assert f"round {big_round} as csv" in details
        # and the officer can go on working at Samordna opptak meanwhile (a write there: resume the round).
        page = officer.get(f"{ROUNDS}/{big_round}")
        resumed = officer.post(f"{ROUNDS}/{big_round}/resume", data={"csrf_token": csrf(page.text)}, timeout=120)
        assert resumed.status_code == 200 and "runden" in resumed.text.lower()
    with rounds.site.db("so").read_session() as s:
        assert service.get_round(s, big_round).status.value == "running"
    officer.close()
