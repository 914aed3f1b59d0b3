"""The pre-authorized code flow end to end, and each refusal with the code OpenID4VCI 1.0
names for it (§6.3 token errors, §8.3.1.2 credential errors)."""

from __future__ import annotations

from typing import Any

import pytest

from edc_issue import verify
from edc_issue.keys import generate_key
from edc_issue.oid4vci.errors import OID4VCIError
from edc_issue.oid4vci.metadata import PRE_AUTHORIZED_GRANT, CredentialConfiguration
from edc_issue.oid4vci.offers import parse_offer_link
from edc_issue.oid4vci.proof import did_jwk
from edc_issue.proofs.sd_jwt import verify_sd_jwt


def code_of(call: Any) -> str:
    with pytest.raises(OID4VCIError) as caught:
        call()
    return caught.value.code


def test_metadata(issuer: Any) -> None:
    meta = issuer.metadata()
    assert meta["credential_issuer"] == "https://issuer.example/instance/uni"
    assert meta["credential_endpoint"].endswith("/instance/uni/credential")
    assert meta["nonce_endpoint"].endswith("/instance/uni/nonce")
    configs = meta["credential_configurations_supported"]
    assert configs["badge"]["format"] == "ldp_vc"
    assert configs["badge"]["credential_signing_alg_values_supported"] == ["eddsa-rdfc-2022"]
    assert configs["badge"]["credential_definition"]["type"] == [
        "VerifiableCredential", "OpenBadgeCredential"]
    assert configs["badge-jwt"]["credential_signing_alg_values_supported"] == ["ES256"]
    learning = configs["eudi-learning-credential"]
    assert learning["format"] == "dc+sd-jwt"
    assert learning["vct"] == "urn:eu.europa.ec.eudi:learning:credential:1"
    assert learning["cryptographic_binding_methods_supported"] == ["jwk"]
    assert {c["path"][0] for c in learning["credential_metadata"]["claims"]} >= {
        "issuing_authority", "issuing_country", "date_of_issuance", "family_name",
        "given_name", "achievement_title", "learning_outcomes", "assessment_grade"}
    server = issuer.authorization_server_metadata()
    assert server["token_endpoint"].endswith("/instance/uni/token")
    assert server["grant_types_supported"] == [PRE_AUTHORIZED_GRANT]
    assert server["pre-authorized_grant_anonymous_access_supported"] is True


def test_ldp_vc_binds_the_holder_did(issuer: Any, wallet: Any, badge: Any) -> None:
    offer = issuer.create_offer(badge, "badge")
    uri, inline = parse_offer_link(offer.link)
    assert inline is None and uri == offer.offer_uri and offer.tx_code is None
    document = issuer.offer_document(offer.id)
    assert document["credential_configuration_ids"] == ["badge"]
    assert "tx_code" not in document["grants"][PRE_AUTHORIZED_GRANT]
    credential = wallet.credential(wallet.token(wallet.code(offer.id)), "badge")
    jwk = wallet.key.public_only().to_jwk()
    jwk.pop("kid")
    assert credential["credentialSubject"]["id"] == did_jwk(jwk)
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    result = verify(credential)
    assert result.ok, [c.to_json() for c in result.checks]
    assert issuer.offers.get(offer.id).state == "issued"


def test_jwt_vc_json_with_a_did_key_kid(issuer: Any, wallet: Any, badge: Any) -> None:
    offer = issuer.create_offer(badge, "badge-jwt")
    holder = generate_key("ed25519")
    proof = wallet.proof(key=holder, header={"typ": "openid4vci-proof+jwt", "kid": holder.id})
    credential = wallet.credential(wallet.token(wallet.code(offer.id)), "badge-jwt", proof)
    assert isinstance(credential, str) and credential.count(".") == 2
    result = verify(credential)
    assert result.ok, [c.to_json() for c in result.checks]


