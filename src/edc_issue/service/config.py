"""The service's configuration: ``edc-issue.toml`` read into :class:`ServiceConfig`.

::

    database = "postgresql+psycopg://edc@db.internal/edc"   # default: SQLite in the data folder
    base_url = "https://issuer.example.edu"                 # where clients reach the service

    [limits]
    max_body_bytes = 2_000_000
    request_timeout = 30

    [tenants.registrar]
    key = "keys/registrar.json"                  # Multikey / JWK file (relative to the config)
    status_purposes = ["revocation"]             # allocate a status entry on every issue
    tokens = ["sha256:9f86d081884c7d65..."]      # static bearer tokens, hashed
    [tenants.registrar.seal]
    p12 = "seal/registrar.p12"
    password_env = "REGISTRAR_SEAL_PASSWORD"     # or leave it out: ?password= unlocks it
    [[tenants.registrar.clients]]                # OAuth2 client credentials
    client_id = "moodle"
    secret_hash = "scrypt$16384$8$1$..."
    scopes = ["write:/credentials/issue", "write:/credentials/status"]
    [[tenants.registrar.basic_users]]            # HTTP Basic for the EU-issuer routes
    username = "moodle"
    password_hash = "scrypt$16384$8$1$..."

Secrets never appear in the file in clear: tokens and passwords are stored hashed
(``edc-issue serve --hash-secret``), passwords of keys and seals come from environment
variables. Paths are relative to the configuration file's folder.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .._io import MAX_JSON_DEPTH
from ..errors import ConfigError

__all__ = [
    "SCOPES",
    "AuthConfig",
    "BasicUser",
    "ClientConfig",
    "LimitsConfig",
    "NetworkConfig",
    "SealConfig",
    "ServiceConfig",
    "TenantConfig",
    "WalletConfig",
    "load_config",
]

#: Every scope a token can carry (VCALM style: ``write:/<route>``, ``read:/<route>``).
SCOPES = (
    "write:/credentials/issue",
    "write:/credentials/status",
    "write:/credentials/verify",
    "write:/presentations/verify",
    "write:/challenges",
    "write:/status-lists",
    "read:/status-lists",
    "write:/credentials/seal",
    "write:/batches",
    "read:/batches",
    "write:/offers",
    "read:/offers",
    "write:/exchanges",
)

_TENANT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClientConfig(_Strict):
    """An OAuth2 client (client credentials grant) of one tenant.

    :param secret_hash: the client secret, hashed with ``edc-issue serve --hash-secret``.
    """

    client_id: str = Field(min_length=1, max_length=200)
    secret_hash: str = Field(min_length=1)
    scopes: tuple[str, ...] = SCOPES

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in SCOPES]
        if unknown:
            raise ValueError(f"unknown scope(s) {unknown}; expected some of {list(SCOPES)}")
        return value


class BasicUser(_Strict):
    """A user of the EU-issuer routes (HTTP Basic), as the EU issuer's ``user.properties``."""

    username: str = Field(min_length=1, max_length=200)
    password_hash: str = Field(min_length=1)


