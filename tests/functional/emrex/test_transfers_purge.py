"""What was sent to a platform is deleted 12 months after the PDF's validity ended, as a share's data: the results,
both documents, the owner's name and birth date go, the owner still sees that it was sent, to whom, when and how
much; the EMREX 2 consent record's copy goes by the same rule; on both engines, in the portal's purge."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from vitnemal.audit.models import AuditEvent
from vitnemal.db import Database
from vitnemal.emrex import clients, transfers
from vitnemal.emrex.models import EmrexTransfer
from vitnemal.emrex2.models import Emrex2Grant
from vitnemal.emrex2.service import purge_consents

SENT = datetime(2025, 1, 10, 12, 0, tzinfo=UTC)
VALID_UNTIL = SENT + timedelta(days=30)
OWNER = transfers.TransferOwner("01019012345", "Ola Nordmann", date(1990, 1, 1))
SNAPSHOT = [{"code": "185", "name": "Universitetet i Oslo", "results": [{"course_code": "INF1000", "grade": "A"}],
             "qualifications": []}]


def _sent(db: Database, public_id: str, expires_at: datetime) -> None:
    with db.session() as s:
        if clients.client_pk(s, "jobbnett") is None:
            clients.add_client(s, client_id="jobbnett", name="Jobbnett", kind="emrex1",
                               urls=["https://jobbnett.example/emrex/return"], contact_email="personvern@jobbnett.no",
                               now=SENT, actor="operator", production=False)
        transfers.record_transfer(s, owner=OWNER, client_id="jobbnett", public_id=public_id, snapshot=SNAPSHOT,
                                  pdf=b"%PDF-1.7 sent", elmo=b"<elmo/>", protocol="emrex1", data_format="elmo",
                                  language="nb", created_at=SENT, expires_at=expires_at)


def test_a_transfer_is_emptied_a_year_after_its_validity_and_the_owner_still_sees_it(db_url: str) -> None:
    db = Database(db_url)
    _sent(db, "00000000-0000-0000-0000-000000000001", VALID_UNTIL)
    _sent(db, "00000000-0000-0000-0000-000000000002", VALID_UNTIL + timedelta(days=60))
    day_before = VALID_UNTIL + timedelta(days=364)
    with db.session() as s:
        assert transfers.purge(s, day_before) == 0  # not yet 12 months after
    after = VALID_UNTIL + timedelta(days=366)
    with db.session() as s:
        assert transfers.purge(s, after) == 1
    with db.session() as s:
        assert transfers.purge(s, after) == 0  # purged once
        rows = {r.public_id[-1]: r for r in s.scalars(select(EmrexTransfer))}
        gone, kept = rows["1"], rows["2"]
        assert (gone.snapshot, gone.pdf, gone.elmo, gone.owner_name, gone.owner_birth_date) == ([], None, None, None,
                                                                                                None)
        assert gone.purged_at is not None and gone.courses_count == 1 and gone.pdf_sha256 is not None
        assert kept.snapshot == SNAPSHOT and kept.pdf is not None and kept.purged_at is None
        events = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "emrex.transfers_purged")).all()
        assert events == ["1 transfer(s)"]
        listed = {t.public_id[-1]: t for t in transfers.list_transfers(s, OWNER.national_id)}
    assert listed["1"].client_name == "Jobbnett" and listed["1"].courses_count == 1
    assert listed["1"].purged_at is not None and not listed["1"].has_pdf and listed["1"].snapshot == []
    db.dispose()


def test_a_consent_records_copy_goes_by_the_same_rule(db_url: str) -> None:
    db = Database(db_url)
    _sent(db, "00000000-0000-0000-0000-000000000003", VALID_UNTIL)
    with db.session() as s:
        pk = clients.client_pk(s, "jobbnett")
        assert pk is not None
        s.add(Emrex2Grant(ref_id="ref-1", client_pk=pk, owner_id=OWNER.national_id, owner_name=OWNER.name,
                          owner_birth_date=OWNER.birth_date, language="nb", scope="elmo", snapshot=SNAPSHOT,
                          consented_at=SENT, redirect_uri="https://jobbnett.example/cb", code_hash="c" * 64,
                          code_challenge="x" * 43, code_challenge_method="S256",
                          code_expires_at=SENT + timedelta(minutes=1), token_hash="t" * 64,
                          token_expires_at=SENT + timedelta(minutes=11)))
    with db.session() as s:
        assert purge_consents(s, SENT + timedelta(days=360)) == 0
        assert purge_consents(s, SENT + timedelta(days=367)) == 1
    with db.session() as s:
        grant = s.scalars(select(Emrex2Grant)).one()
        assert (grant.snapshot, grant.owner_name, grant.owner_birth_date) == ([], None, None)
        assert grant.ref_id == "ref-1" and grant.consented_at == SENT and grant.purged_at is not None
        assert purge_consents(s, SENT + timedelta(days=400)) == 0  # emptied once: not read again
        events = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "emrex2.consents_purged")).all()
        assert events == ["1 consent record(s)"]
    db.dispose()
