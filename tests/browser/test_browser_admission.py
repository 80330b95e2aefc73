"""In a real browser: the applicant's consent at Samordna opptak and at an institution's local admission after
ID-porten login (nb, nn, en), and the admissions officer's pages, with axe-core and a screenshot of every page."""

from __future__ import annotations

import re

import pytest
from tests.staff_helpers import staff_site

pytestmark = pytest.mark.xdist_group("browser")
APPLICANT = "01536112185"


@pytest.fixture
def site(tmp_path, sqlite_template):  # type: ignore[no-untyped-def]
    """Replaces the conftest's site: 185, 216 and Samordna opptak, the test staff's roles."""
    with staff_site(tmp_path / "fed", sqlite_template, admission=True) as s:
        yield s.app, s.server


def _id_porten(page, pid: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_url(re.compile(r"/auth/login"))
    page.get_by_role("link", name=re.compile("ID-porten")).click()
    page.wait_for_url(re.compile(r"/test-idp/authorize"))
    page.locator("#pid").fill(pid)
    page.keyboard.press("Enter")


@pytest.mark.parametrize(("code", "lang"), [("so", "nb"), ("so", "nn"), ("so", "en"), ("185", "nb")])
def test_the_applicant_consents_and_withdraws(page, check, code: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    url = f"/institutions/{code}/admission/consent?lang={lang}"
    page.goto(url)
    _id_porten(page, APPLICANT)
    page.wait_for_url(re.compile(r"/admission/consent"))
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == lang
    check(f"applicant-consent-{code}-{lang}")
    page.locator("#answer-j").check()
    page.locator("#answer-j").press("Enter")  # by keyboard: the form sends on Enter
    page.wait_for_url(re.compile(r"saved=J"))
    check(f"applicant-consented-{code}-{lang}")
    page.get_by_role("button", name=re.compile("Trekk|Withdraw")).click()
    page.wait_for_url(re.compile(r"saved=N"))
    assert page.locator("tbody tr").count() == 2
    check(f"applicant-withdrawn-{code}-{lang}")
