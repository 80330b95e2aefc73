"""The federation operator's pages in chromium: log in as the operator through the test Feide, register an
institution, test a node's connection, rotate its key, take a member out; axe-core clean and photographed at each
step (issue 13 #7, #8)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.factories import add_course, add_person, add_result, consent
from tests.staff_helpers import StaffSite, staff_site

from vitnemal.devtools.postgres import free_port

PERSON = "01039510010"


@pytest.fixture
def staff(tmp_path: Path, sqlite_template: Path) -> Iterator[StaffSite]:
    with staff_site(tmp_path / "fed", sqlite_template) as served:
        with served.db("216").session() as s:
            add_result(s, add_person(s, PERSON), add_course(s, "RES-100"), 2014, "VÅR", "B")
        with served.db("185").session() as s:
            consent(s, add_person(s, PERSON))
        yield served


@pytest.fixture
def site(staff: StaffSite):  # type: ignore[no-untyped-def]
    """The conftest's page and check fixtures run against the staff site."""
    return staff.app, staff.server


def test_the_operator_registers_tests_rotates_and_takes_out(page, check, staff: StaffSite) -> None:  # type: ignore[no-untyped-def]
    page.goto("/federation")
    page.get_by_role("link", name="Logg inn med").first.click()
    page.get_by_label("Brukernavn").fill("operator@sikt.no")
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url("**/federation")
    check("federation-members")

    page.get_by_label("Institusjonsnummer").fill("300")
    page.get_by_label("Navn på norsk", exact=True).fill("Høgskolen i Eksempel")
    page.get_by_label("Navn på engelsk").fill("Example University College")
    page.get_by_label("Kortnavn").fill("HiE")
    page.get_by_label("Nodens endepunkt").fill(f"http://127.0.0.1:{free_port()}/nodes/300")
    page.get_by_label("Lag nøkkelparet på denne maskinen").check()
    page.get_by_role("button", name="Registrer").click()
    page.wait_for_url("**/federation/300?done=registered")
    assert page.get_by_role("status").first.is_visible()
    page.get_by_role("button", name="Test forbindelsen").click()
    assert "svarte ikke" in page.get_by_role("status").first.inner_text()
    check("federation-member-down")

    page.goto("/federation/216")
    page.get_by_label("Testpersonens fødselsnummer").fill(PERSON)
    page.get_by_role("button", name="Test forbindelsen").click()
    answers = page.locator("table").first.inner_text()
    assert answers.count("Ja") == 3, answers
    check("federation-connection-test")

    page.get_by_label("Lag nøkkelparet på denne maskinen").check()
    page.get_by_role("button", name="Bytt nøkkel").click()
    page.wait_for_url("**/federation/216?done=rotated")
    check("federation-key-rotated")

    page.goto("/federation/300")
    page.get_by_label("Begrunnelse").fill("Registrert ved en feil")
    page.get_by_label("Jeg forstår").check()
    page.get_by_role("button", name="Ta ut").click()
    page.wait_for_url("**/federation/300?done=taken_out")
    check("federation-taken-out")