def test_sd_jwt_vc_binds_cnf(issuer: Any, wallet: Any, issuer_keys: Any, clock: Any) -> None:
    claims = {"issuing_authority": "University of Tirana", "issuing_country": "AL",
              "date_of_issuance": "2025-06-30", "family_name": "Hoxha",
              "achievement_title": "Designing MOOCs", "iss": "ignored"}
    offer = issuer.create_offer(claims, "eudi-learning-credential", tx_code=True)
    assert offer.tx_code is not None and offer.tx_code.isdigit() and len(offer.tx_code) == 6
    tx = issuer.offer_document(offer.id)["grants"][PRE_AUTHORIZED_GRANT]["tx_code"]
    assert tx == {"input_mode": "numeric", "length": 6}
    token = wallet.token(wallet.code(offer.id), offer.tx_code)
    credential = wallet.credential(token, "eudi-learning-credential")
    result = verify_sd_jwt(credential, key=issuer_keys["p256"].public_only(), now=clock())
    assert result.ok, [c.to_json() for c in result.checks]
    assert result.claims is not None
    assert result.claims["iss"] == "https://issuer.example/instance/uni"
    assert result.claims["vct"] == "urn:eu.europa.ec.eudi:learning:credential:1"
    assert result.claims["family_name"] == "Hoxha"
    assert result.claims["exp"] > result.claims["iat"]
    assert result.holder_key is not None
    assert result.holder_key.to_jwk()["x"] == wallet.key.to_jwk()["x"]


def test_token_refusals(issuer: Any, wallet: Any, badge: Any, clock: Any) -> None:
    plain = issuer.create_offer(badge, "badge")
    guarded = issuer.create_offer(badge, "badge", tx_code="4711")
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": wallet.code(plain.id)}
    assert code_of(lambda: issuer.token({**form, "grant_type": "authorization_code"})) == \
        "oid4vci.unsupported_grant_type"
    assert code_of(lambda: issuer.token({"grant_type": PRE_AUTHORIZED_GRANT})) == \
        "oid4vci.invalid_request"
    assert code_of(lambda: issuer.token({**form, "pre-authorized_code": "guess"})) == \
        "oid4vci.invalid_grant"
    assert code_of(lambda: issuer.token({**form, "tx_code": "1234"})) == \
        "oid4vci.invalid_request"
    guarded_form = {**form, "pre-authorized_code": wallet.code(guarded.id)}
    assert code_of(lambda: issuer.token(guarded_form)) == "oid4vci.invalid_request"
    assert code_of(lambda: issuer.token({**guarded_form, "tx_code": "0000"})) == \
        "oid4vci.invalid_grant"
    assert issuer.token({**guarded_form, "tx_code": "4711"})["token_type"] == "Bearer"
    # the code used twice
    issuer.token(form)
    with pytest.raises(OID4VCIError) as caught:
        issuer.token(form)
    error = caught.value
    assert error.code == "oid4vci.invalid_grant" and error.status == 400
    assert error.to_json()["error"] == "invalid_grant"
    # an expired offer
    late = issuer.create_offer(badge, "badge")
    late_code = wallet.code(late.id)
    clock.advance(8 * 24 * 3600)
    assert code_of(lambda: issuer.token({**form, "pre-authorized_code": late_code})) == \
        "oid4vci.invalid_grant"
    assert code_of(lambda: issuer.offer_document(late.id)) == "oid4vci.offer_not_found"


def test_wrong_tx_codes_withdraw_the_offer(issuer: Any, wallet: Any, badge: Any) -> None:
    offer = issuer.create_offer(badge, "badge", tx_code=True)
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": wallet.code(offer.id)}
    wrong = "1" * 6 if offer.tx_code != "1" * 6 else "2" * 6
    for _ in range(5):
        assert code_of(lambda: issuer.token({**form, "tx_code": wrong})) == \
            "oid4vci.invalid_grant"
    # now even the right one is refused: five guesses burn the offer
    assert code_of(lambda: issuer.token({**form, "tx_code": offer.tx_code})) == \
        "oid4vci.invalid_grant"
    assert issuer.offers.get(offer.id).state == "revoked"


