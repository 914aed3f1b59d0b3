"""The presentation inputs of the W3C VC Data Model 2.0 test suite
(``w3c/vc-data-model-2.0-test-suite``, tests/input/presentation-*.json), as that suite
uses them: the credentials inside are secured, the presentation is signed by the suite's
own holder key (``holder-key.json``, the did:key its inputs name) with a challenge and a
domain, and then verified.

- each ``*-ok`` one signs (Data Integrity and VP-JWT) and verifies, every credential too;
- each ``*-fail`` one is refused by :func:`sign_presentation` with the path of the
  problem, and, signed anyway (``check_data_model=False``), fails verification at that
  path;
- the self-asserted ones (VC Data Model 2.0 §5.12, "Presentations Including Holder
  Claims") sign, and fail when the holder is not the issuer; without a holder they verify
  with a warning (the suite's own test of a VP of credentials signed with its key, and no
  holder, expects it to verify: 4.13-verifiable-presentations.js).
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue import build_presentation, sign, sign_presentation, verify
from edc_issue._b64 import b64url_encode
from edc_issue._presentations import ENVELOPED_TYPE, PresentationResult, envelope_jwt
from edc_issue.errors import EdcIssueError, InputError
from edc_issue.keys import generate_key, load_key

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "presentations"
INPUTS = sorted((HERE / "vcdm2").glob("presentation-*.json"))
HOLDER = load_key(HERE / "holder-key.json")
ISSUER = generate_key("ed25519")
CHALLENGE = "u3Jk1bS0mXh9JcK2yq3m1Qw"
DOMAIN = "verifier.example"

OK = [p for p in INPUTS if p.stem.endswith("-ok")]
#: the path of the problem each refused input has
FAIL = {
    "presentation-context-order-fail": "@context",
    "presentation-enveloped-vc-missing-type-fail": "verifiableCredential[0].type",
    "presentation-holder-fail": "holder",
    "presentation-holder-name-fail": "holder.id",
    "presentation-holder-object-fail": "holder.id",
    "presentation-missing-base-context-fail": "@context",
    "presentation-missing-required-type-fail": "type",
    "presentation-no-context-fail-or-inject": "@context",
    "presentation-no-type-fail": "type",
    "presentation-vc-as-string-fail": "verifiableCredential[0]",
    "presentation-vc-missing-required-type-fail": "verifiableCredential[0].type",
}
#: the self-asserted inputs that must not verify, and where
SELF_ASSERTED_FAIL = {
    "presentation-self-asserted-vc-holder-mismatch": "verifiableCredential[0].issuer",
    "presentation-self-asserted-vc-issuer-mismatch": "verifiableCredential[0].issuer",
}
#: verifies, with a warning at this path: the credential's own proof authenticates its
#: issuer; only "the issuer is the holder" is unconfirmed without a holder
SELF_ASSERTED_WARN = {"presentation-self-asserted-vc-no-holder": "holder"}


def test_every_input_is_a_case() -> None:
    names = {p.stem for p in INPUTS}
    assert len(names) == 25
    assert names == ({p.stem for p in OK} | set(FAIL) | set(SELF_ASSERTED_FAIL)
                     | set(SELF_ASSERTED_WARN))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _jwt_payload(token: str) -> Any:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _secure(presentation: Any, *, self_asserted: bool) -> Any:
    """Secure each credential as the suite's generator does: a self-asserted one with the
    holder's key (its issuer as given), any other with an issuer key of its own; an
    enveloped VC-JWT is re-signed (the input's signature is by a key nobody publishes)."""
    out = copy.deepcopy(presentation)
    entries = out.get("verifiableCredential")
    if not isinstance(entries, list):
        return out
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        ident = entry.get("id")
        if isinstance(ident, str) and ident.startswith("data:"):
            token = ident.partition(",")[2]
            payload = _jwt_payload(token)
            credential = payload.get("vc", payload)
            # the suite's vectors break the data model on purpose: signed as they are,
            # so that verify() is what refuses them
            resigned = sign(credential, ISSUER, issuer_from_key=True, suite="vc-jwt",
                            check_data_model=False)
            assert isinstance(resigned, str)
            entries[index] = dict(entry, id=envelope_jwt(resigned)["id"])
        elif "proof" not in entry:
            try:
                entries[index] = (
                    sign(entry, HOLDER, check_data_model=False) if self_asserted
                    else sign(entry, ISSUER, issuer_from_key=True, check_data_model=False))
            except EdcIssueError:
                pass  # e.g. "type": [] defines no credential terms: it stays unsigned
    return out


def _failed_paths(result: Any) -> set[str]:
    return {c.path for c in result.checks if not c.ok and c.severity == "error" and c.path}


@pytest.mark.parametrize("suite", [None, "vc-jwt"])
@pytest.mark.parametrize("path", OK, ids=lambda p: p.stem)
def test_ok_input_signs_and_verifies(path: Path, suite: str | None) -> None:
    vp = _secure(_load(path), self_asserted="self-asserted" in path.stem)
    signed = sign_presentation(vp, HOLDER, challenge=CHALLENGE, domain=DOMAIN, suite=suite)
    if suite is None:
        assert isinstance(signed, dict)
        assert signed["proof"]["proofPurpose"] == "authentication"
        assert signed["proof"]["challenge"] == CHALLENGE
        assert signed["proof"]["domain"] == DOMAIN
    else:
        assert isinstance(signed, str)
    result = verify(signed, challenge=CHALLENGE, domain=DOMAIN)
    assert result.ok, [c.to_json() for c in result.checks if not c.ok]
    assert isinstance(result, PresentationResult)
    credentials = vp.get("verifiableCredential", [])
    assert len(result.credentials) == len(credentials)
    assert all(c is not None and c.ok for c in result.credentials)
    # and each credential's checks are in the presentation's result, by index
    for index in range(len(credentials)):
        assert any(c.check.startswith(f"verifiableCredential[{index}].") and c.ok
                   and c.check.endswith("signature") for c in result.checks)


@pytest.mark.parametrize("name", sorted(FAIL))
def test_fail_input_is_refused_and_fails_verification(name: str) -> None:
    expected = FAIL[name]
    vp = _secure(_load(HERE / "vcdm2" / f"{name}.json"), self_asserted=False)
    with pytest.raises(InputError) as refused:
        sign_presentation(vp, HOLDER, challenge=CHALLENGE, domain=DOMAIN)
    assert refused.value.pointer == expected
    assert expected in {p for p, _m in refused.value.problems}
    try:
        document: Any = sign_presentation(vp, HOLDER, challenge=CHALLENGE, domain=DOMAIN,
                                          check_data_model=False)
    except EdcIssueError:
        document = vp  # it cannot even be signed (no @context): verify it as it is
    result = verify(document, challenge=CHALLENGE, domain=DOMAIN)
    assert not result.ok
    assert expected in _failed_paths(result), [c.to_json() for c in result.checks]


@pytest.mark.parametrize("name", sorted(SELF_ASSERTED_FAIL))
def test_self_asserted_mismatch_fails_verification(name: str) -> None:
    vp = _secure(_load(HERE / "vcdm2" / f"{name}.json"), self_asserted=True)
    signed = sign_presentation(vp, HOLDER, challenge=CHALLENGE, domain=DOMAIN)
    result = verify(signed, challenge=CHALLENGE, domain=DOMAIN)
    assert not result.ok
    assert SELF_ASSERTED_FAIL[name] in _failed_paths(result), [
        c.to_json() for c in result.checks if not c.ok]


@pytest.mark.parametrize("name", sorted(SELF_ASSERTED_WARN))
def test_self_asserted_without_holder_verifies_with_a_warning(name: str) -> None:
    # as the W3C VC DM 2.0 suite's "verifiableCredential ... one or more verifiable
    # credentials" test signs it: credentials with proofs by the presentation's key, and
    # no holder; it must verify there
    vp = _secure(_load(HERE / "vcdm2" / f"{name}.json"), self_asserted=True)
    assert "holder" not in vp
    result = verify(sign_presentation(vp, HOLDER, challenge=CHALLENGE, domain=DOMAIN),
                    challenge=CHALLENGE, domain=DOMAIN)
    assert result.ok, [c.to_json() for c in result.checks if not c.ok]
    [warning] = [c for c in result.checks if c.code == "vcdm.self_asserted_no_holder"]
    assert not warning.ok and warning.severity == "warning"
    assert warning.path == SELF_ASSERTED_WARN[name]
    # and a credential with no proof of its own (secured by the presentation alone, where
    # §5.12 requires a holder) still fails
    bare = copy.deepcopy(vp)
    bare["verifiableCredential"][0].pop("proof")
    result = verify(sign_presentation(bare, HOLDER, challenge=CHALLENGE, domain=DOMAIN),
                    challenge=CHALLENGE, domain=DOMAIN)
    assert not result.ok
    assert "proof.missing" in {c.code for c in result.checks if not c.ok}


def test_holder_mismatch_is_also_a_key_binding_failure() -> None:
    vp = _secure(_load(HERE / "vcdm2" / "presentation-self-asserted-vc-holder-mismatch.json"),
                 self_asserted=True)
    result = verify(sign_presentation(vp, HOLDER, challenge=CHALLENGE), challenge=CHALLENGE)
    binding = next(c for c in result.checks if c.check == "proof.eddsa-rdfc-2022.key_binding")
    assert not binding.ok and binding.code == "proof.key_binding_mismatch"


# ---- challenge, domain, no proof ---------------------------------------------------------


def _signed_ok(suite: str | None = None) -> Any:
    vp = _secure(_load(HERE / "vcdm2" / "presentation-vc-ok.json"), self_asserted=False)
    return sign_presentation(vp, HOLDER, challenge=CHALLENGE, domain=DOMAIN, suite=suite)


def _codes(result: Any) -> set[str]:
    return {c.code for c in result.checks if not c.ok and c.severity == "error" and c.code}


@pytest.mark.parametrize("suite", [None, "vc-jwt"])
def test_wrong_challenge_or_domain_fails(suite: str | None) -> None:
    signed = _signed_ok(suite)
    assert _codes(verify(signed, challenge="another", domain=DOMAIN)) == {
        "proof.challenge_mismatch"}
    assert _codes(verify(signed, challenge=CHALLENGE, domain="elsewhere.example")) == {
        "proof.domain_mismatch"}


@pytest.mark.parametrize("suite", [None, "vc-jwt"])
def test_no_expected_challenge_fails_closed(suite: str | None) -> None:
    assert _codes(verify(_signed_ok(suite))) == {"proof.challenge_required"}


def test_a_credential_proof_is_no_presentation_proof() -> None:
    # a presentation signed with purpose assertionMethod (as a credential) is refused
    vp = _secure(_load(HERE / "vcdm2" / "presentation-vc-ok.json"), self_asserted=False)
    signed = sign(vp, HOLDER, challenge=CHALLENGE)
    assert "proof.purpose_mismatch" in _codes(verify(signed, challenge=CHALLENGE))


def test_an_unsigned_presentation_is_not_verified_unless_allowed() -> None:
    vp = _secure(_load(HERE / "vcdm2" / "presentation-vc-ok.json"), self_asserted=False)
    assert "proof.missing" in _codes(verify(vp))
    allowed = verify(vp, allow_unsigned_presentation=True)
    assert allowed.ok
    assert [c.code for c in allowed.warnings] == ["proof.missing"]
    # a challenge that nothing carries cannot be checked: still a failure
    assert "proof.missing" in _codes(verify(vp, allow_unsigned_presentation=True,
                                            challenge=CHALLENGE))
    # and the credentials inside are verified all the same
    tampered = copy.deepcopy(vp)
    tampered["verifiableCredential"][0]["credentialSubject"]["id"] = "did:example:mallory"
    assert not verify(tampered, allow_unsigned_presentation=True).ok


def test_a_changed_credential_fails_inside_a_signed_presentation() -> None:
    signed = _signed_ok()
    signed["verifiableCredential"][0]["credentialSubject"]["id"] = "did:example:mallory"
    result = verify(signed, challenge=CHALLENGE, domain=DOMAIN)
    assert not result.ok
    failed = {c.check for c in result.checks if not c.ok}
    assert "proof.eddsa-rdfc-2022.signature" in failed
    assert "verifiableCredential[0].proof.eddsa-rdfc-2022.signature" in failed
    assert isinstance(result, PresentationResult) and result.credentials[0] is not None
    assert not result.credentials[0].ok


def test_the_published_enveloped_credential_is_not_trusted() -> None:
    # the input's VC-JWT names no key (no kid, no jwk): it cannot be checked, so it fails
    vp = _load(HERE / "vcdm2" / "presentation-enveloped-vc-ok.json")
    signed = sign_presentation(vp, HOLDER, challenge=CHALLENGE)
    result = verify(signed, challenge=CHALLENGE)
    assert not result.ok
    assert any(c.check == "verifiableCredential[0].jwt.signature" and not c.ok
               for c in result.checks)


def test_an_envelope_of_another_media_type_is_a_failed_check() -> None:
    vp = build_presentation([], holder=HOLDER.controller)
    vp["verifiableCredential"] = [{"@context": "https://www.w3.org/ns/credentials/v2",
                                   "type": ENVELOPED_TYPE,
                                   "id": "data:application/vc+cose;base64,AAAA"}]
    result = verify(sign_presentation(vp, HOLDER, challenge=CHALLENGE), challenge=CHALLENGE)
    assert "vcdm.enveloped_credential" in _codes(result)


# ---- holder binding ---------------------------------------------------------------------


def test_holder_who_is_the_subject_binds_and_another_is_a_warning() -> None:
    about_holder = sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                         "type": ["VerifiableCredential"], "issuer": "did:example:x",
                         "credentialSubject": {"id": HOLDER.controller}},
                        ISSUER, issuer_from_key=True)
    about_other = sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                        "type": ["VerifiableCredential"], "issuer": "did:example:x",
                        "credentialSubject": {"id": "did:example:someone-else"}},
                       ISSUER, issuer_from_key=True)
    vp = build_presentation([about_holder, about_other], holder=HOLDER.controller)
    result = verify(sign_presentation(vp, HOLDER, challenge=CHALLENGE), challenge=CHALLENGE)
    assert result.ok
    bound = next(c for c in result.checks if c.check == "verifiableCredential[0].holder_binding")
    assert bound.ok
    other = next(c for c in result.checks if c.check == "verifiableCredential[1].holder_binding")
    assert not other.ok and other.severity == "warning"
    assert other.code == "credential.holder_not_subject"


