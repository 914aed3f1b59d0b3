"""The only module of the service that calls the library: sign, verify, validate, seal,
render, and the wallet protocols' objects.

Its functions run in the worker processes of :mod:`._pool` (signing and SHACL are CPU
work that would block the event loop), so they take and return plain, picklable data.
Each worker builds, once, in :func:`init_worker`, every tenant's :class:`edc_issue.Issuer`
(one per suite it signs with) and one :class:`edc_issue.Verifier` whose outbound
requests go through the service's SSRF-guarded fetcher (:mod:`._fetch`); a request
asking for a challenge, a domain or status lists gets a verifier that shares the
tenant's resolver, suites and fetcher. Seals are opened per request when the password
comes with the request, and kept open (by the password's digest) for the next one.

:func:`credential_issuer` and :func:`exchange_service` build the OpenID4VCI issuer and
the VC-API exchanges of a tenant (in the server process: their stores are the
database's).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._types import JsonObject

if TYPE_CHECKING:
    from .._issuer import Issuer
    from .._verifier import Verifier
    from ..oid4vci.exchanges import ExchangeService, ExchangeStore
    from ..oid4vci.issuance import CredentialIssuer
    from ..oid4vci.stores import NonceStore, OfferStore
    from ._fetch import GuardedFetcher

__all__ = [
    "TenantKeys",
    "credential_issuer",
    "exchange_service",
    "fetch_document",
    "init_worker",
    "presentation_problems",
    "presented_challenge",
    "render_document",
    "seal_upload",
    "sign_credential",
    "sign_list",
    "validate_document",
    "verify_document",
    "warm_up",
]


@dataclass(frozen=True)
class TenantKeys:
    """What a worker needs of one tenant: its key (a Multikey/JWK dict) and its seal."""

    key: JsonObject | None
    suite: str | None
    seal_p12: bytes | None = None
    seal_key_pem: bytes | None = None
    seal_cert_pem: bytes | None = None
    seal_password: str | None = None
    validate_before_seal: bool = True
    #: verifying may fetch controller documents and status lists (``[network]``)
    allow_network: bool = False
    #: networks the fetcher may reach although they are not public
    allow_networks: tuple[str, ...] = ()
    #: trust anchors (PEM bytes) for sealed EDCs
    trust_pem: tuple[bytes, ...] = ()


_KEYS: dict[str, Any] = {}
_TENANTS: dict[str, TenantKeys] = {}
_ISSUERS: dict[tuple[str, str | None, bool], Issuer] = {}
_VERIFIERS: dict[str, Verifier] = {}
_FETCHERS: dict[str, GuardedFetcher] = {}
_BUILD_LOCK = threading.Lock()
_SEALS: dict[tuple[str, str], Any] = {}
_SEALS_LOCK = threading.Lock()


def init_worker(tenants: dict[str, TenantKeys]) -> None:
    """Build every tenant's issuers and verifier in this process (the pool's initializer)."""
    from .._issuer import VC_JWT
    from ..keys import load_key

    _TENANTS.clear()
    _TENANTS.update(tenants)
    _KEYS.clear()
    _ISSUERS.clear()
    _VERIFIERS.clear()
    _FETCHERS.clear()
    for name, tenant in tenants.items():
        _VERIFIERS[name] = _make_verifier(name, tenant)
        if tenant.key is not None:
            _KEYS[name] = load_key(tenant.key)
            for suite in (None, VC_JWT):
                for from_key in (False, True):
                    _issuer(name, suite, from_key)
    _SEALS.clear()


def _fetcher(tenant: TenantKeys) -> GuardedFetcher:
    from ._fetch import GuardedFetcher

    key = ",".join(tenant.allow_networks)
    found = _FETCHERS.get(key)
    if found is None:
        found = _FETCHERS[key] = GuardedFetcher(allow_networks=tenant.allow_networks)
    return found


def _make_verifier(name: str, tenant: TenantKeys) -> Verifier:
    from .._verifier import Verifier

    return Verifier(allow_network=tenant.allow_network, fetcher=_fetcher(tenant),
                    trust=list(tenant.trust_pem) or None)


def _issuer(tenant: str, suite: str | None, issuer_from_key: bool) -> Issuer:
    """The tenant's :class:`~edc_issue.Issuer` for *suite* (None: the tenant's own),
    built once."""
    from .._issuer import Issuer

    chosen = suite or _TENANTS[tenant].suite
    cache_key = (tenant, chosen, issuer_from_key)
    found = _ISSUERS.get(cache_key)
    if found is None:
        with _BUILD_LOCK:
            found = _ISSUERS.get(cache_key)
            if found is None:
                found = Issuer(_key(tenant), suite=chosen, issuer_from_key=issuer_from_key)
                _ISSUERS[cache_key] = found
    return found


def _verifier(tenant: str | None, *, challenge: str | None = None, domain: str | None = None,
              status_lists: list[Any] | None = None) -> Verifier:
    """The tenant's verifier, or one sharing its resolver, suites and fetcher with the
    request's challenge, domain and status lists."""
    from .._verifier import Verifier

    base = _VERIFIERS.get(tenant or "")
    if base is None:
        base = next(iter(_VERIFIERS.values()), None)
    if base is None:  # no tenant at all: offline defaults with the guarded fetcher
        base = _make_verifier("", TenantKeys(key=None, suite=None))
    if challenge is None and domain is None and not status_lists:
        return base
    return Verifier(resolver=base.resolver, registry=base.registry, loader=base.loader,
                    allow_network=base.allow_network, fetcher=base.fetcher,
                    trust=base.trust_anchors or None,
                    challenge=challenge, domain=domain, status_lists=status_lists)


