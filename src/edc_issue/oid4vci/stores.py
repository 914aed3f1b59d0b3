"""Where offers, their codes and access tokens, and nonces are kept: protocols, and the
in-memory versions tests and a single process use. The service adds SQL ones.

The access token and the transaction code are kept as their SHA-256 only, and codes are
looked up by hash. The pre-authorized code itself is kept too (``Offer.extra["code"]``),
because the offer document served at ``credential_offer_uri`` carries it: that URI is a
bearer secret like the code, which is why offers can ask for a transaction code. The state changes a
wallet can race on (a code redeemed, a credential issued, a nonce spent) are single
compare-and-set operations of the store, so two requests at once cannot both succeed.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, runtime_checkable

from .._types import JsonObject

__all__ = ["MemoryNonceStore", "MemoryOfferStore", "NonceStore", "Offer", "OfferState",
           "OfferStore", "secret_hash"]

#: ``offered`` (code not yet redeemed) -> ``redeemed`` (access token given) -> ``issued``;
#: ``revoked`` when the issuer withdraws it or too many wrong transaction codes came.
OfferState = Literal["offered", "redeemed", "issued", "revoked"]


def secret_hash(secret: str) -> str:
    """The SHA-256 (hex) under which a code or token is stored and looked up."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Offer:
    """One credential offered to one wallet, and where it stands.

    :param id: the offer's id (it names its ``credential_offer_uri``).
    :param configuration_id: the credential configuration offered.
    :param credential: what is issued: an unsigned credential (``ldp_vc``,
        ``jwt_vc_json``) or the claims of an SD-JWT VC (``dc+sd-jwt``).
    :param code_hash: the pre-authorized code's hash.
    :param tx_code_hash: the transaction code's hash, when one is asked for.
    :param tx_code: the ``tx_code`` object of the offer (``input_mode``, ``length``, ...).
    :param expires_at: the code may not be redeemed after this.
    :param tenant: the service tenant the offer belongs to (None for the library alone).
    """

    id: str
    configuration_id: str
    credential: JsonObject
    code_hash: str
    expires_at: datetime
    tx_code_hash: str | None = None
    tx_code: JsonObject | None = None
    tenant: str | None = None
    state: OfferState = "offered"
    failed_tx_codes: int = 0
    token_hash: str | None = None
    token_expires_at: datetime | None = None
    issued_id: str | None = None
    extra: JsonObject = field(default_factory=dict)


@runtime_checkable
class OfferStore(Protocol):
    """Keeps offers. Implementations must make each state change atomic."""

    def add(self, offer: Offer) -> None:
        """Store a new offer."""
        ...

    def get(self, offer_id: str) -> Offer | None:
        """Return the offer with this id, or None."""
        ...

    def by_code(self, code_hash: str) -> Offer | None:
        """Return the offer whose pre-authorized code hashes to *code_hash*, or None."""
        ...

    def by_token(self, token_hash: str) -> Offer | None:
        """Return the offer whose access token hashes to *token_hash*, or None."""
        ...

    def redeem(self, offer_id: str, token_hash: str, token_expires_at: datetime) -> bool:
        """``offered`` -> ``redeemed`` with this access token; False if it was not
        ``offered`` any more (the code was used, or the offer withdrawn)."""
        ...

    def count_failed_tx_code(self, offer_id: str, limit: int) -> int:
        """Count one wrong transaction code; at *limit* the offer is ``revoked``.
        Returns the new count."""
        ...

    def mark_issued(self, offer_id: str, issued_id: str) -> bool:
        """``redeemed`` -> ``issued``; False if it was not ``redeemed`` (issued already)."""
        ...

    def revoke(self, offer_id: str) -> bool:
        """Withdraw an offer that is not issued yet; False if there is none to withdraw."""
        ...


@runtime_checkable
class NonceStore(Protocol):
    """Keeps the ``c_nonce`` values handed out, each good for one proof."""

    def add(self, nonce: str, expires_at: datetime) -> None:
        """Remember a fresh nonce."""
        ...

    def consume(self, nonce: str, now: datetime) -> bool:
        """Spend *nonce*: True exactly once, while it has not expired."""
        ...


class MemoryOfferStore:
    """An :class:`OfferStore` in memory, for tests and one process."""

    def __init__(self) -> None:
        self._offers: dict[str, Offer] = {}
        self._lock = threading.Lock()

    def add(self, offer: Offer) -> None:
        """Store a new offer."""
        with self._lock:
            if offer.id in self._offers:
                raise ValueError(f"offer {offer.id} exists")
            self._offers[offer.id] = offer

    def get(self, offer_id: str) -> Offer | None:
        """Return the offer with this id, or None."""
        return self._offers.get(offer_id)

    def by_code(self, code_hash: str) -> Offer | None:
        """Return the offer of this pre-authorized code, or None."""
        return next((o for o in self._offers.values() if o.code_hash == code_hash), None)

    def by_token(self, token_hash: str) -> Offer | None:
        """Return the offer of this access token, or None."""
        return next((o for o in self._offers.values() if o.token_hash == token_hash), None)

    def _swap(self, offer_id: str, expected: tuple[str, ...], **changes: Any) -> bool:
        with self._lock:
            offer = self._offers.get(offer_id)
            if offer is None or offer.state not in expected:
                return False
            self._offers[offer_id] = replace(offer, **changes)
            return True

    def redeem(self, offer_id: str, token_hash: str, token_expires_at: datetime) -> bool:
        """``offered`` -> ``redeemed``."""
        return self._swap(offer_id, ("offered",), state="redeemed", token_hash=token_hash,
                          token_expires_at=token_expires_at)

    def count_failed_tx_code(self, offer_id: str, limit: int) -> int:
        """Count a wrong transaction code; revoke the offer at *limit*."""
        with self._lock:
            offer = self._offers[offer_id]
            count = offer.failed_tx_codes + 1
            state: OfferState = "revoked" if count >= limit and offer.state == "offered" \
                else offer.state
            self._offers[offer_id] = replace(offer, failed_tx_codes=count, state=state)
            return count

    def mark_issued(self, offer_id: str, issued_id: str) -> bool:
        """``redeemed`` -> ``issued``."""
        return self._swap(offer_id, ("redeemed",), state="issued", issued_id=issued_id)

    def revoke(self, offer_id: str) -> bool:
        """Withdraw an offer not issued yet."""
        return self._swap(offer_id, ("offered", "redeemed"), state="revoked")


class MemoryNonceStore:
    """A :class:`NonceStore` in memory; expired nonces are dropped as new ones come."""

    def __init__(self) -> None:
        self._nonces: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def add(self, nonce: str, expires_at: datetime) -> None:
        """Remember a fresh nonce."""
        with self._lock:
            now = expires_at  # drop what expired before this one was made
            self._nonces = {n: t for n, t in self._nonces.items() if t > now - _HORIZON}
            self._nonces[nonce] = expires_at

    def consume(self, nonce: str, now: datetime) -> bool:
        """Spend *nonce* (True once, before it expires)."""
        with self._lock:
            expires = self._nonces.pop(nonce, None)
        return expires is not None and expires > now


#: how long past its expiry a spent-or-not nonce is still remembered (for the purge)
_HORIZON = timedelta(hours=1)
