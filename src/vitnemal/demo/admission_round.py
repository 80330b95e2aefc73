"""The demo's admission round: every demo person has applied through Samordna opptak and ticked "fetch my
results" (an OPPTAK consent at ``so``), a few withdrew it again, and the list of applicants is written to
``<home>/admissions/demo-round.csv`` with the bad lines a real list has (an invalid national id, a duplicate, an
applicant who never consented), so that ``vitnemal admissions start`` reports them by line and fetches the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from vitnemal.db import Database
from vitnemal.files import write_private
from vitnemal.identity.national_id import make_national_id
from vitnemal.records.models import AdmissionConsent

DEMO_ROUND_FILE = Path("admissions") / "demo-round.csv"
WITHDRAWN_EVERY = 97  # about one applicant in a hundred withdrew the consent after applying


def write_demo_applicants(url: str, home: Path, people: Sequence[tuple[str, str, str]]) -> Path:
    """Record the applicants' consents in Samordna opptak's database at ``url`` and write the demo list; ``people``
    are (national id, first name, last name), the seed's test persons among them. Returns the list's path."""
    consented = datetime(2026, 4, 15, 12, 0, tzinfo=UTC)
    rows = [{"national_id": n, "answer": "J", "answered_at": consented + timedelta(minutes=i)}
            for i, (n, _, _) in enumerate(people)]
    rows += [{"national_id": n, "answer": "N", "answered_at": consented + timedelta(days=30)}
             for i, (n, _, _) in enumerate(people) if i % WITHDRAWN_EVERY == WITHDRAWN_EVERY - 1]
    db = Database(url)
    try:
        with db.session() as session:
            session.execute(insert(AdmissionConsent), rows)
    finally:
        db.dispose()
    never = make_national_id(datetime(1991, 2, 3).date(), 456) or ""
    lines = ["fodselsnummer;referanse;fornavn;etternavn"]
    lines += [f"{n};SO-{100000 + i};{first};{last}" for i, (n, first, last) in enumerate(people)]
    first = people[0][0]
    mistyped = first[:10] + str((int(first[10]) + 1) % 10)  # the last check digit wrong
    lines.insert(11, f"{mistyped};SO-999991;Feil;Nummer")
    lines.insert(21, f"{people[3][0]};SO-999992;Dobbel;Søknad")  # the same applicant twice
    lines.append(f"{never};SO-999993;Uten;Samtykke")  # applied, never ticked "fetch my results"
    path = home / DEMO_ROUND_FILE
    write_private(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path
