"""Wallet delivery per tenant: the OpenID4VCI Credential Issuer and the VC-API exchanges,
each on the database's stores (:mod:`._wallet_store`).

The protocol objects are built once at start (:func:`build_wallets`) by :mod:`._core`.
What they issue goes through the service's own issuance path (``issue_credential`` in
``routes/issuer.py``): a status entry per configured purpose, signing in the work pool,
an issuance record and an audit line, exactly as ``POST /credentials/issue`` does. Their
methods block (database, signing), so the routes call them in a worker thread; the
issuing hooks hop back to the event loop with ``anyio.from_thread``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio.from_thread

from .._types import JsonObject
from . import _core
from ._wallet_store import SqlExchangeStore, SqlNonceStore, SqlOfferStore

if TYPE_CHECKING:
    from ..oid4vci.exchanges import ExchangeService
    from ..oid4vci.issuance import CredentialIssuer
    from ._service import Service, Tenant

__all__ = ["CONFIGURATION_IDS", "TenantWallet", "build_wallets"]

#: The credential configuration id of each format a tenant offers.
CONFIGURATION_IDS = {"ldp_vc": "open-badge", "jwt_vc_json": "open-badge-jwt",
                     "dc+sd-jwt": "eudi-learning-credential"}

#: ``issue_credential(service, tenant, credential, *, suite, issuer_from_key, allocate,
#: actor, credential_id)`` of the issuing routes
IssueFn = Callable[..., Awaitable[Any]]


@dataclass
class TenantWallet:
    """A tenant's OpenID4VCI issuer and its VC-API exchanges."""

    issuer: CredentialIssuer
    exchanges: ExchangeService


def build_wallets(service: Service, issue: IssueFn) -> dict[str, TenantWallet]:
    """One :class:`TenantWallet` per tenant that has a signing key and wallets enabled."""
    out: dict[str, TenantWallet] = {}
    for name, tenant in service.tenants.items():
        key = service.tenant_key(name)
        if key is None or not tenant.config.wallets.enabled:
            continue
        out[name] = _build(service, tenant, key, issue)
    return out


def _build(service: Service, tenant: Tenant, key: JsonObject, issue: IssueFn) -> TenantWallet:
    config = tenant.config.wallets
    base = service.tenant_url(tenant.name)

    def issue_offer(offer: Any, configuration: Any, holder: Any) -> tuple[str, Any]:
        # runs in the worker thread of the credential endpoint
        if configuration.format == "dc+sd-jwt":
            issued_id, token = credential_issuer.sign_default(  # type: ignore[attr-defined]
                offer, configuration, holder)
            anyio.from_thread.run(_record, service, tenant.name, issued_id, token,
                                  f"oid4vci:{offer.id[:8]}")
            return str(issued_id), token
        credential = _core.bind_holder(offer.credential, holder, configuration)
        credential.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
        suite = "vc-jwt" if configuration.format == "jwt_vc_json" else None
        signed: Any = anyio.from_thread.run(_issue_call(
            issue, service, tenant, credential, suite, f"oid4vci:{offer.id[:8]}"))
        return str(credential["id"]), signed

    def issue_exchange(credential: JsonObject) -> Any:
        return anyio.from_thread.run(_issue_call(
            issue, service, tenant, credential, None, "vcapi-exchange"))

    credential_issuer = _core.credential_issuer(
        issuer_url=base, key=key, formats=tuple(config.formats), suite=tenant.config.suite,
        offers=SqlOfferStore(service.engine, tenant.name),
        nonces=SqlNonceStore(service.engine, tenant.name), offer_ttl=config.offer_ttl,
        display_name=config.display_name, issue=issue_offer)
    exchanges = _core.exchange_service(
        base_url=base, key=key, store=SqlExchangeStore(service.engine, tenant.name),
        issuer_name=config.display_name or tenant.issuer, issue=issue_exchange)
    return TenantWallet(credential_issuer, exchanges)


def _issue_call(issue: IssueFn, service: Service, tenant: Tenant, credential: JsonObject,
                suite: str | None, actor: str) -> Callable[[], Coroutine[Any, Any, Any]]:
    async def call() -> Any:
        return await issue(service, tenant, credential, suite=suite, issuer_from_key=True,
                           allocate=True, actor=actor, credential_id=credential.get("id"))

    return call


async def _record(service: Service, tenant: str, issued_id: str, token: str,
                  actor: str) -> None:
    """An issuance record (and audit line) for an SD-JWT VC, which has no status entry."""
    from .routes.issuer import digest_of

    status = service.status
    assert status is not None

    def store() -> None:
        pk = status.record_issuance(tenant, credential_id=issued_id, client=actor,
                                    fmt="dc+sd-jwt")
        status.finish_issuance(pk, digest=digest_of(token), credential=None, tenant=tenant,
                               actor=actor, credential_id=issued_id)

    await anyio.to_thread.run_sync(store)
