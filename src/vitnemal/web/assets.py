"""A package's own script or stylesheet, served so that a page that uses it costs no request for it after the first.

A page links ``versioned(url, path)`` (the URL with the file's content hash, ``?v=``); ``file_route`` serves that URL
cacheable for a year (the hash changes with the file, so a new version is a new URL). A script linked with
``defer`` and revalidated on every page view (``no-cache``) held up DOMContentLoaded, and with it the script's first
look at the server, for one round trip queued behind whatever the server was busy with (issue 13's figure: about a
second of a case page's wait under load). The bare URL, or another version, still answers and revalidates.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

YEAR = "public, max-age=31536000, immutable"


@functools.cache
def file_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def versioned(url: str, path: Path) -> str:
    """``url`` with the content hash of the file it serves."""
    return f"{url}?v={file_version(path)}"


def file_route(router: APIRouter, url: str, path: Path, media_type: str) -> None:
    """Serve ``path`` at ``url`` on ``router``: cached for a year when asked for by its current version."""

    def serve(v: str = Query("", max_length=20)) -> FileResponse:
        cache = YEAR if v == file_version(path) else "no-cache"
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": cache})

    router.add_api_route(url, serve, methods=["GET"], include_in_schema=False, name=f"file:{url}")
