"""The generic Data Integrity engine: proof configuration, creation and verification.

See: <https://www.w3.org/TR/vc-data-integrity/#add-proof> and
<https://www.w3.org/TR/vc-data-integrity/#verify-proof>. A cryptosuite
(:class:`RdfcSuite` subclass, one module each) supplies the steps in the spec's
order: ``transform`` (RDFC-1.0 canonical N-Quads), ``hash``, ``sign`` / ``verify``,
``encode`` / ``decode``. This module knows nothing of a particular algorithm.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar

from .._io import copy_json
from .._types import JsonObject, Signer
from ..errors import (
    AlgorithmMismatchError,
    ConfigError,
    JsonLdError,
    KeyMaterialError,
    ProofFormatError,
)
from ..jsonld import OfflineLoader, canonical_nquads
from ..keys._base58 import multibase_decode, multibase_encode
from ..keys.key import Key, KeyKind
from ..keys.signing import signer_id, signer_kind, signer_sign

__all__ = [
    "ASSERTION_METHOD",
    "CREDENTIALS_V2",
    "DATA_INTEGRITY_PROOF",
    "DATA_INTEGRITY_V2",
    "ProofVerification",
    "RdfcSuite",
    "add_proof",
    "create_proof",
    "document_proofs",
    "format_datetime",
    "unsecured_document",
    "verify_proof_value",
]

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
ASSERTION_METHOD = "assertionMethod"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)
#: Contexts that define the DataIntegrityProof terms.
_SUITE_CONTEXTS = (CREDENTIALS_V2, DATA_INTEGRITY_V2)


class RdfcSuite:
    """Base class of the RDFC-1.0 cryptosuites: the spec's steps as methods.

    Subclasses set :attr:`name`, :attr:`required_algorithm` and, if needed, override
    :meth:`hash_algorithm`.
    """

    #: The ``cryptosuite`` value (or, for legacy suites, the proof ``type``).
    name: ClassVar[str] = ""
    #: The proof ``type`` this suite produces and verifies.
    proof_type: ClassVar[str] = DATA_INTEGRITY_PROOF
    #: The key types the suite accepts (``requiredAlgorithm`` in the JS reference).
    required_algorithm: ClassVar[tuple[KeyKind, ...]] = ()
    #: False for suites kept only to verify what others signed.
    can_sign: ClassVar[bool] = True
    #: The specification section of the suite.
    spec: ClassVar[str] = ""

    def hash_algorithm(self, kind: KeyKind) -> str:
        """Return the hash used for canonicalization and hashing (``sha256`` by default)."""
        return "sha256"

    def check_key(self, key: Key) -> None:
        """Refuse a key whose type the suite does not accept.

        :raises KeyMaterialError: ``proof.algorithm_mismatch``.
        """
        self.check_kind(key.kind)

    def check_kind(self, kind: KeyKind) -> None:
        """Refuse a key type (of a key or a signer) that the suite does not accept.

        :raises KeyMaterialError: ``proof.algorithm_mismatch``.
        """
        if kind not in self.required_algorithm:
            raise AlgorithmMismatchError(
                f'the key type "{kind}" does not match the required algorithm for the '
                f'cryptosuite "{self.name}" (expected {" or ".join(self.required_algorithm)})',
                code="proof.algorithm_mismatch",
            )

    def proof_configuration(self, options: JsonObject, context: Any) -> JsonObject:
        """Return the proof configuration: *options* without ``proofValue``, with the
        document's ``@context`` (vc-di-eddsa §3.3.5, vc-di-ecdsa §3.3.5)."""
        config = {k: v for k, v in options.items() if k != "proofValue"}
        config["@context"] = context
        return config

    def transform(self, document: JsonObject, *, kind: KeyKind, strict: bool,
                  loader: OfflineLoader | None = None) -> str:
        """Return the RDFC-1.0 canonical N-Quads of *document*.

        The quads go straight into the canonicalizer (no N-Quads text in between), and a
        small document such as a proof configuration is canonicalized once per distinct
        content (:func:`edc_issue.jsonld.canonical_nquads`).
        """
        return canonical_nquads(document, strict=strict, loader=loader,
                                hash_algorithm=self.hash_algorithm(kind))

    def hash(self, canonical_document: str, canonical_proof_config: str, *,
             kind: KeyKind) -> bytes:
        """Return ``hash(proof configuration) || hash(document)``."""
        name = self.hash_algorithm(kind)
        proof_hash = hashlib.new(name, canonical_proof_config.encode("utf-8")).digest()
        doc_hash = hashlib.new(name, canonical_document.encode("utf-8")).digest()
        return proof_hash + doc_hash

    def sign(self, signer: Signer, data: bytes) -> bytes:
        """Sign *data* with *signer*, a key or any :class:`~edc_issue.Signer` (raw Ed25519,
        or ECDSA ``r || s``)."""
        self.check_kind(signer_kind(signer))
        return signer_sign(signer, data)

    def verify(self, key: Key, signature: bytes, data: bytes) -> bool:
        """Return True if *signature* over *data* verifies with *key*."""
        return key.kind in self.required_algorithm and key.verify(signature, data)

    def encode(self, signature: bytes) -> str:
        """Return ``proofValue``: multibase base58btc."""
        return multibase_encode(signature)

    def decode(self, proof_value: str) -> bytes:
        """Decode ``proofValue``.

        :raises ProofFormatError: ``proof.malformed`` if it is not multibase base58btc.
        """
        try:
            return multibase_decode(proof_value)
        except KeyMaterialError as exc:
            raise ProofFormatError(
                f"proofValue is not multibase base58btc: {exc.message}",
                pointer="proof.proofValue", code="proof.malformed",
            ) from None


