"""Credential Offers: the link a wallet opens (``openid-credential-offer://``), its QR
code, and the secrets in it (the pre-authorized code and the optional transaction code).

See: OpenID4VCI 1.0 §4.1 <https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#name-credential-offer>.
The offer is passed by reference: the link carries only ``credential_offer_uri``, which
the wallet fetches to learn the issuer, the configuration and the pre-authorized code.
The transaction code reaches the learner another way (a mail, the LMS page), so that a
link seen over a shoulder is not enough to take the credential.
"""

from __future__ import annotations

import json
import secrets
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urlsplit

from .._types import JsonObject
from .errors import OID4VCIError

__all__ = ["OFFER_SCHEME", "new_code", "new_tx_code", "offer_link", "parse_offer_link",
           "qr_code"]

#: The URI scheme wallets register for Credential Offers.
OFFER_SCHEME = "openid-credential-offer://"


def new_code() -> str:
    """A fresh pre-authorized code or access token: 256 random bits, base64url."""
    return secrets.token_urlsafe(32)


def new_tx_code(length: int = 6) -> str:
    """A fresh numeric transaction code of *length* digits (4 to 12)."""
    if not 4 <= length <= 12:
        raise OID4VCIError("a transaction code has 4 to 12 digits",
                           code="oid4vci.bad_configuration", pointer="tx_code.length")
    return "".join(secrets.choice("0123456789") for _ in range(length))


def offer_link(offer_uri: str | None = None, *, offer: JsonObject | None = None,
               scheme: str = OFFER_SCHEME) -> str:
    """The link a wallet opens: ``openid-credential-offer://?credential_offer_uri=...``
    (by reference, the default), or with the offer itself as ``credential_offer``.

    :param scheme: another wallet's scheme or an https universal link base (``https://
        wallet.example/offer``), which then gets the same query.
    """
    if (offer_uri is None) == (offer is None):
        raise OID4VCIError("give the offer's URI or the offer, one of them",
                           code="oid4vci.bad_configuration")
    base = scheme if scheme.endswith(("://", "?", "/")) else scheme + "?"
    base = base if base.endswith("?") else base + "?"
    if offer_uri is not None:
        return f"{base}credential_offer_uri={quote(offer_uri, safe='')}"
    text = json.dumps(offer, separators=(",", ":"), ensure_ascii=False)
    return f"{base}credential_offer={quote(text, safe='')}"


def parse_offer_link(link: str) -> tuple[str | None, JsonObject | None]:
    """Split an offer link into its ``credential_offer_uri`` or its ``credential_offer``.

    :raises OID4VCIError: ``oid4vci.invalid_request`` for a link with neither.
    """
    query = parse_qs(urlsplit(link).query)
    uri = query.get("credential_offer_uri", [None])[0]
    offer = query.get("credential_offer", [None])[0]
    if (uri is None) == (offer is None):
        raise OID4VCIError("an offer link has credential_offer_uri or credential_offer",
                           code="oid4vci.invalid_request")
    return uri, (json.loads(offer) if offer is not None else None)


def qr_code(data: str, kind: Literal["png", "svg"] = "png", *, scale: int = 6,
            border: int = 4, title: str | None = None) -> bytes:
    """A QR code of *data* (an offer or deep link), as PNG or SVG bytes.

    Error correction level M (segno picks a higher one when it fits in the same size).
    """
    import io

    try:
        import segno
    except ImportError as exc:  # pragma: no cover - segno is a dependency
        raise OID4VCIError("QR codes need segno: pip install segno",
                           code="oid4vci.bad_configuration") from exc
    code = segno.make(data, error="m", micro=False)
    out = io.BytesIO()
    options: dict[str, Any] = {"kind": kind, "scale": scale, "border": border}
    if kind == "svg":
        options.update(xmldecl=False, svgns=True, title=title)
    code.save(out, **options)
    return out.getvalue()