def warm_up() -> bool:
    """Sign and verify a small credential once, so the first request is not the slow one."""
    from .._issuer import Issuer
    from ..keys import generate_key

    key = generate_key("ed25519")
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": key.controller,
        "credentialSubject": {"id": "did:example:warm-up"},
    }
    signed = Issuer(key).issue(credential)
    assert isinstance(signed, dict)
    return _verifier(None).verify(signed).ok


def _key(tenant: str) -> Any:
    from ..errors import ConfigError

    key = _KEYS.get(tenant)
    if key is None:
        raise ConfigError(f"the tenant {tenant!r} has no signing key", code="config.invalid")
    return key


def sign_credential(tenant: str, credential: JsonObject, *, suite: str | None,
                    issuer_from_key: bool) -> JsonObject | str:
    """Sign *credential* with the tenant's issuer (Data Integrity, or ``suite="vc-jwt"``)."""
    return _issuer(tenant, suite, issuer_from_key).issue(credential)


def sign_list(tenant: str, credential: JsonObject) -> JsonObject:
    """Sign a status list credential with the tenant's issuer (Data Integrity)."""
    signed = _issuer(tenant, None, False).issue(credential)
    assert isinstance(signed, dict)
    return signed


def tenant_identity(key: JsonObject) -> tuple[str, str]:
    """The issuer id (controller) and verification-method id of a key document."""
    from ..keys import load_key

    loaded = load_key(key)
    return str(loaded.controller), str(loaded.id)


def verify_document(document: Any, *, tenant: str | None = None,
                    challenge: str | None = None, domain: str | None = None,
                    status_lists: list[Any] | None = None) -> dict[str, Any]:
    """Verify a credential (DI, VC-JWT or JAdES) with the tenant's verifier; return the
    result's JSON with its checks.

    :raises EdcIssueError: only when no answer can be reached (an unknown context, ...).
    """
    result = _verifier(tenant, challenge=challenge, domain=domain,
                       status_lists=status_lists).verify(document)
    out = result.to_json()
    out["document"] = result.document if isinstance(result.document, dict) else None
    return out


def presentation_problems(document: Any) -> list[tuple[str, str, str]]:
    """``(path, message, code)`` of every VP data-model rule *document* breaks."""
    from .._presentations import presentation_problems as problems

    return problems(document)


def presented_challenge(document: Any) -> str | None:
    """The challenge a presentation's proof carries (a VP-JWT's ``nonce``), if one."""
    from ..errors import EdcIssueError
    from ..formats.detect import decode_jwt

    if isinstance(document, str):
        try:
            _header, payload = decode_jwt(document)
        except EdcIssueError:
            return None
        nonce = payload.get("nonce")
        return nonce if isinstance(nonce, str) else None
    proofs = document.get("proof") if isinstance(document, dict) else None
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict) and isinstance(proof.get("challenge"), str):
            return str(proof["challenge"])
    return None


def validate_document(document: JsonObject) -> dict[str, Any]:
    """Validate *document* (SHACL for EDC, JSON Schema for Open Badges)."""
    from ..validate import validate

    report = validate(document)
    return report.to_json()


