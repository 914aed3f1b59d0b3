"""Verification policy for Data Integrity proofs and VC-JWTs: everything the caller decides
beyond "does the signature verify" (vc-data-integrity §4.4 and §2.2: purpose, domain,
challenge, expiry, key binding, coverage), and the credential's validity dates.

:class:`ProofVerifier` holds the resolver, the suite registry, the loader and the
:class:`ProofPolicy`; :class:`edc_issue.Verifier` builds one and asks it for every JSON-LD
credential and every VC-JWT. Nothing here raises because a document is bad: each problem is
a failed :class:`~edc_issue.results.Check`.

See: <https://www.w3.org/TR/vc-data-integrity/#verify-proof>,
<https://www.w3.org/TR/vc-data-integrity/#proof-purposes>
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .._dates import parse_datetime
from .._types import JsonObject
from .._validity import validity_checks
from ..errors import EdcIssueError
from ..jsonld import OfflineLoader
from ..results import Check, Severity, VerificationResult
from .data_integrity import ASSERTION_METHOD, document_proofs, verify_proof_value
from .registry import SuiteRegistry
from .resolver import ResolvedMethod, VerificationMethodResolver

__all__ = ["ProofPolicy", "ProofVerifier"]


@dataclass(frozen=True)
class ProofPolicy:
    """What a proof must satisfy besides a good signature.

    :param proof_purpose: the ``proofPurpose`` expected (``assertionMethod`` for
        credentials, ``authentication`` for presentations).
    :param domain: the ``domain`` the proof must name, when given.
    :param challenge: the ``challenge`` the proof must carry, when given.
    :param require_key_binding: an unconfirmed binding of the key to the issuer fails
        (severity ``error``) instead of warning.
    :param check_dates: check the credential's validity period.
    """

    proof_purpose: str = ASSERTION_METHOD
    domain: str | None = None
    challenge: str | None = None
    require_key_binding: bool = False
    check_dates: bool = True


def issuer_id(document: Mapping[str, Any]) -> str | None:
    """Return the id of the document's ``issuer`` (or, for a presentation, ``holder``)."""
    for field_name in ("issuer", "holder"):
        value = document.get(field_name)
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, str):
            return value
    return None


