"""Every word of the portal's e-mails and of the recipient's PDF, in bokmål, nynorsk, English and North Sami.

The English texts below are the message ids; their translations are in the foundation's message catalogues
(``web/locale/<lang>/LC_MESSAGES/messages.po``, contexts "share mail" and "share pdf"), where a translator reviews
them beside the pages' texts: the North Sami (``se``) ones especially, which were written without a native speaker
and must be reviewed before production. ``bash scripts/i18n`` extracts them (the ``P_`` marker); a test fails while
nb, nn or se lacks one, or a translation loses a placeholder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from vitnemal.diplomas.texts import credits_text as diploma_credits
from vitnemal.i18n import local
from vitnemal.web.i18n import SHARE_LANGUAGES, translations

Lang = Literal["nb", "nn", "en", "se"]


def P_(context: str, text: str) -> str:
    """Marks ``text`` in ``context`` for the message catalogue; it is translated where it is used."""
    return text


class Texts(Mapping[str, dict[str, str]]):
    """One table of texts in every share language: ``texts[lang][key]``, the catalogue's translation of the
    English text (the English one itself where the catalogue has none)."""

    def __init__(self, context: str, table: dict[str, str]) -> None:
        self.context = context
        self.table = table
        self._done: dict[str, dict[str, str]] = {}

    def __getitem__(self, lang: str) -> dict[str, str]:
        found = self._done.get(lang)
        if found is None:
            if lang not in SHARE_LANGUAGES:
                raise KeyError(lang)
            gettext = translations(lang).upgettext
            found = self._done[lang] = {key: gettext(self.context, text) for key, text in self.table.items()}
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(SHARE_LANGUAGES)

    def __len__(self) -> int:
        return len(SHARE_LANGUAGES)


# Placeholders in braces are filled with str.format after translation.
_MAIL: dict[str, str] = {
    'link_subject': P_('share mail', '{name} has shared results with you in Vitnemålsportalen'),
    'link_body': P_('share mail', '{name} has shared educational results with you through Vitnemålsportalen, the '
                                  'Norwegian diploma registry.\n'
                                  '\n'
                                  'Open the results here:\n'
                                  '{link}\n'
                                  '\n'
                                  'You also need an access code. It comes in a separate e-mail.\n'
                                  'The link works until and including {until}.\n'
                                  '{message}\n'
                                  'The results are fetched directly from the institutions. Please do not reply to '
                                  'this e-mail.'),
    'code_subject': P_('share mail', 'Access code for results from {name}'),
    'code_body': P_('share mail', 'The access code for the results {name} has shared with you in '
                                  'Vitnemålsportalen:\n'
                                  '\n'
                                  '{code}\n'
                                  '\n'
                                  'The link to the results came in a separate e-mail. Enter the code when you open '
                                  'the link.\n'
                                  'Please do not reply to this e-mail.'),
    'message': P_('share mail', '\n'
                                'Message from {name}:\n'
                                '{message}\n'),
}
_PDF: dict[str, str] = {
    'title': P_('share pdf', 'Results from Vitnemålsportalen'),
    'name': P_('share pdf', 'Name'),
    'born': P_('share pdf', 'Date of birth'),
    'shared': P_('share pdf', 'Shared'),
    'valid': P_('share pdf', 'Valid until'),
    'institution': P_('share pdf', 'Institution'),
    'fetched': P_('share pdf', 'Fetched'),
    'qualifications': P_('share pdf', 'Qualifications'),
    'other': P_('share pdf', 'Other courses'),
    'code': P_('share pdf', 'Code'),
    'course': P_('share pdf', 'Course'),
    'term': P_('share pdf', 'Term'),
    'credits': P_('share pdf', 'Credits (ECTS)'),
    'grade': P_('share pdf', 'Grade'),
    'awarded': P_('share pdf', 'Awarded'),
    'then_named': P_('share pdf', 'Then: {name}'),
    'thesis': P_('share pdf', 'Thesis'),
    'tests': P_('share pdf', 'Language tests'),
    'best': P_('share pdf', 'Best result'),
    'latest': P_('share pdf', 'Latest result'),
    'verify': P_('share pdf', 'Check this document: {url}'),
    'document_id': P_('share pdf', 'Document id: {id}'),
    'page': P_('share pdf', 'Page {page} of {pages}'),
    'about': P_('share pdf', 'The results were fetched directly from the institutions and shared by their '
                             'owner. The document is signed by Vitnemålsportalen; a printed copy cannot be '
                             'verified.'),
    'elmo': P_('share pdf', 'The results as ELMO XML (EMREX)'),
    'VÅR': P_('share pdf', 'Spring'),
    'HØST': P_('share pdf', 'Autumn'),
}

MAIL = Texts("share mail", _MAIL)
PDF = Texts("share pdf", _PDF)


def day_text(day: date | datetime, lang: str) -> str:
    """A date as people read it: 1.12.2026 (nb, nn, se) or 1 December 2026 (en); Oslo time for moments."""
    if isinstance(day, datetime):
        day = local(day).date()
    if lang == "en":
        return f"{day.day} {day.strftime('%B')} {day.year}"
    return f"{day.day}.{day.month}.{day.year}"


def moment_text(moment: datetime, lang: str) -> str:
    shown = local(moment)
    return f"{day_text(shown.date(), lang)} {shown.strftime('%H:%M')}"


def credits_text(value: str, lang: str) -> str:
    """Credits as printed ("7,5"; "7.5" in English), the diplomas' own rule."""
    return diploma_credits(Decimal(value), "en" if lang == "en" else "nb")


def term_text(year: int, season: str, lang: str) -> str:
    return f"{year} {PDF[lang].get(season, season)}"
