"""The portal's shell pages: the front page and the accessibility statement ("My results" is the portal's own,
in :mod:`vitnemal.portal.routes`)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from vitnemal.web.routing import page_router
from vitnemal.web.templating import render

router = page_router()


@router.get("/", response_class=HTMLResponse)
def front_page(request: Request) -> HTMLResponse:
    return render(request, "web/front.html")


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility(request: Request) -> HTMLResponse:
    return render(request, "web/accessibility.html")
