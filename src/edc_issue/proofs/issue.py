"""Securing a document with one Data Integrity proof: pick the suite, create the proof,
add it to the proof set. :class:`edc_issue.Issuer`, :func:`edc_issue.sign` and status
lists all sign through :func:`add_data_integrity_proof`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .._types import JsonObject, Signer
from ..jsonld import OfflineLoader
from ..keys.signing import signer_kind
from .data_integrity import ASSERTION_METHOD, add_proof, create_proof, document_proofs
from .registry import SuiteRegistry, default_registry

__all__ = ["PROOF_ARRAY_TYPES", "add_data_integrity_proof"]

#: Credential types whose JSON Schema wants ``proof`` as an array (Open Badges 3.0, CLR 2.0).
PROOF_ARRAY_TYPES = frozenset({
    "OpenBadgeCredential", "AchievementCredential", "EndorsementCredential", "ClrCredential",
})


def _types_of(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type")
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def add_data_integrity_proof(
    document: JsonObject,
    signer: Signer,
    *,
    suite: str | None = None,
    registry: SuiteRegistry | None = None,
    created: str | datetime | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    expires: str | datetime | None = None,
    domain: str | Sequence[str] | None = None,
    challenge: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    proof_as_list: bool | None = None,
    loader: OfflineLoader | None = None,
) -> JsonObject:
    """Return a copy of *document* with a Data Integrity proof by *signer* added.

    :param suite: the cryptosuite; default from the signer's algorithm (Ed25519 →
        eddsa-rdfc-2022, ES256/ES384 → ecdsa-rdfc-2019).
    :param proof_as_list: write ``proof`` as an array; by default it is one for Open
        Badges and CLR credentials (their JSON Schema requires it) or when the proof set
        holds several proofs.
    :raises ProofFormatError: ``proof.unknown_suite``.
    :raises KeyMaterialError: ``proof.algorithm_mismatch`` (an RSA signer: VC-JWT only),
        ``key.no_secret``.
    :raises JsonLdError: a term or type no context defines (signing is strict).
    """
    reg = registry or default_registry()
    chosen = reg.get(suite) if suite is not None else reg.default_for(signer_kind(signer))
    signed_input, proof = create_proof(
        document, signer, chosen, created=created, proof_purpose=proof_purpose,
        expires=expires, domain=domain, challenge=challenge, proof_id=proof_id,
        previous_proof=previous_proof, loader=loader,
    )
    existing = document_proofs(document)
    if existing:
        signed_input = dict(signed_input, proof=existing)
    if proof_as_list is None:
        proof_as_list = bool(PROOF_ARRAY_TYPES & set(_types_of(document)))
    return add_proof(signed_input, proof, as_list=proof_as_list)
