"""VC-API exchanges, as the Learner Credential Wallet and Open edX drive them, and the
DCC deep links that start one.

See: the VC-API's workflows and exchanges <https://w3c-ccg.github.io/vc-api/#workflows-and-exchanges>
and the DCC request deep link <https://github.com/digitalcredentials/docs>.

::

    issuer                        ExchangeService                      wallet (LCW)
    create_exchange(vc) ──▶ exchange: challenge, expiry, single use
                            deep link / interaction URL ─ QR ──▶ opens it
                            participate({}) ◀─────────────────── POST exchange URL {}
                              DIDAuth request (challenge, domain) ─▶
                            participate({verifiablePresentation}) ◀ VP signed by did:key
                              proof checked (authentication, challenge, domain),
                              subject id := holder DID, signed, exchange complete ─▶ VC

An exchange answers once: after its credential is collected it is ``complete`` (its
data dropped when ``deleteWhenCollected``), and an expired one is refused.
"""

from __future__ import annotations

import copy
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, Protocol, runtime_checkable
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from .._types import JsonObject
from ..errors import EdcIssueError
from ..keys.did_key import is_did_key, public_key_from_did_key
from ..keys.key import Key
from .errors import ExchangeError

__all__ = [
    "DIDAUTH_QUERY",
    "CreatedExchange",
    "Exchange",
    "ExchangeService",
    "ExchangeStore",
    "MemoryExchangeStore",
    "dcc_deep_link",
    "parse_dcc_deep_link",
    "verify_didauth",
]

