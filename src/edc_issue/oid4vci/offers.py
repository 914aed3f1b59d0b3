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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable
from urllib.parse import parse_qs, quote, urlsplit

from .._types import Fetcher, JsonObject
from .errors import OID4VCIError

if TYPE_CHECKING:
    from .issuance import CredentialIssuer

__all__ = ["OFFER_SCHEME", "IssuerOffers", "MadeOffer", "OfferMaker", "ServiceOffers",
           "new_code", "new_tx_code", "offer_link", "parse_offer_link", "qr_code"]

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


@dataclass(frozen=True)
class MadeOffer:
    """An offer made for one credential: its id, the link a wallet opens, and the
    transaction code to give the learner another way (None when none is asked)."""

    id: str
    link: str
    tx_code: str | None = None


@runtime_checkable
class OfferMaker(Protocol):
    """Makes an offer for one unsigned credential (the batch's :class:`OfferStep`)."""

    def __call__(self, credential: JsonObject) -> MadeOffer:
        """Offer *credential*; the issuer signs it when the wallet collects it.

        :raises EdcIssueError: the offer cannot be made (that row fails).
        """
        ...


class IssuerOffers:
    """Offers through a :class:`~edc_issue.oid4vci.issuance.CredentialIssuer` in this
    process (its offer store is where the wallet's requests will find them).

    It cannot travel to worker processes (the store is in this one): use it with
    ``jobs=1``, or :class:`ServiceOffers`.

    :param configuration_id: the credential configuration offered.
    :param tx_code: ask for a transaction code with each offer.
    """

    def __init__(self, issuer: CredentialIssuer, configuration_id: str, *,
                 tx_code: bool = False) -> None:
        issuer.configuration(configuration_id)  # an unknown id is refused now
        self.issuer = issuer
        self.configuration_id = configuration_id
        self.tx_code = tx_code

    def __repr__(self) -> str:
        return f"IssuerOffers({self.issuer.issuer!r}, {self.configuration_id!r})"

    def __reduce__(self) -> Any:
        raise OID4VCIError("IssuerOffers keeps its offers in this process; with jobs > 1 use "
                           "ServiceOffers", code="oid4vci.bad_configuration")

    def __call__(self, credential: JsonObject) -> MadeOffer:
        """Create the offer in the issuer's store."""
        made = self.issuer.create_offer(credential, self.configuration_id, tx_code=self.tx_code)
        return MadeOffer(made.id, made.link, made.tx_code)


class ServiceOffers:
    """Offers through an ``edc-issue serve`` tenant: ``POST {base}/offers`` with
    ``{credential, configuration, txCode}`` and a bearer token (scope ``write:/offers``);
    the service keeps the offer and signs the credential when the wallet collects it.

    :param base: the tenant's URL, ``https://issuer.example.edu/instance/moodle``.
    :param token: the bearer token (never shown in a message or ``repr``).
    :param configuration: the service's configuration name (``open-badge``...); None for
        the service's default.
    :param fetcher: how requests are made (default :func:`edc_issue._net.default_fetcher`).
    """

    def __init__(self, base: str, token: str, *, configuration: str | None = None,
                 tx_code: bool = False, fetcher: Fetcher | None = None,
                 timeout: float = 30.0) -> None:
        if not base.startswith(("https://", "http://")):
            raise OID4VCIError(f"the service's URL must be http(s), found {base[:60]!r}",
                               code="oid4vci.bad_configuration", pointer="base")
        self.base = base.rstrip("/")
        self._token = token
        self.configuration = configuration
        self.tx_code = tx_code
        self.fetcher = fetcher
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"ServiceOffers({self.base!r}, token=<hidden>)"

    def __call__(self, credential: JsonObject) -> MadeOffer:
        """POST the offer; return what the service made.

        :raises ReadError: ``io.fetch_failed`` (the service refused or is unreachable).
        :raises OID4VCIError: ``oid4vci.invalid_request`` for an answer without a link.
        """
        from .._net import default_fetcher

        body: JsonObject = {"credential": credential, "txCode": self.tx_code}
        if self.configuration is not None:
            body["configuration"] = self.configuration
        answer = (self.fetcher or default_fetcher()).fetch(
            f"{self.base}/offers", accept="application/json", max_bytes=1024 * 1024,
            timeout=self.timeout, data=json.dumps(body).encode("utf-8"),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self._token}"})
        try:
            made = json.loads(answer)
            link, offer_id = made["link"], made["id"]
        except (ValueError, KeyError, TypeError):
            raise OID4VCIError(f"{self.base}/offers answered without an offer link",
                               code="oid4vci.invalid_request", pointer=f"{self.base}/offers"
                               ) from None
        tx_code = made.get("txCode")
        if not isinstance(link, str) or not link.startswith(OFFER_SCHEME):
            raise OID4VCIError(f"{self.base}/offers answered a link that is not an offer",
                               code="oid4vci.invalid_request", pointer=f"{self.base}/offers")
        return MadeOffer(str(offer_id), link, tx_code if isinstance(tx_code, str) else None)
