"""Operations: health, readiness, metrics, the OAuth2 token endpoint, the API reference.

- ``GET /healthz``: the process answers; ``GET /readyz``: the database answers (503 if not);
- ``GET /metrics``: Prometheus text (this process's requests and latencies; issued,
  status-changed and sealed counts from the database, for all processes);
- ``POST /oauth2/token``: OAuth2 client credentials (RFC 6749 §4.4); errors in RFC 6749's
  shape (``{"error": "invalid_client", ...}``), as OAuth2 clients expect;
- ``GET /docs``: the API reference, one self-contained page built from ``/openapi.json``
  (no scripts, no CDN: it works offline).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import anyio
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from .._auth import parse_basic
from .._errors import ServiceError, plain_problem
from .._reference import render_reference
from ._common import service_of

__all__ = ["router"]

router = APIRouter()


@router.get("/healthz", tags=["Operations"], summary="The process is alive",
            operation_id="healthz")
async def healthz() -> JSONResponse:
    """Always 200 while the process runs."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz", tags=["Operations"], summary="The database is reachable",
            operation_id="readyz", responses={503: {"description": "Database unreachable"}})
async def readyz(request: Request) -> Response:
    """200 when the database answers, 503 when it does not."""
    service = service_of(request)
    if await anyio.to_thread.run_sync(service.ready):
        return JSONResponse({"status": "ready"})
    return plain_problem(request, 503, "service.unavailable", "the database does not answer",
                         headers={"Retry-After": "5"})


@router.get("/metrics", tags=["Operations"], summary="Prometheus metrics",
            operation_id="metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> Response:
    """Request counts and latencies of this process; issuance counts of all."""
    service = service_of(request)
    assert service.status is not None
    status = service.status
    counts = await anyio.to_thread.run_sync(status.counts)
    return PlainTextResponse(service.metrics.render(counts),
                             media_type="text/plain; version=0.0.4; charset=utf-8")


def _oauth_error(error: str, description: str, status: int) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="edc-issue"'} if status == 401 else {}
    headers["Cache-Control"] = "no-store"
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers=headers)


@router.post("/oauth2/token", tags=["Auth"], summary="OAuth2 client credentials token",
             operation_id="oauth2Token",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "properties": {
                         "grant_type": {"type": "string", "enum": ["client_credentials"]},
                         "client_id": {"type": "string"}, "client_secret": {"type": "string"},
                         "scope": {"type": "string"}, "audience": {"type": "string"}},
                     "required": ["grant_type"]}}}}},
             responses={400: {"description": "RFC 6749 error"},
                        401: {"description": "invalid_client"}})
async def token(request: Request) -> Response:
    """Exchange a client id and secret for a short-lived access token bound to one tenant."""
    service = service_of(request)
    raw = await request.body()
    if len(raw) > 16_384:
        return _oauth_error("invalid_request", "the request is too large", 400)
    try:
        fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8"), strict_parsing=False,
                                               max_num_fields=20).items()}
    except (UnicodeDecodeError, ValueError):
        return _oauth_error("invalid_request", "the body must be form-encoded", 400)
    if fields.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "only grant_type=client_credentials",
                            400)
    client_id, secret = fields.get("client_id"), fields.get("client_secret")
    basic = parse_basic(request.headers.get("authorization"))
    if basic is not None:
        from urllib.parse import unquote

        client_id, secret = unquote(basic[0]), unquote(basic[1])
    if not client_id or secret is None:
        return _oauth_error("invalid_client", "client_id and client_secret are required", 401)
    scopes = fields.get("scope", "").split() or None
    request.scope.setdefault("state", {})["actor"] = f"client:{client_id[:60]}"
    try:
        access_token, granted = await anyio.to_thread.run_sync(
            lambda: service.client_token(client_id, secret, scopes=scopes,
                                         audience=fields.get("audience")))
    except ServiceError as exc:
        error = {"service.invalid_client": "invalid_client",
                 "service.invalid_scope": "invalid_scope",
                 "service.invalid_target": "invalid_target"}.get(exc.code, "invalid_request")
        return _oauth_error(error, exc.message, exc.status)
    return JSONResponse({"access_token": access_token, "token_type": "Bearer",
                         "expires_in": service.config.auth.token_ttl,
                         "scope": " ".join(granted)},
                        headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@router.get("/docs", include_in_schema=False)
async def reference(request: Request) -> HTMLResponse:
    """The API reference page (offline: no scripts, no external assets)."""
    return HTMLResponse(render_reference(request.app.openapi()))