ExchangeState = Literal["pending", "active", "complete", "invalid"]
#: What the exchange asks the wallet for first: a DID Authentication with a did:key.
DIDAUTH_QUERY: JsonObject = {"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}
_VC_V2 = "https://www.w3.org/ns/credentials/v2"
_VP = "verifiablePresentation."
_PROOF = _VP + "proof."


@dataclass(frozen=True)
class Exchange:
    """One exchange: a credential waiting for one wallet.

    :param variables: what the workflow's steps use: the unsigned ``credential``.
    """

    id: str
    workflow_id: str
    challenge: str
    expires_at: datetime
    variables: JsonObject
    delete_when_collected: bool = True
    state: ExchangeState = "pending"
    sequence: int = 0
    tenant: str | None = None
    holder: str | None = None


@runtime_checkable
class ExchangeStore(Protocol):
    """Keeps exchanges; :meth:`swap` must be atomic."""

    def add(self, exchange: Exchange) -> None:
        """Store a new exchange."""
        ...

    def get(self, exchange_id: str) -> Exchange | None:
        """Return the exchange, or None."""
        ...

    def swap(self, exchange_id: str, expected: tuple[str, ...], **changes: Any) -> bool:
        """Change the exchange if its state is one of *expected*; False otherwise."""
        ...


class MemoryExchangeStore:
    """An :class:`ExchangeStore` in memory."""

    def __init__(self) -> None:
        self._items: dict[str, Exchange] = {}
        self._lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        """Store a new exchange."""
        with self._lock:
            self._items[exchange.id] = exchange

    def get(self, exchange_id: str) -> Exchange | None:
        """Return the exchange, or None."""
        return self._items.get(exchange_id)

    def swap(self, exchange_id: str, expected: tuple[str, ...], **changes: Any) -> bool:
        """Compare-and-set on the state."""
        with self._lock:
            item = self._items.get(exchange_id)
            if item is None or item.state not in expected:
                return False
            self._items[exchange_id] = replace(item, **changes)
            return True


# ---- deep links ------------------------------------------------------------------------


def dcc_deep_link(*, issuer: str, vc_request_url: str, challenge: str,
                  base: str = "dccrequest://request", auth_type: str | None = None) -> str:
    """The DCC request deep link: ``dccrequest://request?issuer=...&vc_request_url=...
    &challenge=...`` (``base="https://lcw.app/request.html"`` for the universal link that
    opens the Learner Credential Wallet, or its store page where it is not installed)."""
    query: dict[str, str] = {"issuer": issuer, "vc_request_url": vc_request_url,
                             "challenge": challenge}
    if auth_type:
        query["auth_type"] = auth_type
    return f"{base}?{urlencode(query, quote_via=quote)}"


def parse_dcc_deep_link(link: str) -> dict[str, str]:
    """Split a DCC deep link back into ``issuer``, ``vc_request_url``, ``challenge``...

    :raises ExchangeError: ``exchange.bad_request`` when a required part is missing.
    """
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    missing = [k for k in ("issuer", "vc_request_url", "challenge") if not query.get(k)]
    if missing:
        raise ExchangeError(f"the deep link lacks {', '.join(missing)}",
                            code="exchange.bad_request")
    return query


# ---- DIDAuth -------------------------------------------------------------------------


def verify_didauth(presentation: Any, *, challenge: str, domain: str | None) -> str:
    """Check a DID Authentication presentation; return the holder's DID.

    The presentation's Data Integrity proof must have ``proofPurpose`` authentication,
    the exchange's ``challenge`` and ``domain``, and a did:key verification method whose
    DID is the ``holder``; its signature must verify (eddsa-rdfc-2022, ecdsa-rdfc-2019
    or Ed25519Signature2020). This is the one place a presentation is verified; it will
    call the library's presentation verifier once ``verify(..., challenge=)`` has it.

    :raises ExchangeError: ``exchange.invalid_presentation`` naming what failed.
    """
    from ..proofs.data_integrity import verify_proof_value
    from ..proofs.registry import default_registry

    def refuse(message: str, pointer: str) -> ExchangeError:
        return ExchangeError(message, code="exchange.invalid_presentation", pointer=pointer)

    if not isinstance(presentation, Mapping):
        raise refuse("verifiablePresentation must be a JSON object", "verifiablePresentation")
    types = presentation.get("type")
    if "VerifiablePresentation" not in (types if isinstance(types, list) else [types]):
        raise refuse("the presentation's type is not VerifiablePresentation", _VP + "type")
    proofs = presentation.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    if len(proofs) != 1 or not isinstance(proofs[0], Mapping):
        raise refuse("a DIDAuth presentation has exactly one proof", _PROOF.rstrip("."))
    proof = dict(proofs[0])
    if proof.get("proofPurpose") != "authentication":
        raise refuse("the proof's purpose is not authentication", _PROOF + "proofPurpose")
    if not isinstance(proof.get("challenge"), str) or \
            not secrets.compare_digest(proof["challenge"], challenge):
        raise refuse("the proof's challenge is not this exchange's", _PROOF + "challenge")
    if domain is not None and proof.get("domain") != domain:
        raise refuse(f"the proof's domain is {proof.get('domain')!r}; expected {domain!r}",
                     _PROOF + "domain")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not is_did_key(method):
        raise refuse("the proof's verificationMethod is not a did:key",
                     _PROOF + "verificationMethod")
    try:
        kind, public, vm_id = public_key_from_did_key(method)
        did = vm_id.split("#", 1)[0]
        holder = presentation.get("holder")
        holder = holder.get("id") if isinstance(holder, Mapping) else holder
        if holder is not None and holder != did:
            raise refuse(f"the holder {holder} is not the DID that signed ({did})", _VP + "holder")
        suite = default_registry().for_proof(proof)
        checked = verify_proof_value(dict(presentation), proof,
                                     Key(kind, public=public, id=vm_id, controller=did), suite)
    except ExchangeError:
        raise
    except EdcIssueError as exc:
        raise refuse(f"the proof cannot be checked: {exc.message}", _PROOF.rstrip(".")) from exc
    if not checked.valid:
        raise refuse("the presentation's signature does not verify", _PROOF + "proofValue")
    if checked.unsigned:
        raise refuse(f"the presentation has terms no context defines: "
                     f"{checked.unsigned[0][0]}", checked.unsigned[0][0])
    return did


# ---- the service ----------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedExchange:
    """What :meth:`ExchangeService.create_exchange` made: the exchange's URL, the
    interaction URL (``?iuv=1``), the DCC deep link and the LCW universal link."""

    id: str
    url: str
    interaction_url: str
    deep_link: str
    lcw_link: str
    challenge: str
    expires_at: datetime


@dataclass
class ExchangeService:
    """VC-API workflows and exchanges for one tenant.

    :param base_url: where the workflows live (``https://host/instance/t``): exchanges
        are at ``{base_url}/workflows/{workflow}/exchanges/{id}``.
    :param signer: the issuer key that signs the credentials collected.
    :param issue: signs a credential bound to the holder (default: ``edc_issue.sign``).
    :param domain: the ``domain`` the DIDAuth proof must name (default: base_url's host).
    :param issuer_name: the ``issuer`` shown in the deep link.
    :param offer_link: returns the OpenID4VCI offer link for an exchange (the interaction
        URL lists it as the other protocol), or None.
    """

    base_url: str
    signer: Key
    workflows: tuple[str, ...] = ("didauth-issue",)
    store: ExchangeStore = field(default_factory=MemoryExchangeStore)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    domain: str | None = None
    issuer_name: str | None = None
    issue: Callable[[JsonObject], Any] | None = None
    offer_link: Callable[[Exchange], str | None] | None = None
    verify: Callable[..., str] = verify_didauth

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if self.domain is None:
            self.domain = urlsplit(self.base_url).netloc

    def url(self, workflow_id: str, exchange_id: str) -> str:
        """The exchange's URL."""
        return f"{self.base_url}/workflows/{quote(workflow_id, safe='')}/exchanges/" \
               f"{quote(exchange_id, safe='')}"

    def _workflow(self, workflow_id: str) -> None:
        if workflow_id not in self.workflows:
            raise ExchangeError(f"no workflow {workflow_id!r}", code="exchange.unknown_workflow")

    def create_exchange(self, workflow_id: str, credential: JsonObject, *,
                        ttl: timedelta = timedelta(minutes=15),
                        delete_when_collected: bool = True,
                        tenant: str | None = None) -> CreatedExchange:
        """Open an exchange that hands *credential* (unsigned) to the first wallet that
        authenticates with a did:key; it expires after *ttl*.

        :raises ExchangeError: ``exchange.unknown_workflow``, ``exchange.bad_request``.
        """
        self._workflow(workflow_id)
        if not isinstance(credential, Mapping) or "credentialSubject" not in credential:
            raise ExchangeError("the credential must be a JSON object with a credentialSubject",
                                code="exchange.bad_request", pointer="credential")
        exchange = Exchange(id=str(uuid.uuid4()), workflow_id=workflow_id,
                            challenge=secrets.token_urlsafe(24),
                            expires_at=self.clock() + ttl,
                            variables={"credential": copy.deepcopy(dict(credential))},
                            delete_when_collected=delete_when_collected, tenant=tenant)
        self.store.add(exchange)
        url = self.url(workflow_id, exchange.id)
        issuer = self.issuer_name or (self.domain or "")
        return CreatedExchange(
            exchange.id, url, f"{url}?iuv=1",
            dcc_deep_link(issuer=issuer, vc_request_url=url, challenge=exchange.challenge),
            dcc_deep_link(issuer=issuer, vc_request_url=url, challenge=exchange.challenge,
                          base="https://lcw.app/request.html"),
            exchange.challenge, exchange.expires_at)

    def _live(self, workflow_id: str, exchange_id: str) -> Exchange:
        self._workflow(workflow_id)
        exchange = self.store.get(exchange_id)
        if exchange is None or exchange.workflow_id != workflow_id:
            raise ExchangeError("no such exchange", code="exchange.not_found")
        if exchange.state == "complete":
            raise ExchangeError("this exchange is complete: its credential was collected",
                                code="exchange.completed")
        if exchange.expires_at <= self.clock() or exchange.state == "invalid":
            raise ExchangeError("this exchange has expired", code="exchange.expired")
        return exchange

    def interaction(self, workflow_id: str, exchange_id: str) -> JsonObject:
        """The interaction URL's answer (``GET ...?iuv=1``): the protocols the exchange
        can be run with."""
        exchange = self._live(workflow_id, exchange_id)
        protocols: JsonObject = {"vcapi": self.url(workflow_id, exchange_id)}
        link = self.offer_link(exchange) if self.offer_link else None
        if link:
            protocols["oid4vci-1.0"] = link
            protocols["OID4VCI"] = link  # the key VC-API wallets read
        return {"protocols": protocols}

    def state(self, workflow_id: str, exchange_id: str) -> JsonObject:
        """``GET`` on an exchange: its state (never its credential)."""
        self._workflow(workflow_id)
        exchange = self.store.get(exchange_id)
        if exchange is None or exchange.workflow_id != workflow_id:
            raise ExchangeError("no such exchange", code="exchange.not_found")
        state = exchange.state
        if state in ("pending", "active") and exchange.expires_at <= self.clock():
            state = "invalid"
        return {"exchange": {"id": exchange.id, "state": state, "sequence": exchange.sequence,
                             "expires": exchange.expires_at.isoformat().replace("+00:00", "Z")}}

    def participate(self, workflow_id: str, exchange_id: str, body: Any) -> JsonObject:
        """``POST`` on an exchange: the DIDAuth request first, then the credential.

        :raises ExchangeError: ``not_found``, ``expired``, ``completed``,
            ``invalid_presentation``, ``bad_request``.
        """
        exchange = self._live(workflow_id, exchange_id)
        if body is None:
            body = {}
        if not isinstance(body, Mapping):
            raise ExchangeError("the request body is a JSON object", code="exchange.bad_request")
        presentation = body.get("verifiablePresentation")
        if presentation is None:
            self.store.swap(exchange.id, ("pending", "active"), state="active",
                            sequence=exchange.sequence + 1)
            request: JsonObject = {"query": [copy.deepcopy(DIDAUTH_QUERY)],
                                   "challenge": exchange.challenge, "domain": self.domain}
            return {"verifiablePresentationRequest": request}
        holder = self.verify(presentation, challenge=exchange.challenge, domain=self.domain)
        credential = copy.deepcopy(exchange.variables["credential"])
        subjects = credential["credentialSubject"]
        for subject in subjects if isinstance(subjects, list) else [subjects]:
            if isinstance(subject, dict):
                subject["id"] = holder
        credential.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
        signed = self.issue(credential) if self.issue else self._sign(credential)
        changes: dict[str, Any] = {"state": "complete", "holder": holder,
                                   "sequence": exchange.sequence + 1}
        if exchange.delete_when_collected:
            changes["variables"] = {}
        if not self.store.swap(exchange.id, ("pending", "active"), **changes):
            raise ExchangeError("this exchange is complete: its credential was collected",
                                code="exchange.completed")
        return {"verifiablePresentation": {"@context": [_VC_V2],
                                           "type": ["VerifiablePresentation"],
                                           "verifiableCredential": [signed]}}

    def _sign(self, credential: JsonObject) -> Any:
        from .._api import sign

        return sign(credential, self.signer, issuer_from_key=True, clock=self.clock)
