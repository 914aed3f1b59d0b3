"""The running service: tenants with their keys, the database, the work pool, auth.

One :class:`Service` per process, built at start-up by ``create_app``'s lifespan and kept
in ``app.state.service``. Nothing else in the process holds state: several processes on
several hosts share only the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, delete, insert, select, text
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request

from .._types import JsonObject
from ..errors import ConfigError
from . import _core
from ._auth import Principal, TokenIssuer, hash_token, parse_basic, unauthorized, verify_secret
from ._db import make_engine, migrate, service_meta
from ._errors import ServiceError
from ._http import Metrics
from ._pool import WorkPool
from ._store import StatusService
from .config import NetworkConfig, ServiceConfig, TenantConfig

__all__ = ["HOUSEKEEPING_SECONDS", "Service", "Tenant"]

_log = logging.getLogger("edc_issue.service")

#: How often each process deletes the expired one-time rows (challenges, offers, ...).
HOUSEKEEPING_SECONDS = 600.0


@dataclass(frozen=True)
class Tenant:
    """A tenant as the service uses it: its configuration and its issuer identity."""

    name: str
    config: TenantConfig
    issuer: str | None
    verification_method: str | None
    token_hashes: frozenset[str]

    @property
    def has_seal(self) -> bool:
        """True when the tenant can seal EDCs."""
        seal = self.config.seal
        return seal is not None and (seal.p12 is not None or seal.key is not None)


def _tenant_keys(name: str, config: TenantConfig, network: NetworkConfig) -> _core.TenantKeys:
    key: JsonObject | None = None
    if config.key is not None:
        from .._io import read_json_object

        key = read_json_object(config.key)
    seal = config.seal
    password = None
    if seal is not None and seal.password_env:
        password = os.environ.get(seal.password_env)
        if password is None:
            raise ConfigError(f"the environment variable {seal.password_env} is not set "
                              f"(the seal password of tenant {name!r})",
                              code="config.invalid", pointer=f"tenants.{name}.seal.password_env")
    return _core.TenantKeys(
        key=key,
        suite=config.suite,
        seal_p12=_core.read_optional(seal.p12) if seal else None,
        seal_key_pem=_core.read_optional(seal.key) if seal else None,
        seal_cert_pem=_core.read_optional(seal.cert) if seal else None,
        seal_password=password,
        validate_before_seal=seal.validate_shapes if seal else True,
        allow_network=network.allow_fetch,
        allow_networks=network.allow_networks,
        trust_pem=tuple(_read_anchor(name, i, path) for i, path in enumerate(config.trust)),
    )


def _read_anchor(tenant: str, index: int, path: Any) -> bytes:
    try:
        return bytes(path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read the trust anchor {path}: {exc.strerror or exc}",
                          code="config.invalid",
                          pointer=f"tenants.{tenant}.trust[{index}]") from exc


class Service:
    """Everything a request handler needs."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.base_url = (config.base_url or "http://127.0.0.1:8000").rstrip("/")
        self.metrics = Metrics()
        self.engine: Engine = make_engine(config.database_url())
        url = config.database_url()
        self.read_engine: Engine = (
            make_engine(url, readonly=True) if url.startswith("sqlite") else self.engine)
        keys = {name: _tenant_keys(name, t, config.network) for name, t in config.tenants.items()}
        tenants: dict[str, Tenant] = {}
        for name, tenant_config in config.tenants.items():
            issuer = method = None
            key = keys[name].key
            if key is not None:
                issuer, method = _core.tenant_identity(key)
            tenants[name] = Tenant(name=name, config=tenant_config, issuer=issuer,
                                   verification_method=method,
                                   token_hashes=frozenset(tenant_config.tokens))
        self.tenants = tenants
        self._keys = keys
        self.pool: WorkPool | None = None
        self.status: StatusService | None = None
        self.tokens: TokenIssuer | None = None
        self.wallets: dict[str, Any] = {}
        self._housekeeping: threading.Thread | None = None
        self._stopping = threading.Event()

    # ---- start and stop ------------------------------------------------------------

    def start(self) -> None:
        """Migrate the database, load the token key, start (and warm) the work pool."""
        migrate(self.engine)
        self.tokens = TokenIssuer(self._token_secret(), ttl=self.config.auth.token_ttl,
                                  issuer=self.base_url)
        self.pool = WorkPool(self._keys, self.config.limits.pool_workers)
        self.pool.warm_up()
        pool = self.pool
        self.status = StatusService(
            self.engine, read_engine=self.read_engine,
            sign=lambda tenant, vc: pool.call(_core.sign_list, tenant, vc),
            list_url=self.list_url, issuer_of=self._issuer_of,
            size_of=lambda tenant: self.tenants[tenant].config.status_list_size)
        from ._wallets import build_wallets
        from .routes.issuer import issue_credential

        self.wallets = build_wallets(self, issue_credential)
        self._housekeeping = threading.Thread(target=self._keep_house,
                                              name="edc-issue-housekeeping", daemon=True)
        self._housekeeping.start()

    def purge_expired(self, now: datetime | None = None) -> dict[str, int]:
        """Delete the one-time rows that have expired: challenges, wallet offers (and the
        credentials they held), nonces, exchanges. Every process does it every
        :data:`HOUSEKEEPING_SECONDS` (deleting what has expired twice is harmless)."""
        from ._db import challenges
        from ._wallet_store import purge_expired

        moment = now or datetime.now(timezone.utc)
        with self.engine.begin() as conn:
            gone = conn.execute(delete(challenges).where(
                challenges.c.expires_at < moment)).rowcount
        counts = {"challenges": int(gone or 0), **purge_expired(self.engine, moment)}
        if any(counts.values()):
            # the JSON log line keeps only known fields: the counts go in its message
            _log.info("expired rows purged: " + ", ".join(f"{n} {k}" for k, n in counts.items()),
                      extra={"event": "purged"})
        return counts

    def _keep_house(self) -> None:
        while True:
            try:
                self.purge_expired()
            except Exception:  # the database is away: the next round tries again
                _log.warning("purging expired rows failed", exc_info=True,
                             extra={"event": "purge_failed"})
            if self._stopping.wait(HOUSEKEEPING_SECONDS):
                return

    def stop(self) -> None:
        """Stop the housekeeping and the pool and close the database connections."""
        self._stopping.set()
        if self._housekeeping is not None:
            self._housekeeping.join(timeout=30)
        if self.pool is not None:
            self.pool.close()
        self.engine.dispose()
        self.read_engine.dispose()

    def _token_secret(self) -> bytes:
        env = self.config.auth.token_secret_env
        if env:
            value = os.environ.get(env)
            if not value:
                raise ConfigError(f"the environment variable {env} is not set",
                                  code="config.invalid", pointer="auth.token_secret_env")
            return hashlib.sha256(value.encode("utf-8")).digest()
        with self.engine.begin() as conn:
            found = conn.execute(select(service_meta.c.value)
                                 .where(service_meta.c.name == "token_secret")).scalar()
        if found is None:
            fresh = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(service_meta).values(name="token_secret", value=fresh))
            except IntegrityError:
                pass  # another process stored one first
            with self.engine.begin() as conn:
                found = conn.execute(select(service_meta.c.value)
                                     .where(service_meta.c.name == "token_secret")).scalar_one()
        return base64.b64decode(str(found))

    def ready(self) -> bool:
        """True when the database answers."""
        try:
            with self.read_engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # any driver error means not ready
            return False
        return True

    # ---- tenants and URLs ------------------------------------------------------------

    def tenant(self, name: str) -> Tenant:
        """The tenant called *name*.

        :raises ServiceError: ``service.unknown_tenant`` (404).
        """
        found = self.tenants.get(name)
        if found is None:
            raise ServiceError(f"there is no tenant {name!r}", code="service.unknown_tenant",
                               status=404)
        return found

    def tenant_key(self, name: str) -> JsonObject | None:
        """The tenant's key document (with its secret part), or None."""
        keys = self._keys.get(name)
        return keys.key if keys is not None else None

    def wallet(self, name: str) -> Any:
        """The tenant's :class:`~._wallets.TenantWallet`.

        :raises ServiceError: ``service.unknown_tenant`` (404), ``service.not_found``
            (404) when the tenant delivers to no wallet.
        """
        self.tenant(name)
        found = self.wallets.get(name)
        if found is None:
            raise ServiceError(f"the tenant {name!r} does not deliver to wallets (no key, "
                               "or [tenants.x.wallets] enabled = false)",
                               code="service.not_found", status=404)
        return found

    def _issuer_of(self, tenant: str) -> str:
        issuer = self.tenants[tenant].issuer
        if issuer is None:
            raise ConfigError(f"the tenant {tenant!r} has no signing key", code="config.invalid")
        return issuer

    def list_url(self, tenant: str, local_id: str) -> str:
        """Where a tenant's status list is published (its ``id``)."""
        return f"{self.base_url}/instance/{tenant}/status-lists/{local_id}"

    # ---- auth --------------------------------------------------------------------------

    def principal(self, request: Request, *, basic: bool = False) -> Principal | None:
        """Who the request's credentials belong to, or None when it carries none.

        :raises ServiceError: 401 for a bad bearer token or Basic password.
        """
        header = request.headers.get("authorization")
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return self._bearer(value.strip())
        if scheme.lower() == "basic":
            credentials = parse_basic(header)
            if credentials is None:
                raise unauthorized("the Basic credentials are malformed", scheme="Basic")
            return self._basic(*credentials)
        raise unauthorized("the Authorization header must be 'Bearer <token>' or Basic")

    def _bearer(self, token: str) -> Principal:
        if token.count(".") == 2 and self.tokens is not None:
            return self.tokens.check(token)
        hashed = hash_token(token)
        for tenant in self.tenants.values():
            for stored in tenant.token_hashes:
                if hmac.compare_digest(stored, hashed):
                    return Principal(tenant=tenant.name,
                                     scopes=frozenset(tenant.config.token_scopes),
                                     actor=f"token:{stored[7:15]}")
        raise unauthorized("the bearer token is not valid")

    def _basic(self, username: str, password: str) -> Principal:
        for tenant in self.tenants.values():
            for user in tenant.config.basic_users:
                if hmac.compare_digest(user.username.encode(), username.encode()):
                    if verify_secret(password, user.password_hash):
                        return Principal(tenant=tenant.name,
                                         scopes=frozenset({"write:/credentials/seal",
                                                           "write:/batches", "read:/batches"}),
                                         actor=f"basic:{user.username}")
                    raise unauthorized("wrong user name or password", scheme="Basic")
        # a token given as the Basic password also works (clients that only know Basic)
        hashed = hash_token(password)
        for tenant in self.tenants.values():
            if any(hmac.compare_digest(s, hashed) for s in tenant.token_hashes):
                return Principal(tenant=tenant.name,
                                 scopes=frozenset(tenant.config.token_scopes),
                                 actor=f"basic:{username[:40]}")
        raise unauthorized("wrong user name or password", scheme="Basic")

    def authorize(self, request: Request, tenant: str, scope: str, *,
                  open_route: bool = False, basic: bool = False) -> Principal | None:
        """Check that the request may use *scope* on *tenant*; record who it is.

        :raises ServiceError: 401 (no or bad credentials), 403 (another tenant, or a
            missing scope), 404 (unknown tenant).
        """
        self.tenant(tenant)
        principal = self.principal(request, basic=basic)
        state = request.scope.setdefault("state", {})
        state["tenant"] = tenant
        if principal is None:
            if open_route:
                return None
            raise unauthorized("this route needs a bearer token (Authorization: Bearer ...)",
                               scheme="Basic" if basic else "Bearer")
        state["actor"] = principal.actor
        if principal.tenant != tenant:
            raise ServiceError(f"the credentials given are for another tenant, not {tenant!r}",
                               code="service.forbidden", status=403)
        if scope not in principal.scopes:
            raise ServiceError(f"the token does not carry the scope {scope}",
                               code="service.insufficient_scope", status=403,
                               headers={"WWW-Authenticate":
                                        f'Bearer error="insufficient_scope", scope="{scope}"'})
        return principal

    def client_token(self, client_id: str, secret: str, *, scopes: list[str] | None,
                     audience: str | None) -> tuple[str, list[str]]:
        """Check a client's secret and issue an access token (RFC 6749 §4.4).

        :raises ServiceError: ``service.invalid_client`` / ``service.invalid_scope``.
        """
        for tenant in self.tenants.values():
            for client in tenant.config.clients:
                if not hmac.compare_digest(client.client_id.encode(), client_id.encode()):
                    continue
                if not verify_secret(secret, client.secret_hash):
                    break
                if audience and audience not in (tenant.name, self.tenant_url(tenant.name),
                                                 self.base_url):
                    raise ServiceError(f"the client belongs to tenant {tenant.name!r}, not to "
                                       f"{audience!r}", code="service.invalid_target",
                                       status=400)
                granted = list(client.scopes) if not scopes else scopes
                refused = [s for s in granted if s not in client.scopes]
                if refused:
                    raise ServiceError(f"the client may not ask for {' '.join(refused)}",
                                       code="service.invalid_scope", status=400)
                assert self.tokens is not None
                return self.tokens.issue(tenant=tenant.name, client_id=client_id,
                                         scopes=granted), granted
        raise ServiceError("unknown client or wrong secret", code="service.invalid_client",
                           status=401, headers={"WWW-Authenticate": 'Basic realm="edc-issue"'})

    def tenant_url(self, tenant: str) -> str:
        """The base URL of a tenant's routes."""
        return f"{self.base_url}/instance/{tenant}"

    def seal_tenant(self, principal: Principal | None) -> Tenant:
        """The tenant whose seal the EU-issuer routes use: the caller's."""
        if principal is not None:
            return self.tenant(principal.tenant)
        return self.tenant(self.config.default_tenant)

    def describe(self) -> dict[str, Any]:
        """What start-up prints: tenants and their issuers."""
        return {name: {"issuer": t.issuer, "seal": t.has_seal} for name, t in self.tenants.items()}