class SealConfig(_Strict):
    """A tenant's e-seal: a PKCS#12 file, or a PEM key with its certificate chain.

    :param password_env: the environment variable holding the file's password. Without
        it, the password comes with each request (``?password=``, as the EU issuer takes
        it); it is used to open the file and never logged or stored.
    :param validate: check the credential against the EDC shapes before sealing.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    p12: Path | None = None
    key: Path | None = None
    cert: Path | None = None
    password_env: str | None = None
    validate_shapes: bool = Field(default=True, alias="validate")


class NetworkConfig(_Strict):
    """What the service may fetch (through its SSRF-guarded fetcher, ``_fetch.py``).

    :param allow_fetch: verifying may fetch did:web / https controller documents and
        status lists that the request did not carry (off by default: offline).
    :param verify_page_urls: the public ``GET /verify?url=...`` page may fetch the
        credential at a URL.
    :param allow_networks: networks (CIDR) that may be fetched from although they are not
        public; by default loopback, private and link-local addresses are refused.
    """

    allow_fetch: bool = False
    verify_page_urls: bool = True
    allow_networks: tuple[str, ...] = ()
    timeout: float = Field(default=10.0, gt=0, le=120)
    max_bytes: int = Field(default=2_000_000, ge=1024)

    @field_validator("allow_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"{item!r} is not a network (CIDR, 10.0.0.0/8)") from exc
        return value


class WalletConfig(_Strict):
    """Wallet delivery of one tenant: OpenID4VCI offers and VC-API exchanges.

    :param formats: the credential configurations offered: ``ldp_vc`` (id
        ``open-badge``), ``jwt_vc_json`` (``open-badge-jwt``), ``dc+sd-jwt``
        (``eudi-learning-credential``).
    :param offer_ttl: seconds an offer's pre-authorized code can be redeemed.
    :param exchange_ttl: seconds a VC-API exchange stays open.
    """

    enabled: bool = True
    formats: tuple[Literal["ldp_vc", "jwt_vc_json", "dc+sd-jwt"], ...] = (
        "ldp_vc", "jwt_vc_json", "dc+sd-jwt")
    offer_ttl: int = Field(default=7 * 86_400, ge=60, le=90 * 86_400)
    exchange_ttl: int = Field(default=900, ge=30, le=30 * 86_400)
    display_name: str | None = None


class TenantConfig(_Strict):
    """One issuer: its signing key, seal, status lists and clients.

    :param key: a key file (Multikey or private JWK, as ``edc-issue keygen`` writes).
    :param key_password_env: unused for Multikey files; reserved for encrypted PEM keys.
    :param suite: the Data Integrity suite used by default (from the key type if unset).
    :param status_purposes: allocate one status entry per purpose on every issuance.
    :param tokens: static bearer tokens (DCC style), as ``sha256:<hex>`` hashes.
    :param store_credentials: keep the issued credential itself in the database.
    :param replace_issuer: on the VC-API route, set the issuer to the tenant's DID
        instead of refusing a credential whose issuer is another one (400).
    :param wallets: wallet delivery (OpenID4VCI offers, VC-API exchanges).
    :param trust: trust anchors for verifying sealed EDCs.
    """

    key: Path | None = None
    suite: Literal["eddsa-rdfc-2022", "ecdsa-rdfc-2019"] | None = None
    status_purposes: tuple[Literal["revocation", "suspension"], ...] = ("revocation",)
    status_list_size: int = Field(default=131_072, ge=131_072, le=16 * 131_072)
    tokens: tuple[str, ...] = ()
    token_scopes: tuple[str, ...] = SCOPES
    clients: tuple[ClientConfig, ...] = ()
    basic_users: tuple[BasicUser, ...] = ()
    seal: SealConfig | None = None
    store_credentials: bool = False
    replace_issuer: bool = False
    wallets: WalletConfig = Field(default_factory=WalletConfig)
    #: trust anchors (PEM certificate files) the tenant's verifier checks sealed EDCs
    #: against (``/credentials/verify``, ``/credentials/render``, ``/verify``); without
    #: any, the EU samples' test anchor applies and is reported as such
    trust: tuple[Path, ...] = ()

    @field_validator("tokens")
    @classmethod
    def _hashed_tokens(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for token in value:
            if not re.fullmatch(r"sha256:[0-9a-f]{64}", token):
                raise ValueError("a token is stored as its hash: sha256:<64 hex digits> "
                                 "(edc-issue serve --hash-token)")
        return value


class LimitsConfig(_Strict):
    """Request limits: body size (413), JSON nesting depth (400), time per request (503)."""

    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_json_depth: int = Field(default=64, ge=4, le=MAX_JSON_DEPTH)
    request_timeout: float = Field(default=60.0, gt=0)
    #: worker processes signing and validating; 0 runs them in threads of the server
    pool_workers: int = Field(default_factory=lambda: min(os.cpu_count() or 1, 4), ge=0)


class AuthConfig(_Strict):
    """Which routes need a token, and the access tokens' lifetime.

    :param seal_password_auth: see :mod:`edc_issue.service.routes.eu`.
    :param token_secret_env: an environment variable holding the HMAC key of access
        tokens; by default one is generated and kept in the database, so every process
        sharing the database accepts the tokens of the others.
    """

    open_verify: bool = True
    open_status_lists: bool = True
    #: the EU-issuer routes accept a request without credentials when its ``?password=``
    #: opens the default tenant's seal (the EU issuer's v2 public route)
    seal_password_auth: bool = False
    token_ttl: int = Field(default=600, ge=30, le=86_400)
    token_secret_env: str | None = None


class ServiceConfig(_Strict):
    """Everything ``edc-issue serve`` needs; see the module docstring for the TOML form.

    :param base_url: the public URL of the service (status list ids are under it).
    :param data_dir: where the default SQLite database and generated keys live.
    """

    database: str | None = None
    base_url: str | None = None
    data_dir: Path = Path("edc-issue-data")
    default_tenant: str = "default"
    tenants: dict[str, TenantConfig] = Field(default_factory=dict)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    status_list_max_age: int = Field(default=300, ge=0)
    dev: bool = False

    @field_validator("tenants")
    @classmethod
    def _tenant_names(cls, value: dict[str, TenantConfig]) -> dict[str, TenantConfig]:
        for name in value:
            if not _TENANT_NAME.match(name):
                raise ValueError(f"tenant name {name!r}: use lower-case letters, digits, "
                                 "'-' and '_' (it appears in URLs)")
        return value

    def database_url(self) -> str:
        """The SQLAlchemy URL: the configured one, or SQLite in the data folder."""
        if self.database:
            return self.database
        return f"sqlite:///{(self.data_dir / 'edc-issue.db').resolve()}"


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        with path.open("rb") as fh:
            loaded: dict[str, Any] = tomllib.load(fh)
            return loaded
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration: {exc.strerror or exc}",
                          code="config.invalid", pointer=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the configuration is not valid TOML: {exc}",
                          code="config.invalid", pointer=str(path)) from exc


def _resolve_paths(raw: dict[str, Any], base: Path) -> dict[str, Any]:
    def rel(value: Any) -> Any:
        return str(base / value) if isinstance(value, str) and not Path(value).is_absolute() \
            else value

    if "data_dir" in raw:
        raw["data_dir"] = rel(raw["data_dir"])
    for tenant in (raw.get("tenants") or {}).values():
        if isinstance(tenant, dict):
            if "key" in tenant:
                tenant["key"] = rel(tenant["key"])
            if isinstance(tenant.get("trust"), list):
                tenant["trust"] = [rel(item) for item in tenant["trust"]]
            seal = tenant.get("seal")
            if isinstance(seal, dict):
                for name in ("p12", "key", "cert"):
                    if name in seal:
                        seal[name] = rel(seal[name])
    return raw


def config_from_mapping(raw: dict[str, Any], *, source: str = "configuration") -> ServiceConfig:
    """Validate a parsed configuration; one line per problem, naming the field.

    :raises ConfigError: ``config.invalid``, with every problem in ``problems``.
    """
    try:
        return ServiceConfig.model_validate(raw)
    except ValidationError as exc:
        problems = [(".".join(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()]
        path, message = problems[0]
        raise ConfigError(message, code="config.invalid", pointer=f"{source}: {path}",
                          problems=[(f"{source}: {p}", m) for p, m in problems]) from None


def load_config(path: str | os.PathLike[str]) -> ServiceConfig:
    """Read ``edc-issue.toml`` (paths in it are relative to its folder).

    :raises ConfigError: ``config.invalid`` naming the file and the field.
    """
    file = Path(path)
    raw = _resolve_paths(_read_toml(file), file.resolve().parent)
    return config_from_mapping(raw, source=str(file))
