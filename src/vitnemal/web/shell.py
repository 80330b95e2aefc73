"""The portal's shell pages: the front page, the accessibility statement and the "My results" placeholder.

The portal's own package takes "My results" over (see docs/web.md): it removes ``my_results`` here and serves
``/my-results`` from its own page router.
"""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from vitnemal.web.routing import page_router, require_login
from vitnemal.web.sessions import BrowserSession
from vitnemal.web.templating import render

router = page_router()


@router.get("/", response_class=HTMLResponse)
def front_page(request: Request) -> HTMLResponse:
    return render(request, "web/front.html")


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request) -> HTMLResponse:
    return render(request, "web/accessibility.html")


@router.get("/my-results", response_class=HTMLResponse)
def my_results(request: Request, session: BrowserSession = Depends(require_login)) -> HTMLResponse:
    return render(request, "web/my_results.html")
