"""Delivery to wallets: OpenID for Verifiable Credential Issuance 1.0 (pre-authorized code
flow), VC-API exchanges with the DCC deep links, and the EUDI Learning Credential mapping.
Protocol logic only, without a web framework: the service's routes call it.

See: <https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html> and
``docs/wallets.md``.
"""

from .errors import ExchangeError, OID4VCIError
from .eudi import LEARNING_VCT, LearningClaims, edc_to_eudi_learning, ob3_to_eudi_learning
from .exchanges import ExchangeService, dcc_deep_link, parse_dcc_deep_link, verify_didauth
from .issuance import CreatedOffer, CredentialIssuer
from .metadata import PRE_AUTHORIZED_GRANT, CredentialConfiguration, learning_credential
from .offers import offer_link, parse_offer_link, qr_code
from .proof import HolderKey, validate_proof_jwt
from .stores import MemoryNonceStore, MemoryOfferStore, NonceStore, Offer, OfferStore

__all__ = [
    "LEARNING_VCT",
    "PRE_AUTHORIZED_GRANT",
    "CreatedOffer",
    "CredentialConfiguration",
    "CredentialIssuer",
    "ExchangeError",
    "ExchangeService",
    "HolderKey",
    "LearningClaims",
    "MemoryNonceStore",
    "MemoryOfferStore",
    "NonceStore",
    "OID4VCIError",
    "Offer",
    "OfferStore",
    "dcc_deep_link",
    "edc_to_eudi_learning",
    "learning_credential",
    "ob3_to_eudi_learning",
    "offer_link",
    "parse_dcc_deep_link",
    "parse_offer_link",
    "qr_code",
    "validate_proof_jwt",
    "verify_didauth",
]