def test_credential_refusals(issuer: Any, wallet: Any, badge: Any, clock: Any) -> None:
    offer = issuer.create_offer(badge, "badge")
    token = wallet.token(wallet.code(offer.id))
    bearer = f"Bearer {token}"

    def ask(body: Any, authorization: str | None = bearer) -> str:
        return code_of(lambda: issuer.credential(authorization, body))

    good = {"credential_configuration_id": "badge", "proofs": {"jwt": [wallet.proof()]}}
    assert ask(good, None) == "oid4vci.invalid_token"
    assert ask(good, "Bearer not-a-token") == "oid4vci.invalid_token"
    assert ask(good, f"DPoP {token}") == "oid4vci.invalid_token"
    assert ask([]) == "oid4vci.invalid_credential_request"
    assert ask({"proofs": good["proofs"]}) == "oid4vci.invalid_credential_request"
    assert ask({**good, "credential_configuration_id": "badge-jwt"}) == \
        "oid4vci.unknown_credential_configuration"
    assert ask({"credential_configuration_id": "badge"}) == "oid4vci.invalid_proof"
    assert ask({"credential_configuration_id": "badge", "proof": {"proof_type": "jwt"}}) == \
        "oid4vci.invalid_credential_request"
    assert ask({"credential_configuration_id": "badge", "proofs": {"ldp_vp": []}}) == \
        "oid4vci.invalid_proof"
    assert ask({"credential_configuration_id": "badge",
                "proofs": {"jwt": [wallet.proof(), wallet.proof()]}}) == "oid4vci.invalid_proof"
    assert ask({"credential_configuration_id": "badge", "credential_identifier": "x",
                "proofs": good["proofs"]}) == "oid4vci.invalid_credential_request"
    # nothing was issued by any of these
    assert issuer.offers.get(offer.id).state == "redeemed"
    assert wallet.credential(token, "badge", good["proofs"]["jwt"][0])["proof"]
    # the same token again: nothing is issued twice
    assert ask({"credential_configuration_id": "badge", "proofs": {"jwt": [wallet.proof()]}}) \
        == "oid4vci.invalid_token"
    # an expired access token
    other = issuer.create_offer(badge, "badge")
    late = wallet.token(wallet.code(other.id))
    clock.advance(301)
    assert ask(good, f"Bearer {late}") == "oid4vci.invalid_token"


def test_proof_refusals(issuer: Any, wallet: Any, badge: Any, clock: Any) -> None:
    offer = issuer.create_offer(badge, "badge")
    token = wallet.token(wallet.code(offer.id))

    def ask(proof: Any) -> str:
        body = {"credential_configuration_id": "badge", "proofs": {"jwt": [proof]}}
        return code_of(lambda: issuer.credential(f"Bearer {token}", body))

    now = clock().timestamp()
    jwk = wallet.key.public_only().to_jwk()
    stranger = generate_key("p256")
    assert ask(wallet.proof(aud="https://other.example")) == "oid4vci.invalid_proof"
    assert ask(wallet.proof(iat=now - 3600)) == "oid4vci.invalid_proof"  # stale
    assert ask(wallet.proof(iat=now + 3600)) == "oid4vci.invalid_proof"  # future
    # a proof naming one key, signed by another
    assert ask(wallet.proof(signer=stranger)) == "oid4vci.invalid_proof"
    assert ask(wallet.proof(header={"typ": "JWT", "jwk": jwk})) == "oid4vci.invalid_proof"
    assert ask(wallet.proof(header={"typ": "openid4vci-proof+jwt"})) == "oid4vci.invalid_proof"
    assert ask(wallet.proof(header={"typ": "openid4vci-proof+jwt", "jwk": jwk,
                                    "kid": "did:key:z6Mk"})) == "oid4vci.invalid_proof"
    assert ask(wallet.proof(header={"typ": "openid4vci-proof+jwt",
                                    "kid": "did:web:wallet.example#1"})) == "oid4vci.invalid_proof"
    assert ask(wallet.proof(header={"typ": "openid4vci-proof+jwt", "x5c": ["MII"]})) == \
        "oid4vci.invalid_proof"
    assert ask(wallet.proof(header={"typ": "openid4vci-proof+jwt",
                                    "jwk": wallet.key.to_jwk(include_secret=True)})) == \
        "oid4vci.invalid_proof"
    assert ask(wallet.proof(nonce="")) == "oid4vci.invalid_proof"
    assert ask("not.a.jwt") == "oid4vci.invalid_proof"
    assert ask(42) == "oid4vci.invalid_proof"
    # nonces: one the issuer never gave, one already spent, one expired
    assert ask(wallet.proof(nonce="made-up")) == "oid4vci.invalid_nonce"
    replay = wallet.proof()
    other = issuer.create_offer(badge, "badge")
    wallet.credential(wallet.token(wallet.code(other.id)), "badge", replay)
    assert ask(replay) == "oid4vci.invalid_nonce"  # the old nonce: refused
    old = issuer.nonce()["c_nonce"]
    clock.advance(400)  # past the nonce's 5 minutes (and the token's)
    fresh = wallet.token(wallet.code(issuer.create_offer(badge, "badge").id))
    body = {"credential_configuration_id": "badge", "proofs": {"jwt": [wallet.proof(nonce=old)]}}
    assert code_of(lambda: issuer.credential(f"Bearer {fresh}", body)) == "oid4vci.invalid_nonce"


