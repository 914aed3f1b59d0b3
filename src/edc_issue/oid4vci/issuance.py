"""The Credential Issuer of the pre-authorized code flow: offers, token, nonce, credential.

See: OpenID4VCI 1.0 <https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html>
(§4 offer, §6 token endpoint, §7 nonce endpoint, §8 credential endpoint).

::

    issuer (LMS, batch)        CredentialIssuer                    wallet
    ── create_offer(vc) ──▶ offer + code (+ tx_code) stored
                             link ─────────────── QR / mail ──▶ opens the link
                             offer_document(id) ◀──────────── GET credential_offer_uri
                             token(form) ◀─────── pre-authorized_code (+ tx_code)
                               code spent, access token ─────▶
                             nonce() ─────────── c_nonce ────▶
                             credential(bearer, body) ◀────── proofs.jwt (aud, iat, nonce)
                               nonce spent, holder key bound, signed, offer ``issued``

No web framework here: the service's routes call these methods with the request's form,
headers and JSON, and answer with what they return (or the error's ``to_json()`` and
``status``). Each method is safe to call from many threads; the stores make each state
change atomic, so a code is redeemed once and a credential issued once per offer.
"""

from __future__ import annotations

import copy
import hmac
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from .._types import JsonObject
from ..proofs.sd_jwt import issue_sd_jwt
from .errors import OID4VCIError
from .metadata import (
    PRE_AUTHORIZED_GRANT,
    CredentialConfiguration,
    authorization_server_metadata,
    issuer_metadata,
)
from .offers import new_code, new_tx_code, offer_link
from .proof import HolderKey, validate_proof_jwt
from .stores import MemoryNonceStore, MemoryOfferStore, NonceStore, Offer, OfferStore, secret_hash

__all__ = ["CreatedOffer", "CredentialIssuer", "bind_holder"]

#: wrong transaction codes allowed before the offer is withdrawn
TX_CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class CreatedOffer:
    """What :meth:`CredentialIssuer.create_offer` made.

    :param id: the offer's id.
    :param link: the link a wallet opens (``openid-credential-offer://?...``).
    :param offer_uri: the ``credential_offer_uri`` the link names.
    :param tx_code: the transaction code to give the learner another way (None if none
        is asked). It is shown here once and stored only as a hash.
    :param expires_at: the pre-authorized code may not be redeemed after this.
    """

    id: str
    link: str
    offer_uri: str
    tx_code: str | None
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(timezone.utc)


def bind_holder(credential: JsonObject, holder: HolderKey, configuration: CredentialConfiguration
                ) -> JsonObject:
    """Bind the holder into *credential*: ``credentialSubject.id`` is the holder's DID
    (``ldp_vc``, ``jwt_vc_json``); an SD-JWT VC binds ``cnf.jwk`` when it is signed.

    A subject id the credential already has is replaced: the offer was made before the
    wallet's key was known, so what is there names the learner some other way.
    """
    out = copy.deepcopy(credential)
    if configuration.format == "dc+sd-jwt":
        return out
    subject = out.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    for item in subjects:
        if isinstance(item, dict):
            item["id"] = holder.did
    return out


