"""Web routes for diplomas: the public verification API.

- ``POST /verify`` (multipart, field ``file``): the full verification report of an uploaded PDF as JSON, the same
  as ``vitnemal verify --json``. Uploads larger than :data:`MAX_UPLOAD_BYTES` are refused (413) without reading
  further; a diploma set is a few hundred kilobytes.
  The file is checked in a worker process (the app's :class:`~vitnemal.signing.pool.CheckPool`) with a time limit
  and a memory cap; a hostile file is answered ``unreadable: <the limit>`` and never stalls other requests.
- ``GET /verify/{document_id}``: what the issuing institution's record says about a document id (the URL in each
  document's QR code): see :func:`vitnemal.diplomas.verify.public_record` for what is shown and why.
- ``GET /.well-known/vitnemal-ca.pem``: the federation CA certificate this host trusts, for verifiers elsewhere.

Trust is the federation CA of this host (``<home>/ca/ca.pem``); records are those of the institutions served here.
Both answers are JSON (no HTML yet), so nothing from a document is ever placed in markup.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import AbstractContextManager
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from vitnemal.diplomas.keys import federation_ca_cert
from vitnemal.diplomas.verify import (
    VerificationReport,
    is_document_id,
    locate_document,
    public_record,
    verify_document_async,
)
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.signing.pool import CheckPool, PoolBusy
from vitnemal.signing.verify import Reason

router = APIRouter(tags=["diplomas"])

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
WELL_KNOWN_CA = "/.well-known/vitnemal-ca.pem"
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
    pdf = await _uploaded_pdf(request)
    report = await verify_here(request, pdf)
    data = report.to_dict()
    if report.document.reason == Reason.UNTRUSTED_CA:
        data["hint"] = (f"this service trusts only its federation's CA, published at {_ca_url(request)}; a document "
                        "signed under another CA cannot be confirmed here")
    return data


async def verify_here(request: Request, pdf: bytes) -> VerificationReport:
    """Verify ``pdf`` as this host does (its federation CA, the records it serves), the file checked in the app's
    :class:`~vitnemal.signing.pool.CheckPool`: the one call for every page or route that verifies an upload.

    Never holds the event loop. A file over a limit is a report with reason ``unreadable: <the limit>``; a full pool
    is a 503 with Retry-After.
    """
    host = _host(request)
    pool: CheckPool = request.app.state.check_pool

    def open_session(code: str) -> AbstractContextManager[Session] | None:
        return host.db(code).read_session() if host.serves(code) else None

    ca_cert = federation_ca_cert(host.settings)
    roots = [ca_cert] if ca_cert else []
    try:
        return await verify_document_async(pdf, roots, pool, open_session, lambda i: _issuer_of(host, i))
    except PoolBusy as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "5"}) from None


def _ca_url(request: Request) -> str:
    return f"{_host(request).settings.public_url.rstrip('/')}{WELL_KNOWN_CA}"


_PEM = "application/pem-certificate-chain"


@router.get(WELL_KNOWN_CA, response_class=Response, responses={200: {"content": {_PEM: {}}}})
def federation_ca_certificate(request: Request) -> Response:
    """The certificate of the federation CA this host trusts (PEM): what a verifier elsewhere passes to
    ``vitnemal verify --trust``. Public by nature: a CA certificate holds no secret."""
    ca_cert = federation_ca_cert(_host(request).settings)
    if ca_cert is None:
        raise HTTPException(404, "this host has no federation CA yet (it is made when the first document is signed)")
    return Response(ca_cert.read_bytes(), media_type=_PEM,
                    headers={"Content-Disposition": 'attachment; filename="vitnemal-ca.pem"'})


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
