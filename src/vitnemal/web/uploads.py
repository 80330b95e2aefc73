"""Reading an uploaded file with a bound: the one way every page or route that takes a file reads it.

The body limit in front of the app (:mod:`vitnemal.web.limits`) bounds the request as a whole; a route that knows a
tighter limit for its file checks the declared length first (:func:`refuse_declared`, before the form parser spools
anything to disk) and reads the file with :func:`read_upload`, which stops at the first chunk past the limit. The
form's spooled files are closed whether the file was taken or refused.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, UploadFile

CHUNK = 256 * 1024
FORM_OVERHEAD = 64 * 1024  # the multipart framing, the other fields and the CSRF token around the file


def refuse_declared(request: Request, max_bytes: int, too_large: str, *, required: bool = False) -> None:
    """A 413 saying ``too_large`` when the declared Content-Length is over ``max_bytes`` and the form's overhead;
    a 411 when ``required`` and no length is declared."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        if required:
            raise HTTPException(411, "send the file as multipart/form-data with a Content-Length")
        return
    if int(declared) > max_bytes + FORM_OVERHEAD:
        raise HTTPException(413, too_large)


async def read_upload(form: FormData, upload: UploadFile, max_bytes: int, too_large: str) -> bytes:
    """The bytes of ``upload`` (a file of ``form``), read chunk by chunk; past ``max_bytes`` a 413 saying
    ``too_large`` and nothing more read. The form is closed in either case."""
    parts: list[bytes] = []
    size = 0
    try:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise HTTPException(413, too_large)
            parts.append(chunk)
    finally:
        await form.close()
    return b"".join(parts)
