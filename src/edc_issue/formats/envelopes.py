"""Recognise the containers a credential arrives in and take the credential out.

- a bare JSON-LD credential (EDC, Open Badge, any VC);
- a JAdES envelope (JWS JSON serialization, ``{"payload": "...", "signatures": [...]}``)
  whose unencoded payload is the sealed credential;
- the EU issuer's upload wrapper ``{"credential": {...}, "deliveryDetails": {...}}``,
  whose credential has no ``@context``: the EU issuer adds the EDC one, and so do we.
"""

from __future__ import annotations

import binascii
import json
import re
from typing import Any, Literal

from .._b64 import b64url_decode
from .._types import JsonObject
from ..errors import ReadError

__all__ = [
    "EDC_CONTEXT",
    "EDC_UPLOAD_CONTEXTS",
    "Container",
    "is_compact_jws",
    "is_jades_envelope",
    "is_upload_wrapper",
    "payload_text",
    "unwrap_credential",
]

#: The EDC application-profile context.
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
#: What the EU issuer adds to an uploaded credential that has no ``@context``.
EDC_UPLOAD_CONTEXTS = ["https://www.w3.org/2018/credentials/v1", EDC_CONTEXT]

Container = Literal["credential", "jades", "upload"]

#: The compact JWS serialization (RFC 7515 §7.1): three base64url parts, the last two
#: possibly empty. A malformed header or payload is the verifier's to report.
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")


def is_compact_jws(value: Any) -> bool:
    """Return True if *value* is text in the compact JWS form ``header.payload.signature``
    (surrounding whitespace allowed)."""
    return isinstance(value, str) and COMPACT_JWS.fullmatch(value.strip()) is not None


def is_jades_envelope(obj: Any) -> bool:
    """Return True if *obj* looks like a JWS JSON serialization (a JAdES envelope).

    A ``payload`` with ``signatures`` (general form), ``signature`` or ``protected``
    (flattened form; an envelope missing its signature is still an envelope, reported as
    a malformed seal rather than as a credential without a proof), and no ``@context``.
    """
    return (
        isinstance(obj, dict)
        and "payload" in obj
        and ("signatures" in obj or "signature" in obj or "protected" in obj)
        and "@context" not in obj
    )


def is_upload_wrapper(obj: Any) -> bool:
    """Return True if *obj* is the EU issuer's ``{"credential": ...}`` upload wrapper."""
    return isinstance(obj, dict) and isinstance(obj.get("credential"), dict) and (
        "@context" not in obj and "type" not in obj
    )


def payload_text(payload: str, *, source: str = "<input>") -> str:
    """Return the text of an envelope's payload: as it is when unencoded (``b64: false``,
    what JAdES seals of EDCs use), else decoded from base64url.

    :raises ReadError: ``io.not_json`` when an encoded payload does not decode to UTF-8.
    """
    if payload.lstrip().startswith("{"):
        return payload
    try:
        return b64url_decode(payload).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ReadError("the envelope's payload is neither JSON nor base64url JSON",
                        pointer=f"{source}: payload", code="io.not_json") from None


def _payload_object(payload: Any, source: str) -> JsonObject:
    if isinstance(payload, dict):
        return payload
    if not isinstance(payload, str):
        raise ReadError("the envelope's payload is not a string", pointer=f"{source}: payload",
                        code="io.not_object")
    text = payload_text(payload, source=source)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise ReadError("the envelope's payload is not valid JSON", pointer=f"{source}: payload",
                        code="io.not_json") from None
    if not isinstance(value, dict):
        raise ReadError("the envelope's payload is not a JSON object",
                        pointer=f"{source}: payload", code="io.not_object")
    return value


def unwrap_credential(obj: Any, *, source: str = "<input>") -> tuple[JsonObject, Container]:
    """Return the credential inside *obj* and the kind of container it came in.

    :raises ReadError: *obj* is not a JSON object, or its payload is unreadable.
    """
    if not isinstance(obj, dict):
        raise ReadError("expected a JSON object", pointer=source, code="io.not_object")
    if is_jades_envelope(obj):
        return _payload_object(obj["payload"], source), "jades"
    if is_upload_wrapper(obj):
        credential = dict(obj["credential"])
        if "@context" not in credential:
            credential = {"@context": list(EDC_UPLOAD_CONTEXTS), **credential}
        return credential, "upload"
    return obj, "credential"
