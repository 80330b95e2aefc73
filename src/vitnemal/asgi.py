"""Plain ASGI pieces shared by the layers that answer without the web stack (the institution gate, the node's
fast path): the node path and one whole response sent at once."""

from __future__ import annotations

import re

from starlette.types import Send

# /nodes/{code} and everything under it; ``rest`` is what follows the code (None for the node itself).
NODE_PATH = re.compile(r"/nodes/(?P<code>[^/]+)(?:/(?P<rest>.*))?")


async def send_response(send: Send, status: int, body: bytes, media_type: bytes,
                        headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """Send ``body`` as the whole response; the headers in the order Starlette's Response gives them: the
    response's own, then length and type."""
    fields = [*(headers or []), (b"content-length", str(len(body)).encode()), (b"content-type", media_type)]
    await send({"type": "http.response.start", "status": status, "headers": fields})
    await send({"type": "http.response.body", "body": body})
