"""The top-level shortcuts ``sign()`` and ``verify()``.

``sign(credential, key, **settings)`` is ``Issuer(key, **settings).issue(credential)``
(:mod:`edc_issue._issuer`); ``verify(document, **settings)`` is
``Verifier(**settings).verify(document)`` (:mod:`edc_issue._verifier`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._issuer import Issuer
from ._types import Clock, Fetcher, JsonObject, Signer
from ._verifier import Verifier
from .errors import InputError
from .proofs.data_integrity import ASSERTION_METHOD

if TYPE_CHECKING:
    from .jsonld import OfflineLoader
    from .keys.key import Key
    from .proofs.registry import SuiteRegistry
    from .proofs.resolver import VerificationMethodResolver
    from .results import VerificationResult
    from .status.check import StatusLists

__all__ = ["Issuer", "Verifier", "sign", "verify"]

# ---- sign ----------------------------------------------------------------------------


def sign(
    credential: JsonObject,
    key: Key | Signer,
    *,
    suite: str | None = None,
    created: str | datetime | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    expires: str | datetime | None = None,
    domain: str | Sequence[str] | None = None,
    challenge: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    issuer_from_key: bool = False,
    proof_as_list: bool | None = None,
    loader: OfflineLoader | None = None,
    registry: SuiteRegistry | None = None,
    clock: Clock | None = None,
    check_data_model: bool = True,
) -> JsonObject | str:
    """Sign *credential* with *key* and return the secured credential.

    The shortcut for ``Issuer(key, suite=..., ...).issue(credential, created=...)``
    (:class:`edc_issue.Issuer` keeps the settings for many credentials).

    :param key: a :class:`~edc_issue.Key`, or any :class:`~edc_issue.Signer` (an object
        with ``id``, ``algorithm`` and ``sign(data)``: an HSM, a KMS).
    :param suite: ``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019`` or ``vc-jwt``; default from
        the key type (Ed25519 → eddsa-rdfc-2022, P-256/P-384 → ecdsa-rdfc-2019).
    :param created: the proof's ``created`` (ISO 8601); default: now, from *clock*.
    :param proof_id: the new proof's ``id``; *previous_proof* names proofs already on the
        credential that it chains to (a proof chain); other existing proofs form a proof set.
    :param issuer_from_key: set ``issuer`` (or ``issuer.id``) to the key's controller,
        which verifiers such as vc-js require to control the key.
    :param proof_as_list: write ``proof`` as an array; by default it is an array for Open
        Badges and CLR credentials (their JSON Schema requires it) or when the proof set
        holds several proofs.
    :param loader: resolves ``@context``; default: bundled contexts only, offline.
    :param check_data_model: refuse a credential that does not follow the W3C VC Data
        Model (1.1 or 2.0); False only for test vectors that break the rules on purpose.
    :returns: a new dict with the proof added, or a compact JWS string for ``vc-jwt``.
    :raises DataModelError: ``vcdm.*``, every problem with its JSON path in ``problems``.
    :raises JsonLdError: a term or type that no context defines (signing is strict).
    :raises KeyMaterialError: ``proof.algorithm_mismatch`` or ``key.no_secret``.
    :raises ProofFormatError: ``proof.unknown_suite``.
    :raises SignerError: ``signer.failed`` when a signer's backend fails.
    """
    if not isinstance(credential, dict):
        raise InputError("a credential must be a JSON object", code="input.invalid")
    issuer = Issuer(key, suite=suite, clock=clock, loader=loader, registry=registry,
                    issuer_from_key=issuer_from_key, proof_purpose=proof_purpose,
                    proof_as_list=proof_as_list, check_data_model=check_data_model)
    return issuer.issue(credential, created=created, expires=expires, domain=domain,
                        challenge=challenge, proof_id=proof_id, previous_proof=previous_proof)


# ---- verify --------------------------------------------------------------------------


def verify(
    document: JsonObject | str | bytes,
    *,
    trust: list[Any] | None = None,
    controllers: Iterable[JsonObject] = (),
    allow_network: bool = False,
    require_key_binding: bool = False,
    proof_purpose: str = ASSERTION_METHOD,
    domain: str | None = None,
    challenge: str | None = None,
    loader: OfflineLoader | None = None,
    registry: SuiteRegistry | None = None,
    resolver: VerificationMethodResolver | None = None,
    clock: Clock | None = None,
    check_dates: bool = True,
    status_lists: StatusLists | None = None,
    check_status: bool = True,
    require_status: bool = False,
    fetcher: Fetcher | None = None,
    check_conformance: bool = True,
    allow_unsigned_presentation: bool = False,
    check_data_model: bool = True,
) -> VerificationResult:
    """Verify every proof, JWT or seal of *document* and return the checks made.

    The shortcut for ``Verifier(**settings).verify(document)``; build a
    :class:`edc_issue.Verifier` to verify many documents with the same settings (trust
    anchors and status lists are then read once). The parameters are the Verifier's.

    *document* is a credential (a dict) with Data Integrity proofs, a compact VC-JWT
    (a str), a JAdES-sealed EDC (its envelope, a dict), a baked badge (PNG or SVG
    bytes), or a presentation (a dict with a Data Integrity proof, or a VP-JWT): then
    *challenge* and *domain* are what its proof must carry, and every credential inside
    is verified too (:mod:`edc_issue._presentations`). Data Integrity proofs are
    checked with the allowlisted suites; keys come from
    did:key (offline), from *controllers*, from the network only with
    *allow_network*, or from an https / did:web URL fragment holding the key. The key's
    binding to the issuer is its own check: unconfirmed is a warning (``ok`` stays
    true) unless *require_key_binding*.

    :param trust: trust anchors for sealed (JAdES) documents: certificates, or PEM/DER
        bytes. Without any, the EU samples' test anchor applies and is reported as such.
    :param controllers: controller documents, DID documents or verification methods
        the caller trusts.
    :param clock: returns "now" for date checks (default: the system clock).
    :param status_lists: Bitstring Status List credentials (or 1EdTech revocation lists)
        to check ``credentialStatus`` against, matched by their ``id``: paths to their
        files, parsed JSON objects or VC-JWTs; or a mapping from the URL a list is
        published at to the list. One that cannot be read, or is no status list, raises
        an ``InputError`` naming it; when lists are given and none is the one the
        credential points to, the status check fails. A list that is not given is
        fetched only with *allow_network*; otherwise the status check is a warning.
    :param check_status: set False to skip ``credentialStatus`` entirely.
    :param require_status: fail, instead of warn, when the credential's status could not
        be checked.
    :param fetcher: makes the requests *allow_network* permits.
    :param check_conformance: check a sealed EDC's payload against its SHACL profile.
    :param allow_unsigned_presentation: accept a presentation without a proof (a warning)
        when no *challenge* or *domain* is expected; by default it is not verified.
    :param check_data_model: check the credential against the W3C VC Data Model (the
        ``vcdm.*`` checks, every format); False skips them.
    :returns: a result whose ``ok`` is False when a check of severity ``error`` failed;
        never raises because a credential is bad.
    :raises EdcIssueError: only when no answer can be reached.
    """
    verifier = Verifier(
        trust=trust, controllers=controllers, allow_network=allow_network,
        require_key_binding=require_key_binding, proof_purpose=proof_purpose, domain=domain,
        challenge=challenge, loader=loader, registry=registry, resolver=resolver,
        clock=clock, check_dates=check_dates, status_lists=status_lists,
        check_status=check_status, require_status=require_status, fetcher=fetcher,
        check_conformance=check_conformance,
        allow_unsigned_presentation=allow_unsigned_presentation,
        check_data_model=check_data_model,
    )
    return verifier.verify(document)
