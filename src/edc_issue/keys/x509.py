"""X.509 certificates given by a caller (trust anchors for sealed EDCs), read once.

See: <https://www.rfc-editor.org/rfc/rfc5280>
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cryptography import x509

from ..errors import KeyMaterialError

__all__ = ["load_certificates"]


def load_certificates(items: Iterable[Any]) -> list[x509.Certificate]:
    """Return the certificates in *items*: ``x509.Certificate`` objects, or PEM (one or
    several certificates) or DER, as bytes or text.

    :raises KeyMaterialError: ``key.malformed`` for an item that is no certificate.
    """
    anchors: list[x509.Certificate] = []
    for item in items:
        if isinstance(item, x509.Certificate):
            anchors.append(item)
            continue
        try:
            raw = item.encode("ascii") if isinstance(item, str) else bytes(item)
            if b"-----BEGIN" in raw:
                anchors.extend(x509.load_pem_x509_certificates(raw))
            else:
                anchors.append(x509.load_der_x509_certificate(raw))
        except (TypeError, ValueError) as exc:
            raise KeyMaterialError(
                "a trust anchor is not an X.509 certificate (PEM or DER)",
                code="key.malformed",
            ) from exc
    return anchors
