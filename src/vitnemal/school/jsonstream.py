"""JSON pupils files read as a stream: one pupil decoded at a time with its line number, never the whole file.

A file is a list of pupils, or an object whose "pupils" key holds the list and whose other keys are defaults for
every pupil (they may come after the list: a first pass collects them). Each value is bounded in size
(:data:`~vitnemal.school.textfile.MAX_JSON_VALUE_CHARS`), in depth and in the length of its texts; a file that
breaks a bound or the JSON syntax gives :class:`~vitnemal.school.textfile.InputFileError` with the line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from vitnemal.school.textfile import (
    MAX_JSON_DEPTH,
    MAX_JSON_VALUE_CHARS,
    MAX_LINE_CHARS,
    InputFileError,
)

CHUNK_CHARS = 64 * 1024


def check_shape(value: object, path: Path, where: str) -> None:
    """Refuse a pupil nested deeper, or with a text longer, than any real pupil has (the shape is 4 levels deep)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if len(node) > MAX_LINE_CHARS:
                raise InputFileError(f"{path}: {where}: a text of {len(node):,} characters; at most {MAX_LINE_CHARS:,}")
            continue
        children = node.values() if isinstance(node, Mapping) else node if isinstance(node, list) else ()
        if depth > MAX_JSON_DEPTH and children:
            raise InputFileError(f"{path}: {where}: nested deeper than {MAX_JSON_DEPTH} levels; a pupil has at most 4")
        stack.extend((child, depth + 1) for child in children)


class _JsonStream:
    """The text of a JSON file read in chunks, decoded one value at a time with line numbers (never whole)."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path = path
        # JSON may be written on one line, so it is read in chunks, not lines; each value is bounded instead.
        self._text = io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="")
        self.encoding = encoding
        self.buffer = ""
        self.pos = 0
        self.line = 1
        self.eof = False
        self._decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self._text.read(CHUNK_CHARS)
        except UnicodeDecodeError as exc:
            raise self.error(
                f"after this line, the file is not {self.encoding} text ({exc.reason}): it mixes encodings; "
                "save it as UTF-8"
            ) from None
        if not chunk:
            self.eof = True
            return False
        self.line += self.buffer.count("\n", 0, self.pos)
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """Skip white space and return the next character ("" at the end of the file)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n\ufeff":
                self.pos += 1
            if self.pos < len(self.buffer) or not self._more():
                return self.buffer[self.pos : self.pos + 1]

    def expect(self, chars: str) -> str:
        found = self.peek()
        if not found or found not in chars:
            what = repr(found) if found else "the end of the file"
            raise self.syntax(f"expected {' or '.join(repr(c) for c in chars)}, found {what}")
        self.pos += 1
        return found

    def value(self) -> tuple[int, object]:
        """Decode the next value; return the line it starts on and the value."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self.buffer, self.pos)
            except RecursionError:
                raise self.error(f"nested deeper than {MAX_JSON_DEPTH} levels; a pupil has at most 4") from None
            except json.JSONDecodeError as exc:
                if len(self.buffer) - self.pos > MAX_JSON_VALUE_CHARS:
                    raise self.error(f"a value longer than {MAX_JSON_VALUE_CHARS:,} characters") from None
                if self._more():
                    continue
                line = self.line + self.buffer.count("\n", 0, exc.pos)
                raise InputFileError(f"{self.path}: not valid JSON: {exc.msg} at line {line}") from None
            if end >= len(self.buffer) and not self.eof and self._more():
                continue  # a number may go on in the next chunk
            line = self.line + self.buffer.count("\n", 0, self.pos)
            self.pos = end
            return line, value

    def error(self, message: str) -> InputFileError:
        return InputFileError(f"{self.path}: line {self.line + self.buffer.count(chr(10), 0, self.pos)}: {message}")

    def syntax(self, message: str) -> InputFileError:
        line = self.line + self.buffer.count("\n", 0, self.pos)
        return InputFileError(f"{self.path}: not valid JSON: {message} at line {line}")

    def close(self) -> None:
        self._text.close()


def _json_top(stream: _JsonStream) -> Iterator[tuple[str, int, object]]:
    """Yield the document's parts: ("default", line, (key, value)) for the keys beside "pupils", and
    ("item", line, value) for each pupil, in file order."""
    start = stream.expect("[{")
    if start == "[":
        yield from _json_array(stream)
    else:
        seen_pupils = False
        if stream.peek() == "}":
            stream.pos += 1
        else:
            while True:
                _, key = stream.value()
                if not isinstance(key, str):
                    raise stream.syntax("expected a key in double quotes")
                stream.expect(":")
                if key == "pupils" and stream.peek() == "[":
                    seen_pupils = True
                    stream.pos += 1
                    yield from _json_array(stream)
                else:
                    line, value = stream.value()
                    yield ("default", line, (key, value))
                if stream.expect(",}") == "}":
                    break
        if not seen_pupils:
            raise InputFileError(
                f'{stream.path}: expected a JSON list of pupils, or an object with "pupils": [...]'
            )
    if stream.peek():
        raise stream.syntax("more data after the end of the document")


def _json_array(stream: _JsonStream) -> Iterator[tuple[str, int, object]]:
    if stream.peek() == "]":
        stream.pos += 1
        return
    while True:
        line, value = stream.value()
        yield ("item", line, value)
        if stream.expect(",]") == "]":
            return


def json_defaults(path: Path, encoding: str) -> dict[str, object]:
    """Return the defaults beside "pupils" (a first pass, since they may come after the list; a plain list has
    none, so the pass stops at once)."""
    stream = _JsonStream(path, encoding)
    defaults: dict[str, object] = {}
    try:
        if stream.peek() == "[":
            return defaults
        for kind, line, value in _json_top(stream):
            if kind == "default":
                assert isinstance(value, tuple)
                key, default = value
                check_shape(default, path, f"{key!r} at line {line}")
                defaults[str(key)] = default
    finally:
        stream.close()
    return defaults


def json_items(path: Path, encoding: str) -> Iterator[tuple[int, int, object]]:
    stream = _JsonStream(path, encoding)
    try:
        index = 0
        for kind, line, value in _json_top(stream):
            if kind == "item":
                yield index, line, value
                index += 1
    finally:
        stream.close()
