"""Signing through the :class:`~edc_issue.Signer` seam: what a signer's algorithm means,
and one call that every signing path (Data Integrity, VC-JWT, status lists) goes through.

A signer is anything with ``id``, ``algorithm`` and ``sign(data) -> bytes``: a
:class:`~edc_issue.Key` read from a file, or an object that asks an HSM, a cloud KMS or
a remote signing service. The library never needs the private key itself.
"""

from __future__ import annotations

import difflib
from typing import Any

from .._types import Signer
from ..errors import EdcIssueError, KeyMaterialError, SignerError
from .key import Key, KeyKind

__all__ = [
    "SIGNER_ALGORITHMS",
    "is_signer",
    "signer_controller",
    "signer_id",
    "signer_kind",
    "signer_sign",
]

#: The signer algorithms accepted, and the key type each one is (RFC 7518, RFC 9864).
SIGNER_ALGORITHMS: dict[str, KeyKind] = {
    "Ed25519": "ed25519", "ES256": "p256", "ES384": "p384", "RS256": "rsa", "PS256": "rsa",
}


def is_signer(value: Any) -> bool:
    """Return True if *value* has a signer's members (``id``, ``algorithm``, ``sign``)."""
    return isinstance(value, Signer)


def signer_kind(signer: Signer) -> KeyKind:
    """Return the key type behind *signer*, from its ``algorithm``.

    :raises KeyMaterialError: ``key.unsupported`` for an algorithm not listed in
        :data:`SIGNER_ALGORITHMS` (with a did-you-mean).
    """
    if isinstance(signer, Key):
        return signer.kind
    algorithm = signer.algorithm
    kind = SIGNER_ALGORITHMS.get(algorithm) if isinstance(algorithm, str) else None
    if kind is None:
        hint = 'use "Ed25519" (RFC 9864 names the curve)' if algorithm == "EdDSA" else None
        close = difflib.get_close_matches(str(algorithm), list(SIGNER_ALGORITHMS), n=1)
        if hint is None and close:
            hint = f'did you mean "{close[0]}"?'
        raise KeyMaterialError(
            f"the signer's algorithm {algorithm!r} is not supported; expected one of "
            f"{', '.join(SIGNER_ALGORITHMS)}", hint=hint, code="key.unsupported",
        )
    return kind


def signer_id(signer: Signer) -> str:
    """Return the signer's verification-method id (or JWK ``kid``).

    :raises KeyMaterialError: ``key.malformed`` when it has none.
    """
    value = signer.id
    if not isinstance(value, str) or not value:
        raise KeyMaterialError("the signer has no verification-method id", pointer="id",
                               code="key.malformed")
    return value


def signer_controller(signer: Signer) -> str | None:
    """Return who controls the signer's key: its ``controller`` when it has one, else the
    part of its id before ``#``."""
    controller = getattr(signer, "controller", None)
    if isinstance(controller, str) and controller:
        return controller
    value = signer.id
    if isinstance(value, str) and "#" in value:
        return value.split("#", 1)[0]
    return None


def signer_sign(signer: Signer, data: bytes) -> bytes:
    """Return ``signer.sign(data)``, checked.

    A :class:`Key` without its secret raises ``key.no_secret`` before anything is signed.
    Any other failure of a signer that is not a ``Key`` (a network error, an HSM refusing)
    becomes a :class:`SignerError` with the backend's error as ``__cause__``.

    :raises SignerError: ``signer.failed`` when the signer fails or returns no bytes.
    """
    if isinstance(signer, Key):
        signer.require_secret()
        return signer.sign(data)
    try:
        signature = signer.sign(data)
    except EdcIssueError:
        raise
    except Exception as exc:
        # the backend's message stays in __cause__ (shown with --debug): it may carry
        # a token or a URL with credentials, which are never printed
        raise SignerError(f"the signer {signer.id or ''} failed ({type(exc).__name__})",
                          code="signer.failed") from exc
    if not isinstance(signature, (bytes, bytearray)) or not signature:
        raise SignerError(f"the signer returned {type(signature).__name__}, not signature bytes",
                          code="signer.failed")
    return bytes(signature)
