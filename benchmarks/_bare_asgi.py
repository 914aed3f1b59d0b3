"""The smallest ASGI application: what uvicorn alone costs a request (``service.py``'s floor).

No framework, no middleware, no logging: ``200 ok`` for every request.
"""

from __future__ import annotations

from typing import Any


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer every HTTP request with ``200 ok``."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})
