"""What the records refuse, said in the reader's language: an English sentence marked ``P_("records", …)`` (the
message id in the foundation's catalogues) and its parameters. ``str()`` is the English sentence (logs, the API's
``detail``), :meth:`Said.said` the sentence through a catalogue's ``pgettext`` (the CLI's ``--lang``, the pages).
Parameters are codes, names, numbers and terms as written in the records, never words to translate. No I/O."""

from __future__ import annotations

from vitnemal.i18n import P_ as P_  # the marker, re-exported for the records' services
from vitnemal.i18n import PGettext

CONTEXT = "records"


class Said:
    """The sentence (a msgid of context "records") and its parameters."""

    text: str
    params: dict[str, str]

    def _say(self, text: str, params: dict[str, object]) -> str:
        self.text, self.params = text, {k: str(v) for k, v in params.items()}
        return text % self.params

    def said(self, pgettext: PGettext) -> str:
        """The sentence in the catalogue's language (the English one where the catalogue has none)."""
        return pgettext(CONTEXT, self.text) % self.params


class RecordsRefused(Said, ValueError):
    """A value or a change the records refuse."""

    def __init__(self, text: str, **params: object) -> None:
        super().__init__(self._say(text, params))


class NotInRecords(Said, LookupError):
    """Something asked for is not in this institution's records."""

    def __init__(self, text: str, **params: object) -> None:
        super().__init__(self._say(text, params))
