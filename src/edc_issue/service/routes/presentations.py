"""Verifying presentations: VC-API ``POST /presentations/verify``.

The body is ``{"verifiablePresentation": ..., "options": {"challenge": ..., "domain":
...}}``; the presentation is a JSON-LD one with a Data Integrity proof (purpose
``authentication``) or a VP-JWT (a string). The answer is the VCALM verification result
``{verified, problemDetails, results}``; ``results.verifiableCredential`` holds one such
result per credential presented. A request that is no presentation (the VP data model:
``@context``, ``type``, ``holder``, the credentials' shape) is 400 naming the field; a
presentation that is well formed but does not verify (its proof, challenge, domain, or a
credential inside) is 200 with ``"verified": false``. Without ``options.challenge`` a
signed presentation is not verified (``proof.challenge_required``): get one from
``POST /challenges``.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...errors import EdcIssueError
from .. import _core
from .._http import read_json
from .._service import Service
from .._vcalm import from_error, to_vcalm
from ._common import bad_request, json_body, register, service_of

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
                              domain: str | None) -> dict[str, Any]:
    """Verify *document* in the work pool; the VCALM result, one per credential inside."""
    assert service.pool is not None
    try:
        result = await service.pool.run(_core.verify_document, document, challenge=challenge,
                                        domain=domain)
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


async def verify(request: Request, tenant: str) -> Response:
    """Verify a presentation → 200 ``{verified, problemDetails, results}``."""
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
    answer = await verify_presentation(service, document, challenge=options.get("challenge"),
                                       domain=options.get("domain"))
    return JSONResponse(answer)


register(router, "/presentations/verify", verify, methods=["POST"],
         name="verifyPresentation", summary="Verify a presentation (VC-API)",
         tags=["Verifying"], openapi_extra=json_body(VERIFY_BODY))
