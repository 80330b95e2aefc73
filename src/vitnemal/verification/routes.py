"""``/verify``: the verification page and API. People get pages (nb, nn, en); API clients get JSON, as before.

- ``GET /verify``: the page with one file input (people only).
- ``POST /verify`` (multipart, field ``file``): the report of an uploaded PDF. JSON (the same as
  ``vitnemal verify --json``, plus ``share`` for a portal PDF) unless the Accept header prefers HTML, as a browser's
  form does; then a page with a plain verdict (genuine / modified / unknown signer ...), who signed, what the
  issuing record says, and for a portal PDF whether the share behind it is active, expired or ended by the owner.
  Counted per client in the web database (``verify_uploads_per_hour``): beyond it 429 with Retry-After, and the
  page says when to try again. A full verifier pool stays 503 with Retry-After.
- ``GET /verify/{id}`` (the QR code's address): what the issuing record of a diploma or a school certificate says
  (:func:`vitnemal.diplomas.verify.public_record`), or for a portal share its state and dates. JSON or a page, by
  the Accept header; every answer says ``Vary: Accept``.

Pages need the web foundation (``app.state.web``); an app without pages answers JSON and counts no uploads.
Nothing from a document is placed in markup unescaped: the templates autoescape.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from vitnemal import ratelimit
from vitnemal.diplomas.routes import UPLOAD_SCHEMA, lookup_record, untrusted_hint, uploaded_pdf, verify_here
from vitnemal.diplomas.verify import VerificationReport, is_document_id
from vitnemal.schema import SchemaOutdated
from vitnemal.signing.verify import Reason
from vitnemal.verification.service import ShareEvidence, is_portal_document, share_evidence, with_share
from vitnemal.verification.verdict import prefers_html, tone, verdict
from vitnemal.web.csrf import csrf_protect
from vitnemal.web.routing import page_router
from vitnemal.web.sessions import utcnow
from vitnemal.web.templating import register_templates, render

register_templates(Path(__file__).parent / "templates")
router = APIRouter(tags=["diplomas"])
pages = page_router()
VARY = {"vary": "Accept"}
UPLOAD_WINDOW_S = 3600
LOOKUPS_PER_UPLOAD = 10  # GET /verify/{id} per client and hour, per upload allowed
MAX_CLIENT = 100
MAX_MIB = 10


def _client(request: Request) -> str:
    return (request.client.host if request.client else "unknown")[:MAX_CLIENT]


def _page_wanted(request: Request) -> bool:
    return getattr(request.app.state, "web", None) is not None and prefers_html(request.headers.get("accept"))


def _count_upload(request: Request, kind: str = "verify", per_upload: int = 1) -> ratelimit.Decision | None:
    """Count one upload (or, with ``kind`` "verify-id", one look-up by id) of this client in the web database
    (None where this app has no pages)."""
    web = getattr(request.app.state, "web", None)
    if web is None:
        return None
    limit = ratelimit.Limit(web.settings.verify_uploads_per_hour * per_upload, UPLOAD_WINDOW_S)
    try:
        with web.db.session() as db:
            return ratelimit.hit(db, f"{kind}:{_client(request)}", limit, utcnow())
    except SchemaOutdated as exc:  # uploads are refused uncounted, with what the operator must do
        raise HTTPException(503, f"the web database cannot count uploads yet: {exc}") from None


def _portal_share(request: Request, public_id: str, sha256: str | None = None) -> ShareEvidence | None:
    """The share behind a portal PDF, where this app serves the portal (audited as a verification)."""
    portal = getattr(request.app.state, "portal", None)
    if portal is None:
        return None
    with portal.db.session() as db:
        return share_evidence(db, public_id, utcnow(), actor=f"verifier:{_client(request)}", sha256=sha256)


def _with_share(request: Request, report: VerificationReport) -> tuple[VerificationReport, ShareEvidence | None]:
    if not is_portal_document(report):
        return report, None
    assert report.document.document_id is not None
    evidence = _portal_share(request, report.document.document_id, report.document.sha256)
    return (report, None) if evidence is None else (with_share(report, evidence), evidence)


def _upload_page(request: Request, *, report: VerificationReport | None = None, share: ShareEvidence | None = None,
                 problem: str | None = None, retry_at: datetime | None = None, status_code: int = 200,
                 headers: dict[str, str] | None = None) -> HTMLResponse:
    result = None
    if report is not None:
        value = verdict(report.document.reason)
        result = {"verdict": value.value, "tone": tone(value), "check": report.document, "record": report.record,
                  "share": share, "replaced": report.record.replaced, "reason": report.document.reason}
    return render(request, "verification/verify.html",
                  {"result": result, "problem": problem, "retry_at": retry_at, "max_mib": MAX_MIB},
                  status_code=status_code, headers={**VARY, **(headers or {})})


@pages.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> HTMLResponse:
    """The verification page: drop a PDF, get a plain answer."""
    return _upload_page(request)


@router.post("/verify", openapi_extra=UPLOAD_SCHEMA, response_model=None)
async def verify_upload(request: Request) -> Response:
    """Verify an uploaded PDF; the JSON report says ``genuine`` and, if not, the ``reason``."""
    page = _page_wanted(request)
    try:
        decision = await run_in_threadpool(_count_upload, request)
    except HTTPException as exc:
        if not page:
            raise
        return _upload_page(request, problem="busy", status_code=exc.status_code)
    if decision is not None and not decision.allowed:
        retry = {"retry-after": str(decision.retry_after_s)}
        if page:
            return _upload_page(request, problem="rate_limited", status_code=429, headers=retry,
                                retry_at=utcnow() + timedelta(seconds=decision.retry_after_s))
        detail = f"too many uploads from your address; try again in {decision.retry_after_s} s"
        return JSONResponse({"detail": detail}, status_code=429, headers={**VARY, **retry})
    try:
        pdf = await uploaded_pdf(request)
        if page:
            await csrf_protect(request)  # after the bounded form parse, which the check then reads
        report = await verify_here(request, pdf)
    except HTTPException as exc:
        if not page:
            raise
        problem = {413: "too_large", 503: "busy"}.get(exc.status_code, "no_file")
        return _upload_page(request, problem=problem, status_code=exc.status_code, headers=dict(exc.headers or {}))
    report, share = await run_in_threadpool(_with_share, request, report)
    if page:
        return _upload_page(request, report=report, share=share)
    data: dict[str, Any] = report.to_dict()
    if report.document.reason == Reason.UNTRUSTED_CA:
        data["hint"] = untrusted_hint(request)
    if share is not None:
        data["share"] = share.to_dict()
    return JSONResponse(data, headers=VARY)


def _share_json(document_id: str, share: ShareEvidence) -> dict[str, Any]:
    return {"document_id": document_id, "kind": "portal_share", "issuer": "Vitnemålsportalen",
            **{k: v for k, v in share.to_dict().items() if k not in ("known", "sha256_matches")}}


@router.get("/verify/{document_id}", response_model=None)
def verify_by_id(request: Request, document_id: str) -> Response:
    """What the issuing record says about a document id (issuer, time, kind, SHA-256, replaced or revoked), or for
    a portal share its state (active, expired, ended) and dates."""
    page = _page_wanted(request)
    document_id = document_id.strip().lower()
    found = share = None
    if is_document_id(document_id):
        # A look-up asks every record held here (each institution's and school's database), so one client's are
        # counted too: far more than a person follows QR codes, but not without bound.
        decision = _count_upload(request, "verify-id", LOOKUPS_PER_UPLOAD)
        if decision is not None and not decision.allowed:
            raise HTTPException(429, f"too many look-ups from your address; try again in {decision.retry_after_s} s",
                                headers={**VARY, "retry-after": str(decision.retry_after_s)})
        found = lookup_record(request, document_id)
        if found is None:
            share = _portal_share(request, document_id)
            share = share if share is not None and share.known else None
    if page:
        context = {"document_id": document_id if found or share else None, "found": found, "share": share,
                   "max_mib": MAX_MIB,
                   "issued_at": datetime.fromisoformat(found["issued_at"]) if found and found["issued_at"] else None,
                   "revoked_at": datetime.fromisoformat(found["revoked_at"]) if found and found["revoked_at"] else None,
                   "replaced_at": (datetime.fromisoformat(found["replaced_at"])
                                   if found and found["replaced_at"] else None)}
        return render(request, "verification/record.html", context,
                      status_code=200 if found or share else 404, headers=VARY)
    if not is_document_id(document_id):
        raise HTTPException(404, "not a document id: it is the UUID printed under the QR code of a document",
                            headers=VARY)
    if found is not None:
        return JSONResponse(found, headers=VARY)
    if share is not None:
        return JSONResponse(_share_json(document_id, share), headers=VARY)
    raise HTTPException(404, "no institution, school or share known here has a document with this id", headers=VARY)