def _previous_ids(value: Any) -> list[str] | None:
    """The ids a ``previousProof`` names (a string or a list of strings), or None when it is
    neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def chain_checks(proofs: list[Any], passed: list[bool], several: bool) -> list[Check]:
    """The ``previousProof`` checks of a proof chain (vc-data-integrity §2.1.2, §4.4).

    A proof that names previous proofs is good only if every one it names is on the
    document and is good itself, in turn (so a chain is checked from its first proof
    on); *passed* says, per proof, whether its own checks passed. A proof naming one that
    is missing fails (``proof.previous_missing``), as does one naming a proof that failed
    or whose own chain is broken (``proof.previous_failed``), or a ``previousProof`` that
    is neither a string nor a list of strings (``proof.malformed``).
    """
    by_id: dict[str, int] = {}
    for index, proof in enumerate(proofs):
        if isinstance(proof, dict) and isinstance(proof.get("id"), str):
            by_id.setdefault(proof["id"], index)
    memo: dict[int, bool] = {}

    def good(index: int, seen: frozenset[int]) -> bool:
        if index in memo:
            return memo[index]
        proof = proofs[index]
        ok = passed[index]
        previous = proof.get("previousProof") if isinstance(proof, dict) else None
        if previous is not None:
            ids = _previous_ids(previous)
            if ids is None or any(i not in by_id for i in ids):
                ok = False
            else:
                for ref in ids:
                    target = by_id[ref]
                    if target in seen or target == index or not good(target, seen | {index}):
                        ok = False
        memo[index] = ok
        return ok

    checks: list[Check] = []
    for index, proof in enumerate(proofs):
        previous = proof.get("previousProof") if isinstance(proof, dict) else None
        if previous is None:
            continue
        label = f"proof[{index}]" if several else "proof"
        name, path = f"{label}.previousProof", f"{label}.previousProof"
        ids = _previous_ids(previous)
        if ids is None:
            checks.append(Check(name, False, "previousProof must be a proof id or a list of "
                                f"proof ids, not {previous!r}", path=path,
                                code="proof.malformed"))
            continue
        missing = [i for i in ids if i not in by_id]
        if missing:
            checks.append(Check(name, False, f"previousProof names {', '.join(missing)}, "
                                "which the document does not hold", path=path,
                                code="proof.previous_missing"))
            continue
        broken = [i for i in ids if by_id[i] == index or not good(by_id[i], frozenset({index}))]
        if broken:
            checks.append(Check(name, False, f"the previous proof {', '.join(broken)} does "
                                "not verify, so this link of the chain fails", path=path,
                                code="proof.previous_failed"))
        else:
            checks.append(Check(name, True, f"the previous proof {', '.join(ids)} verifies",
                                path=path))
    return checks


def _endorse_cosignatures(proofs: list[Any], per_proof: list[list[Check]], signed: list[bool],
                          several: bool) -> None:
    """Accept a co-signer's proof that a proof by the issuer covers through ``previousProof``.

    In a proof chain (vc-data-integrity §2.1.2) a later proof signs the document together
    with the proofs it names, so an issuer's proof that names a co-signer's (a witness, a
    notary) vouches for it. Such a proof, whose signature verifies and whose only error is
    that its key is not the issuer's (``proof.key_binding_mismatch``), passes when a proof
    that passes every check, key binding included, reaches it through ``previousProof``
    links. A co-signer's proof that no issuer's proof covers (a bare proof set) still fails.
    """
    by_id: dict[str, int] = {}
    for index, proof in enumerate(proofs):
        if isinstance(proof, dict) and isinstance(proof.get("id"), str):
            by_id.setdefault(proof["id"], index)

    def errors(index: int) -> list[Check]:
        return [c for c in per_proof[index] if not c.ok and c.severity == "error"]

    def covered(start: int) -> set[int]:
        reached: set[int] = set()
        todo = [start]
        while todo:
            proof = proofs[todo.pop()]
            ids = _previous_ids(proof.get("previousProof")) if isinstance(proof, dict) else None
            for ref in ids or []:
                target = by_id.get(ref)
                if target is not None and target != start and target not in reached:
                    reached.add(target)
                    todo.append(target)
        return reached

    issuers = [i for i in range(len(proofs)) if signed[i] and not errors(i)]
    for issuer_proof in issuers:
        issuer_label = f"proof[{issuer_proof}]" if several else "proof"
        for index in sorted(covered(issuer_proof)):
            failing = errors(index)
            if not signed[index] or not failing or any(
                    c.code != "proof.key_binding_mismatch" for c in failing):
                continue
            per_proof[index] = [
                Check(c.check, True, f"{c.message}: a co-signature, which the issuer's "
                      f"{issuer_label} covers through previousProof", path=c.path)
                if c in failing else c for c in per_proof[index]]


class ProofVerifier:
    """Checks Data Integrity proofs and VC-JWTs under one policy.

    :param resolver: finds the key behind a ``verificationMethod`` or ``kid``.
    :param registry: the cryptosuites allowed.
    :param loader: resolves ``@context`` (None: the bundled contexts, offline).
    :param policy: purpose, domain, challenge, key binding, dates.
    """

    def __init__(self, *, resolver: VerificationMethodResolver, registry: SuiteRegistry,
                 loader: OfflineLoader | None = None, policy: ProofPolicy | None = None
                 ) -> None:
        self.resolver = resolver
        self.registry = registry
        self.loader = loader
        self.policy = policy or ProofPolicy()

    # ---- Data Integrity ----------------------------------------------------------------

    def verify_data_integrity(self, document: JsonObject, now: datetime) -> VerificationResult:
        """Check every proof of *document* and its validity dates."""
        result = VerificationResult(document=document)
        proofs = document_proofs(document)
        if not proofs:
            result.add(Check("proof", False, "the document has no proof", path="proof",
                             code="proof.missing"))
            self._add_dates(result, document, now)
            return result
        several = isinstance(document.get("proof"), list)
        verified = 0
        per_proof: list[list[Check]] = []
        signed: list[bool] = []
        for index, proof in enumerate(proofs):
            label = f"proof[{index}]" if several else "proof"
            checks, signature_ok = self._verify_proof(document, proof, proofs, label, now)
            per_proof.append(checks)
            signed.append(signature_ok)
            verified += signature_ok
        _endorse_cosignatures(proofs, per_proof, signed, several)
        passed: list[bool] = []
        for checks, signature_ok in zip(per_proof, signed, strict=True):
            for check in checks:
                result.add(check)
            passed.append(signature_ok and all(c.ok or c.severity != "error" for c in checks))
        for check in chain_checks(proofs, passed, several):
            result.add(check)
        if verified == 0 and all(c.ok or c.severity != "error" for c in result.checks):
            # every proof was skipped (unsupported suites): say so, and fail
            result.add(Check("proofs", False, "no proof could be checked: none uses a "
                             f"supported suite ({', '.join(self.registry.names())})",
                             path="proof", code="proof.none_verified"))
        self._add_dates(result, document, now)
        return result

    def _add_dates(self, result: VerificationResult, document: JsonObject, now: datetime
                   ) -> None:
        if self.policy.check_dates:
            for check in validity_checks(document, now):
                result.add(check)

    def _verify_proof(self, document: JsonObject, proof: Any, proofs: list[Any], label: str,
                      now: datetime) -> tuple[list[Check], bool]:
        checks: list[Check] = []
        if not isinstance(proof, dict):
            return [Check(label, False, "a proof must be a JSON object", path=label,
                          code="proof.malformed")], False
        try:
            suite = self.registry.for_proof(proof)
        except EdcIssueError as exc:
            # an unsupported proof is skipped with a warning (as vc-js does), not counted
            return [Check(f"{label}.suite", False, f"{exc.message}; this proof was not checked",
                          path=f"{label}.cryptosuite", code=exc.code, severity="warning")
                    ], False
        name = f"{label}.{suite.name}"
        for field_name in ("verificationMethod", "proofPurpose", "proofValue"):
            if not isinstance(proof.get(field_name), str) or not proof[field_name]:
                return [Check(f"{name}.signature", False,
                              f'"{field_name}" is missing or not a string',
                              path=f"{label}.{field_name}", code="proof.malformed")], False
        purpose = proof["proofPurpose"]
        expected = self.policy.proof_purpose
        if purpose != expected:
            checks.append(Check(f"{name}.purpose", False,
                                f'proofPurpose is "{purpose}"; expected "{expected}"',
                                path=f"{label}.proofPurpose", code="proof.purpose_mismatch"))
        checks += self._proof_option_checks(proof, label, name, now)
        try:
            resolved = self.resolver.resolve(proof["verificationMethod"])
        except EdcIssueError as exc:
            checks.append(Check(f"{name}.signature", False, str(exc),
                                path=f"{label}.verificationMethod", code=exc.code))
            return checks, False
        key = resolved.key
        if key.kind not in suite.required_algorithm:
            checks.append(Check(
                f"{name}.signature", False,
                f'the verification method is a {key.kind} key; the cryptosuite "{suite.name}" '
                f'requires {" or ".join(suite.required_algorithm)}',
                path=f"{label}.verificationMethod", code="proof.algorithm_mismatch"))
            return checks, False
        try:
            outcome = verify_proof_value(document, proof, key, suite, all_proofs=proofs,
                                         loader=self.loader)
        except EdcIssueError as exc:
            checks.append(Check(f"{name}.signature", False, str(exc), path=label,
                                code=exc.code))
            return checks, False
        valid = outcome.valid
        if valid:
            checks.append(Check(f"{name}.signature", True,
                                f"{suite.name} signature verifies with {key.id}", path=label))
        else:
            checks.append(Check(f"{name}.signature", False,
                                f"{suite.name} signature does not verify with {key.id}: the "
                                "document or its proof was changed, or another key signed it",
                                path=f"{label}.proofValue", code="proof.bad_signature"))
        if outcome.unsigned:
            first_path, first_message = outcome.unsigned[0]
            more = (f" (and {len(outcome.unsigned) - 1} more)" if len(outcome.unsigned) > 1
                    else "")
            checks.append(Check(
                f"{name}.coverage", False,
                f"{first_message}{more}: no @context defines it, so the signature does not "
                "cover it and a change would go unnoticed (vc-js refuses such documents)",
                path=first_path or None, code="proof.unsigned_data"))
        authorized = resolved.is_authorized(purpose)
        if authorized is False:
            checks.append(Check(f"{name}.purpose", False,
                                f"the controller document of {resolved.controller} does not "
                                f"list {key.id} under {purpose}",
                                path=f"{label}.verificationMethod",
                                code="proof.method_not_authorized"))
        checks.append(self.binding_check(document, resolved, label, name))
        return checks, valid

    def _proof_option_checks(self, proof: JsonObject, label: str, name: str, now: datetime
                             ) -> list[Check]:
        checks: list[Check] = []
        expires = proof.get("expires")
        if expires is not None:
            when = parse_datetime(expires)
            if when is None or when <= now:
                checks.append(Check(f"{name}.expires", False,
                                    f"the proof expired at {expires}" if when else
                                    f'"expires" is not a dateTime: {expires!r}',
                                    path=f"{label}.expires", code="proof.expired"))
        domain = self.policy.domain
        if domain is not None:
            domains = proof.get("domain")
            domains = domains if isinstance(domains, list) else [domains]
            if domain not in domains:
                checks.append(Check(f"{name}.domain", False,
                                    f'the proof\'s domain {proof.get("domain")!r} is not '
                                    f'"{domain}"', path=f"{label}.domain",
                                    code="proof.domain_mismatch"))
        challenge = self.policy.challenge
        if challenge is not None and proof.get("challenge") != challenge:
            checks.append(Check(f"{name}.challenge", False,
                                "the proof's challenge does not match",
                                path=f"{label}.challenge", code="proof.challenge_mismatch"))
        return checks

    def binding_check(self, document: JsonObject, resolved: ResolvedMethod, label: str,
                      name: str) -> Check:
        """Whether the document's issuer (a presentation's holder) controls the key that
        signed it (``key_binding``).

        Unconfirmed is a warning unless the policy requires the binding.
        """
        issuer = issuer_id(document)
        types = document.get("type")
        presented = "VerifiablePresentation" in (types if isinstance(types, list) else [types])
        role = ("holder" if "issuer" not in document and ("holder" in document or presented)
                else "issuer")
        check = f"{name}.key_binding"
        path = f"{label}.kid" if label == "header" else f"{label}.verificationMethod"
        unconfirmed: Severity = "error" if self.policy.require_key_binding else "warning"
        vm = resolved.key.id
        if resolved.source == "embedded":
            return Check(
                check, False,
                f"key binding unconfirmed: the key is carried in the JWT's own jwk header; "
                f"nothing shows that {role} {issuer} controls it (use kid with a DID, or check "
                "the key out of band)",
                path=path, code="proof.key_binding_unconfirmed", severity=unconfirmed)
        if resolved.source == "fragment":
            return Check(
                check, False,
                f"key binding unconfirmed: the key was taken from the fragment of {vm}; "
                f"no controller document of {resolved.controller} was supplied or fetched, so "
                f"nothing shows that {role} {issuer} controls this key (supply it in "
                "controllers=[...], or fetch it with allow_network=True)",
                path=path, code="proof.key_binding_unconfirmed", severity=unconfirmed)
        if issuer is None:
            return Check(check, False,
                         f"key binding unconfirmed: the document names no {role} to bind the "
                         "key to", path=path, code="proof.key_binding_unconfirmed",
                         severity=unconfirmed)
        if resolved.controller == issuer:
            how = {"did:key": "the did:key itself",
                   "document": "the supplied controller document",
                   "network": "the fetched controller document"}.get(resolved.source, "")
            return Check(check, True, f"{role} {issuer} controls {vm} ({how})", path=path)
        message = (f"{role} {issuer} is not the controller ({resolved.controller}) of the "
                   f"verification method {vm}")
        if issuer.startswith("did:"):
            return Check(check, False, message, path=path, code="proof.key_binding_mismatch")
        return Check(check, False, f"key binding unconfirmed: {message}", path=path,
                     code="proof.key_binding_unconfirmed", severity=unconfirmed)

    # ---- VC-JWT ------------------------------------------------------------------------

    def verify_vc_jwt(self, token: str, now: datetime) -> VerificationResult:
        """Check a compact VC-JWT: signature, claims, key binding, purpose, dates."""
        from .vc_jwt import verify_jwt

        outcome = verify_jwt(token.strip(), resolver=self.resolver, now=now)
        result = VerificationResult(format="vc-jwt", document=outcome.payload)
        for check in outcome.checks:
            result.add(check)
        payload = outcome.payload
        if payload is not None and outcome.resolved is not None:
            result.add(self.binding_check(payload, outcome.resolved, "header", "jwt"))
            authorized = outcome.resolved.is_authorized(ASSERTION_METHOD)
            if authorized is False:
                result.add(Check("jwt.purpose", False,
                                 f"the controller document does not list "
                                 f"{outcome.resolved.key.id} under assertionMethod",
                                 path="header.kid", code="proof.method_not_authorized"))
        if payload is not None:
            self._add_dates(result, payload, now)
        return result
