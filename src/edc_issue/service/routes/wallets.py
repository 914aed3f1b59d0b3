"""Wallet delivery: OpenID4VCI 1.0 (pre-authorized code flow) and VC-API exchanges.

Each tenant is its own Credential Issuer, identified by ``{base_url}/instance/{tenant}``:

- ``GET /.well-known/openid-credential-issuer/instance/{tenant}`` (OpenID4VCI §12.2.2:
  the well-known segment before the issuer's path) and, for wallets that append it,
  ``GET /instance/{tenant}/.well-known/openid-credential-issuer``; the same two forms of
  ``/.well-known/oauth-authorization-server`` (RFC 8414);
- ``POST /instance/{tenant}/offers`` (bearer token with ``write:/offers``; an LMS):
  ``{credential, configuration, txCode}`` → 201 with the offer link, its QR code (SVG
  and PNG) and the transaction code; ``GET .../offers/{id}`` (``read:/offers``) its state;
- the wallet's side, open: ``GET .../credential-offer/{id}``, ``POST .../token`` (form),
  ``POST .../nonce``, ``POST .../credential``; their errors are OAuth error bodies
  (``{"error": "invalid_grant", ...}``) with the status the specification names;
- VC-API: ``POST .../workflows/{workflow}/exchanges`` (``write:/exchanges``) → 201 with
  ``Location``, the interaction URL, the DCC deep link and the LCW link;
  ``GET``/``POST .../workflows/{workflow}/exchanges/{id}`` for the wallet (``?iuv=1``
  answers the protocols).

Codes, nonces and exchanges are single use in the database (``_wallet_store.py``): a
second redemption is refused whichever process it reaches.
"""

from __future__ import annotations

import base64
import copy
from enum import Enum
from typing import Any
from urllib.parse import parse_qs

import anyio
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...errors import EdcIssueError
from ...oid4vci.errors import ExchangeError, OID4VCIError
from .. import _core
from .._errors import plain_problem, problem_response
from .._http import parse_json, read_json
from .._wallets import CONFIGURATION_IDS
from ._common import PROBLEM, bad_request, check_credential_shape, json_body, service_of

__all__ = ["router"]

router = APIRouter()

_NO_STORE = {"Cache-Control": "no-store"}
_T = "/instance/{tenant}"


def _oauth_error(exc: OID4VCIError) -> Response:
    headers = dict(_NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
    return JSONResponse(exc.to_json(), status_code=exc.status, headers=headers)


def _exchange_error(request: Request, exc: ExchangeError) -> Response:
    detail = f"{exc.pointer}: {exc.message}" if exc.pointer else exc.message
    return plain_problem(request, exc.status, exc.code, detail)


# ---- metadata ------------------------------------------------------------------------


async def issuer_metadata(request: Request, tenant: str) -> Response:
    """The Credential Issuer Metadata of the tenant (OpenID4VCI §12.2)."""
    wallet = service_of(request).wallet(tenant)
    return JSONResponse(wallet.issuer.metadata())


async def authorization_metadata(request: Request, tenant: str) -> Response:
    """The tenant's OAuth authorization server metadata (RFC 8414)."""
    wallet = service_of(request).wallet(tenant)
    return JSONResponse(wallet.issuer.authorization_server_metadata())


# ---- offers (the LMS's side) ---------------------------------------------------------

OFFER_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "credential": {"type": "object", "description":
                       "the unsigned credential (ldp_vc, jwt_vc_json) or the claims of "
                       "the SD-JWT VC (dc+sd-jwt)"},
        "configuration": {"type": "string", "enum": sorted(CONFIGURATION_IDS.values())},
        "txCode": {"oneOf": [{"type": "boolean"}, {"type": "string", "pattern": "^[0-9]+$"}]},
        "txCodeDescription": {"type": "string"},
        "ttl": {"type": "integer", "minimum": 60},
    },
    "required": ["credential"],
}


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


