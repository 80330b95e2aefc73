"""Reading a pupils file as text, line by line: its encoding detected from its start, every line bounded."""

from __future__ import annotations

import codecs
import io
import itertools
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import NoReturn

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


BLOCK_BYTES = 1 << 16  # a few hundred rows; a longer line is read on in further blocks


class TextLines:
    """The file's lines (line ends kept), each at most :data:`MAX_LINE_CHARS` long; iterate once, then :meth:`close`.

    Lines end at a newline byte (never part of another character in UTF-8 or Windows-1252), so the file is read in
    blocks of :data:`BLOCK_BYTES` cut after a newline and each block decoded and split at once; a block that does
    not decode, or holds a line break ``str.splitlines`` would split on (a lone CR, U+2028, ...), is read line by
    line, so an error names its own line and the lines are exactly those of reading line by line. UTF-16 goes
    through a text wrapper. ``position`` is the bytes read so far (for progress).
    """

    def __init__(self, path: Path, encoding: str) -> None:
        self._path = path
        self._encoding = encoding
        self._binary = path.open("rb")
        self._number = 0  # lines yielded so far
        self.position = 0

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._blocks())

    def close(self) -> None:
        self._binary.close()

    def _blocks(self) -> Iterator[list[str]]:
        if self._encoding == "utf-16":
            wrapper = io.TextIOWrapper(self._binary, encoding=self._encoding, newline="")
            yield from ([line] for line in self._checked(lambda: wrapper.readline(MAX_LINE_CHARS + 1)))
            return
        decode = codecs.getincrementaldecoder(self._encoding)().decode
        rest = b""
        while True:
            chunk = self._binary.read(BLOCK_BYTES)
            self.position += len(chunk)
            block = rest + chunk
            if not block:
                return
            cut = block.rfind(b"\n") + 1 if chunk else len(block)
            if not cut:  # no line ends in the block yet
                if len(block) > 4 * MAX_LINE_CHARS:
                    self._too_long(self._number + 1)
                rest = block
                continue
            block, rest = block[:cut], block[cut:]
            try:
                text = decode(block)
            except UnicodeDecodeError:
                text = None
            lines = text.splitlines(keepends=True) if text is not None else []
            # splitlines also splits at a lone CR, U+2028 and the like; then it finds more lines than newlines
            if text is None or len(lines) != text.count("\n") + (not text.endswith("\n")):
                yield from ([line] for line in self._line_by_line(block))
                continue
            if max(map(len, lines)) > MAX_LINE_CHARS:
                long_at = next(i for i, line in enumerate(lines) if len(line) > MAX_LINE_CHARS)
                yield lines[:long_at]
                self._too_long(self._number + long_at + 1)
            self._number += len(lines)
            yield lines

    def _line_by_line(self, block: bytes) -> Iterator[str]:
        # the first block's byte-order mark was taken by the decoder above; later blocks keep theirs
        codec = "utf-8" if self._encoding == "utf-8-sig" and self._number else self._encoding
        pieces = iter(block.splitlines(keepends=True) if b"\r" not in block else _byte_lines(block))
        decode = codecs.getincrementaldecoder(codec)().decode
        return self._checked(lambda: decode(next(pieces, b"")))

    def _checked(self, read: Callable[[], str]) -> Iterator[str]:
        """Yield lines from ``read`` (an empty string at the end), each checked for length, with its number."""
        while True:
            try:
                line = read()
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    f"{self._path}: line {self._number + 1}: not {self._encoding} text ({exc.reason}, "
                    f"byte {exc.object[exc.start]:#04x}); the file mixes encodings: save it as UTF-8"
                ) from None
            if not line:
                return
            if len(line) > MAX_LINE_CHARS:
                self._too_long(self._number + 1)
            self._number += 1
            yield line

    def _too_long(self, number: int) -> NoReturn:
        raise InputFileError(
            f"{self._path}: line {number} is longer than {MAX_LINE_CHARS:,} characters; "
            "no cell of a pupil's row is that long: check the file"
        )


def _byte_lines(block: bytes) -> list[bytes]:
    """Split ``block`` after each newline byte only (bytes.splitlines would also split at a lone CR)."""
    pieces = block.split(b"\n")
    lines = [piece + b"\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def text_lines(path: Path, encoding: str) -> Generator[str, None, None]:
    """Yield the file's lines as :class:`TextLines` reads them, and close the file at the end."""
    lines = TextLines(path, encoding)
    try:
        yield from lines
    finally:
        lines.close()