def _seal_signer(tenant: str, password: str | None) -> Any:
    from ..errors import ConfigError, KeyMaterialError
    from ..seal import load_pem_signer, load_pkcs12_signer

    config = _TENANTS.get(tenant)
    if config is None or (config.seal_p12 is None and config.seal_key_pem is None):
        raise ConfigError(f"the tenant {tenant!r} has no e-seal configured",
                          code="config.invalid")
    # a password held by the server wins: the request's (Moodle always sends one) is then
    # not needed and not used
    secret = config.seal_password if config.seal_password is not None else password
    digest = hashlib.sha256((secret or "").encode("utf-8")).hexdigest()
    with _SEALS_LOCK:
        cached = _SEALS.get((tenant, digest))
    if cached is not None:
        return cached
    try:
        if config.seal_p12 is not None:
            signer = load_pkcs12_signer(config.seal_p12, secret)
        else:
            assert config.seal_key_pem is not None and config.seal_cert_pem is not None
            signer = load_pem_signer(config.seal_key_pem, config.seal_cert_pem, secret)
    except KeyMaterialError:
        raise
    with _SEALS_LOCK:
        _SEALS[(tenant, digest)] = signer
    return signer


def seal_upload(tenant: str, document: JsonObject, *, password: str | None,
                validate: bool | None = None, serialized: bool = False) -> dict[str, Any]:
    """Seal an EDC as the EU issuer does (:func:`edc_issue.edc.seal_edc`): the upload
    ``{credential, deliveryDetails}`` unwrapped (the EDC context added), the certificate's
    identity written into the issuer, the EDC shapes checked, JAdES baseline B.

    :param serialized: the envelope as the JSON bytes of the response (what
        ``JSONResponse`` writes), made here: from a worker process, bytes cross the pipe
        at the cost of a copy, where a parsed envelope is pickled and rebuilt.
    :returns: ``{"envelope": ..., "findings": [...], "warnings": [...]}``; no envelope
        when the shapes fail (the findings say why).
    """
    from ..edc import seal_edc
    from ..errors import ValidationError

    signer = _seal_signer(tenant, password)
    check = _TENANTS[tenant].validate_before_seal if validate is None else validate
    try:
        sealed = seal_edc(document, signer, validate=check)
    except ValidationError as exc:
        findings: list[dict[str, Any]] = [{"path": path, "message": message}
                                          for path, message in exc.problems]
        if not findings:
            findings = [{"path": exc.pointer, "message": exc.message}]
        return {"envelope": None, "findings": findings[:100], "warnings": []}
    envelope: Any = sealed.envelope
    if serialized:
        envelope = json.dumps(envelope, ensure_ascii=False, allow_nan=False, indent=None,
                              separators=(",", ":")).encode("utf-8")
    return {"envelope": envelope, "findings": [], "warnings": list(sealed.warnings)}


def read_optional(path: Path | None) -> bytes | None:
    """Read a file given in the configuration (seal files), or None."""
    return path.read_bytes() if path is not None else None


def render_document(tenant: str | None, document: Any, *, media_type: str,
                    lang: str | None = None, verify_url: str | None = None,
                    status_lists: list[Any] | None = None) -> dict[str, Any]:
    """Verify *document* with the tenant's verifier, then render it
    (:func:`edc_issue.rendering.verify_and_render`): a credential whose proof or seal
    fails, or whose seal, key or status could not be confirmed, renders "not verified"
    (``verified`` says what the page says).

    :returns: ``{"content": bytes, "media_type": ..., "verified": bool,
        "verification": {...}}``.
    :raises RenderError: the document cannot be rendered (``render.*``).
    """
    from ..rendering import verify_and_render

    verifier = _verifier(tenant, status_lists=status_lists)
    done = verify_and_render(document, media_type=media_type, lang=lang,
                             verify_url=verify_url, verifier=verifier.verify)
    return {"content": done.content, "media_type": done.media_type,
            "verified": done.verified, "verification": done.verification.to_json()}


def fetch_document(url: str, *, allow_networks: tuple[str, ...] = (), timeout: float = 10.0,
                   max_bytes: int = 2_000_000) -> bytes:
    """Fetch a credential from *url* through the SSRF-guarded fetcher (https or http).

    :raises ReadError: ``io.fetch_failed`` (a private address, a failure, too large).
    """
    fetcher = _fetcher(TenantKeys(key=None, suite=None, allow_networks=allow_networks))
    return fetcher.fetch(url, accept="application/json, application/jwt, image/png, "
                         "image/svg+xml, */*;q=0.5", max_bytes=max_bytes, timeout=timeout)


