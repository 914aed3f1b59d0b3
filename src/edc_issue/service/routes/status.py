"""Status: change a credential's status, create and publish Bitstring Status Lists.

``POST /credentials/status`` takes either body:

- VC-API / VCALM: ``{"credentialId": ..., "credentialStatus": {"type":
  "BitstringStatusListEntry", "statusPurpose": "revocation"}, "status": true}`` (the entry
  may name ``statusListCredential`` and ``statusListIndex`` instead of the credential);
- DCC: ``{"credentialId": ..., "credentialStatus": [{"type":
  "BitstringStatusListCredential", "status": "revoked" | "suspended" | "unsuspended"}]}``,
  answered as the DCC status service does: ``{"code": 200, "message": ...}``.

An unknown credential is 404; clearing a revocation is 409 (``status.irreversible``).
``GET /status-lists/{id}`` is public by default and sends an ``ETag`` (a 304 answers
``If-None-Match``) and ``Cache-Control: max-age``.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._http import read_json
from .._service import Service
from .._store import not_found
from ._common import bad_request, json_body, register, service_of

__all__ = ["router"]

router = APIRouter()

_DCC = {"revoked": ("revocation", 1, "revoked"), "suspended": ("suspension", 1, "suspended"),
        "unsuspended": ("suspension", 0, "unsuspended")}

STATUS_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "credentialId": {"type": "string"},
        "credentialStatus": {"oneOf": [
            {"type": "object", "properties": {
                "type": {"type": "string"}, "statusPurpose": {"type": "string"},
                "statusListIndex": {"type": "string"},
                "statusListCredential": {"type": "string"}},
             "required": ["type", "statusPurpose"]},
            {"type": "array", "items": {"type": "object", "properties": {
                "type": {"type": "string"}, "status": {"type": "string"}}}},
        ]},
        "status": {"type": "boolean"},
    },
    "required": ["credentialStatus"],
}

LIST_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {"statusPurpose": {"type": "string", "enum": ["revocation", "suspension"]},
                   "id": {"type": "string"},
                   "options": {"type": "object",
                               "properties": {"size": {"type": "integer"}}}},
    "required": ["statusPurpose"],
}


async def _change(service: Service, tenant: str, *, credential_id: str | None,
                  purpose: str, value: int, list_url: str | None, index: int | None,
                  actor: str | None) -> dict[str, Any]:
    assert service.status is not None
    status = service.status
    if list_url is not None and index is not None:
        entry = await anyio.to_thread.run_sync(lambda: status.entry_at(tenant, list_url, index))
        entries = [entry] if entry is not None else []
    elif credential_id is not None:
        entries = await anyio.to_thread.run_sync(lambda: status.entries_of(tenant,
                                                                           credential_id))
    else:
        raise bad_request("give credentialId, or credentialStatus.statusListCredential and "
                          "statusListIndex", "/credentialId")
    matching = [e for e in entries if e[2] == purpose]
    if not matching:
        what = credential_id or f"index {index} of {list_url}"
        raise not_found(f"no {purpose} status entry of this tenant for {what}")
    list_pk, idx, _purpose, url = matching[0]
    await anyio.to_thread.run_sync(
        lambda: status.set_status(tenant, list_pk, idx, value, actor=actor,
                                  credential_id=credential_id))
    return {"type": "BitstringStatusListEntry", "statusPurpose": purpose,
            "statusListIndex": str(idx), "statusListCredential": url, "id": f"{url}#{idx}"}


async def update_status(request: Request, tenant: str) -> Response:
    """Revoke, suspend or reinstate an issued credential."""
    service = service_of(request)
    principal = service.authorize(request, tenant, "write:/credentials/status")
    actor = principal.actor if principal else None
    body = await read_json(request, max_depth=service.config.limits.max_json_depth)
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object", "/")
    credential_id = body.get("credentialId")
    if credential_id is not None and not isinstance(credential_id, str):
        raise bad_request("credentialId must be a string", "/credentialId")
    status = body.get("credentialStatus")
    if isinstance(status, list):  # the DCC shape
        if not status or not isinstance(status[0], dict):
            raise bad_request("credentialStatus must hold one object", "/credentialStatus/0")
        wanted = status[0].get("status")
        if status[0].get("type") not in ("BitstringStatusListCredential",
                                         "BitstringStatusListEntry"):
            raise bad_request("BitstringStatusListCredential is the only supported status type",
                              "/credentialStatus/0/type")
        if wanted not in _DCC:
            raise bad_request(f"unsupported credential status {wanted!r}; expected revoked, "
                              "suspended or unsuspended", "/credentialStatus/0/status")
        if credential_id is None:
            raise bad_request("credentialId is missing", "/credentialId")
        dcc_purpose, value, word = _DCC[str(wanted)]
        await _change(service, tenant, credential_id=credential_id, purpose=dcc_purpose,
                      value=value, list_url=None, index=None, actor=actor)
        return JSONResponse({"code": 200, "message": f"Credential successfully {word}."})
    if not isinstance(status, dict):
        raise bad_request("credentialStatus must be an object (VC-API) or an array (DCC)",
                          "/credentialStatus")
    purpose = status.get("statusPurpose")
    if purpose not in ("revocation", "suspension"):
        raise bad_request(f"statusPurpose {purpose!r} is not supported; expected revocation "
                          "or suspension", "/credentialStatus/statusPurpose")
    flag = body.get("status")
    if not isinstance(flag, bool):
        raise bad_request("status must be true (set) or false (clear)", "/status")
    list_url, raw_index = status.get("statusListCredential"), status.get("statusListIndex")
    index: int | None = None
    if raw_index is not None:
        if not (isinstance(raw_index, (str, int)) and str(raw_index).isdigit()) \
                or isinstance(raw_index, bool):
            raise bad_request("statusListIndex must be a non-negative integer",
                              "/credentialStatus/statusListIndex")
        index = int(raw_index)
        if not isinstance(list_url, str):
            raise bad_request("statusListIndex needs statusListCredential",
                              "/credentialStatus/statusListCredential")
    entry = await _change(service, tenant, credential_id=credential_id, purpose=str(purpose),
                          value=1 if flag else 0,
                          list_url=list_url if isinstance(list_url, str) else None,
                          index=index, actor=actor)
    return JSONResponse({"credentialId": credential_id, "credentialStatus": entry,
                         "status": flag})


async def create_list(request: Request, tenant: str) -> Response:
    """Create a status list → 201 ``{id, verifiableCredential}`` with ``Location``."""
    service = service_of(request)
    service.authorize(request, tenant, "write:/status-lists")
    body = await read_json(request, max_depth=service.config.limits.max_json_depth)
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object", "/")
    purpose = body.get("statusPurpose")
    if purpose not in ("revocation", "suspension"):
        raise bad_request(f"statusPurpose {purpose!r} is not supported; expected revocation "
                          "or suspension", "/statusPurpose")
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise bad_request("options must be an object", "/options")
    size = options.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool)
                             or not 131_072 <= size <= 16 * 131_072):
        raise bad_request("options.size must be an integer from 131072 to 2097152",
                          "/options/size")
    local_id = _local_id(service, tenant, body.get("id"))
    assert service.status is not None
    status = service.status
    url, signed = await anyio.to_thread.run_sync(
        lambda: status.create_list(tenant, str(purpose), local_id=local_id, size=size))
    return JSONResponse({"id": url, "verifiableCredential": signed}, status_code=201,
                        headers={"Location": url})


def _local_id(service: Service, tenant: str, given: Any) -> str | None:
    if given is None:
        return None
    if not isinstance(given, str):
        raise bad_request("id must be a string", "/id")
    prefix = service.list_url(tenant, "")
    local = given[len(prefix):] if given.startswith(prefix) else given
    if not local or len(local) > 64 or not all(c.isalnum() or c in "-_" for c in local):
        raise bad_request(f"id must be {prefix}<name> or a name of letters, digits, - and _ "
                          "(64 at most)", "/id")
    return local


async def get_list(request: Request, tenant: str, local_id: str) -> Response:
    """A status list credential (public by default), with ETag and Cache-Control."""
    service = service_of(request)
    service.authorize(request, tenant, "read:/status-lists",
                      open_route=service.config.auth.open_status_lists)
    assert service.status is not None
    status = service.status
    found = await anyio.to_thread.run_sync(lambda: status.get_list(tenant, local_id))
    if found is None:
        raise not_found(f"there is no status list {local_id!r}")
    text, etag = found
    headers = {"ETag": etag,
               "Cache-Control": f"public, max-age={service.config.status_list_max_age}"}
    match = request.headers.get("if-none-match")
    if match and etag in [m.strip() for m in match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(text, media_type="application/json", headers=headers)


register(router, "/credentials/status", update_status, methods=["POST"],
         name="updateCredentialStatus", summary="Change a credential's status (VC-API, DCC)",
         tags=["Status"], openapi_extra=json_body(STATUS_BODY))
register(router, "/status-lists", create_list, methods=["POST"], name="createStatusList",
         summary="Create a status list", status_code=201, tags=["Status"],
         openapi_extra=json_body(LIST_BODY))


async def _get_tenant_list(request: Request, tenant: str, id: str) -> Response:
    return await get_list(request, tenant, id)


async def _get_default_list(request: Request, id: str) -> Response:
    return await get_list(request, service_of(request).config.default_tenant, id)


for _path, _endpoint, _op in (("/instance/{tenant}/status-lists/{id}", _get_tenant_list,
                               "getStatusList_tenant"),
                              ("/status-lists/{id}", _get_default_list, "getStatusList")):
    router.add_api_route(_path, _endpoint, methods=["GET"], operation_id=_op,
                         summary="Get a status list credential (public)", tags=["Status"],
                         response_class=Response,
                         responses={404: {"description": "Status list not found"},
                                    304: {"description": "Not modified"}})
