"""Verifying presentations: VC-API ``POST /presentations/verify``.

The body is ``{"verifiablePresentation": ..., "options": {"challenge": ..., "domain":
...}}``; the presentation is a JSON-LD one with a Data Integrity proof (purpose
``authentication``) or a VP-JWT (a string). The answer is the VCALM verification result
``{verified, problemDetails, results}``; ``results.verifiableCredential`` holds one such
result per credential presented. A request that is no presentation (the VP data model:
``@context``, ``type``, ``holder``, the credentials' shape) is 400 naming the field; a
presentation that is well formed but does not verify (its proof, challenge, domain, or a
credential inside) is 400 ``service.not_verified``: a problem document that also carries
the VCALM result (``"verified": false``, ``problemDetails``, ``results``).

Challenges are one-time: a challenge this tenant handed out (``POST /challenges``) is used
up by the first presentation verified with it, and refused afterwards, or once expired
(``service.challenge_used``). Without ``options.challenge`` the challenge the proof carries
is expected when this tenant issued it; otherwise a signed presentation is not verified
(``proof.challenge_required``). A challenge in ``options`` that this service did not issue
is the caller's own, checked as given.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

import anyio
from fastapi import APIRouter
from sqlalchemy import select, update
from starlette.requests import Request
from starlette.responses import Response

from ...errors import EdcIssueError
from .. import _core
from .._db import challenges
from .._errors import verification_response
from .._http import read_json
from .._service import Service
from .._vcalm import from_error, to_vcalm
from ._common import NOT_VERIFIED, bad_request, json_body, register, service_of

__all__ = ["router"]

router = APIRouter()

VERIFY_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "verifiablePresentation": {"oneOf": [{"type": "object"}, {"type": "string"}]},
        "options": {"type": "object", "properties": {
            "challenge": {"type": "string"}, "domain": {"type": "string"},
            "checks": {"type": "array", "items": {"type": "string"}}}},
    },
    "required": ["verifiablePresentation"],
}


def _pointer(path: str) -> str:
    return "/verifiablePresentation" + ("/" + path.replace("]", "").replace("[", "/")
                                        .replace(".", "/") if path else "")


async def verify_presentation(service: Service, document: Any, *, challenge: str | None,
                              domain: str | None, tenant: str | None = None
                              ) -> dict[str, Any]:
    """Verify *document* in the work pool; the VCALM result, one per credential inside."""
    assert service.pool is not None
    try:
        result = await service.pool.run(_core.verify_document, document, tenant=tenant,
                                        challenge=challenge, domain=domain)
    except EdcIssueError as exc:
        return from_error(exc.code, str(exc), exc.pointer)
    answer = to_vcalm(result, document)
    presentation = result.get("document")
    entries = presentation.get("verifiableCredential") if isinstance(presentation, dict) \
        else None
    entries = entries if isinstance(entries, list) else [entries]
    per_credential = []
    for entry, inner in zip(entries, result.get("credentials") or [], strict=False):
        if inner is None:
            per_credential.append({"verified": False, "problemDetails": [], "results": {}})
            continue
        inner = dict(inner, document=entry if isinstance(entry, dict) else None)
        vcalm = to_vcalm(inner, entry)
        vcalm.pop("checks", None)
        per_credential.append(vcalm)
    answer["results"]["verifiableCredential"] = per_credential
    return answer


def _claim(service: Service, tenant: str, value: str) -> Literal["issued", "used", "unknown"]:
    """Use up *value* if this tenant issued it: ``issued`` (now used), ``used`` (already,
    or expired), or ``unknown`` (not one of ours)."""
    now = datetime.now(timezone.utc)
    where = (challenges.c.challenge == value, challenges.c.tenant == tenant)
    with service.engine.begin() as conn:
        row = conn.execute(select(challenges.c.expires_at, challenges.c.used_at)
                           .where(*where)).first()
        if row is None:
            return "unknown"
        expires = row.expires_at
        if expires.tzinfo is None:  # SQLite gives naive UTC back
            expires = expires.replace(tzinfo=timezone.utc)
        if row.used_at is not None or expires <= now:
            return "used"
        done = conn.execute(update(challenges).where(*where, challenges.c.used_at.is_(None))
                            .values(used_at=now))
        return "issued" if done.rowcount == 1 else "used"


async def verify(request: Request, tenant: str) -> Response:
    """Verify a presentation → 200 ``{verified, problemDetails, results}``; 400 (a problem
    document with the same members, ``"verified": false``) when it does not verify."""
    service = service_of(request)
    service.authorize(request, tenant, "write:/presentations/verify",
                      open_route=service.config.auth.open_verify)
    body = await read_json(request, max_depth=service.config.limits.max_json_depth)
    if not isinstance(body, dict) or "verifiablePresentation" not in body:
        raise bad_request('the body must have "verifiablePresentation"',
                          "/verifiablePresentation")
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise bad_request("options must be an object", "/options")
    for name in ("challenge", "domain"):
        if name in options and not isinstance(options[name], str):
            raise bad_request(f"options.{name} must be a string", f"/options/{name}")
    document = body["verifiablePresentation"]
    if isinstance(document, str):
        if document.strip().count(".") != 2:
            raise bad_request("a presentation given as a string must be a compact VP-JWT",
                              "/verifiablePresentation")
    elif isinstance(document, dict):
        problems = await anyio.to_thread.run_sync(_core.presentation_problems, document)
        if problems:
            path, message, code = problems[0]
            raise bad_request(f"{message} [{code}]", _pointer(path))
    else:
        raise bad_request("verifiablePresentation must be an object or a compact VP-JWT",
                          "/verifiablePresentation")
    expected = options.get("challenge")
    claimed = expected if expected is not None else _core.presented_challenge(document)
    if claimed is not None:
        state = await anyio.to_thread.run_sync(_claim, service, tenant, claimed)
        if state == "used":
            return verification_response(request, from_error(
                "service.challenge_used", "this challenge was already used, or has expired; "
                "get another from POST /challenges", "/options/challenge"))
        if state == "issued":
            expected = claimed
    answer = await verify_presentation(service, document, challenge=expected,
                                       domain=options.get("domain"), tenant=tenant)
    return verification_response(request, answer, prefix="/verifiablePresentation")


register(router, "/presentations/verify", verify, methods=["POST"],
         name="verifyPresentation", summary="Verify a presentation (VC-API)",
         tags=["Verifying"], openapi_extra=json_body(VERIFY_BODY), responses=NOT_VERIFIED)
