"""What the JSON routes share: the app's host, the institution named in the path, row ids, waking the worker, and
domain errors answered by app-level handlers instead of a try/except in every route.

Routes take ``host: ServedHost`` (a 404 for an institution this host does not serve) and path ids as ``RowId``;
the app maps each package's domain errors to a status once (:func:`answer_errors`), so a route simply calls its
service and a ``CaseNotFound`` becomes a 404 wherever it is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response

from vitnemal.institutions.host import LocalInstitutions

# Path ids beyond SQL's 64-bit integers are a 422, not a database error.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def app_host(request: Request) -> LocalInstitutions:
    """The institutions this app serves (set by :func:`vitnemal.web.app.create_app`)."""
    host: LocalInstitutions = request.app.state.host
    return host


def served_host(request: Request, code: str) -> LocalInstitutions:
    """The app's host, when it serves institution ``code`` (the path's ``{code}``); else a 404."""
    host = app_host(request)
    if not host.serves(code):
        raise HTTPException(404, f"Institution {code!r} is not served here.")
    return host


AppHost = Annotated[LocalInstitutions, Depends(app_host)]
ServedHost = Annotated[LocalInstitutions, Depends(served_host)]


def wake_worker(request: Request, code: str | None = None) -> None:
    """Tell the app's exchange worker (if it runs one) that an order is waiting (at institution ``code``, where it
    looks first), so it need not wait for its poll."""
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake(code)


def answer_errors(app: FastAPI, statuses: Mapping[type[Exception], int]) -> None:
    """Answer each domain error kind with its status and ``{"detail": message}``, as an HTTPException would, with
    the refusal's ``code`` beside it when the error has one (a client can act on it without parsing the words)."""
    for kind, status in statuses.items():
        async def handler(request: Request, exc: Exception, status: int = status) -> Response:
            code = getattr(exc, "code", None)
            body = {"detail": str(exc), **({"code": code} if isinstance(code, str) else {})}
            return JSONResponse(body, status_code=status)

        app.add_exception_handler(kind, handler)
