"""The :class:`Issuer`: one signer and one set of settings, issuing credential after
credential (an LMS plugin, a batch, a service tenant builds one and keeps it).

:func:`edc_issue.sign` is ``Issuer(key, ...).issue(credential)`` in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ._data_model import require_data_model
from ._io import check_depth, copy_json
from ._types import Clock, JsonObject, Signer
from .errors import ConfigError, InputError
from .keys.signing import is_signer, signer_controller, signer_kind
from .proofs.data_integrity import ASSERTION_METHOD
from .proofs.issue import add_data_integrity_proof
from .proofs.registry import SuiteRegistry, default_registry

if TYPE_CHECKING:
    from .jsonld import OfflineLoader
    from .status.lists import StatusList

__all__ = ["VC_JWT", "Issuer"]

#: The ``suite`` name that makes a compact VC-JWT instead of a Data Integrity proof.
VC_JWT = "vc-jwt"


class Issuer:
    """Signs credentials with one :class:`~edc_issue.Signer`, with settings held once.

    ::

        issuer = edc_issue.Issuer(key, suite="eddsa-rdfc-2022", status_list=status_list)
        signed = issuer.issue(credential)

    :param signer: a :class:`~edc_issue.Key`, or any object with ``id``, ``algorithm``
        and ``sign(data) -> bytes`` (an HSM, a cloud KMS, a remote signing service).
    :param suite: ``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019`` or ``vc-jwt``; default from
        the signer's algorithm (Ed25519 → eddsa-rdfc-2022, ES256/ES384 → ecdsa-rdfc-2019).
    :param status_list: a :class:`~edc_issue.status.StatusList`; each issued credential
        gets a never-used index of it as ``credentialStatus``.
    :param clock: returns "now" for the proof's ``created`` (default: the system clock).
    :param loader: resolves ``@context``; default: bundled contexts only, offline.
    :param registry: the cryptosuites allowed (default: the built-in allowlist).
    :param issuer_from_key: set ``issuer`` (or ``issuer.id``) to the signer's controller,
        which verifiers such as vc-js require to control the key.
    :param proof_purpose: the proofs' ``proofPurpose``.
    :param proof_as_list: write ``proof`` as an array; by default it is an array for Open
        Badges and CLR credentials (their JSON Schema requires it) or when the proof set
        holds several proofs.
    :param check_data_model: refuse a credential that does not follow the W3C VC Data
        Model (1.1 or 2.0, by its first ``@context``) with a
        :class:`~edc_issue.errors.DataModelError` listing every problem; set False only
        for test vectors that break the rules on purpose.
    :raises InputError: ``input.invalid`` when *signer* is not a signer.
    :raises ProofFormatError: ``proof.unknown_suite`` for an unknown *suite*.
    :raises KeyMaterialError: ``key.unsupported`` for a signer algorithm that is not
        supported.
    """

    def __init__(
        self,
        signer: Signer,
        *,
        suite: str | None = None,
        status_list: StatusList | None = None,
        clock: Clock | None = None,
        loader: OfflineLoader | None = None,
        registry: SuiteRegistry | None = None,
        issuer_from_key: bool = False,
        proof_purpose: str = ASSERTION_METHOD,
        proof_as_list: bool | None = None,
        check_data_model: bool = True,
    ) -> None:
        if not is_signer(signer):
            raise InputError(
                "the signer must be an edc_issue Key (load_key, generate_key) or an object "
                "with id, algorithm and sign(data)", pointer="key", code="input.invalid")
        signer_kind(signer)  # an algorithm we cannot use is refused now, not at issue()
        self.signer = signer
        self.registry = registry or default_registry()
        if suite is not None and suite != VC_JWT:
            self.registry.get(suite)  # an unknown suite is refused now (did-you-mean)
        self.suite = suite
        self.status_list = status_list
        self.clock = clock
        self.loader = loader
        self.issuer_from_key = issuer_from_key
        self.proof_purpose = proof_purpose
        self.proof_as_list = proof_as_list
        self.check_data_model = check_data_model

    def __repr__(self) -> str:
        return f"Issuer(signer={self.signer.id!r}, suite={self.suite!r})"

    def issue(
        self,
        credential: JsonObject,
        *,
        created: str | datetime | None = None,
        expires: str | datetime | None = None,
        domain: str | Sequence[str] | None = None,
        challenge: str | None = None,
        proof_id: str | None = None,
        previous_proof: str | Sequence[str] | None = None,
    ) -> JsonObject | str:
        """Sign *credential* and return the secured credential (a new dict), or a compact
        JWS string when the suite is ``vc-jwt``. *credential* itself is not changed.

        :param created: the proof's ``created`` (ISO 8601); default: now, from the clock.
        :param expires: the proof's ``expires``.
        :param domain: the proof's ``domain`` (one or several).
        :param challenge: the proof's ``challenge``.
        :param proof_id: the new proof's ``id``; *previous_proof* names proofs already on
            the credential that it chains to (a proof chain); other existing proofs form a
            proof set.
        :raises DataModelError: ``vcdm.*``: the credential does not follow the VC Data
            Model (every problem in ``problems``), unless ``check_data_model=False``.
        :raises JsonLdError: a term or type that no context defines (signing is strict).
        :raises KeyMaterialError: ``proof.algorithm_mismatch``, ``key.no_secret``.
        :raises SignerError: ``signer.failed`` when the signer's backend fails.
        :raises StatusError: ``status.list_full`` and friends, with a status list.
        """
        if not isinstance(credential, dict):
            raise InputError("a credential must be a JSON object", code="input.invalid")
        check_depth(credential, source="credential")
        document = copy_json(credential)
        if self.issuer_from_key:
            document = self._set_issuer(document)
        if self.check_data_model:
            require_data_model(document)  # before a status index is spent on it
        if self.status_list is not None:
            from .status.lists import attach_status

            [index] = self.status_list.allocate(1)
            document = attach_status(document, self.status_list.entry(index))
        if self.suite == VC_JWT:
            from .proofs.vc_jwt import sign_jwt

            return sign_jwt(document, self.signer)
        if created is None and self.clock is not None:
            created = self.clock()
        return add_data_integrity_proof(
            document, self.signer, suite=self.suite, registry=self.registry, created=created,
            proof_purpose=self.proof_purpose, expires=expires, domain=domain,
            challenge=challenge, proof_id=proof_id, previous_proof=previous_proof,
            proof_as_list=self.proof_as_list, loader=self.loader,
        )

    def _set_issuer(self, document: JsonObject) -> JsonObject:
        controller = signer_controller(self.signer)
        if not controller:
            raise ConfigError("the key has no controller to use as issuer",
                              code="config.invalid")
        issuer = document.get("issuer")
        if isinstance(issuer, dict):
            document["issuer"] = dict(issuer, id=controller)
        else:
            document["issuer"] = controller
        return document
