"""Reading a pupils file as text, line by line: its encoding detected from its start, every line bounded."""

from __future__ import annotations

import codecs
import io
from collections.abc import Generator
from pathlib import Path

# Bounds on what a file may hold (a real pupil's row is a few hundred characters, 4 levels deep in JSON).
SNIFF_BYTES = 64 * 1024
MAX_LINE_CHARS = 64 * 1024
MAX_JSON_VALUE_CHARS = 1024 * 1024
MAX_JSON_DEPTH = 16


class InputFileError(ValueError):
    """The file as a whole cannot be read (not found, not CSV/JSON, unknown column); no row was processed."""


def detect_encoding(head: bytes, path: Path) -> str:
    """Return the codec to read a file that starts with ``head``: UTF-8 (with or without BOM), UTF-16 with a BOM,
    or Windows-1252 (what spreadsheets on Norwegian Windows save; it reads Latin-1 text the same).

    Raises :class:`InputFileError` for UTF-32 and for text with NUL bytes (UTF-16 without a BOM, or a binary file).
    """
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputFileError(f"{path}: the file is UTF-32; save it as UTF-8")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise InputFileError(
            f"{path}: the file contains NUL bytes: it is UTF-16 without a byte-order mark, or not text at all; "
            "save it as UTF-8"
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # spreadsheets on Norwegian Windows save Windows-1252
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def text_lines(path: Path, encoding: str) -> Generator[str, None, None]:
    """Yield the file's lines (line ends kept), each at most :data:`MAX_LINE_CHARS` long; close the file at the end.

    Lines are split on bytes and decoded one at a time (a newline byte is never part of another character in
    UTF-8 or Windows-1252), so a decoding error names its own line; UTF-16 goes through a text wrapper.
    """
    binary = path.open("rb")
    number = 0
    try:
        if encoding == "utf-16":
            text = io.TextIOWrapper(binary, encoding=encoding, newline="")
            read = lambda: text.readline(MAX_LINE_CHARS + 1)  # noqa: E731 - one reader or the other
        else:
            decode = codecs.getincrementaldecoder(encoding)().decode
            read = lambda: decode(binary.readline(4 * MAX_LINE_CHARS + 1))  # noqa: E731
        while True:
            number += 1
            try:
                line = read()
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{path}: line {number}: not {encoding} text ({exc.reason}, byte {exc.object[exc.start]:#04x}); "
                    "the file mixes encodings: save it as UTF-8"
                ) from None
            if not line:
                return
            if len(line) > MAX_LINE_CHARS:
                raise InputFileError(
                    f"{path}: line {number} is longer than {MAX_LINE_CHARS:,} characters; "
                    "no cell of a pupil's row is that long: check the file"
                )
            yield line
    finally:
        binary.close()