# ---- wallet delivery (in the server process) ------------------------------------------


def credential_issuer(
    *,
    issuer_url: str,
    key: JsonObject,
    formats: tuple[str, ...],
    suite: str | None,
    offers: OfferStore,
    nonces: NonceStore,
    offer_ttl: int,
    display_name: str | None = None,
    issue: Callable[[Any, Any, Any], tuple[str, Any]] | None = None,
) -> CredentialIssuer:
    """The OpenID4VCI Credential Issuer of one tenant: the configurations of *formats*
    (``ldp_vc`` → ``open-badge``, ``jwt_vc_json`` → ``open-badge-jwt``, ``dc+sd-jwt`` →
    ``eudi-learning-credential``) signed with the tenant's key, with the given stores.

    :param issue: signs what the credential endpoint issues (``(offer, configuration,
        holder) -> (id, credential)``), so the service allocates status and records the
        issuance; default: the library's own signing.
    """
    from datetime import timedelta

    from ..keys import load_key
    from ..oid4vci.issuance import CredentialIssuer
    from ..oid4vci.metadata import CredentialConfiguration, learning_credential

    signer = load_key(key)
    configurations = []
    if "ldp_vc" in formats:
        configurations.append(CredentialConfiguration(
            "open-badge", "ldp_vc", signer, suite=suite, name="Open Badge"))
    if "jwt_vc_json" in formats:
        configurations.append(CredentialConfiguration(
            "open-badge-jwt", "jwt_vc_json", signer, name="Open Badge (VC-JWT)"))
    if "dc+sd-jwt" in formats:
        configurations.append(learning_credential(signer))

    display = [{"name": display_name, "locale": "en"}] if display_name else []

    class _TenantIssuer(CredentialIssuer):
        def _sign(self, offer: Any, configuration: Any, holder: Any) -> tuple[str, Any]:
            if issue is not None:
                return issue(offer, configuration, holder)
            return super()._sign(offer, configuration, holder)

        def sign_default(self, offer: Any, configuration: Any, holder: Any
                         ) -> tuple[str, Any]:
            return super()._sign(offer, configuration, holder)

    return _TenantIssuer(issuer_url, configurations, offers=offers, nonces=nonces,
                         offer_ttl=timedelta(seconds=offer_ttl), display=display)


def exchange_service(*, base_url: str, key: JsonObject, store: ExchangeStore,
                     issuer_name: str | None,
                     issue: Callable[[JsonObject], Any] | None = None,
                     offer_link: Callable[[Any], str | None] | None = None) -> ExchangeService:
    """The VC-API workflows and exchanges of one tenant (workflow ``didauth-issue``)."""
    from ..keys import load_key
    from ..oid4vci.exchanges import ExchangeService

    return ExchangeService(base_url=base_url, signer=load_key(key), store=store,
                           issuer_name=issuer_name, issue=issue, offer_link=offer_link)


def bind_holder(credential: JsonObject, holder: Any, configuration: Any) -> JsonObject:
    """The holder's key bound into *credential* (:func:`edc_issue.oid4vci.issuance.bind_holder`)."""
    from ..oid4vci.issuance import bind_holder as bind

    return bind(credential, holder, configuration)


def offer_qr(link: str, kind: str) -> bytes:
    """A QR code of an offer or deep link (PNG or SVG)."""
    from ..oid4vci.offers import qr_code

    return qr_code(link, "svg" if kind == "svg" else "png")


def offer_link(offer_uri: str) -> str:
    """The ``openid-credential-offer://`` link of an offer URI."""
    from ..oid4vci.offers import offer_link as link

    return link(offer_uri)


def oid4vci_error(message: str, code: str) -> Exception:
    """An ``OID4VCIError`` (what the credential endpoint answers with its OAuth code)."""
    from ..oid4vci.errors import OID4VCIError

    return OID4VCIError(message, code=code)


def exchange_error(message: str, code: str) -> Exception:
    """An ``ExchangeError`` (what an exchange step answers with its status)."""
    from ..oid4vci.errors import ExchangeError

    return ExchangeError(message, code=code)
