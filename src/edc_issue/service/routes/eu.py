"""The EU issuer's sealing API, as LMS plugins call it (``local_isycredentials`` for Moodle).

``POST /europass2/edci-issuer/api/v2/public/credentials/seal?password=...`` and
``POST /api/v1/public/credentials/seal``: a multipart form whose file part ``_file`` holds
``{"credential": {...}, "deliveryDetails": {...}}`` (the EU upload format: a credential
without ``@context`` and without issuer, which sealing fills in from the certificate) →
200 with the sealed JSON (the JAdES envelope). A raw JSON body works too.

Who seals: HTTP Basic (as the EU issuer's ``user.properties``) or a bearer token names
the tenant, whose e-seal is used. ``?password=`` opens the tenant's seal file when the
server does not hold its password; it is never logged or stored. With
``auth.seal_password_auth`` a request without credentials may seal with the default
tenant's seal when its ``?password=`` opens it (as the EU issuer's v2 public route).

A credential that does not conform to the EDC shapes is 422 with every finding.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from ...errors import KeyMaterialError, ValidationError
from .. import _core
from .._errors import ServiceError
from .._http import parse_json
from ._common import PROBLEM, bad_request, service_of

__all__ = ["router"]

router = APIRouter()

_FORM = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "_file": {"type": "string", "format": "binary"}}, "required": ["_file"]}},
    "application/json": {"schema": {"type": "object", "properties": {
        "credential": {"type": "object"}, "deliveryDetails": {"type": "object"}},
        "required": ["credential"]}},
}}}


async def _read_upload(request: Request, max_depth: int, max_bytes: int) -> Any:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=4, max_fields=20, max_part_size=max_bytes)
        except Exception as exc:  # the multipart parser's errors: a malformed form
            raise bad_request(f"the multipart form cannot be read ({type(exc).__name__})",
                              "/_file") from None
        try:
            part = form.get("_file")
            if not isinstance(part, UploadFile):
                raise bad_request('the form has no file part "_file"', "/_file")
            raw = await part.read()
        finally:
            await form.close()
        return parse_json(raw, max_depth=max_depth, what="the _file part")
    return parse_json(await request.body(), max_depth=max_depth)


async def seal(request: Request) -> Response:
    """Seal an EDC with the tenant's e-seal (JAdES): the sealed JSON, 200."""
    service = service_of(request)
    password = request.query_params.get("password")
    principal = service.principal(request, basic=True)
    if principal is None:
        if not (service.config.auth.seal_password_auth and password):
            raise ServiceError("sealing needs HTTP Basic credentials or a bearer token",
                               code="service.unauthorized", status=401,
                               headers={"WWW-Authenticate": 'Basic realm="edc-issue"'})
    tenant = service.seal_tenant(principal)
    if principal is not None:
        service.authorize(request, tenant.name, "write:/credentials/seal", basic=True)
    else:
        request.scope.setdefault("state", {})["tenant"] = tenant.name
    if not tenant.has_seal:
        raise ServiceError(f"the tenant {tenant.name!r} has no e-seal configured",
                           code="service.no_seal", status=409)
    if principal is None and tenant.config.seal and tenant.config.seal.password_env:
        raise ServiceError("this seal's password is held by the server: authenticate with "
                           "HTTP Basic or a bearer token", code="service.unauthorized",
                           status=401, headers={"WWW-Authenticate": 'Basic realm="edc-issue"'})
    limits = service.config.limits
    document = await _read_upload(request, limits.max_json_depth, limits.max_body_bytes)
    if not isinstance(document, dict):
        raise bad_request("the file must hold a JSON object: {credential, deliveryDetails}",
                          "/_file")
    if "credential" in document and not isinstance(document["credential"], dict):
        raise bad_request("credential must be an object", "/_file/credential")
    assert service.pool is not None and service.status is not None
    try:
        outcome = await service.pool.run(_core.seal_upload, tenant.name, document,
                                         password=password, serialized=True)
    except KeyMaterialError as exc:
        if exc.code == "key.bad_password":
            raise ServiceError("the password does not open this tenant's e-seal",
                               code="service.bad_seal_password", status=403) from None
        raise
    findings = outcome["findings"]
    if outcome["envelope"] is None:
        error = ValidationError(f"the credential does not conform to the EDC shapes "
                                f"({len(findings)} problem(s)); first: "
                                f"{findings[0]['message']}",
                                code="validation.failed", pointer=findings[0].get("path"))
        error.problems = [(str(f.get("path") or ""), str(f["message"])) for f in findings]
        raise error
    credential = document.get("credential") if "credential" in document else document
    subject = credential.get("id") if isinstance(credential, dict) else None
    actor = principal.actor if principal is not None else "seal-password"
    status = service.status
    import anyio

    await anyio.to_thread.run_sync(
        lambda: status.audit(tenant.name, actor, "seal",
                             subject if isinstance(subject, str) else None))
    return Response(outcome["envelope"], media_type="application/json", headers={
        "Content-Disposition": 'attachment; filename="sealed.jsonld"'})


for _path, _op in (("/europass2/edci-issuer/api/v2/public/credentials/seal", "euSealV2"),
                   ("/api/v1/public/credentials/seal", "euSealV1")):
    router.add_api_route(_path, seal, methods=["POST"], operation_id=_op,
                         summary="Seal an EDC (EU issuer API)", tags=["EDC sealing"],
                         response_class=Response, openapi_extra=_FORM,
                         responses={**PROBLEM, 200: {"description": "The sealed credential "
                                                     "(a JAdES envelope)"}})
