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

import threading
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


#: the offer that lets an OpenID4VCI wallet collect an exchange's credential
EXCHANGE_OFFER = "exchange-"


@dataclass
class TenantWallet:
    """A tenant's OpenID4VCI issuer and its VC-API exchanges.

    An exchange opened while the tenant offers ``ldp_vc`` also gets an OpenID4VCI offer of
    the same credential (id ``exchange-{exchange id}``, no transaction code: the exchange's
    URL is as much a bearer secret), which its interaction URL names as ``oid4vci-1.0``.
    The credential is collected once, by either protocol: collecting it by one withdraws
    the other, in the database, before anything is signed.
    """

    issuer: CredentialIssuer
    exchanges: ExchangeService
    _current: threading.local

    def create_exchange(self, workflow: str, credential: JsonObject, *, ttl: Any,
                        tenant: str) -> Any:
        """Open an exchange (and its OpenID4VCI offer); the ``CreatedExchange``."""
        made = self.exchanges.create_exchange(workflow, credential, ttl=ttl, tenant=tenant)
        if "open-badge" in self.issuer.configurations:
            self.issuer.create_offer(credential, "open-badge", ttl=ttl, tenant=tenant,
                                     offer_id=EXCHANGE_OFFER + made.id)
        return made

    def participate(self, workflow: str, exchange: str, body: Any) -> Any:
        """A wallet's step in an exchange (the exchange's id known to the issuing hook)."""
        self._current.exchange = exchange
        try:
            return self.exchanges.participate(workflow, exchange, body)
        finally:
            self._current.exchange = None


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

    current = threading.local()

    def issue_offer(offer: Any, configuration: Any, holder: Any) -> tuple[str, Any]:
        # runs in the worker thread of the credential endpoint
        if offer.id.startswith(EXCHANGE_OFFER):
            # the exchange's credential: collected here, so the exchange is closed first
            exchange_id = offer.id[len(EXCHANGE_OFFER):]
            if not exchanges.store.swap(exchange_id, ("pending", "active"), state="complete",
                                        variables={}):
                raise _core.oid4vci_error(
                    "the credential of this offer was collected through its VC-API exchange",
                    "oid4vci.credential_request_denied")
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
        exchange_id = getattr(current, "exchange", None)
        if exchange_id is not None:
            offer_id = EXCHANGE_OFFER + exchange_id
            linked = credential_issuer.offers.get(offer_id)
            if linked is not None and not credential_issuer.revoke_offer(offer_id):
                raise _core.exchange_error(
                    "this exchange's credential was collected through OpenID4VCI",
                    "exchange.completed")
        return anyio.from_thread.run(_issue_call(
            issue, service, tenant, credential, None, "vcapi-exchange"))

    credential_issuer = _core.credential_issuer(
        issuer_url=base, key=key, formats=tuple(config.formats), suite=tenant.config.suite,
        offers=SqlOfferStore(service.engine, tenant.name),
        nonces=SqlNonceStore(service.engine, tenant.name), offer_ttl=config.offer_ttl,
        display_name=config.display_name, issue=issue_offer)
    exchanges = _core.exchange_service(
        base_url=base, key=key, store=SqlExchangeStore(service.engine, tenant.name),
        issuer_name=config.display_name or tenant.issuer, issue=issue_exchange,
        offer_link=lambda exchange: _core.offer_link(
            credential_issuer.offer_uri(EXCHANGE_OFFER + exchange.id))
        if "open-badge" in credential_issuer.configurations else None)
    return TenantWallet(credential_issuer, exchanges, current)


def _issue_call(issue: IssueFn, service: Service, tenant: Tenant, credential: JsonObject,
                suite: str | None, actor: str) -> Callable[[], Coroutine[Any, Any, Any]]:
    async def call() -> Any:
        return await issue(service, tenant, credential, suite=suite, issuer_from_key=True,
                           allocate=True, actor=actor, credential_id=credential.get("id"))

    return call


async def _record(service: Service, tenant: str, issued_id: str, token: str,
                  actor: str) -> None:
    """An issuance record (and audit line) for an SD-JWT VC, which has no status entry."""
    from ._store import digest_of

    status = service.status
    assert status is not None

    def store() -> None:
        status.record_issued(tenant, [], credential_id=issued_id, client=actor,
                             fmt="dc+sd-jwt", digest=digest_of(token), credential=None,
                             actor=actor)

    await anyio.to_thread.run_sync(store)