class CredentialIssuer:
    """One Credential Issuer (a tenant of the service, or a script's own).

    :param issuer: the Credential Issuer Identifier, an https URL; the endpoints are under
        it (``/token``, ``/nonce``, ``/credential``, ``/credential-offer/{id}``).
    :param configurations: what can be offered.
    :param offers: where offers are kept (default in memory).
    :param nonces: where nonces are kept (default in memory).
    :param clock: returns the current time (UTC).
    :param offer_ttl: how long an offer's code can be redeemed.
    :param token_ttl: how long an access token is good for.
    :param nonce_ttl: how long a ``c_nonce`` is good for.
    :param proof_max_age: how old a proof's ``iat`` may be (seconds).
    """

    def __init__(
        self,
        issuer: str,
        configurations: Iterable[CredentialConfiguration],
        *,
        offers: OfferStore | None = None,
        nonces: NonceStore | None = None,
        clock: Callable[[], datetime] | None = None,
        offer_ttl: timedelta = timedelta(days=7),
        token_ttl: timedelta = timedelta(minutes=5),
        nonce_ttl: timedelta = timedelta(minutes=5),
        proof_max_age: int = 300,
        display: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.configurations = {c.id: c for c in configurations}
        self.offers: OfferStore = offers if offers is not None else MemoryOfferStore()
        self.nonces: NonceStore = nonces if nonces is not None else MemoryNonceStore()
        self.clock = clock or _now
        self.offer_ttl, self.token_ttl, self.nonce_ttl = offer_ttl, token_ttl, nonce_ttl
        self.proof_max_age = proof_max_age
        self.display = list(display)

    # ---- metadata ------------------------------------------------------------------

    def metadata(self) -> JsonObject:
        """``/.well-known/openid-credential-issuer``."""
        return issuer_metadata(self.issuer, self.configurations.values(), display=self.display)

    def authorization_server_metadata(self) -> JsonObject:
        """``/.well-known/oauth-authorization-server``."""
        return authorization_server_metadata(self.issuer)

    def offer_uri(self, offer_id: str) -> str:
        """The ``credential_offer_uri`` of an offer."""
        return f"{self.issuer}/credential-offer/{quote(offer_id, safe='')}"

    # ---- offers --------------------------------------------------------------------

    def configuration(self, configuration_id: str) -> CredentialConfiguration:
        """Return a configuration by id.

        :raises OID4VCIError: ``oid4vci.unknown_credential_configuration``.
        """
        found = self.configurations.get(configuration_id)
        if found is None:
            raise OID4VCIError(
                f"no credential configuration {configuration_id!r}; there are "
                f"{', '.join(sorted(self.configurations)) or 'none'}",
                code="oid4vci.unknown_credential_configuration",
                pointer="credential_configuration_id")
        return found

    def create_offer(
        self,
        credential: JsonObject,
        configuration_id: str,
        *,
        tx_code: bool | str = False,
        tx_code_length: int = 6,
        tx_code_description: str | None = None,
        ttl: timedelta | None = None,
        tenant: str | None = None,
        offer_id: str | None = None,
    ) -> CreatedOffer:
        """Offer *credential* (unsigned; claims for ``dc+sd-jwt``) to one wallet.

        :param tx_code: ask for a transaction code: True makes a numeric one, a string
            is used as given (digits only).
        :raises OID4VCIError: ``oid4vci.unknown_credential_configuration``,
            ``oid4vci.bad_configuration`` (a credential that is not a JSON object).
        """
        configuration = self.configuration(configuration_id)
        if not isinstance(credential, Mapping):
            raise OID4VCIError("the credential to offer must be a JSON object",
                               code="oid4vci.bad_configuration", pointer="credential")
        if configuration.format != "dc+sd-jwt" and "credentialSubject" not in credential:
            raise OID4VCIError("the credential to offer has no credentialSubject",
                               code="oid4vci.bad_configuration",
                               pointer="credential.credentialSubject")
        code = new_code()
        secret: str | None = None
        spec: JsonObject | None = None
        if tx_code:
            secret = tx_code if isinstance(tx_code, str) else new_tx_code(tx_code_length)
            if not secret.isdigit():
                raise OID4VCIError("a transaction code given is digits only",
                                   code="oid4vci.bad_configuration", pointer="tx_code")
            spec = {"input_mode": "numeric", "length": len(secret)}
            if tx_code_description:
                spec["description"] = tx_code_description[:300]
        expires = self.clock() + (ttl or self.offer_ttl)
        offer = Offer(
            id=offer_id or str(uuid.uuid4()), configuration_id=configuration_id,
            credential=copy.deepcopy(dict(credential)), code_hash=secret_hash(code),
            expires_at=expires, tx_code_hash=secret_hash(secret) if secret else None,
            tx_code=spec, tenant=tenant, extra={"code": code})
        self.offers.add(offer)
        uri = self.offer_uri(offer.id)
        return CreatedOffer(offer.id, offer_link(uri), uri, secret, expires)

    def offer_document(self, offer_id: str) -> JsonObject:
        """The Credential Offer a wallet fetches from ``credential_offer_uri``.

        :raises OID4VCIError: ``oid4vci.offer_not_found`` for an unknown, spent, withdrawn
            or expired offer (the same answer for each: nothing to learn from it).
        """
        offer = self.offers.get(offer_id)
        if offer is None or offer.state != "offered" or offer.expires_at <= self.clock():
            raise OID4VCIError("no such offer, or it was used or has expired",
                               code="oid4vci.offer_not_found")
        grant: JsonObject = {"pre-authorized_code": offer.extra["code"]}
        if offer.tx_code:
            grant["tx_code"] = dict(offer.tx_code)
        return {"credential_issuer": self.issuer,
                "credential_configuration_ids": [offer.configuration_id],
                "grants": {PRE_AUTHORIZED_GRANT: grant}}

    def revoke_offer(self, offer_id: str) -> bool:
        """Withdraw an offer not yet issued; True if there was one to withdraw."""
        return self.offers.revoke(offer_id)

    # ---- token ---------------------------------------------------------------------

    def token(self, form: Mapping[str, Any]) -> JsonObject:
        """The token endpoint (``application/x-www-form-urlencoded`` fields in *form*).

        :raises OID4VCIError: ``unsupported_grant_type``; ``invalid_request`` (no code,
            a missing or unexpected ``tx_code``); ``invalid_grant`` (an unknown, spent,
            expired or withdrawn code, a wrong ``tx_code``).
        """
        grant_type = form.get("grant_type")
        if grant_type != PRE_AUTHORIZED_GRANT:
            raise OID4VCIError(f"grant_type must be {PRE_AUTHORIZED_GRANT}",
                               code="oid4vci.unsupported_grant_type", pointer="grant_type")
        code = form.get("pre-authorized_code")
        if not isinstance(code, str) or not code:
            raise OID4VCIError("pre-authorized_code is missing",
                               code="oid4vci.invalid_request", pointer="pre-authorized_code")
        offer = self.offers.by_code(secret_hash(code))
        now = self.clock()
        if offer is None or offer.state != "offered" or offer.expires_at <= now:
            raise OID4VCIError("the pre-authorized code is unknown, used, withdrawn or "
                               "expired", code="oid4vci.invalid_grant",
                               pointer="pre-authorized_code")
        given = form.get("tx_code")
        if offer.tx_code_hash is None and given is not None:
            raise OID4VCIError("this offer asks for no tx_code", code="oid4vci.invalid_request",
                               pointer="tx_code")
        if offer.tx_code_hash is not None:
            if not isinstance(given, str) or not given:
                raise OID4VCIError("this offer needs its tx_code", code="oid4vci.invalid_request",
                                   pointer="tx_code")
            if not hmac.compare_digest(secret_hash(given), offer.tx_code_hash):
                count = self.offers.count_failed_tx_code(offer.id, TX_CODE_ATTEMPTS)
                left = max(TX_CODE_ATTEMPTS - count, 0)
                raise OID4VCIError(f"the tx_code is wrong ({left} attempt(s) left)",
                                   code="oid4vci.invalid_grant", pointer="tx_code")
        token = new_code()
        if not self.offers.redeem(offer.id, secret_hash(token), now + self.token_ttl):
            raise OID4VCIError("the pre-authorized code was used", code="oid4vci.invalid_grant",
                               pointer="pre-authorized_code")
        return {"access_token": token, "token_type": "Bearer",
                "expires_in": int(self.token_ttl.total_seconds())}

    # ---- nonce ---------------------------------------------------------------------

    def nonce(self) -> JsonObject:
        """The nonce endpoint: a fresh ``c_nonce`` (answer with ``Cache-Control: no-store``)."""
        value = new_code()
        self.nonces.add(value, self.clock() + self.nonce_ttl)
        return {"c_nonce": value}

    # ---- credential ----------------------------------------------------------------

    def _offer_of(self, authorization: str | None) -> Offer:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise OID4VCIError("send the access token as Authorization: Bearer ...",
                               code="oid4vci.invalid_token", pointer="Authorization")
        offer = self.offers.by_token(secret_hash(token.strip()))
        if offer is None or offer.token_expires_at is None or \
                offer.token_expires_at <= self.clock():
            raise OID4VCIError("the access token is unknown or has expired",
                               code="oid4vci.invalid_token", pointer="Authorization")
        if offer.state != "redeemed":
            raise OID4VCIError("the credential of this access token was issued already",
                               code="oid4vci.invalid_token", pointer="Authorization")
        return offer

    def _proof(self, body: Mapping[str, Any]) -> str:
        if "proof" in body:
            raise OID4VCIError("send proofs (with a jwt array), not proof",
                               code="oid4vci.invalid_credential_request", pointer="proof")
        proofs = body.get("proofs")
        if proofs is None:
            raise OID4VCIError("a proof of the holder's key is required (proofs.jwt)",
                               code="oid4vci.invalid_proof", pointer="proofs")
        if not isinstance(proofs, Mapping) or len(proofs) != 1:
            raise OID4VCIError("proofs holds exactly one proof type",
                               code="oid4vci.invalid_credential_request", pointer="proofs")
        jwts = proofs.get("jwt")
        if not isinstance(jwts, list):
            raise OID4VCIError("only the jwt proof type is accepted",
                               code="oid4vci.invalid_proof", pointer="proofs")
        if len(jwts) != 1:
            raise OID4VCIError("one credential per offer: send exactly one jwt proof",
                               code="oid4vci.invalid_proof", pointer="proofs.jwt")
        return jwts[0]  # type: ignore[no-any-return]

    def credential(self, authorization: str | None, body: Any) -> JsonObject:
        """The credential endpoint: check the token and the proof, bind the holder's key,
        sign, and mark the offer issued (once).

        :param authorization: the request's ``Authorization`` header.
        :param body: the JSON request body.
        :returns: ``{"credentials": [{"credential": ...}]}``.
        :raises OID4VCIError: ``invalid_token``, ``invalid_credential_request``,
            ``unknown_credential_configuration``, ``invalid_proof``, ``invalid_nonce``,
            ``credential_request_denied`` (issued meanwhile by a concurrent request).
        """
        offer = self._offer_of(authorization)
        if not isinstance(body, Mapping):
            raise OID4VCIError("the credential request is a JSON object",
                               code="oid4vci.invalid_credential_request")
        if "credential_identifier" in body:
            raise OID4VCIError("no credential_identifier was issued; name the "
                               "credential_configuration_id", pointer="credential_identifier",
                               code="oid4vci.invalid_credential_request")
        wanted = body.get("credential_configuration_id")
        if wanted is None:
            raise OID4VCIError("credential_configuration_id is missing",
                               code="oid4vci.invalid_credential_request",
                               pointer="credential_configuration_id")
        if wanted != offer.configuration_id:
            raise OID4VCIError(f"this access token is for {offer.configuration_id!r}, "
                               f"not {wanted!r}",
                               code="oid4vci.unknown_credential_configuration",
                               pointer="credential_configuration_id")
        configuration = self.configuration(offer.configuration_id)
        proof = self._proof(body)
        holder = validate_proof_jwt(proof, audience=self.issuer, nonces=self.nonces,
                                    now=self.clock(), max_age=self.proof_max_age)
        issued_id, credential = self._sign(offer, configuration, holder)
        if not self.offers.mark_issued(offer.id, issued_id):
            raise OID4VCIError("the credential of this offer was issued already",
                               code="oid4vci.credential_request_denied")
        return {"credentials": [{"credential": credential}]}

    def _sign(self, offer: Offer, configuration: CredentialConfiguration, holder: HolderKey
              ) -> tuple[str, Any]:
        from .._api import sign

        now = self.clock()
        if configuration.format == "dc+sd-jwt":
            claims = {k: v for k, v in offer.credential.items()
                      if k not in ("iss", "iat", "exp", "vct", "cnf", "jti")}
            jti = f"urn:uuid:{uuid.uuid4()}"
            payload: JsonObject = {"iss": self.issuer, "jti": jti, "iat": int(now.timestamp()),
                                   "vct": configuration.vct, **claims}
            if configuration.validity:
                payload["exp"] = int(now.timestamp()) + configuration.validity
            return jti, issue_sd_jwt(payload, configuration.signer, holder_jwk=holder.jwk)
        credential = bind_holder(offer.credential, holder, configuration)
        credential.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
        suite = "vc-jwt" if configuration.format == "jwt_vc_json" else configuration.suite
        signed = sign(credential, configuration.signer, suite=suite, issuer_from_key=True,
                      clock=self.clock)
        return str(credential["id"]), signed
