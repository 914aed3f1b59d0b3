"""The unsigned ``etsiU`` header of a JAdES signature (ETSI TS 119 182-1 §5.3).

``etsiU`` is an array; each entry is one unsigned property, as a base64url-encoded JSON
object (what the EU issuer writes, and what this library writes) or as clear JSON, never
mixed. Baseline T adds ``sigTst``; LT adds ``xVals`` (certificate values) and ``rVals``
(revocation values: ``ocspVals``, ``crlVals``); LTA adds ``arcTst``, an archive
time-stamp over everything before it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ._jws import b64url_decode, b64url_encode

__all__ = [
    "archive_input",
    "decode_etsi_u",
    "der_values",
    "encode_entry",
    "tst_container",
]


def encode_entry(name: str, value: Any) -> str:
    """One ``etsiU`` entry ``{name: value}`` as base64url of its compact JSON."""
    return b64url_encode(json.dumps({name: value}, separators=(",", ":"),
                                    ensure_ascii=False).encode("utf-8"))


def tst_container(token: bytes) -> dict[str, Any]:
    """A JAdES time-stamp container holding one RFC 3161 token (TS 119 182-1 §5.2.8.1)."""
    return {"tstTokens": [{"val": base64.b64encode(token).decode("ascii")}]}


def decode_etsi_u(header: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``etsiU`` entries of an unprotected header, each decoded to a one-key object.

    :raises ValueError: ``etsiU`` is not an array, or an entry is not base64url JSON or
        not an object with one property.
    """
    raw = header.get("etsiU", [])
    if not isinstance(raw, list):
        raise ValueError("etsiU must be an array")
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            try:
                value = json.loads(b64url_decode(item))
            except ValueError as exc:
                raise ValueError(f"etsiU[{i}] is not base64url JSON") from exc
        else:
            value = item
        if not isinstance(value, dict) or len(value) != 1:
            raise ValueError(f"etsiU[{i}] must be an object with one property")
        out.append(value)
    return out


def der_values(items: Any, key: str | None) -> list[bytes]:
    """The DER values of ``xVals`` (``key="x509Cert"``) or ``ocspVals``/``crlVals`` (``None``).

    Entries that are not base64 are skipped (the checks that use them then fail).
    """
    out: list[bytes] = []
    if not isinstance(items, list):
        return out
    for item in items:
        value = item.get(key) if key and isinstance(item, dict) else item
        if isinstance(value, dict):
            value = value.get("val")
        if isinstance(value, str):
            try:
                out.append(base64.b64decode(value, validate=True))
            except ValueError:
                continue
    return out


def archive_input(payload: str, protected: str, signature: str,
                  entries: Sequence[Any]) -> bytes | None:
    """The data an ``arcTst`` time-stamps, given the ``etsiU`` *entries* before it.

    ``payload '.' protected '.' signature '.'`` followed by those entries concatenated as
    written (TS 119 182-1 §5.3.6.3; checked against the EU issuer's envelopes). Clear-JSON
    entries would need the canonicalization named in ``canonAlg``: ``None`` then.
    """
    if not all(isinstance(e, str) for e in entries):
        return None
    text = ".".join([payload, protected, signature, "".join(entries)])
    return text.encode("utf-8")
