"""In a real browser: a staff login through the test Feide, the administrator's Modulvalg, Akseptansetype and
disclosure log (sorting and filtering by keyboard, the search in the URL), and the student's consent page after
ID-porten login, in nb, nn and en, with axe-core and a screenshot of every page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from tests.staff_helpers import staff_site

from vitnemal.records.models import Disclosure
from vitnemal.records.service import add_person

pytestmark = pytest.mark.xdist_group("browser")
TESTPERSON1 = "01536112185"


@pytest.fixture
def site(tmp_path, sqlite_template):  # type: ignore[no-untyped-def]
    """Replaces the conftest's site: 185 and 216, the test staff's roles, Testperson1 at 185, a few log rows."""
    with staff_site(tmp_path / "fed", sqlite_template) as s:
        now = datetime.now(UTC)
        with s.db("185").session() as session:
            person = add_person(session, TESTPERSON1, "Testperson1", "Resultatutveksling", actor="test")
            for n, (requester, answer) in enumerate([("216", "ok"), ("216", "no_consent"), ("portal", "ok"),
                                                      ("216", "reserved")]):
                session.add(Disclosure(at=now - timedelta(hours=n), requester_code=requester, request_id=f"b-{n}",
                                       national_id=TESTPERSON1, person_id=person.id, answer=answer,
                                       results_count=2 if answer == "ok" else 0,
                                       basis="owner_login" if requester == "portal" else "consent"))
        yield s.app, s.server


def _staff_login(page, check, user: str, lang: str = "nb") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/staff/login?lang={lang}")
    check(f"staff-login-{lang}")
    page.get_by_role("link", name=re.compile("Feide")).click()
    page.wait_for_url(re.compile(r"/test-idp/feide/authorize"))
    check(f"test-feide-{lang}")
    page.locator("#username").fill(user)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_administrator_opens_the_exchange_and_reads_the_log(page, check, lang: str) -> None:  # type: ignore[no-untyped-def]
    _staff_login(page, check, "admin@uio.no", lang)
    page.wait_for_url(re.compile(r"/institutions/185$"))
    check(f"institution-{lang}")
    nav = page.get_by_role("navigation", name=re.compile("Institusjon|Institution"))
    nav.get_by_role("link", name=re.compile("^(Modulvalg|Modulval|Module choice)$")).click()
    page.wait_for_url(re.compile(r"/settings/modules$"))
    check(f"modules-{lang}")
    page.locator("#reserved-j").check()
    page.get_by_role("button", name=re.compile("Lagre|Save")).click()
    page.wait_for_url(re.compile(r"saved=1"))
    assert page.get_by_role("status").count() == 1
    check(f"modules-saved-{lang}")
    page.goto("/institutions/185/settings/consent-types")
    page.locator("#active-j").check()
    page.locator("#seq_semreg").fill("3")
    page.get_by_role("button", name=re.compile("Lagre|Save")).click()
    assert page.get_by_role("alert").count() == 1  # the studentweb number is missing
    check(f"consent-types-error-{lang}")
    page.locator("#seq_studentweb").fill("2")
    page.get_by_role("button", name=re.compile("Lagre|Save")).click()
    page.wait_for_url(re.compile(r"saved=1"))
    check(f"consent-types-{lang}")
    page.goto("/institutions/185/disclosures")
    check(f"disclosures-{lang}")
    assert page.locator("tbody tr").count() == 4
    # By keyboard: the search box, a filter, Enter; the search lands in the URL.
    page.locator("#q").focus()
    page.keyboard.type("0153611")
    page.locator("#requester").select_option("216")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"q=0153611&requester=216"))
    assert page.locator("tbody tr").count() == 3
    header = page.locator("th").filter(has=page.get_by_role("link", name=re.compile("Utfall|Outcome")))
    header.get_by_role("link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=answer"))
    assert page.locator("th[aria-sort=ascending]").count() == 1
    check(f"disclosures-sorted-{lang}")
    page.reload()  # the same search and order after a reload: it is all in the URL
    assert page.locator("tbody tr").count() == 3 and page.locator("th[aria-sort=ascending]").count() == 1


def test_the_administrator_gives_a_role(page, check) -> None:  # type: ignore[no-untyped-def]
    _staff_login(page, check, "admin@uio.no", "en")
    page.wait_for_url(re.compile(r"/institutions/185$"))
    page.get_by_role("link", name="Staff and roles").click()
    check("roles-en")
    page.locator("#username").fill("ola@uio.no")
    page.locator("#role").select_option("diploma_officer")
    page.locator("#username").press("Enter")
    page.wait_for_url(re.compile(r"done=granted"))
    assert page.get_by_role("cell", name="ola@uio.no", exact=True).count() == 1
    check("roles-granted-en")


def test_a_case_worker_sees_no_settings_and_is_refused_them(page, check) -> None:  # type: ignore[no-untyped-def]
    _staff_login(page, check, "saksbehandler@uio.no")
    page.wait_for_url(re.compile(r"/institutions/185$"))
    assert page.get_by_role("link", name="Modulvalg").count() == 0
    page.goto("/institutions/185/settings/modules")
    assert page.get_by_role("heading", level=1).inner_text() == "Du har ikke tilgang til denne siden"
    check("forbidden-case-worker")


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_student_consents_and_withdraws(page, check, site, lang: str) -> None:  # type: ignore[no-untyped-def]
    from vitnemal.db import Database
    from vitnemal.records.admin import change_consent_type

    app, _ = site
    db = Database(app.state.web.settings.url_for("185"))
    with db.session() as session:
        change_consent_type(session, actor="test", active=True, seq_semreg=1, seq_studentweb=1)
    db.dispose()
    page.goto(f"/institutions/185/student/consent?lang={lang}")
    page.wait_for_url(re.compile(r"/auth/login"))
    page.get_by_role("link", name=re.compile("ID-porten")).click()
    page.wait_for_url(re.compile(r"/test-idp/authorize"))
    page.locator("#pid").fill(TESTPERSON1)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/student/consent"))
    page.goto(f"/institutions/185/student/consent?lang={lang}")  # the login's redirect keeps only the path
    assert page.locator("html").get_attribute("lang") == lang
    check(f"student-consent-{lang}")
    page.locator("#answer-j").check()
    page.locator("#answer-j").press("Enter")
    page.wait_for_url(re.compile(r"saved=J"))
    check(f"student-consented-{lang}")
    page.get_by_role("button", name=re.compile("Trekk|Withdraw")).click()
    page.wait_for_url(re.compile(r"saved=N"))
    assert page.locator("tbody tr").count() == 2
    check(f"student-withdrawn-{lang}")
