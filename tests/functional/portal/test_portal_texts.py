"""Every text a page, a mail or a PDF shows is in the message catalogues: whatever ``bash scripts/i18n`` would
extract from the source (templates, routes, the portal's refusals, the share mails and PDF) has its bokmål and
nynorsk translation, the share texts their North Sami one, and no translation loses a placeholder."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.functional.portal.test_portal_pages import app, csrf, fetched_page, owner  # noqa: F401

from vitnemal.portal.texts import MAIL, PDF
from vitnemal.web import i18n

ROOT = Path(__file__).resolve().parents[3]
# The keywords scripts/i18n extracts, besides babel's own (_, gettext, ngettext, pgettext, ...).
KEYWORDS = {**DEFAULT_KEYWORDS, "gettext_for": None, "N_": None, "P_": ((1, "c"), 2)}
SHARE_CONTEXTS = ("share mail", "share pdf")


def _extracted() -> set[tuple[str | None, str]]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / "src" / "vitnemal", method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message  # a plural is filed under its singular
        if msgid:
            found.add((context, msgid))
    return found


def _catalogue(lang: str):  # type: ignore[no-untyped-def]
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)s|\{\w+\}", text))


def test_every_text_in_the_source_is_translated_to_bokmal_and_nynorsk() -> None:
    texts = _extracted()
    assert ("share mail", MAIL.table["link_subject"]) in texts and len(texts) > 200
    for lang in ("nb", "nn"):
        catalogue = _catalogue(lang)
        missing = sorted(msgid for context, msgid in texts
                         if not (m := catalogue.get(msgid, context=context)) or not m.string
                         or (isinstance(m.string, tuple) and not all(m.string)))
        assert missing == [], f"{lang} lacks (run `bash scripts/i18n`, then translate): {missing[:20]}"


def test_the_share_texts_are_in_north_sami_too_with_their_placeholders() -> None:
    for lang in ("nb", "nn", "se"):
        catalogue = _catalogue(lang)
        shared = [m for m in catalogue if m.id and m.context in SHARE_CONTEXTS]
        assert len(shared) == len(MAIL.table) + len(PDF.table), lang
        for message in shared:
            assert message.string, f"{lang} lacks {message.context}: {message.id}"
            assert _placeholders(str(message.id)) == _placeholders(str(message.string)), (lang, message.id)
    assert MAIL["se"]["link_subject"] == "{name} lea juogadan bohtosiid duinna Vitnemålsportalenis"
    assert (PDF["nb"]["code"], PDF["nn"]["term"], PDF["en"]["credits"]) == ("Kode", "Termin", "Credits (ECTS)")


def test_a_refused_share_is_explained_in_the_pages_language(app: FastAPI, owner: TestClient) -> None:  # noqa: F811
    page = fetched_page(owner)
    fetch_id = re.search(r'name="fetch_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf(page), "fetch_id": fetch_id, "q": "216:BA", "recipients": "hr@example.no",
            "valid_until": (datetime.now(UTC) + timedelta(days=500)).date().isoformat()}
    bokmal = owner.post("/shares", data=form)
    assert bokmal.status_code == 400 and "En deling kan gjelde i høyst ett år" in bokmal.text
    nynorsk = owner.post("/shares?lang=nn", data={**form, "csrf_token": csrf(bokmal.text), "recipients": "x"})
    assert "'x' er ikkje ei e-postadresse" in html.unescape(nynorsk.text)
