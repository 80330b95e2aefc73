"""Web routes and helpers for verifying documents on this host.

- ``GET /.well-known/vitnemal-ca.pem``: the federation CA certificate this host trusts, for verifiers elsewhere.
- :func:`verify_here`, :func:`uploaded_pdf` and :func:`lookup_record`: what ``POST /verify`` and
  ``GET /verify/{id}`` (in :mod:`vitnemal.verification.routes`, which answers browsers with pages and API
  clients with JSON) and any other page that verifies an upload stand on.

Uploads larger than :data:`MAX_UPLOAD_BYTES` are refused (413) without reading further; a diploma set is a few
hundred kilobytes. The file is checked in a worker process (the app's :class:`~vitnemal.signing.pool.CheckPool`)
with a time limit and a memory cap; a hostile file is answered ``unreadable: <the limit>`` and never stalls other
requests. Trust is the federation CA of this host (``<home>/ca/ca.pem``); records are those of the institutions
served here and of the schools registered in its home (their certificates' records).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.datastructures import UploadFile

from vitnemal.diplomas.issuers import IssuingRecords
from vitnemal.diplomas.signers import federation_ca_cert
from vitnemal.diplomas.verify import VerificationReport, public_record, verify_document_async
from vitnemal.institutions.host import LocalInstitutions
from vitnemal.signing.pool import CheckPool, PoolBusy
from vitnemal.web.deps import app_host
from vitnemal.web.uploads import read_upload, refuse_declared

router = APIRouter(tags=["diplomas"])
log = logging.getLogger("vitnemal.verify")

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
WELL_KNOWN_CA = "/.well-known/vitnemal-ca.pem"


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


_TOO_LARGE = f"the upload is larger than {MAX_UPLOAD_BYTES // 2**20} MiB; a diploma set is far smaller"
UPLOAD_SCHEMA = {
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


async def uploaded_pdf(request: Request) -> bytes:
    """Return the bytes of the multipart field ``file``, refusing large uploads before they are read.

    The declared Content-Length is checked first (the form parser would otherwise spool any size to disk), and the
    file itself again while it is read.
    """
    refuse_declared(request, MAX_UPLOAD_BYTES, _TOO_LARGE, required=True)
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(422, "no file: send the PDF in the multipart field named 'file'")
    return await read_upload(form, upload, MAX_UPLOAD_BYTES, _TOO_LARGE)


def untrusted_hint(request: Request) -> str:
    """What an ``untrusted_ca`` report adds: which CA this service trusts, and where it is published."""
    return (f"this service trusts only its federation's CA, published at {_ca_url(request)}; a document "
            "signed under another CA cannot be confirmed here")


async def verify_here(request: Request, pdf: bytes) -> VerificationReport:
    """Verify ``pdf`` as this host does (its federation CA, the records it serves), the file checked in the app's
    :class:`~vitnemal.signing.pool.CheckPool`: the one call for every page or route that verifies an upload.

    Never holds the event loop. A file over a limit is a report with reason ``unreadable: <the limit>``; a full pool
    is a 503 with Retry-After.
    """
    host = app_host(request)
    pool: CheckPool = request.app.state.check_pool
    records = _records(host)
    ca_cert = federation_ca_cert(host.settings)
    roots = [ca_cert] if ca_cert else []
    try:
        return await verify_document_async(pdf, roots, pool, records.open, lambda i: _issuer_of(records, i))
    except PoolBusy as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "5"}) from None


def _ca_url(request: Request) -> str:
    return f"{app_host(request).settings.public_url.rstrip('/')}{WELL_KNOWN_CA}"


_PEM = "application/pem-certificate-chain"


@router.get(WELL_KNOWN_CA, response_class=Response, responses={200: {"content": {_PEM: {}}}})
def federation_ca_certificate(request: Request) -> Response:
    """The certificate of the federation CA this host trusts (PEM): what a verifier elsewhere passes to
    ``vitnemal verify --trust``. Public by nature: a CA certificate holds no secret."""
    ca_cert = federation_ca_cert(app_host(request).settings)
    if ca_cert is None:
        raise HTTPException(404, "this host has no federation CA yet (it is made when the first document is signed)")
    return Response(ca_cert.read_bytes(), media_type=_PEM,
                    headers={"Content-Disposition": 'attachment; filename="vitnemal-ca.pem"'})


def _records(host: LocalInstitutions) -> IssuingRecords:
    """The issuing records this host can read: the institutions it serves, then the schools registered in its home."""
    served = {code: entry.name_nb if (entry := host.registry.institutions.get(code)) else code for code in host.codes}
    return IssuingRecords.here(host.settings, served, lambda code: host.db(code).read_session())


def _issuer_of(records: IssuingRecords, document_id: str) -> str | None:
    """:meth:`IssuingRecords.issuer_of`, remembering the answer so that a repeated look-up asks one database."""
    remembered = _where.get(document_id)
    if remembered and remembered in records.holders:
        return remembered
    code = records.issuer_of(document_id)
    if code is not None:
        _where.put(document_id, code)
    return code


def lookup_record(request: Request, document_id: str) -> dict[str, Any] | None:
    """What the issuing record says about ``document_id`` (a lower-case UUID; see :func:`public_record`), with the
    issuer's name, or None when no record here holds it. Blocking: call from a thread."""
    records = _records(app_host(request))
    code = _issuer_of(records, document_id)
    if code is None:
        return None
    with records.read_session(code) as session:
        found = public_record(session, document_id)
    if found is not None:
        found["institution_name"] = records.holders.get(code)
    return found