async def create_offer(request: Request, tenant: str) -> Response:
    """Offer a credential to a wallet → 201 ``{id, link, offerUri, txCode, qr}``."""
    try:
        return await _create_offer(request, tenant)
    except _Refused as refused:
        return refused.response


async def _create_offer(request: Request, tenant: str) -> Response:
    service = service_of(request)
    service.authorize(request, tenant, "write:/offers")
    wallet = service.wallet(tenant)
    body = await read_json(request, max_depth=service.config.limits.max_json_depth)
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        raise bad_request('the body must be {"credential": {...}, "configuration": ...}',
                          "/credential")
    configuration = body.get("configuration", "open-badge")
    if not isinstance(configuration, str):
        raise bad_request("configuration must be a string", "/configuration")
    tx_code = body.get("txCode", False)
    if not isinstance(tx_code, (bool, str)):
        raise bad_request("txCode is true, false or a string of digits", "/txCode")
    description = body.get("txCodeDescription")
    if description is not None and not isinstance(description, str):
        raise bad_request("txCodeDescription must be a string", "/txCodeDescription")
    ttl = body.get("ttl")
    if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 60
                            or ttl > tenant_ttl_cap(service, tenant)):
        raise bad_request("ttl is a number of seconds from 60 to the tenant's offer_ttl",
                          "/ttl")
    await _check_offerable(request, service, tenant, wallet, body["credential"], configuration)
    from datetime import timedelta

    try:
        made = await anyio.to_thread.run_sync(lambda: wallet.issuer.create_offer(
            body["credential"], configuration, tx_code=tx_code,
            tx_code_description=description, tenant=tenant,
            ttl=timedelta(seconds=ttl) if ttl else None))
    except OID4VCIError as exc:
        pointer = {"credential_configuration_id": "/configuration", "tx_code": "/txCode"}.get(
            exc.pointer or "", "/" + (exc.pointer or "credential").replace(".", "/"))
        raise bad_request(exc.message, pointer, code="service.invalid_request") from exc
    state = request.scope.setdefault("state", {})
    assert service.status is not None
    status = service.status
    await anyio.to_thread.run_sync(lambda: status.audit(
        tenant, state.get("actor"), "offer", made.id, {"configuration": configuration}))
    svg = _core.offer_qr(made.link, "svg")
    png = _core.offer_qr(made.link, "png")
    answer = {"id": made.id, "link": made.link, "offerUri": made.offer_uri,
              "configuration": configuration, "txCode": made.tx_code,
              "expires": made.expires_at.isoformat().replace("+00:00", "Z"),
              "qr": {"svg": svg.decode("utf-8"), "png": _data_url(png)}}
    return JSONResponse(answer, status_code=201, headers={
        "Location": f"{service.tenant_url(tenant)}/offers/{made.id}", **_NO_STORE})


async def _check_offerable(request: Request, service: Any, tenant: str, wallet: Any,
                           credential: dict[str, Any], configuration: str) -> None:
    """Refuse now, naming the field, what the wallet could not collect later: a credential
    that is not one (400), a term no context defines (a trial signature, discarded: 422),
    an SD-JWT VC without a claim its configuration makes mandatory (400)."""
    found = wallet.issuer.configurations.get(configuration)
    if found is None:
        return  # create_offer names the configurations there are
    if found.format == "dc+sd-jwt":
        missing = [c["path"][0] for c in found.claims
                   if c.get("mandatory") and c["path"][0] not in credential]
        if missing:
            raise bad_request(f"the {configuration} needs the claim(s) {', '.join(missing)}",
                              f"/credential/{missing[0]}")
        return
    check_credential_shape(credential, "/credential", signed=False, issuer_input=True)
    if found.format != "ldp_vc":
        return
    trial = copy.deepcopy(credential)
    subjects = trial["credentialSubject"]
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        subject["id"] = "did:example:wallet-holder"
    assert service.pool is not None
    try:
        await service.pool.run(_core.sign_credential, tenant, trial, suite=None,
                               issuer_from_key=True)
    except EdcIssueError as exc:
        raise _Refused(problem_response(request, exc, prefix="/credential")) from exc


