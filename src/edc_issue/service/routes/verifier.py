"""Verifying: VC-API ``POST /credentials/verify`` and ``POST /challenges``.

The body is ``{"verifiableCredential": ..., "options": {...}}``; the credential may be a
Data Integrity credential, an ``EnvelopedVerifiableCredential`` holding a VC-JWT, a
compact VC-JWT string, or a JAdES-sealed EDC (its envelope). A malformed request or
credential (the W3C verifier suite's rules: missing ``@context``, ``type``, ``issuer``,
``credentialSubject``, ``proof`` or its members) is 400 ``service.invalid_request``; a
credential that is well formed but does not verify is 400 ``service.not_verified`` (as
Digital Bazaar's verifier and the W3C suites do), a problem document that also carries the
VCALM result: ``"verified": false``, ``problemDetails`` and ``results``.

Status entries that point at this service's own lists are checked against them (no
network); other lists are not fetched.
"""

from __future__ import annotations

import secrets
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
from fastapi import APIRouter
from sqlalchemy import insert
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...errors import EdcIssueError
from .. import _core
from .._db import challenges
from .._errors import verification_response
from .._http import read_json
from .._service import Service
from .._vcalm import from_error, to_vcalm
from ._common import (
    NOT_VERIFIED,
    bad_request,
    check_credential_shape,
    json_body,
    register,
    service_of,
)

__all__ = ["router"]

router = APIRouter()

VERIFY_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "verifiableCredential": {"oneOf": [{"type": "object"}, {"type": "string"}]},
        "options": {"type": "object", "properties": {
            "checks": {"type": "array", "items": {"type": "string"}},
            "challenge": {"type": "string"}, "domain": {"type": "string"},
            "returnCredential": {"type": "boolean"}}},
    },
    "required": ["verifiableCredential"],
}

CHALLENGE_TTL = timedelta(minutes=10)


def _unenvelope(value: Any) -> Any:
    """The JWT inside an ``EnvelopedVerifiableCredential`` (a ``data:`` URL), else *value*."""
    if isinstance(value, dict) and value.get("type") == "EnvelopedVerifiableCredential":
        ident = value.get("id")
        if not isinstance(ident, str) or not ident.startswith("data:") or "," not in ident:
            raise bad_request("an EnvelopedVerifiableCredential's id must be a data: URL",
                              "/verifiableCredential/id")
        _header, _, data = ident.partition(",")
        return urllib.parse.unquote(data).strip()
    return value


def _is_envelope(value: Any) -> bool:
    return isinstance(value, dict) and "payload" in value and "@context" not in value


def _status_urls(document: Any, base_url: str) -> list[str]:
    if not isinstance(document, dict):
        return []
    status = document.get("credentialStatus")
    entries = status if isinstance(status, list) else [status]
    urls = []
    for entry in entries:
        if isinstance(entry, dict):
            url = entry.get("statusListCredential")
            if isinstance(url, str) and url.startswith(base_url + "/"):
                urls.append(url)
    return urls


async def verify_one(service: Service, document: Any, *, tenant: str | None = None,
                     challenge: str | None = None,
                     domain: str | None = None, return_credential: bool = False,
                     size: int | None = None) -> dict[str, Any]:
    """Verify *document* with the status lists this service holds for it; the VCALM
    result. A small one (*size*, its request body's bytes, within the pool's inline
    limit) in one thread of this process; otherwise the lists are read in a thread and
    the document verified in the work pool."""
    assert service.pool is not None and service.status is not None
    status = service.status
    pool = service.pool
    target = document
    if _is_envelope(document):
        from ...formats.envelopes import unwrap_credential

        try:
            target, _ = unwrap_credential(document)
        except EdcIssueError:
            target = None
    urls = _status_urls(target, service.base_url)

    def lists() -> list[Any] | None:
        return list(status.lists_by_url(urls).values()) if urls else None

    try:
        if pool.inline(size):
            # offline, a small verification is CPU work: it waits for the inline lane;
            # with fetching allowed it may wait on the network, so it gets a thread of its own
            lane = None if service.config.network.allow_fetch else pool.inline_limiter()
            result = await anyio.to_thread.run_sync(lambda: _core.verify_document(
                document, tenant=tenant, challenge=challenge, domain=domain,
                status_lists=lists()), abandon_on_cancel=True, limiter=lane)
        else:
            found = await anyio.to_thread.run_sync(lists) if urls else None
            result = await pool.run(_core.verify_document, document, tenant=tenant,
                                    challenge=challenge, domain=domain, status_lists=found)
    except EdcIssueError as exc:
        return from_error(exc.code, str(exc), exc.pointer)
    return to_vcalm(result, document, return_credential=return_credential)


async def verify(request: Request, tenant: str) -> Response:
    """Verify a credential → 200 ``{verified, problemDetails, results}``; 400 (a problem
    document with the same members, ``"verified": false``) when it does not verify."""
    service = service_of(request)
    service.authorize(request, tenant, "write:/credentials/verify",
                      open_route=service.config.auth.open_verify)
    body = await read_json(request, max_depth=service.config.limits.max_json_depth)
    if not isinstance(body, dict) or "verifiableCredential" not in body:
        raise bad_request('the body must have "verifiableCredential"', "/verifiableCredential")
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise bad_request("options must be an object", "/options")
    document = _unenvelope(body["verifiableCredential"])
    if isinstance(document, str):
        if document.count(".") != 2:
            raise bad_request("a credential given as a string must be a compact JWT",
                              "/verifiableCredential")
    elif not _is_envelope(document):
        check_credential_shape(document, "/verifiableCredential", signed=True)
    for name in ("challenge", "domain"):
        if name in options and not isinstance(options[name], str):
            raise bad_request(f"options.{name} must be a string", f"/options/{name}")
    answer = await verify_one(service, document, tenant=tenant, challenge=options.get("challenge"),
                              domain=options.get("domain"),
                              return_credential=options.get("returnCredential") is True,
                              size=len(await request.body()))
    return verification_response(request, answer, prefix="/verifiableCredential")


async def challenge(request: Request, tenant: str) -> Response:
    """Create a one-time challenge for a later presentation (``options.challenge``)."""
    service = service_of(request)
    service.authorize(request, tenant, "write:/challenges",
                      open_route=service.config.auth.open_verify)
    value = secrets.token_urlsafe(24)
    now = datetime.now(timezone.utc)

    def store() -> None:
        with service.engine.begin() as conn:
            conn.execute(insert(challenges).values(challenge=value, tenant=tenant,
                                                   created_at=now,
                                                   expires_at=now + CHALLENGE_TTL))

    await anyio.to_thread.run_sync(store)
    return JSONResponse({"challenge": value})


register(router, "/credentials/verify", verify, methods=["POST"], name="verifyCredential",
         summary="Verify a credential (VC-API)", tags=["Verifying"],
         openapi_extra=json_body(VERIFY_BODY), responses=NOT_VERIFIED)
register(router, "/challenges", challenge, methods=["POST"], name="createChallenge",
         summary="Create a one-time challenge", tags=["Verifying"])
