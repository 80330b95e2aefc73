"""``/docs``: Swagger UI served from the package (``static/swagger-ui``), so the API docs work offline.

FastAPI's own ``/docs`` loads Swagger UI from a CDN and starts it with an inline script; this page loads the
vendored files from ``/docs/assets`` and starts the UI from a file, under the ``SELF_ONLY_PAGE`` policy.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "swagger-ui"
DOCS_PATH = "/docs"


def install_docs(app: FastAPI) -> None:
    """Serve the docs page at ``/docs`` and its files at ``/docs/assets``; FastAPI's CDN pages must be off."""
    assert app.docs_url is None and app.redoc_url is None, "create the app with docs_url=None, redoc_url=None"
    app.mount(f"{DOCS_PATH}/assets", StaticFiles(directory=ASSETS), name="docs-assets")
    page = _page(app.title, app.openapi_url or "/openapi.json")

    @app.get(DOCS_PATH, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)


def _page(title: str, openapi_url: str) -> str:
    assets = f"{DOCS_PATH}/assets"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)} — API</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/vitnemal-docs.js"></script>
</body>
</html>
"""
