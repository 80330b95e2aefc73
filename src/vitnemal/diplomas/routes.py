"""Web routes for diplomas: the public verification API.

- ``POST /verify`` (multipart, field ``file``): the full verification report of an uploaded PDF as JSON, the same
  as ``vitnemal verify --json``. Uploads larger than :data:`MAX_UPLOAD_BYTES` are refused (413) without reading
  further; a diploma set is a few hundred kilobytes.
- ``GET /verify/{document_id}``: what the issuing institution's record says about a document id (the URL in each
  document's QR code): see :func:`vitnemal.diplomas.verify.public_record` for what is shown and why.

Trust is the federation CA of this host (``<home>/ca/ca.pem``); records are those of the institutions served here.
Both answers are JSON (no HTML yet), so nothing from a document is ever placed in markup.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import AbstractContextManager
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from vitnemal.diplomas.keys import federation_ca_cert
from vitnemal.diplomas.verify import is_document_id, locate_document, public_record, verify_document
from vitnemal.institutions.host import LocalInstitutions

router = APIRouter(tags=["diplomas"])

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_CHUNK = 256 * 1024


class _WhereIssued:
    """Remembers which served institution holds a document id, so a repeated look-up asks one database."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._known: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, document_id: str) -> str | None:
        with self._lock:
            return self._known.get(document_id)

    def put(self, document_id: str, code: str) -> None:
        with self._lock:
            self._known[document_id] = code
            if len(self._known) > self._size:
                self._known.popitem(last=False)


_where = _WhereIssued()


def _host(request: Request) -> LocalInstitutions:
    host: LocalInstitutions = request.app.state.host
    return host


_TOO_LARGE = f"the upload is larger than {MAX_UPLOAD_BYTES // 2**20} MiB; a diploma set is far smaller"
_UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary", "description": "the PDF"}},
                }
            }
        },
    }
}


async def _uploaded_pdf(request: Request) -> bytes:
    """Return the bytes of the multipart field ``file``, refusing large uploads before they are read.

    The declared Content-Length is checked first (the form parser would otherwise spool any size to disk), and the
    file itself again while it is read.
    """
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        raise HTTPException(411, "send the file as multipart/form-data with a Content-Length")
    if int(declared) > MAX_UPLOAD_BYTES + 64 * 1024:
        raise HTTPException(413, _TOO_LARGE)
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(422, "no file: send the PDF in the multipart field named 'file'")
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(_CHUNK):
        size += len(chunk)
        if size > MAX_UPLOAD_BYTES:
            raise HTTPException(413, _TOO_LARGE)
        parts.append(chunk)
    await form.close()
    return b"".join(parts)


@router.post("/verify", openapi_extra=_UPLOAD_SCHEMA)
async def verify_upload(request: Request) -> dict[str, Any]:
    """Verify an uploaded PDF; the JSON report says ``genuine`` and, if not, the ``reason``."""
    host = _host(request)
    pdf = await _uploaded_pdf(request)

    def open_session(code: str) -> AbstractContextManager[Session] | None:
        return host.db(code).read_session() if host.serves(code) else None

    ca_cert = federation_ca_cert(host.settings)
    roots = [ca_cert] if ca_cert else []
    report = await run_in_threadpool(verify_document, pdf, roots, open_session, lambda i: _issuer_of(host, i))
    return report.to_dict()


def _issuer_of(host: LocalInstitutions, document_id: str) -> str | None:
    """Return the code of the served institution whose record holds ``document_id``, asking each at most once."""
    remembered = _where.get(document_id)
    if remembered and host.serves(remembered):
        return remembered
    for code in host.codes:
        with host.db(code).read_session() as session:
            if locate_document(session, document_id):
                _where.put(document_id, code)
                return code
    return None


def _lookup(host: LocalInstitutions, document_id: str) -> dict[str, Any] | None:
    code = _issuer_of(host, document_id)
    if code is None:
        return None
    with host.db(code).read_session() as session:
        found = public_record(session, document_id)
    if found is not None:
        registry_entry = host.registry.institutions.get(code)
        found["institution_name"] = registry_entry.name_nb if registry_entry else None
    return found


@router.get("/verify/{document_id}")
def verify_by_id(request: Request, document_id: str) -> dict[str, Any]:
    """What the issuing record says about a document id: issuer, time, kind, SHA-256, replaced or revoked."""
    document_id = document_id.strip().lower()
    if not is_document_id(document_id):
        raise HTTPException(404, "not a document id: it is the UUID printed under the QR code of a document")
    found = _lookup(_host(request), document_id)
    if found is None:
        raise HTTPException(404, "no institution served here has issued a document with this id")
    return found