class _Refused(Exception):
    """Carries a ready problem response out of a check."""

    def __init__(self, response: Response) -> None:
        super().__init__("refused")
        self.response = response


def tenant_ttl_cap(service: Any, tenant: str) -> int:
    """The longest ``ttl`` an offer of *tenant* may ask for."""
    return int(service.tenant(tenant).config.wallets.offer_ttl)


async def offer_state(request: Request, tenant: str, offer_id: str) -> Response:
    """Where an offer stands: ``offered``, ``redeemed``, ``issued`` or ``revoked``."""
    service = service_of(request)
    service.authorize(request, tenant, "read:/offers")
    wallet = service.wallet(tenant)
    offer = await anyio.to_thread.run_sync(lambda: wallet.issuer.offers.get(offer_id))
    if offer is None:
        return plain_problem(request, 404, "service.not_found", "no such offer")
    return JSONResponse({"id": offer.id, "state": offer.state,
                         "configuration": offer.configuration_id,
                         "issuedId": offer.issued_id,
                         "expires": offer.expires_at.isoformat().replace("+00:00", "Z")})


async def revoke_offer(request: Request, tenant: str, offer_id: str) -> Response:
    """Withdraw an offer not issued yet → 204 (404 when there is none to withdraw)."""
    service = service_of(request)
    service.authorize(request, tenant, "write:/offers")
    wallet = service.wallet(tenant)
    done = await anyio.to_thread.run_sync(lambda: wallet.issuer.revoke_offer(offer_id))
    if not done:
        return plain_problem(request, 404, "service.not_found",
                             "no such offer, or it was issued already")
    return Response(status_code=204)


# ---- the wallet's side -----------------------------------------------------------------


async def offer_document(request: Request, tenant: str, offer_id: str) -> Response:
    """The Credential Offer a wallet fetches from ``credential_offer_uri``."""
    wallet = service_of(request).wallet(tenant)
    try:
        document = await anyio.to_thread.run_sync(
            lambda: wallet.issuer.offer_document(offer_id))
    except OID4VCIError as exc:
        return _oauth_error(exc)
    return JSONResponse(document, headers=_NO_STORE)


async def token(request: Request, tenant: str) -> Response:
    """The token endpoint (form ``grant_type``, ``pre-authorized_code``, ``tx_code``)."""
    wallet = service_of(request).wallet(tenant)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return _oauth_error(OID4VCIError(
            "the token request is application/x-www-form-urlencoded",
            code="oid4vci.invalid_request"))
    raw = await request.body()
    try:
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return _oauth_error(OID4VCIError("the form is not UTF-8", code="oid4vci.invalid_request"))
    if any(len(v) > 1 for v in parsed.values()):
        return _oauth_error(OID4VCIError("a parameter is repeated",
                                         code="oid4vci.invalid_request"))
    form = {k: v[0] for k, v in parsed.items()}
    try:
        answer = await anyio.to_thread.run_sync(lambda: wallet.issuer.token(form))
    except OID4VCIError as exc:
        return _oauth_error(exc)
    return JSONResponse(answer, headers=_NO_STORE)


async def nonce(request: Request, tenant: str) -> Response:
    """The nonce endpoint: a fresh ``c_nonce``."""
    wallet = service_of(request).wallet(tenant)
    answer = await anyio.to_thread.run_sync(wallet.issuer.nonce)
    return JSONResponse(answer, headers=_NO_STORE)


