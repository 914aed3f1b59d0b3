"""Issuing: VC-API ``POST /credentials/issue`` and the DCC coordinator's bare-credential form.

One route serves both clients, told apart by the body:

- VC-API / VCALM: ``{"credential": {...}, "options": {...}}`` → 201
  ``{"verifiableCredential": ...}``; the credential's issuer must be the tenant's (400
  otherwise, unless the tenant sets ``replace_issuer``); ``options`` may name the proof
  (``{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}``) or ask for a
  VC-JWT (``{"format": "vc-jwt"}``, answered as an ``EnvelopedVerifiableCredential``);
- DCC issuer coordinator: the unsigned credential itself → 201 with the signed credential;
  its issuer id is replaced by the tenant's DID, as the DCC signing service does.

A status entry per configured purpose is allocated (unless the credential has one).
``POST /instance/{tenant}/credentials/sign`` (the DCC signing service) signs without
allocating a status entry and answers 200.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...status import STATUS_V1
from .. import _core
from .._http import read_json
from .._service import Service, Tenant
from .._store import Reserved, digest_of
from ._common import bad_request, check_credential_shape, json_body, register, service_of

__all__ = ["router"]

router = APIRouter()

_VC_V2 = "https://www.w3.org/ns/credentials/v2"
_SUITES = {"eddsa-rdfc-2022", "ecdsa-rdfc-2019"}
_JWT_FORMATS = {"vc-jwt", "jwt", "vc+jwt", "jwt_vc", "jwt_vc_json"}

ISSUE_BODY: dict[str, Any] = {
    "oneOf": [
        {"type": "object", "title": "VC-API IssueCredentialRequest",
         "properties": {
             "credential": {"type": "object", "properties": {
                 "@context": {"type": "array", "items": {"type": "string"}},
                 "type": {"type": "array", "items": {"type": "string"}},
                 "issuer": {"oneOf": [{"type": "string"}, {"type": "object"}]},
                 "credentialSubject": {"type": "object"}},
                 "required": ["@context", "type", "issuer", "credentialSubject"]},
             "options": {"type": "object", "properties": {
                 "type": {"type": "string"}, "cryptosuite": {"type": "string"},
                 "format": {"type": "string"}, "credentialId": {"type": "string"}}}},
         "required": ["credential"]},
        {"type": "object", "title": "DCC unsigned credential",
         "required": ["@context", "type", "issuer", "credentialSubject"]},
    ]
}


def _suite(options: dict[str, Any], prefix: str) -> str | None:
    fmt = options.get("format") or options.get("proofFormat")
    if fmt is not None:
        if not isinstance(fmt, str) or fmt.lower() not in _JWT_FORMATS | {"ldp_vc", "ldp"}:
            raise bad_request(f"options.format {fmt!r} is not supported; use vc-jwt or ldp_vc",
                              f"{prefix}/format")
        if fmt.lower() in _JWT_FORMATS:
            return "vc-jwt"
    kind = options.get("type")
    suite = options.get("cryptosuite")
    if kind is not None and kind != "DataIntegrityProof":
        raise bad_request(f"options.type {kind!r} is not supported; use DataIntegrityProof "
                          "(with options.cryptosuite) or options.format vc-jwt",
                          f"{prefix}/type")
    if suite is not None:
        if suite not in _SUITES:
            raise bad_request(f"options.cryptosuite {suite!r} is not supported; use "
                              f"{' or '.join(sorted(_SUITES))}", f"{prefix}/cryptosuite")
        return str(suite)
    return None


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _with_status(credential: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(credential)
    out["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    contexts = out.get("@context")
    if isinstance(contexts, list) and _VC_V2 not in contexts and STATUS_V1 not in contexts:
        out["@context"] = [*contexts, STATUS_V1]
    return out


async def issue_credential(service: Service, tenant: Tenant, credential: dict[str, Any], *,
                           suite: str | None, issuer_from_key: bool, allocate: bool,
                           actor: str | None, credential_id: str | None,
                           size: int | None = None) -> Any:
    """Take status entries from the process's reservation, sign, record the issuance (one
    transaction, after signing: a credential that fails to sign leaves no issuance row).

    A small credential (*size*, its request body's bytes, within the pool's inline limit)
    is done in one thread of this process, start to end; a larger one (or of unknown
    size) is signed in the work pool between the two database steps.
    """
    assert service.status is not None and service.pool is not None
    status = service.status
    pool = service.pool
    fmt = suite or "data-integrity"
    purposes = tenant.config.status_purposes if allocate else ()

    def start() -> tuple[dict[str, Any], list[Reserved]]:
        # indexes come from this process's reservation: no transaction per credential
        if purposes and "credentialStatus" not in credential:
            reserved = status.reserve(tenant.name, purposes)
            return _with_status(credential, [r.entry for r in reserved]), reserved
        return credential, []

    def finish(reserved: list[Reserved], signed: Any) -> None:
        kept = None
        if tenant.config.store_credentials:
            kept = signed if isinstance(signed, str) else json.dumps(signed, ensure_ascii=False)
        status.record_issued(tenant.name, reserved, credential_id=credential_id, client=actor,
                             fmt=fmt, digest=digest_of(signed), credential=kept, actor=actor)

    def sign(document: dict[str, Any]) -> Any:
        return _core.sign_credential(tenant.name, document, suite=suite,
                                     issuer_from_key=issuer_from_key)

    if pool.inline(size):
        def whole() -> Any:
            document, reserved = start()
            signed = sign(document)
            finish(reserved, signed)
            return signed

        # abandoned on a timeout, as the pool's work is: it runs to its end (the issuance
        # recorded and audited), its answer is dropped
        return await anyio.to_thread.run_sync(whole, abandon_on_cancel=True,
                                              limiter=pool.inline_limiter())
    document, reserved = await anyio.to_thread.run_sync(start)
    signed = await pool.run(_core.sign_credential, tenant.name, document,
                            suite=suite, issuer_from_key=issuer_from_key)
    await anyio.to_thread.run_sync(lambda: finish(reserved, signed))
    return signed


def enveloped(jwt: str) -> dict[str, Any]:
    """A VC-JWT as a VC 2.0 ``EnvelopedVerifiableCredential``."""
    return {"@context": _VC_V2, "id": f"data:application/jwt,{jwt}",
            "type": "EnvelopedVerifiableCredential"}


async def _issue(request: Request, tenant_name: str, *, sign_only: bool) -> Response:
    service = service_of(request)
    principal = service.authorize(request, tenant_name, "write:/credentials/issue")
    tenant = service.tenant(tenant_name)
    body = await read_json(request, max_depth=service.config.limits.max_json_depth)
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object", "/")
    wrapped = "credential" in body
    if wrapped:
        credential, options = body["credential"], body.get("options", {})
        prefix = "/credential"
        if options is None:
            options = {}
        if not isinstance(options, dict):
            raise bad_request("options must be an object", "/options")
    elif any(k in body for k in ("@context", "type", "credentialSubject", "issuer")):
        credential, options, prefix = body, {}, ""
    else:
        raise bad_request('the body must have "credential" (VC-API: {credential, options}) '
                          "or be the unsigned credential itself (DCC)", "/credential")
    check_credential_shape(credential, prefix, signed=False)
    suite = _suite(options, "/options")
    issuer_from_key = not wrapped or tenant.config.replace_issuer
    if not issuer_from_key and _issuer_id(credential) != tenant.issuer:
        raise bad_request(f"the credential's issuer {_issuer_id(credential)!r} is not this "
                          f"tenant's ({tenant.issuer})", f"{prefix}/issuer",
                          code="service.issuer_mismatch")
    credential_id = credential.get("id") if isinstance(credential.get("id"), str) else None
    if credential_id is None and isinstance(options.get("credentialId"), str):
        credential_id = options["credentialId"]
    signed = await issue_credential(
        service, tenant, credential, suite=suite, issuer_from_key=issuer_from_key,
        allocate=not sign_only, actor=principal.actor if principal else None,
        credential_id=credential_id, size=len(await request.body()))
    if wrapped:
        vc = enveloped(signed) if isinstance(signed, str) else signed
        return JSONResponse({"verifiableCredential": vc}, status_code=201)
    if isinstance(signed, str):
        return Response(signed, status_code=201, media_type="application/jwt")
    return JSONResponse(signed, status_code=200 if sign_only else 201)


async def issue(request: Request, tenant: str) -> Response:
    """Issue a credential: sign it with the tenant's key, with a status entry.

    VC-API body ``{credential, options}`` → 201 ``{verifiableCredential}``; a bare
    unsigned credential (the DCC issuer coordinator's body) → 201 with the signed one.
    """
    return await _issue(request, tenant, sign_only=False)


async def sign_route(request: Request, tenant: str) -> Response:
    """Sign a bare credential, as the DCC signing service does (no status entry) → 200."""
    return await _issue(request, tenant, sign_only=True)


register(router, "/credentials/issue", issue, methods=["POST"], name="issueCredential",
         summary="Issue a credential (VC-API, DCC)", status_code=201, tags=["Issuing"],
         openapi_extra=json_body(ISSUE_BODY))
register(router, "/credentials/sign", sign_route, methods=["POST"], name="signCredential",
         summary="Sign a bare credential (DCC signing service)", tags=["Issuing"],
         openapi_extra=json_body({"type": "object"}), default_too=False)