def format_datetime(value: datetime) -> str:
    """Return *value* as an XML Schema dateTime in UTC with seconds (``2024-01-02T03:04:05Z``)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_datetime(value: str, field: str) -> str:
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise ProofFormatError(
            f'"{value}" is not an XML Schema dateTime such as 2024-01-02T03:04:05Z',
            pointer=f"proof.{field}", code="proof.malformed",
        )
    return value


def document_proofs(document: JsonObject) -> list[Any]:
    """Return the document's proofs as a list (empty when there is none)."""
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def unsecured_document(document: JsonObject) -> JsonObject:
    """Return a copy of *document* without ``proof``."""
    return {k: v for k, v in document.items() if k != "proof"}


def _with_suite_context(document: JsonObject) -> JsonObject:
    context = document.get("@context")
    if context is None:
        raise ProofFormatError(
            "the document has no @context; a Data Integrity proof needs JSON-LD",
            pointer="@context", code="proof.malformed",
        )
    contexts = context if isinstance(context, list) else [context]
    if any(c in _SUITE_CONTEXTS for c in contexts if isinstance(c, str)):
        return document
    # as vc-js does with addSuiteContext: a VC 1.1 document gets the DI context
    out = dict(document)
    out["@context"] = [*contexts, DATA_INTEGRITY_V2]
    return out


def create_proof(
    document: JsonObject,
    signer: Signer,
    suite: RdfcSuite,
    *,
    created: str | datetime | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    expires: str | datetime | None = None,
    domain: str | Sequence[str] | None = None,
    challenge: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    proof_id: str | None = None,
    loader: OfflineLoader | None = None,
) -> tuple[JsonObject, JsonObject]:
    """Create a proof for *document* (vc-data-integrity §4.2, Add Proof).

    :param signer: a :class:`~edc_issue.Key`, or any :class:`~edc_issue.Signer` (HSM,
        KMS): its ``algorithm`` must be one the suite requires, its ``id`` becomes the
        proof's ``verificationMethod``.
    :param previous_proof: the id(s) of proofs already on *document* that this proof
        chains to; they are signed along with the document.
    :param proof_id: the proof's ``id`` (needed for proofs that others chain to).

    The document is canonicalized strictly: a term that no context defines is an
    error, never silently left unsigned.

    :returns: the document as signed (its ``@context`` gains the Data Integrity
        context when none defines the proof terms) and the new proof.
    :raises ConfigError: ``config.suite_not_allowed`` for a verify-only suite.
    :raises KeyMaterialError: ``proof.algorithm_mismatch``, ``key.no_secret`` or
        ``key.malformed`` (no id).
    :raises SignerError: ``signer.failed`` when a signer backend fails.
    :raises JsonLdError: ``jsonld.undefined_term`` and friends.
    """
    if not suite.can_sign:
        raise ConfigError(
            f'"{suite.name}" is kept for verifying only; sign with eddsa-rdfc-2022 or '
            "ecdsa-rdfc-2019", code="config.suite_not_allowed",
        )
    kind = signer_kind(signer)
    suite.check_kind(kind)
    if isinstance(signer, Key):
        signer.require_secret()
    method = signer_id(signer)
    prior = document_proofs(document)
    document = _with_suite_context(unsecured_document(document))
    options = _proof_options(
        suite, method, created=created, proof_purpose=proof_purpose, expires=expires,
        domain=domain, challenge=challenge, previous_proof=previous_proof, proof_id=proof_id)
    secured_input = document
    if previous_proof is not None:
        secured_input = dict(document)
        secured_input["proof"] = _previous_proofs(prior, options["previousProof"])
    config = suite.proof_configuration(options, document["@context"])
    canonical_config = suite.transform(config, kind=kind, strict=True, loader=loader)
    canonical_doc = suite.transform(secured_input, kind=kind, strict=True, loader=loader)
    data = suite.hash(canonical_doc, canonical_config, kind=kind)
    proof = dict(options)
    proof["proofValue"] = suite.encode(suite.sign(signer, data))
    return document, proof


