"""ELMO written as text for the exports made many times a second (the portal's EMREX answers): building the same
document as lxml elements cost about 5 µs an element, most of an export's time.

:class:`ElmoWriter` writes well-formed XML in ELMO's namespace, one element a line, with text and attribute values
escaped; :meth:`ElmoWriter.raw` takes a fragment the caller filled from a template with values escaped by
:func:`text` / :func:`attribute`. What it writes is parsed again before it is signed
(:meth:`vitnemal.interop.elmo_sign.ElmoSigner.sign`), and the tests validate it against the official schema.
"""

from __future__ import annotations

import re

from vitnemal.interop.elmo import NS

# Characters XML 1.0 cannot hold at all (the C0 controls other than tab, newline, carriage return; U+FFFE/FFFF):
# writing them would make the document unreadable, so they are dropped from text taken from records.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: str) -> str:
    """``value`` as XML character data."""
    if not value.isprintable():  # a quick look first: most values have no control character at all
        value = _NOT_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attribute(value: str) -> str:
    """``value`` as a double-quoted attribute value (newlines and tabs kept as character references)."""
    return (text(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
            .replace("\r", "&#13;"))


def _attributes(attrs: dict[str, str]) -> str:
    return "".join(f' {name}="{attribute(value)}"' for name, value in attrs.items())


def titles(tag: str, texts: list[tuple[str, str]]) -> str:
    """One ``<tag xml:lang=…>`` line per language (the first non-empty text given for it)."""
    langs: set[str] = set()
    out = []
    for value, lang in texts:
        if value and lang not in langs:
            langs.add(lang)
            out.append(f'\n<{tag} xml:lang="{attribute(lang)}">{text(value)}</{tag}>')
    return "".join(out)


class ElmoWriter:
    """Appends elements to a document whose root is ``elmo`` (opened on creation, closed by :meth:`finish`)."""

    def __init__(self) -> None:
        self._parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<elmo xmlns="{NS}">']
        self._open: list[str] = ["elmo"]

    def start(self, tag: str, **attrs: str) -> None:
        """Open ``tag`` (closed by :meth:`end`)."""
        self._parts.append(f"\n<{tag}{_attributes(attrs)}>")
        self._open.append(tag)

    def end(self) -> None:
        self._parts.append(f"\n</{self._open.pop()}>")

    def leaf(self, tag: str, value: str, lang: str | None = None, **attrs: str) -> None:
        """``<tag>value</tag>``, with ``xml:lang`` when ``lang`` is given."""
        extra = f' xml:lang="{attribute(lang)}"' if lang else ""
        self._parts.append(f"\n<{tag}{extra}{_attributes(attrs)}>{text(value)}</{tag}>")

    def titled(self, tag: str, texts: list[tuple[str, str]]) -> None:
        """:func:`titles` written here."""
        self._parts.append(titles(tag, texts))

    def raw(self, fragment: str) -> None:
        """A fragment of whole elements whose values the caller escaped."""
        self._parts.append(fragment)

    def finish(self) -> bytes:
        while self._open:
            self.end()
        self._parts.append("\n")
        return "".join(self._parts).encode("utf-8")
