"""``create_app(config)``: the FastAPI application (no module-level app).

Start-up (the lifespan) migrates the database, starts the work pool and warms it; every
error becomes a problem document (:mod:`._errors`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from .._version import __version__
from ..errors import EdcIssueError
from ._errors import log_bug, plain_problem, problem_response
from ._http import ServiceMiddleware
from ._service import Service
from .config import ServiceConfig

__all__ = ["create_app"]

_log = logging.getLogger("edc_issue.service")

_DESCRIPTION = (
    "Issue, seal, verify and revoke European Digital Credentials and Open Badges 3.0. "
    "Speaks the W3C VC-API (VCALM), the Digital Credentials Consortium issuer "
    "coordinator's API and the EU issuer's sealing API."
)

_HTTP_CODES = {404: "service.not_found", 405: "service.method_not_allowed",
               413: "service.body_too_large", 415: "service.unsupported_media_type"}


def create_app(config: ServiceConfig) -> FastAPI:
    """Build the service for *config*; start-up happens when the ASGI server starts it.

    ::

        app = create_app(load_config("edc-issue.toml"))
        # uvicorn.run(app) — or, in tests, httpx.ASGITransport(app) inside a lifespan
    """
    service = Service(config)

    from .routes import batches

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await anyio.to_thread.run_sync(service.start)
        app.state.batch_runner = batches.start_runner(service)
        _log.info("ready", extra={"event": "ready"})
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(app.state.batch_runner.stop)
            await anyio.to_thread.run_sync(service.stop)

    app = FastAPI(title="edc-issue", version=__version__, description=_DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.service = service

    from .routes import eu, issuer, ops, presentations, rendering, status, verifier, wallets

    for module in (issuer, verifier, presentations, status, eu, ops, wallets, rendering):
        app.include_router(module.router)
    app.include_router(batches.router)

    @app.exception_handler(EdcIssueError)
    async def _library_error(request: Request, exc: EdcIssueError) -> Response:
        return problem_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "service.invalid_request")
        return plain_problem(request, exc.status_code, code, str(exc.detail),
                             headers=dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return plain_problem(request, 400, "service.invalid_request",
                             "the request's parameters are malformed")

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        request_id = request.scope.get("state", {}).get("request_id")
        log_bug(exc, request_id)
        return plain_problem(request, 500, "service.internal_error",
                             "an internal error occurred; it is logged with this request id")

    limits = config.limits
    app.add_middleware(ServiceMiddleware, max_body_bytes=limits.max_body_bytes,
                       timeout=limits.request_timeout, metrics=service.metrics)
    return app