def test_build_presentation_envelopes_jwts_and_refuses_other_values() -> None:
    token = sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                  "type": ["VerifiableCredential"], "issuer": "did:example:x",
                  "credentialSubject": {"id": HOLDER.controller}},
                 ISSUER, issuer_from_key=True, suite="vc-jwt")
    assert isinstance(token, str)
    vp = build_presentation([token], holder=HOLDER.controller, presentation_id="urn:uuid:1")
    assert vp["verifiableCredential"] == [envelope_jwt(token)]
    assert vp["verifiableCredential"][0]["id"].startswith("data:application/vc+jwt,ey")
    assert verify(sign_presentation(vp, HOLDER, challenge=CHALLENGE),
                  challenge=CHALLENGE).ok
    with pytest.raises(InputError) as refused:
        build_presentation([42])  # type: ignore[list-item]
    assert refused.value.pointer == "verifiableCredential[0]"
    with pytest.raises(InputError):
        sign_presentation(vp, HOLDER, challenge="")


def test_vp_jwt_of_the_vc_data_model_1_1_form_verifies() -> None:
    """A VP-JWT whose presentation is its ``vp`` claim (VC Data Model 1.1 §6.3.1)."""
    vp = build_presentation([_signed_ok()["verifiableCredential"][0]],
                            holder=HOLDER.controller)
    header = {"alg": "EdDSA", "typ": "JWT", "kid": HOLDER.id}
    payload = {"iss": HOLDER.controller, "aud": DOMAIN, "nonce": CHALLENGE, "vp": vp}
    signing_input = (b64url_encode(json.dumps(header).encode()) + "."
                     + b64url_encode(json.dumps(payload).encode()))
    token = f"{signing_input}.{b64url_encode(HOLDER.sign(signing_input.encode()))}"
    result = verify(token, challenge=CHALLENGE, domain=DOMAIN)
    assert result.ok, [c.to_json() for c in result.checks if not c.ok]
    assert result.format == "vp-jwt" and len(result.credentials) == 1  # type: ignore[attr-defined]
    assert _codes(verify(token, challenge="other", domain=DOMAIN)) == {
        "proof.challenge_mismatch"}


# ---- never raises ----------------------------------------------------------------------------


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += _paths(value, (*prefix, index))
    return out


def test_verify_answers_every_mutation_of_a_presentation() -> None:
    """A wrong type at every path of a signed presentation (its proof, holder, the
    credentials and their proofs, an envelope) is a result, never an exception."""
    token = sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                  "type": ["VerifiableCredential"], "issuer": "did:example:x",
                  "credentialSubject": {"id": HOLDER.controller}},
                 ISSUER, issuer_from_key=True, suite="vc-jwt")
    assert isinstance(token, str)
    base = _signed_ok()
    base = sign_presentation(
        build_presentation([base["verifiableCredential"][0], token], holder=HOLDER.controller),
        HOLDER, challenge=CHALLENGE)
    values: list[Any] = [None, 7, "", "x", [], {}, [{}], {"id": 1}, ["a", 2],
                         "data:application/vc+jwt;base64,!!"]
    count = 0
    for path in _paths(base)[1:]:
        for value in values:
            doc = copy.deepcopy(base)
            target = doc
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            result = verify(doc, challenge=CHALLENGE)
            assert isinstance(result.ok, bool)
            count += 1
    assert count > 300
