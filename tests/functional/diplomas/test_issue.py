"""Issuing diploma sets: in bulk with two worker processes every completed qualification is issued and recorded
once, each file genuine (our check and poppler's pdfsig); a reissue makes a new document and keeps the old record;
a qualification issued meanwhile is not issued twice; records that cannot make a diploma are reported."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.factories import (
    ENGINES,
    MiniFederation,
    add_course,
    add_degree,
    add_person,
    add_result,
    federation_on_engine,
)
from tests.poppler import pdfsig

from vitnemal.diplomas.issue import (
    AlreadyIssued,
    DiplomaIssuer,
    IssueContext,
    issue_diploma,
    issue_many,
    pending_jobs,
    reissue_job,
)
from vitnemal.diplomas.models import IssuedDocument
from vitnemal.diplomas.signers import federation_ca_cert, local_signer_spec
from vitnemal.diplomas.verify import verify_document
from vitnemal.records.models import Qualification

PEOPLE = ["01039512374", "15057812399", "24118012374", "30069012390"]
FACULTY = "Det humanistiske fakultet"


def seed(fed: MiniFederation) -> None:
    """Four graduates with a completed bachelor not yet issued, and one whose diploma was issued long ago."""
    with fed.db("185").session() as s:
        courses = [add_course(s, f"HIS{n}", name_nb=f"Historie {n}", name_en=f"History {n}") for n in range(1, 5)]
        for i, national_id in enumerate(PEOPLE):
            person = add_person(s, national_id, f"Kandidat{i}", "Nordmann", date(1995, 3, 1 + i))
            results = [add_result(s, person, c, 2019 + n // 2, ("VÅR", "HØST")[n % 2], "ABCD"[(i + n) % 4])
                       for n, c in enumerate(courses)]
            add_degree(s, person, "BA-HIS", results, awarded=date(2021, 6, 20), issued=None)
        old = add_person(s, "01018012345", "Eldre", "Kandidat", date(1980, 1, 1))
        add_degree(s, old, "BA-HIS", [add_result(s, old, courses[0], 2001, "VÅR", "B")], issued=date(2002, 7, 1))


@pytest.fixture(params=ENGINES)
def fed(request: pytest.FixtureRequest, tmp_path: Path) -> MiniFederation:
    federation = federation_on_engine(request, tmp_path / "fed", ["185"], "http://127.0.0.1:9")
    seed(federation)
    return federation


def context(fed: MiniFederation, faculty: str | None = FACULTY) -> IssueContext:
    return IssueContext(settings=fed.settings, institution_code="185", institution_name="Universitetet i Oslo",
                        institution_name_en="University of Oslo", signer=local_signer_spec(fed.settings, "185"),
                        issued_on=date(2026, 6, 20), issued_by="test", faculty=faculty)


def test_bulk_issue_with_two_processes_records_each_document_once(fed: MiniFederation) -> None:
    ctx = context(fed)
    with fed.db("185").read_session() as s:
        jobs = pending_jobs(s)
    assert len(jobs) == len(PEOPLE)  # the diploma issued in 2002 is not pending
    seen: list[tuple[int, int]] = []
    report = issue_many(ctx, jobs, processes=2, progress=lambda done, total: seen.append((done, total)))
    assert not report.failed and not report.skipped and len(report.issued) == len(PEOPLE)
    assert seen[-1] == (len(PEOPLE), len(PEOPLE))
    ca_cert = federation_ca_cert(fed.settings)
    assert ca_cert is not None
    with fed.db("185").read_session() as s:
        rows = [(r.qualification_id, r.storage_path, r.sha256, r.size_bytes, r.signer_subject, r.document_id)
                for r in s.scalars(select(IssuedDocument))]
        assert sorted(r[0] for r in rows) == sorted(j.qualification_id for j in jobs)
        assert all(q.diploma_issued_on == date(2026, 6, 20)
                   for q in s.scalars(select(Qualification).where(Qualification.person_id.in_(
                       [j.person_id for j in jobs]))))
        assert pending_jobs(s) == []
    for _, storage_path, sha256, size, signer_subject, document_id in rows:
        path = fed.settings.home / (storage_path or "")
        pdf = path.read_bytes()
        assert hashlib.sha256(pdf).hexdigest() == sha256 and len(pdf) == size
        assert signer_subject.startswith("CN=Universitetet i Oslo,OU=Institusjonsnummer 185")
        checked = verify_document(pdf, [ca_cert], lambda code: fed.db(code).read_session())
        assert checked.genuine and checked.record.known and checked.document.document_id == document_id
        out = pdfsig(path)  # poppler's independent check of every document
        assert "Signature Validation: Signature is Valid." in out and "Total document signed" in out
    again = issue_many(ctx, [], processes=2)
    assert again.issued == []


def test_language_versions_are_siblings_and_a_reissue_replaces_only_its_own_language(fed: MiniFederation) -> None:
    ctx = context(fed)
    with fed.db("185").read_session() as s:
        first_job = reissue_job(s, "BA-HIS", PEOPLE[0])
    assert first_job.replaces_id is None and first_job.lang == "nb"  # never issued through us: a first issue
    issuer = DiplomaIssuer(ctx)
    try:
        first = issue_diploma(issuer, first_job)
        with fed.db("185").read_session() as s:
            nn_job = reissue_job(s, "BA-HIS", "010395 12374", lang="nn")
            en_job = reissue_job(s, "BA-HIS", "010395 12374", lang="en")
        assert nn_job.replaces_id is None and en_job.replaces_id is None  # siblings of the bokmål set
        nynorsk = issue_diploma(issuer, nn_job)
        english = issue_diploma(issuer, en_job)
        with fed.db("185").read_session() as s:
            job = reissue_job(s, "BA-HIS", "010395 12374")  # bokmål again: replaces the bokmål set only
        assert job.replaces_id == first.id
        second = issue_diploma(issuer, job)
        with pytest.raises(AlreadyIssued):  # the same old document cannot be replaced twice
            issue_diploma(issuer, job.__class__(**{**job.__dict__, "document_id": "0" * 8 + job.document_id[8:]}))
    finally:
        issuer.close()
    ca_cert = federation_ca_cert(fed.settings)
    assert ca_cert is not None
    with fed.db("185").read_session() as s:
        rows = {r.id: r for r in s.scalars(select(IssuedDocument))}
        assert rows[first.id].replaced_by_id == second.id
        assert [rows[d.id].replaced_by_id for d in (nynorsk, english, second)] == [None, None, None]
        assert [rows[d.id].lang for d in (nynorsk, english, second)] == ["nn", "en", "nb"]
        assert s.scalar(select(Qualification.diploma_issued_on).where(Qualification.id == job.qualification_id)) \
            == date(2026, 6, 20)
        paths = {d.id: fed.settings.home / (rows[d.id].storage_path or "") for d in (first, nynorsk, english, second)}
    for doc in (nynorsk, english, second):  # every language version is genuine, checked against the record
        checked = verify_document(paths[doc.id].read_bytes(), [ca_cert], lambda code: fed.db(code).read_session())
        assert checked.genuine and checked.record.known and not checked.record.replaced and not checked.warnings
    old = verify_document(paths[first.id].read_bytes(), [ca_cert], lambda code: fed.db(code).read_session())
    assert old.genuine and old.record.replaced  # the replaced bokmål set stays genuine, marked replaced
    assert paths[first.id].exists()  # the old file is kept too
    files = list((fed.settings.home / "documents" / "185").glob("*.pdf"))
    assert len(files) == 4  # the refused fifth copy was removed again


def test_a_diploma_issued_before_this_system_can_be_issued_again(fed: MiniFederation) -> None:
    issuer = DiplomaIssuer(context(fed))
    try:
        with fed.db("185").read_session() as s:
            job = reissue_job(s, "BA-HIS", "01018012345")  # issued on paper in 2002, never recorded here
        assert job.replaces_id is None and job.reissue
        issue_diploma(issuer, job)
    finally:
        issuer.close()
    with fed.db("185").read_session() as s:
        issued_on = s.scalar(select(Qualification.diploma_issued_on).where(Qualification.id == job.qualification_id))
        assert issued_on == date(2002, 7, 1)  # the first issue date stays what the exchange saw
        assert s.scalar(select(IssuedDocument.qualification_id).where(
            IssuedDocument.document_id == job.document_id)) == job.qualification_id


def test_a_qualification_issued_meanwhile_is_not_issued_twice(fed: MiniFederation) -> None:
    ctx = context(fed)
    with fed.db("185").read_session() as s:
        job = pending_jobs(s)[0]
    issuer = DiplomaIssuer(ctx)
    try:
        issue_diploma(issuer, job)
        with pytest.raises(AlreadyIssued):
            issue_diploma(issuer, job.__class__(**{**job.__dict__, "document_id": "f" * 8 + job.document_id[8:]}))
    finally:
        issuer.close()
    with fed.db("185").read_session() as s:
        assert s.scalar(select(IssuedDocument.id).where(IssuedDocument.qualification_id == job.qualification_id)
                        .where(IssuedDocument.document_id.startswith("ffffffff"))) is None
    assert len(list((fed.settings.home / "documents" / "185").glob("*.pdf"))) == 1


def test_records_that_cannot_make_a_diploma_are_reported(fed: MiniFederation) -> None:
    ctx = context(fed, faculty=None)  # the programme is not registered and no faculty is given
    with fed.db("185").read_session() as s:
        jobs = pending_jobs(s)[:2]
    report = issue_many(ctx, jobs, processes=1)
    assert report.issued == [] and len(report.failed) == 2
    assert "faculty" in report.failed[0].message
    assert not (fed.settings.home / "documents").exists() or not any((fed.settings.home / "documents").rglob("*.pdf"))


def test_one_issuer_uses_one_database_engine_for_every_document(fed: MiniFederation,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import vitnemal.db

    made: list[str] = []

    class Counted(vitnemal.db.Database):
        def __init__(self, url: str, *args: object, **kwargs: object) -> None:
            made.append(url)
            super().__init__(url, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(vitnemal.db, "Database", Counted)
    with fed.db("185").read_session() as s:
        jobs = pending_jobs(s)[:3]
    issuer = DiplomaIssuer(context(fed))
    try:
        for job in jobs:
            issue_diploma(issuer, job)
    finally:
        issuer.close()
    assert len(made) == 1  # the issuer's own, for reading and recording all three


def test_a_batch_of_sets_is_read_with_as_many_queries_as_one_set(fed: MiniFederation) -> None:
    from sqlalchemy import event

    from vitnemal.diplomas.build import SetRequest, build_diploma_set, build_diploma_sets

    with fed.db("185").read_session() as s:
        requests = [SetRequest(j.person_id, j.qualification_code) for j in pending_jobs(s)]
    assert len(requests) == len(PEOPLE)
    common = {"institution_name": "Universitetet i Oslo", "faculty": FACULTY, "issued_on": date(2026, 6, 20)}

    db = fed.db("185")
    with db.read_session() as s:  # the schema check on first use is not part of the count
        build_diploma_sets(s, requests[:1], **common)  # type: ignore[arg-type]

    def counted(reqs: list[SetRequest]) -> tuple[int, list[object]]:
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
        event.listen(db.read_engine, "before_cursor_execute", listener)
        try:
            with db.read_session() as s:
                built = build_diploma_sets(s, reqs, **common)  # type: ignore[arg-type]
        finally:
            event.remove(db.read_engine, "before_cursor_execute", listener)
        return len(statements), list(built)

    one, _ = counted(requests[:1])
    many, sets = counted(requests)
    assert many == one  # a handful of queries for the whole batch, not a handful per set
    with fed.db("185").read_session() as s:  # and each set is what building it alone gives
        alone = [build_diploma_set(s, person_id=r.person_id, qualification_code=r.qualification_code, **common)
                 for r in requests]  # type: ignore[arg-type]
    assert sets == alone
    with fed.db("185").read_session() as s:
        missing = build_diploma_sets(s, [SetRequest(requests[0].person_id, "MA-XYZ")], **common)  # type: ignore
    assert isinstance(missing[0], Exception) and "has no qualification 'MA-XYZ' (has: BA-HIS)" in str(missing[0])