async def credential(request: Request, tenant: str) -> Response:
    """The credential endpoint: access token, ``proofs.jwt``; the holder's key bound."""
    service = service_of(request)
    wallet = service.wallet(tenant)
    raw = await request.body()
    try:
        body = parse_json(raw, max_depth=service.config.limits.max_json_depth) if raw else None
    except Exception:  # malformed JSON is the wallet's invalid request, in OAuth's words
        return _oauth_error(OID4VCIError("the credential request is not JSON",
                                         code="oid4vci.invalid_credential_request"))
    authorization = request.headers.get("authorization")
    try:
        answer = await anyio.to_thread.run_sync(
            lambda: wallet.issuer.credential(authorization, body))
    except OID4VCIError as exc:
        return _oauth_error(exc)
    return JSONResponse(answer, headers=_NO_STORE)


# ---- VC-API exchanges ----------------------------------------------------------------

EXCHANGE_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "variables": {"type": "object", "properties": {"credential": {"type": "object"}},
                      "required": ["credential"]},
        "credential": {"type": "object"},
        "ttl": {"type": "integer", "minimum": 30},
        "expires": {"type": "string"},
    },
}


async def create_exchange(request: Request, tenant: str, workflow: str) -> Response:
    """Open an exchange for one credential → 201 with ``Location``, the interaction URL and
    the DCC deep links."""
    service = service_of(request)
    service.authorize(request, tenant, "write:/exchanges")
    wallet = service.wallet(tenant)
    body = await read_json(request, max_depth=service.config.limits.max_json_depth)
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object", "/")
    variables = body.get("variables")
    vc = variables.get("credential") if isinstance(variables, dict) else body.get("credential")
    if not isinstance(vc, dict):
        raise bad_request('the body must carry "variables": {"credential": {...}}',
                          "/variables/credential")
    try:
        await _check_offerable(request, service, tenant, wallet, vc, "open-badge")
    except _Refused as refused:
        return refused.response
    cap = int(service.tenant(tenant).config.wallets.exchange_ttl)
    ttl = body.get("ttl", cap)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not 30 <= ttl <= cap:
        raise bad_request(f"ttl is a number of seconds from 30 to {cap}", "/ttl")
    from datetime import timedelta

    try:
        made = await anyio.to_thread.run_sync(lambda: wallet.create_exchange(
            workflow, vc, ttl=timedelta(seconds=ttl), tenant=tenant))
    except ExchangeError as exc:
        return _exchange_error(request, exc)
    answer = {"id": made.id, "url": made.url, "interactionUrl": made.interaction_url,
              "deepLink": made.deep_link, "lcwLink": made.lcw_link,
              "expires": made.expires_at.isoformat().replace("+00:00", "Z"),
              "qr": {"svg": _core.offer_qr(made.lcw_link, "svg").decode("utf-8")}}
    return JSONResponse(answer, status_code=201, headers={"Location": made.url, **_NO_STORE})


async def exchange_get(request: Request, tenant: str, workflow: str, exchange: str
                       ) -> Response:
    """The exchange's state; with ``?iuv=1`` the protocols it can be run with."""
    wallet = service_of(request).wallet(tenant)
    try:
        if request.query_params.get("iuv") == "1":
            answer = await anyio.to_thread.run_sync(
                lambda: wallet.exchanges.interaction(workflow, exchange))
        else:
            answer = await anyio.to_thread.run_sync(
                lambda: wallet.exchanges.state(workflow, exchange))
    except ExchangeError as exc:
        return _exchange_error(request, exc)
    return JSONResponse(answer, headers=_NO_STORE)


async def exchange_post(request: Request, tenant: str, workflow: str, exchange: str
                        ) -> Response:
    """A wallet's step: ``{}`` for the DIDAuth request, then the presentation."""
    service = service_of(request)
    wallet = service.wallet(tenant)
    body = await read_json(request, max_depth=service.config.limits.max_json_depth) \
        if await request.body() else {}
    try:
        answer = await anyio.to_thread.run_sync(
            lambda: wallet.participate(workflow, exchange, body))
    except ExchangeError as exc:
        return _exchange_error(request, exc)
    return JSONResponse(answer, headers=_NO_STORE)


