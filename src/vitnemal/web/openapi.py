"""The OpenAPI document: what FastAPI derives, plus what it cannot see.

FastAPI sees the routes' parameters, JSON bodies and the bearer scheme of the case workers' API (the
``HTTPBearer`` dependency). It cannot see the node endpoint's body (a compact JWS read as raw bytes, media type
``application/jose``), the multipart upload of ``/verify``, nor the refusals that routes, the body limit and the
gate answer. Those are added here, from one table per path, in the two error shapes the app really sends.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from vitnemal.node.protocol import MEDIA_TYPE, PATH

_REFUSAL = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {
        "type": "object", "required": ["error", "message"],
        "properties": {"error": {"type": "string", "description": "a stable reason code, e.g. stale, too_large"},
                       "message": {"type": "string", "description": "what is wrong, for a person"}},
    }},
}
_MESSAGE = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}
SCHEMAS = {"Refusal": _REFUSAL, "Message": _MESSAGE}

TOO_LARGE = (413, "Refusal", "The body is larger than this route takes (refused before it is read).")
_API = {
    401: ("Message", "No bearer token, or not a valid and unexpired token of this institution."),
    404: ("Message", "The institution is not served here, or no such order, person or case."),
    413: TOO_LARGE[1:],
    422: ("Message", "The request is understood but refused; the message says why."),
    503: ("Message", "The institution's database is unavailable on this host; ask again later."),
}
_NODE_RESULTS = {
    400: ("Refusal", "Malformed request (not a JWS, bad fields) or addressed to another node."),
    401: ("Refusal", "Unknown signer, bad signature, stale request, or signed by someone else than it claims."),
    404: ("Message", "No node for this institution on this host."),
    409: ("Refusal", "This request id was answered before."),
    413: TOO_LARGE[1:],
    503: ("Refusal", "The institution's records are unavailable on this host just now; ask again later."),
}
# (method, path) -> extra error responses; "/api/institutions/{code}/*" covers every route of the case workers' API.
ERRORS: dict[tuple[str, str], dict[int, tuple[str, str]]] = {
    ("post", f"/nodes/{{code}}/{PATH}"): _NODE_RESULTS,
    ("get", "/nodes/{code}"): {404: ("Message", "No node for this institution on this host."),
                               503: _NODE_RESULTS[503]},
    ("post", "/verify"): {411: ("Message", "The upload has no Content-Length."), 413: TOO_LARGE[1:],
                          422: ("Message", "No file in the multipart field 'file'."),
                          503: ("Message", "The verifier is checking as many files as it admits; see Retry-After.")},
    ("get", "/.well-known/vitnemal-ca.pem"): {404: ("Message", "No federation CA here yet.")},
    ("get", "/verify/{document_id}"): {404: ("Message", "Not a document id, or no record of it here.")},
}

NODE_REQUEST_BODY = {
    "required": True,
    "description": "A signed results request: a compact JWS (ES256) by the requesting institution's key.",
    "content": {MEDIA_TYPE: {"schema": {"type": "string", "example": "eyJhbGciOiJFUzI1NiIs….….…"}}},
}
NODE_ANSWER = {"description": "The signed answer, a compact JWS by this node's key.",
               "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}}


def errors_for(method: str, path: str) -> dict[int, tuple[str, str]]:
    if path.startswith("/api/institutions/{code}/"):
        return _API
    return ERRORS.get((method, path), {})


def describe(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the completed document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            complete(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(doc: dict[str, Any]) -> None:
    doc.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if (method, path) in ERRORS and 422 not in ERRORS[method, path]:
                # FastAPI declares 422 for any route with parameters; these have none that can fail validation.
                responses.pop("422", None)
            for status, (schema, description) in errors_for(method, path).items():
                body: dict[str, Any] = {"$ref": f"#/components/schemas/{schema}"}
                derived = responses.get(str(status), {}).get("content", {}).get("application/json", {})
                if "schema" in derived:  # FastAPI's validation error (a list of problems) stays possible
                    body = {"anyOf": [body, derived["schema"]]}
                responses[str(status)] = {"description": description, "content": {"application/json": {
                    "schema": body}}}
            if method == "post" and path == f"/nodes/{{code}}/{PATH}":
                operation["requestBody"] = NODE_REQUEST_BODY
                responses["200"] = NODE_ANSWER
