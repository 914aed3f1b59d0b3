"""The only module of the service that calls the library: sign, verify, validate, seal.

Its functions run in the worker processes of :mod:`._pool` (signing and SHACL are CPU
work that would block the event loop), so they take and return plain, picklable data.
Each worker loads the tenants' keys once, in :func:`init_worker`; seals are opened per
request when the password comes with the request, and kept open (by the password's
digest) for the next one.

When the library's ``Issuer``/``Verifier`` objects and ``seal_edc`` land, this is the one
file that changes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._types import JsonObject

__all__ = [
    "TenantKeys",
    "init_worker",
    "presentation_problems",
    "presented_challenge",
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


_KEYS: dict[str, Any] = {}
_TENANTS: dict[str, TenantKeys] = {}
_SEALS: dict[tuple[str, str], Any] = {}
_SEALS_LOCK = threading.Lock()


def init_worker(tenants: dict[str, TenantKeys]) -> None:
    """Load every tenant's key in this process (the pool's initializer)."""
    from ..keys import load_key

    _TENANTS.clear()
    _TENANTS.update(tenants)
    _KEYS.clear()
    for name, tenant in tenants.items():
        if tenant.key is not None:
            _KEYS[name] = load_key(tenant.key)
    _SEALS.clear()


def warm_up() -> bool:
    """Sign and verify a small credential once, so the first request is not the slow one."""
    from .._api import sign, verify
    from ..keys import generate_key

    key = generate_key("ed25519")
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": key.controller,
        "credentialSubject": {"id": "did:example:warm-up"},
    }
    signed = sign(credential, key)
    return verify(signed).ok


def _key(tenant: str) -> Any:
    from ..errors import ConfigError

    key = _KEYS.get(tenant)
    if key is None:
        raise ConfigError(f"the tenant {tenant!r} has no signing key", code="config.invalid")
    return key


def sign_credential(tenant: str, credential: JsonObject, *, suite: str | None,
                    issuer_from_key: bool) -> JsonObject | str:
    """Sign *credential* with the tenant's key (Data Integrity, or ``suite="vc-jwt"``)."""
    from .._api import sign

    chosen = suite or _TENANTS[tenant].suite
    return sign(credential, _key(tenant), suite=chosen, issuer_from_key=issuer_from_key)


def sign_list(tenant: str, credential: JsonObject) -> JsonObject:
    """Sign a status list credential with the tenant's key (Data Integrity)."""
    from .._api import sign

    signed = sign(credential, _key(tenant), suite=_TENANTS[tenant].suite)
    assert isinstance(signed, dict)
    return signed


def tenant_identity(key: JsonObject) -> tuple[str, str]:
    """The issuer id (controller) and verification-method id of a key document."""
    from ..keys import load_key

    loaded = load_key(key)
    return str(loaded.controller), str(loaded.id)


def verify_document(document: Any, *, challenge: str | None = None,
                    domain: str | None = None, status_lists: list[Any] | None = None,
                    ) -> dict[str, Any]:
    """Verify a credential (DI, VC-JWT or JAdES); return the result's JSON with its checks.

    :raises EdcIssueError: only when no answer can be reached (an unknown context, ...).
    """
    from .._api import verify

    result = verify(document, challenge=challenge, domain=domain,
                    status_lists=status_lists)
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
                validate: bool | None = None) -> dict[str, Any]:
    """Seal an EDC as the EU issuer does (:func:`edc_issue.edc.seal_edc`): the upload
    ``{credential, deliveryDetails}`` unwrapped (the EDC context added), the certificate's
    identity written into the issuer, the EDC shapes checked, JAdES baseline B.

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
    return {"envelope": sealed.envelope, "findings": [], "warnings": list(sealed.warnings)}


def read_optional(path: Path | None) -> bytes | None:
    """Read a file given in the configuration (seal files), or None."""
    return path.read_bytes() if path is not None else None