# ---- the routes ------------------------------------------------------------------------

_OAUTH_ERROR = {"description": "An OAuth error response",
                "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"error": {"type": "string"},
                                                     "error_description": {"type": "string"}},
                    "required": ["error"]}}}}
_TAGS: list[str | Enum] = ["Wallets"]


def _add(path: str, handler: Any, methods: list[str], name: str, summary: str, *,
         status_code: int = 200, responses: dict[int | str, Any] | None = None,
         extra: dict[str, Any] | None = None) -> None:
    router.add_api_route(path, handler, methods=methods, name=name, operation_id=name,
                         summary=summary, status_code=status_code, tags=_TAGS,
                         response_class=Response, openapi_extra=extra,
                         responses={**PROBLEM, **(responses or {})})


_add("/.well-known/openid-credential-issuer/instance/{tenant}", issuer_metadata, ["GET"],
     "credentialIssuerMetadata", "OpenID4VCI Credential Issuer Metadata")
_add(f"{_T}/.well-known/openid-credential-issuer", issuer_metadata, ["GET"],
     "credentialIssuerMetadataSuffix", "OpenID4VCI Credential Issuer Metadata (suffix form)")
_add("/.well-known/oauth-authorization-server/instance/{tenant}", authorization_metadata,
     ["GET"], "authorizationServerMetadata", "OAuth authorization server metadata")
_add(f"{_T}/.well-known/oauth-authorization-server", authorization_metadata, ["GET"],
     "authorizationServerMetadataSuffix", "OAuth authorization server metadata (suffix form)")
_add(f"{_T}/offers", create_offer, ["POST"], "createOffer",
     "Offer a credential to a wallet (OpenID4VCI)", status_code=201,
     extra=json_body(OFFER_BODY))
_add(f"{_T}/offers/{{offer_id}}", offer_state, ["GET"], "getOffer", "An offer's state")
_add(f"{_T}/offers/{{offer_id}}", revoke_offer, ["DELETE"], "revokeOffer",
     "Withdraw an offer", status_code=204)
_add(f"{_T}/credential-offer/{{offer_id}}", offer_document, ["GET"], "credentialOffer",
     "The Credential Offer (credential_offer_uri)", responses={400: _OAUTH_ERROR})
_add(f"{_T}/token", token, ["POST"], "oid4vciToken",
     "Token endpoint (pre-authorized code grant)", responses={400: _OAUTH_ERROR},
     extra={"requestBody": {"required": True, "content": {
         "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
             "grant_type": {"type": "string"}, "pre-authorized_code": {"type": "string"},
             "tx_code": {"type": "string"}}}}}}})
_add(f"{_T}/nonce", nonce, ["POST"], "oid4vciNonce", "Nonce endpoint")
_add(f"{_T}/credential", credential, ["POST"], "oid4vciCredential", "Credential endpoint",
     responses={400: _OAUTH_ERROR, 401: _OAUTH_ERROR},
     extra=json_body({"type": "object", "properties": {
         "credential_configuration_id": {"type": "string"},
         "proofs": {"type": "object", "properties": {
             "jwt": {"type": "array", "items": {"type": "string"}}}}}}))
_add(f"{_T}/workflows/{{workflow}}/exchanges", create_exchange, ["POST"], "createExchange",
     "Open a VC-API exchange", status_code=201, extra=json_body(EXCHANGE_BODY))
_add(f"{_T}/workflows/{{workflow}}/exchanges/{{exchange}}", exchange_get, ["GET"],
     "getExchange", "A VC-API exchange's state (?iuv=1: its protocols)")
_add(f"{_T}/workflows/{{workflow}}/exchanges/{{exchange}}", exchange_post, ["POST"],
     "participateInExchange", "A wallet's step in a VC-API exchange",
     extra=json_body({"type": "object"}))
