"""Recognise the containers a credential arrives in and take the credential out.

- a bare JSON-LD credential (EDC, Open Badge, any VC);
- a JAdES envelope (JWS JSON serialization, ``{"payload": "...", "signatures": [...]}``)
  whose unencoded payload is the sealed credential;
- the EU issuer's upload wrapper ``{"credential": {...}, "deliveryDetails": {...}}``,
  whose credential has no ``@context``: the EU issuer adds the EDC one, and so do we.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Literal

from .._types import JsonObject
from ..errors import ReadError

__all__ = ["EDC_CONTEXT", "EDC_UPLOAD_CONTEXTS", "Container", "unwrap_credential"]

#: The EDC application-profile context.
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
#: What the EU issuer adds to an uploaded credential that has no ``@context``.
EDC_UPLOAD_CONTEXTS = ["https://www.w3.org/2018/credentials/v1", EDC_CONTEXT]

Container = Literal["credential", "jades", "upload"]


def is_jades_envelope(obj: Any) -> bool:
    """Return True if *obj* looks like a JWS JSON serialization (a JAdES envelope)."""
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


def _payload_object(payload: Any, source: str) -> JsonObject:
    if isinstance(payload, dict):
        return payload
    if not isinstance(payload, str):
        raise ReadError("the envelope's payload is not a string", pointer=f"{source}: payload",
                        code="io.not_object")
    text = payload.lstrip()
    if not text.startswith("{"):
        # an encoded (b64: true) payload: base64url of the credential JSON
        try:
            text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ReadError("the envelope's payload is neither JSON nor base64url JSON",
                            pointer=f"{source}: payload", code="io.not_json") from None
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