def test_a_refused_proof_does_not_spend_the_nonce(issuer: Any, wallet: Any, badge: Any) -> None:
    offer = issuer.create_offer(badge, "badge")
    token = wallet.token(wallet.code(offer.id))
    nonce = issuer.nonce()["c_nonce"]
    forged = wallet.proof(nonce=nonce, signer=generate_key("p256"))
    with pytest.raises(OID4VCIError):
        issuer.credential(f"Bearer {token}", {"credential_configuration_id": "badge",
                                              "proofs": {"jwt": [forged]}})
    assert wallet.credential(token, "badge", wallet.proof(nonce=nonce))


def test_did_jwk_kid(issuer: Any, wallet: Any, badge: Any) -> None:
    jwk = wallet.key.public_only().to_jwk()
    jwk.pop("kid")
    did = did_jwk(jwk)
    offer = issuer.create_offer(badge, "badge")
    proof = wallet.proof(header={"typ": "openid4vci-proof+jwt", "kid": f"{did}#0"})
    credential = wallet.credential(wallet.token(wallet.code(offer.id)), "badge", proof)
    assert credential["credentialSubject"]["id"] == did


def test_offer_and_configuration_errors(issuer: Any, issuer_keys: Any, badge: Any) -> None:
    assert code_of(lambda: issuer.create_offer(badge, "nope")) == \
        "oid4vci.unknown_credential_configuration"
    assert code_of(lambda: issuer.create_offer({"name": "x"}, "badge")) == \
        "oid4vci.bad_configuration"
    assert code_of(lambda: issuer.create_offer(badge, "badge", tx_code="12ab")) == \
        "oid4vci.bad_configuration"
    assert code_of(lambda: CredentialConfiguration("x", "mso_mdoc", issuer_keys["p256"])) == \
        "oid4vci.bad_configuration"  # type: ignore[arg-type]
    assert code_of(lambda: CredentialConfiguration("x", "dc+sd-jwt", issuer_keys["p256"])) == \
        "oid4vci.bad_configuration"
    assert code_of(lambda: CredentialConfiguration(
        "x", "ldp_vc", issuer_keys["p256"].public_only())) == "oid4vci.bad_configuration"
    offer = issuer.create_offer(badge, "badge")
    assert issuer.revoke_offer(offer.id)
    assert code_of(lambda: issuer.offer_document(offer.id)) == "oid4vci.offer_not_found"
    assert code_of(lambda: issuer.offer_document("nope")) == "oid4vci.offer_not_found"


def test_concurrent_requests_issue_once(issuer: Any, wallet: Any, badge: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    offer = issuer.create_offer(badge, "badge")
    token = wallet.token(wallet.code(offer.id))
    proofs = [wallet.proof() for _ in range(8)]

    def request(proof: str) -> str:
        try:
            wallet.credential(token, "badge", proof)
            return "issued"
        except OID4VCIError as exc:
            return exc.code

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(request, proofs))
    assert outcomes.count("issued") == 1
    assert set(outcomes) - {"issued"} <= {"oid4vci.invalid_token",
                                          "oid4vci.credential_request_denied"}
