"""JAdES header parameters (ETSI TS 119 182-1) registered with joserfc's JWS registry.

Each parameter is a :class:`joserfc.registry.HeaderParameter` with a validator, as
joserfc registers the RFC 7515 ones (style guide C4); :func:`jades_registry` returns
a :class:`~joserfc.jws.JWSRegistry` that knows them, so a ``crit`` entry naming one of
them is accepted and any other unknown critical header fails (RFC 7515 §4.1.11).
RFC 7797 (``b64``) is handled by joserfc itself: ``b64: false`` without ``"b64"`` in
``crit`` raises ``MissingCritHeaderError``.

Sizes: joserfc defaults to 512-byte headers and 128 kB payloads, far below a JAdES
protected header carrying ``x5c`` and ``adoTst`` tokens (10-20 kB) or a credential
with embedded images, so the registry raises those limits.

See: <https://www.etsi.org/deliver/etsi_ts/119100_119199/11918201/01.01.01_60/ts_11918201v010101p.pdf>
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from joserfc.jws import JWSRegistry
from joserfc.registry import HeaderParameter, HeaderRegistryDict

__all__ = [
    "JADES_HEADER_REGISTRY",
    "JADES_UNPROTECTED_PARAMETERS",
    "SIGT_FORMAT",
    "JadesRegistry",
    "jades_registry",
]

#: ``sigT``: claimed signing time, RFC 3339 UTC with ``Z`` (TS 119 182-1 §5.2.1).
#: Written without fractions; read with optional fractions.
SIGT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_SIGT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_B64_RE = re.compile(r"^[A-Za-z0-9+/=_-]+$")


def _is_sigt(value: Any) -> None:
    if not isinstance(value, str) or not _SIGT_RE.match(value):
        raise ValueError("must be a UTC date-time like 2025-02-12T12:09:45Z")


def _is_b64url_sha256(value: Any) -> None:
    if not isinstance(value, str) or not _B64URL_RE.match(value) or len(value) != 43:
        raise ValueError("must be the base64url SHA-256 digest of the certificate (43 chars)")


def _is_object(value: Any) -> None:
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")


def _is_list_of_objects(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError("must be a JSON array of objects")


def _is_dig_alg_val(value: Any) -> None:
    if not (
        isinstance(value, dict)
        and isinstance(value.get("digAlg"), str)
        and isinstance(value.get("digVal"), str)
    ):
        raise ValueError('must be {"digAlg": ..., "digVal": ...}')


def _is_sig_x5ts(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValueError("must be a non-empty array")
    for item in value:
        _is_dig_alg_val(item)


def _is_tst_container(value: Any) -> None:
    """``{"tstTokens": [{"val": base64 DER, "encoding"?: uri}], "canonAlg"?: uri}``."""
    tokens = value.get("tstTokens") if isinstance(value, dict) else None
    if not isinstance(tokens, list) or not tokens:
        raise ValueError('must be {"tstTokens": [{"val": ...}]} with at least one token')
    for token in tokens:
        if not isinstance(token, dict) or not isinstance(token.get("val"), str):
            raise ValueError('each tstTokens entry must be {"val": "<base64 DER token>"}')
        if not _B64_RE.match(token["val"]):
            raise ValueError("tstTokens[].val must be base64")


def _is_sig_pid(value: Any) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise ValueError('must be {"id": "<policy OID or URI>", ...}')


def _is_sig_d(value: Any) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("mId"), str):
        raise ValueError('must be {"mId": ..., "pars": [...], ...}')
    pars = value.get("pars")
    if not isinstance(pars, list) or not all(isinstance(p, str) for p in pars):
        raise ValueError("pars must be an array of strings")


def _is_etsi_u(value: Any) -> None:
    if not isinstance(value, list):
        raise ValueError("must be an array of base64url strings or JSON objects")
    kinds = {type(v) for v in value}
    if not kinds <= {str, dict}:
        raise ValueError("entries must be base64url strings or JSON objects")
    if len(kinds) > 1:
        # TS 119 182-1 §5.3.1: all entries base64url-encoded, or none
        raise ValueError("entries must be all base64url strings or all JSON objects, not mixed")
    for v in value:
        if isinstance(v, str) and not _B64URL_RE.match(v):
            raise ValueError("a base64url entry contains characters outside base64url")


#: Signed (protected) JAdES header parameters, TS 119 182-1 §5.2, plus ``etsiU`` (§5.3),
#: which must be unprotected.
JADES_HEADER_REGISTRY: HeaderRegistryDict = {
    "sigT": HeaderParameter("Claimed signing time", _is_sigt),
    "x5t#S256": HeaderParameter("X.509 certificate SHA-256 thumbprint", _is_b64url_sha256),
    "x5t#o": HeaderParameter("X.509 certificate thumbprint, other digest", _is_dig_alg_val),
    "sigX5ts": HeaderParameter("X.509 certificate thumbprints (several)", _is_sig_x5ts),
    "srCms": HeaderParameter("Commitments", _is_list_of_objects),
    "sigPl": HeaderParameter("Signature production place", _is_object),
    "srAts": HeaderParameter("Signer attributes", _is_object),
    "adoTst": HeaderParameter("All data objects time-stamp", _is_tst_container),
    "sigPId": HeaderParameter("Signature policy identifier", _is_sig_pid),
    "sigD": HeaderParameter("Signed data (detached)", _is_sig_d),
    "etsiU": HeaderParameter("ETSI unsigned properties", _is_etsi_u),
}

#: Parameters that may appear only in the unprotected ``header`` of a signature.
JADES_UNPROTECTED_PARAMETERS = frozenset({"etsiU"})


class JadesRegistry(JWSRegistry):
    """A joserfc :class:`JWSRegistry` sized for JAdES envelopes.

    Non-critical unknown headers are allowed (``strict_check_header=False``), as
    RFC 7515 §4 asks; unknown *critical* ones still fail.
    """

    #: protected headers carry x5c chains and adoTst tokens
    max_header_length: int = 512 * 1024
    #: a credential with embedded PDFs or images
    max_payload_length: int = 32 * 1024 * 1024
    #: base64url of an RSA-8192 signature is 1366 characters
    max_signature_length: int = 2048


def jades_registry(algorithms: Collection[str]) -> JadesRegistry:
    """Return a registry with the JAdES header parameters and only *algorithms* allowed."""
    return JadesRegistry(
        header_registry=JADES_HEADER_REGISTRY,
        algorithms=list(algorithms),
        strict_check_header=False,
    )
