"""Words the people at the two ends of a round read: Samordna opptak by its registry name in the disclosure log (page
and CSV) of an institution that answered the round, and exam terms in the page's language on the officer's
applicant page."""

from __future__ import annotations

import csv
import io

import pytest
from tests.staff_helpers import log_in_staff

LOG = "/institutions/216/disclosures"


@pytest.fixture(scope="module")
def admin(rounds):
    client = rounds.site.client()
    log_in_staff(client, "admin@hisf.no", LOG)
    yield client
    client.close()


def test_the_disclosure_log_names_samordna_opptak(admin) -> None:
    page = admin.get(LOG + "?requester=so")
    assert page.status_code == 200, page.text[:300]
    assert "so Samordna opptak" in page.text
    assert "institution so" not in page.text
    rows = list(csv.DictReader(io.StringIO(admin.get(LOG.replace("disclosures", "disclosures.csv")).text)))
    assert rows and {r["requester"] for r in rows} == {"so"}
    assert {r["requester_name"] for r in rows} == {"Samordna opptak"}


def test_the_applicant_page_names_terms_in_the_page_language(rounds) -> None:
    from tests.functional.admissionpages.conftest import GRADUATE, OFFICER

    applicant = rounds.applicant_id(rounds.done, GRADUATE)
    page = f"/institutions/so/admission/rounds/{rounds.done}/applicants/{applicant}"
    with rounds.site.client() as client:
        log_in_staff(client, OFFICER)
        nb = client.get(page + "?lang=nb").text
        assert "<td>2020 Vår</td>" in nb and "<td>2021 Høst</td>" in nb
        en = client.get(page + "?lang=en").text
        assert "<td>2020 Spring</td>" in en and "<td>2021 Autumn</td>" in en
        assert "VÅR" not in en and "HØST" not in en
