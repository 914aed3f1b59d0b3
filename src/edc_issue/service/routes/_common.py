"""Shared pieces of the route modules: the service of a request, tenant-prefixed routes,
request-shape checks, OpenAPI snippets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ...validate.vcdm import check_vcdm
from .._errors import ServiceError
from .._service import Service

__all__ = [
    "NOT_VERIFIED",
    "PROBLEM",
    "bad_request",
    "check_credential_shape",
    "json_body",
    "register",
    "service_of",
]

Handler = Callable[[Request, str], Awaitable[Response]]

#: The OpenAPI schema of a problem document (RFC 9457).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"},
        "code": {"type": "string"}, "pointer": {"type": "string"},
        "instance": {"type": "string"}, "requestId": {"type": "string"},
    },
    "required": ["type", "title", "status", "code"],
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}


PROBLEM: dict[int | str, dict[str, Any]] = {
    400: _problem("The request is malformed"),
    401: _problem("No or bad credentials"),
    403: _problem("Not allowed for these credentials"),
    404: _problem("Unknown tenant, credential or list"),
    413: _problem("The body is too large"),
    422: _problem("The credential's content is wrong (the library's codes)"),
}

#: The 400 of the verify routes: a malformed request, or ``service.not_verified`` (the
#: document does not verify; the body also has ``verified``, ``problemDetails``, ``results``).
NOT_VERIFIED: dict[int | str, dict[str, Any]] = {
    400: _problem("The request is malformed, or (service.not_verified) the document does not "
                  "verify: the problem then also has verified: false, problemDetails and "
                  "results"),
}


def service_of(request: Request) -> Service:
    """The :class:`Service` of the app handling *request*."""
    service = request.app.state.service
    assert isinstance(service, Service)
    return service


def json_body(schema: dict[str, Any], *, description: str = "") -> dict[str, Any]:
    """``openapi_extra`` declaring a JSON request body (the handlers parse it themselves,
    with the depth cap)."""
    return {"requestBody": {"required": True, "description": description,
                            "content": {"application/json": {"schema": schema}}}}


def register(router: APIRouter, path: str, handler: Handler, *, methods: list[str],
             name: str, summary: str, status_code: int = 200, tags: list[str] | None = None,
             openapi_extra: dict[str, Any] | None = None,
             responses: dict[int | str, dict[str, Any]] | None = None,
             default_too: bool = True) -> None:
    """Add *handler* at ``/instance/{tenant}`` + *path*, and at *path* for the default tenant."""

    async def for_tenant(request: Request, tenant: str) -> Response:
        return await handler(request, tenant)

    async def for_default(request: Request) -> Response:
        return await handler(request, service_of(request).config.default_tenant)

    for_tenant.__doc__ = for_default.__doc__ = handler.__doc__
    common: dict[str, Any] = {"methods": methods, "summary": summary,
                              "status_code": status_code, "tags": tags or [],
                              "openapi_extra": openapi_extra,
                              "responses": {**PROBLEM, **(responses or {})},
                              "response_class": Response}
    router.add_api_route(f"/instance/{{tenant}}{path}", for_tenant,
                         operation_id=f"{name}_tenant", **common)
    if default_too:
        router.add_api_route(path, for_default, operation_id=name, **common)


def bad_request(message: str, pointer: str | None = None, *,
                code: str = "service.invalid_request") -> ServiceError:
    """A 400 problem."""
    return ServiceError(message, code=code, status=400, pointer=pointer)


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def check_credential_shape(credential: Any, prefix: str, *, signed: bool,
                           issuer_input: bool = False) -> None:
    """The structural rules the W3C VC-API issuer and verifier test suites check (400).

    ``@context`` and ``type`` are arrays, ``issuer`` a URL or an object with an id,
    ``credentialSubject`` an object (or a non-empty array of objects), plus the VC Data
    Model rules of :func:`edc_issue.validate.vcdm.check_vcdm`. For a signed credential
    the ``proof`` object needs ``type``, ``created``, ``verificationMethod``,
    ``proofPurpose`` and ``proofValue`` (the verifier suite's rules).

    :raises ServiceError: ``service.invalid_request`` naming the first field; every
        problem is in ``problems``.
    """
    if not isinstance(credential, dict):
        raise bad_request("the credential must be a JSON object", prefix or "/")
    problems: list[tuple[str, str]] = []
    context = credential.get("@context")
    if not isinstance(context, list) or not context:
        problems.append((f"{prefix}/@context", "@context must be a non-empty array"))
    elif not all(isinstance(c, (str, dict)) for c in context):
        problems.append((f"{prefix}/@context", "each @context entry must be a URL or an object"))
    types = credential.get("type")
    if not _is_strings(types):
        problems.append((f"{prefix}/type", "type must be a non-empty array of strings"))
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        if not subject or not all(isinstance(s, dict) and s for s in subject):
            problems.append((f"{prefix}/credentialSubject",
                             "credentialSubject must be an object or an array of objects"))
    elif not isinstance(subject, dict):
        problems.append((f"{prefix}/credentialSubject", "credentialSubject must be an object"))
    if signed:
        proof = credential.get("proof")
        proofs = proof if isinstance(proof, list) and proof else [proof]
        for i, item in enumerate(proofs):
            where = f"{prefix}/proof" + (f"/{i}" if isinstance(proof, list) else "")
            if not isinstance(item, dict):
                problems.append((where, "proof must be an object"))
                continue
            for name in ("type", "created", "verificationMethod", "proofPurpose", "proofValue"):
                if not isinstance(item.get(name), str):
                    problems.append((f"{where}/{name}", f"proof.{name} is missing"))
    for finding in check_vcdm(credential, as_issuer_input=issuer_input):
        if finding.severity == "error":
            path = finding.path.replace("]", "").replace("[", ".").replace(".", "/")
            problems.append((f"{prefix}/{path}".replace("//", "/"), finding.message))
    if problems:
        seen: dict[str, str] = {}
        for pointer, message in problems:
            seen.setdefault(pointer, message)
        first_pointer, first = next(iter(seen.items()))
        error = ServiceError(first, code="service.invalid_request", status=400,
                             pointer=first_pointer)
        error.problems = list(seen.items())
        raise error