def _proof_options(
    suite: RdfcSuite,
    method: str,
    *,
    created: str | datetime | None,
    proof_purpose: str,
    expires: str | datetime | None,
    domain: str | Sequence[str] | None,
    challenge: str | None,
    previous_proof: str | Sequence[str] | None,
    proof_id: str | None,
) -> JsonObject:
    """The proof options (vc-data-integrity §4.2 step 1), in the order they are written."""
    if isinstance(created, datetime):
        created = format_datetime(created)
    elif created is None:
        created = format_datetime(datetime.now(timezone.utc))
    options: JsonObject = {"type": suite.proof_type}
    if proof_id is not None:
        options["id"] = proof_id
    if suite.proof_type == DATA_INTEGRITY_PROOF:
        options["cryptosuite"] = suite.name
    options["created"] = _check_datetime(created, "created")
    options["verificationMethod"] = method
    options["proofPurpose"] = proof_purpose
    if expires is not None:
        options["expires"] = _check_datetime(
            format_datetime(expires) if isinstance(expires, datetime) else expires, "expires"
        )
    if domain is not None:
        options["domain"] = domain if isinstance(domain, str) else list(domain)
    if challenge is not None:
        options["challenge"] = challenge
    if previous_proof is not None:
        options["previousProof"] = (previous_proof if isinstance(previous_proof, str)
                                    else list(previous_proof))
    return options


def add_proof(document: JsonObject, proof: JsonObject, *, as_list: bool | None = None
              ) -> JsonObject:
    """Return a copy of *document* with *proof* added to its proof set.

    :param as_list: write ``proof`` as an array even for one proof (the Open Badges 3.0
        JSON Schema requires it); by default an array only when there are several.
    """
    out: JsonObject = copy_json(document)
    proofs = document_proofs(out)
    proofs.append(proof)
    if len(proofs) == 1 and not as_list:
        out["proof"] = proofs[0]
    else:
        out["proof"] = proofs
    return out


def _previous_proofs(proofs: Sequence[Any], wanted: str | Sequence[str]) -> list[Any]:
    if isinstance(wanted, str):
        ids = [wanted]
    elif isinstance(wanted, (list, tuple)) and all(isinstance(i, str) for i in wanted):
        ids = list(wanted)
    else:
        raise ProofFormatError("previousProof must be a proof id or a list of proof ids",
                               pointer="proof.previousProof", code="proof.malformed")
    found = [p for p in proofs if isinstance(p, dict) and p.get("id") in ids]
    if len(found) != len(ids):
        raise ProofFormatError(
            f"previousProof names {', '.join(ids)}, which the document does not hold",
            pointer="proof.previousProof", code="proof.malformed",
        )
    return found


@dataclass(frozen=True)
class ProofVerification:
    """The outcome of checking one proof's signature.

    :param valid: the signature verifies over the canonical document and proof options.
    :param unsigned: ``(path, message)`` of every value no ``@context`` defines: such
        values are dropped before hashing (as jsonld.js drops them), so the signature
        does not cover them, and changing them would go unnoticed.
    """

    valid: bool
    unsigned: list[tuple[str, str]] = field(default_factory=list)


def _transform_checked(suite: RdfcSuite, document: JsonObject, kind: KeyKind,
                       loader: OfflineLoader | None, unsigned: list[tuple[str, str]],
                       where: str) -> str:
    try:
        return suite.transform(document, kind=kind, strict=True, loader=loader)
    except JsonLdError as exc:
        if exc.code not in ("jsonld.undefined_term", "jsonld.relative_iri"):
            raise
        problems = exc.problems or [(exc.pointer or "", exc.message)]
        unsigned.extend((f"{where}{path}", message) for path, message in problems)
    return suite.transform(document, kind=kind, strict=False, loader=loader)


def verify_proof_value(
    document: JsonObject,
    proof: JsonObject,
    key: Key,
    suite: RdfcSuite,
    *,
    all_proofs: Sequence[Any] = (),
    loader: OfflineLoader | None = None,
) -> ProofVerification:
    """Check *proof*'s signature over *document* (vc-data-integrity §4.4, Verify Proof).

    *document* is the secured document; its ``proof`` is removed (or, for a proof that
    names ``previousProof``, replaced by the proofs it names among *all_proofs*).
    Canonicalization drops what jsonld.js drops, so that credentials signed by the
    reference stack verify, and reports each dropped value in
    :attr:`ProofVerification.unsigned`.

    :raises ProofFormatError: a malformed ``proofValue`` or ``previousProof``.
    :raises JsonLdError: the document cannot be expanded at all.
    :raises ContextError: a context is neither bundled nor supplied.
    """
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise ProofFormatError("proofValue is missing or not a string",
                               pointer="proof.proofValue", code="proof.malformed")
    signature = suite.decode(value)
    unsecured = unsecured_document(document)
    previous = proof.get("previousProof")
    if previous is not None:
        unsecured["proof"] = _previous_proofs(all_proofs, previous)
    context = document.get("@context")
    config = suite.proof_configuration(proof, context)
    unsigned: list[tuple[str, str]] = []
    canonical_config = _transform_checked(suite, config, key.kind, loader, unsigned, "proof.")
    canonical_doc = _transform_checked(suite, unsecured, key.kind, loader, unsigned, "")
    data = suite.hash(canonical_doc, canonical_config, kind=key.kind)
    return ProofVerification(suite.verify(key, signature, data), unsigned)
