"""Credential configurations and the two metadata documents a wallet reads first.

See: OpenID4VCI 1.0 §12.2 (Credential Issuer Metadata) and Appendix A (formats), and
RFC 8414 (Authorization Server Metadata). The Credential Issuer is also its own
authorization server here (the pre-authorized code flow needs no other).

Three formats, each signed the way the rest of the library signs:

- ``ldp_vc``: a W3C VC with a Data Integrity proof (an Open Badge, eddsa-rdfc-2022);
- ``jwt_vc_json``: a VC-JWT;
- ``dc+sd-jwt``: an SD-JWT VC, such as the EUDI Learning Credential.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .._types import JsonObject
from ..keys.key import Key
from ..proofs.sd_jwt import jws_algorithm
from .errors import OID4VCIError
from .proof import PROOF_ALGORITHMS

__all__ = ["FORMATS", "PRE_AUTHORIZED_GRANT", "CredentialConfiguration", "Format",
           "authorization_server_metadata", "issuer_metadata", "learning_credential"]

#: The grant type of the pre-authorized code flow.
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
Format = Literal["ldp_vc", "jwt_vc_json", "dc+sd-jwt"]
FORMATS: tuple[str, ...] = ("ldp_vc", "jwt_vc_json", "dc+sd-jwt")
_VC_V2 = "https://www.w3.org/ns/credentials/v2"
_OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@dataclass(frozen=True)
class CredentialConfiguration:
    """One kind of credential a wallet can be offered, and how it is signed.

    :param id: the ``credential_configuration_id`` wallets ask for.
    :param format: ``ldp_vc``, ``jwt_vc_json`` or ``dc+sd-jwt``.
    :param signer: the issuer's key (its id names the verification method / ``kid``).
    :param types: the VC ``type`` values (``ldp_vc``, ``jwt_vc_json``).
    :param contexts: the ``@context`` (``ldp_vc``).
    :param vct: the SD-JWT VC type (``dc+sd-jwt``).
    :param suite: the Data Integrity cryptosuite (``ldp_vc``; default from the key).
    :param name: the display name wallets show; :param locale: its language.
    :param claims: claim descriptions (``path``, ``display``) for ``credential_metadata``.
    :param validity: seconds an SD-JWT VC stays valid (its ``exp``); None for none.
    :param scope: the OAuth scope naming this configuration, if any.
    """

    id: str
    format: Format
    signer: Key
    types: Sequence[str] = ("VerifiableCredential", "OpenBadgeCredential")
    contexts: Sequence[str] = (_VC_V2, _OB3_CONTEXT)
    vct: str | None = None
    suite: str | None = None
    name: str | None = None
    locale: str = "en"
    claims: Sequence[JsonObject] = field(default_factory=tuple)
    validity: int | None = 365 * 24 * 3600
    scope: str | None = None

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise OID4VCIError(f"format {self.format!r} is not one of {', '.join(FORMATS)}",
                               code="oid4vci.bad_configuration", pointer="format")
        if self.format == "dc+sd-jwt" and not self.vct:
            raise OID4VCIError("a dc+sd-jwt configuration needs a vct",
                               code="oid4vci.bad_configuration", pointer="vct")
        if not self.signer.has_secret:
            raise OID4VCIError(f"configuration {self.id}: the signer key has no secret part",
                               code="oid4vci.bad_configuration", pointer="signer")

    @property
    def signing_algorithm(self) -> str:
        """What ``credential_signing_alg_values_supported`` lists: the cryptosuite of an
        ``ldp_vc``, the JWS ``alg`` of the others."""
        if self.format == "ldp_vc":
            if self.suite:
                return self.suite
            return "eddsa-rdfc-2022" if self.signer.kind == "ed25519" else "ecdsa-rdfc-2019"
        return jws_algorithm(self.signer)

    def to_json(self) -> JsonObject:
        """The configuration's entry in ``credential_configurations_supported``."""
        out: JsonObject = {"format": self.format}
        if self.scope:
            out["scope"] = self.scope
        out["cryptographic_binding_methods_supported"] = (
            ["jwk"] if self.format == "dc+sd-jwt" else ["did:key", "did:jwk"])
        out["credential_signing_alg_values_supported"] = [self.signing_algorithm]
        out["proof_types_supported"] = {
            "jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}}
        if self.format == "dc+sd-jwt":
            out["vct"] = self.vct
        elif self.format == "ldp_vc":
            out["credential_definition"] = {"@context": list(self.contexts),
                                            "type": list(self.types)}
        else:
            out["credential_definition"] = {"type": list(self.types)}
        metadata: JsonObject = {}
        if self.name:
            metadata["display"] = [{"name": self.name, "locale": self.locale}]
        if self.claims:
            metadata["claims"] = [dict(c) for c in self.claims]
        if metadata:
            out["credential_metadata"] = metadata
        return out


def issuer_metadata(
    issuer: str,
    configurations: Iterable[CredentialConfiguration],
    *,
    display: Sequence[Mapping[str, Any]] = (),
) -> JsonObject:
    """The Credential Issuer Metadata served at ``/.well-known/openid-credential-issuer``.

    :param issuer: the Credential Issuer Identifier (an https URL; each endpoint is under
        it: ``/credential``, ``/nonce``, and ``/token`` of its authorization server).
    """
    base = issuer.rstrip("/")
    out: JsonObject = {
        "credential_issuer": base,
        "authorization_servers": [base],
        "credential_endpoint": f"{base}/credential",
        "nonce_endpoint": f"{base}/nonce",
        "credential_configurations_supported": {c.id: c.to_json() for c in configurations},
    }
    if display:
        out["display"] = [dict(d) for d in display]
    return out


def authorization_server_metadata(issuer: str) -> JsonObject:
    """The RFC 8414 metadata at ``/.well-known/oauth-authorization-server``: a token
    endpoint for the pre-authorized code grant, open to wallets without a client id."""
    base = issuer.rstrip("/")
    return {
        "issuer": base,
        "token_endpoint": f"{base}/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
    }


#: The Learning Credential's claims and their English labels, as the EUDI reference
#: issuer describes them.
_LEARNING_CLAIMS = (
    ("issuing_authority", "Issuing Authority", True), ("issuing_country", "Issuing Country", True),
    ("date_of_issuance", "Date of Issuance", True), ("date_of_expiry", "Date of Expiry", False),
    ("family_name", "Family Name(s)", True), ("given_name", "Given Name(s)", False),
    ("achievement_title", "Achievement Title", True),
    ("achievement_description", "Achievement Description", False),
    ("learning_outcomes", "Learning Outcomes", False),
    ("assessment_grade", "Assessment Grade", False),
    ("language_of_classes", "Language of classes", False),
    ("learner_identification", "Learner identification", False),
    ("expected_study_time", "Expected study time", False),
    ("level_of_learning_experience", "Level of learning experience", False),
    ("types_of_quality_assurance", "Types of quality assurance", False),
    ("prerequisites_to_enroll", "Prerequisites to enroll", False),
)


def learning_credential(signer: Key, *, id: str = "eudi-learning-credential",
                        name: str = "Learning Credential") -> CredentialConfiguration:
    """The configuration of the EUDI Learning Credential as an SD-JWT VC."""
    from .eudi import LEARNING_VCT

    claims = tuple({"path": [claim], "mandatory": mandatory,
                    "display": [{"name": label, "locale": "en"}]}
                   for claim, label, mandatory in _LEARNING_CLAIMS)
    return CredentialConfiguration(id=id, format="dc+sd-jwt", signer=signer, vct=LEARNING_VCT,
                                   name=name, claims=claims)
