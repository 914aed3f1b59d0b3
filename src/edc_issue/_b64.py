"""base64url without padding (RFC 4648 §5, as JOSE uses it: RFC 7515 §2), stdlib only."""

from __future__ import annotations

import base64

__all__ = ["b64url_decode", "b64url_encode"]


def b64url_encode(data: bytes) -> str:
    """Return *data* as base64url text without ``=`` padding."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    """Decode base64url text, with or without padding.

    :raises ValueError: (``binascii.Error``) for characters outside the alphabet or a bad
        length.
    """
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
