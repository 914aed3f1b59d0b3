"""OpenID4VCI and VC-API exchanges through the service's routes (in-process, SQLite): the
metadata, an offer made by an LMS with its bearer token, the wallet's token / nonce /
credential steps for each format, single use (a second redemption, a replayed nonce),
and the stores in the database: a second service on the same database (another process,
as far as the data goes) refuses what the first spent, and sees what it made."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from svc_helpers import App, badge_02, make_app

from edc_issue import sign, verify
from edc_issue.keys import Key, generate_key
from edc_issue.oid4vci.metadata import PRE_AUTHORIZED_GRANT
from edc_issue.proofs.sd_jwt import sign_jws, verify_sd_jwt

LEARNING = {"issuing_authority": "University of Tirana", "issuing_country": "AL",
            "date_of_issuance": "2025-06-30", "family_name": "Hoxha", "given_name": "Arta",
            "achievement_title": "Designing MOOCs", "learning_outcomes": ["Plan a MOOC"]}


@pytest.fixture
def holder() -> Key:
    return generate_key("p256")


def issuer_url(app: App) -> str:
    return "http://testserver/instance/default"


def offer(app: App, configuration: str, content: Any, **extra: Any) -> dict[str, Any]:
    response = app.client.post("/instance/default/offers", headers=app.auth(),
                               json={"credential": content, "configuration": configuration,
                                     **extra})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def offer_document(app: App, made: dict[str, Any]) -> dict[str, Any]:
    uri = unquote(made["link"].split("credential_offer_uri=", 1)[1])
    assert uri == made["offerUri"]
    response = app.client.get(uri.replace("http://testserver", ""))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def token(app: App, code: str, tx_code: str | None = None) -> Any:
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    if tx_code is not None:
        form["tx_code"] = tx_code
    return app.client.post("/instance/default/token", data=form)


def proof(app: App, holder: Key, nonce: str | None = None) -> str:
    if nonce is None:
        nonce = app.client.post("/instance/default/nonce").json()["c_nonce"]
    jwk = holder.public_only().to_jwk()
    jwk.pop("kid", None)
    return sign_jws({"typ": "openid4vci-proof+jwt", "jwk": jwk},
                    {"aud": issuer_url(app), "nonce": nonce, "iat": int(time.time())}, holder)


def credential(app: App, access_token: str, configuration: str, jwt: str) -> Any:
    return app.client.post("/instance/default/credential",
                           headers={"Authorization": f"Bearer {access_token}"},
                           json={"credential_configuration_id": configuration,
                                 "proofs": {"jwt": [jwt]}})


def test_metadata_at_both_well_known_places(app: App) -> None:
    for path in ("/.well-known/openid-credential-issuer/instance/default",
                 "/instance/default/.well-known/openid-credential-issuer"):
        meta = app.client.get(path).json()
        assert meta["credential_issuer"] == issuer_url(app)
        assert meta["credential_endpoint"] == issuer_url(app) + "/credential"
        assert set(meta["credential_configurations_supported"]) == {
            "open-badge", "open-badge-jwt", "eudi-learning-credential"}
    for path in ("/.well-known/oauth-authorization-server/instance/default",
                 "/instance/default/.well-known/oauth-authorization-server"):
        meta = app.client.get(path).json()
        assert meta["token_endpoint"] == issuer_url(app) + "/token"
        assert PRE_AUTHORIZED_GRANT in meta["grant_types_supported"]
    assert app.client.get("/.well-known/openid-credential-issuer/instance/nope"
                          ).status_code == 404


def test_an_offer_needs_a_token_with_the_scope(app: App) -> None:
    body = {"credential": badge_02(), "configuration": "open-badge"}
    assert app.client.post("/instance/default/offers", json=body).status_code == 401
    bad = app.client.post("/instance/default/offers", headers=app.auth(),
                          json={**body, "configuration": "mdoc"})
    assert bad.status_code == 400
    assert bad.json()["pointer"] == "/configuration"


@pytest.mark.parametrize("configuration", ["open-badge", "open-badge-jwt",
                                           "eudi-learning-credential"])
def test_the_pre_authorized_flow(app: App, holder: Key, configuration: str) -> None:
    content = LEARNING if configuration == "eudi-learning-credential" else badge_02()
    made = offer(app, configuration, content, txCode=True)
    assert made["qr"]["svg"].startswith("<svg") and made["qr"]["png"].startswith("data:image/png")
    assert made["txCode"] and made["txCode"].isdigit()
    document = offer_document(app, made)
    grant = document["grants"][PRE_AUTHORIZED_GRANT]
    assert grant["tx_code"]["length"] == len(made["txCode"])
    # no tx_code, then a wrong one: refused
    assert token(app, grant["pre-authorized_code"]).json()["error"] == "invalid_request"
    assert token(app, grant["pre-authorized_code"], "0").json()["error"] == "invalid_grant"
    answer = token(app, grant["pre-authorized_code"], made["txCode"])
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    access = answer.json()["access_token"]
    # the code again: refused
    again = token(app, grant["pre-authorized_code"], made["txCode"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    jwt = proof(app, holder)
    issued = credential(app, access, configuration, jwt)
    assert issued.status_code == 200, issued.text
    vc = issued.json()["credentials"][0]["credential"]
    # a second credential request with the same token and proof: refused
    twice = credential(app, access, configuration, jwt)
    assert twice.status_code in (400, 401) and twice.json()["error"] in (
        "invalid_token", "invalid_nonce")
    state = app.client.get(f"/instance/default/offers/{made['id']}", headers=app.auth()).json()
    assert state["state"] == "issued"
    if configuration == "eudi-learning-credential":
        key = app.service.tenant_key("default")
        from edc_issue.keys import load_key

        checked = verify_sd_jwt(vc, key=load_key(key).public_only())
        assert checked.ok and checked.claims is not None
        assert checked.claims["cnf"]["jwk"]["x"] == holder.public_only().to_jwk()["x"]
        assert checked.claims["achievement_title"] == "Designing MOOCs"
    else:
        result = verify(vc)
        assert result.ok, [c.to_json() for c in result.checks if not c.ok]
        doc = result.document if isinstance(result.document, dict) else vc
        subject = doc.get("credentialSubject") or doc.get("vc", {}).get("credentialSubject")
        assert subject["id"].startswith("did:jwk:")
        # issued through the service's path: it carries a status entry of the tenant
        status = doc.get("credentialStatus") or doc.get("vc", {}).get("credentialStatus")
        assert status["statusListCredential"].startswith("http://testserver/instance/default/")


def test_a_replayed_nonce_is_refused(app: App, holder: Key) -> None:
    first = offer(app, "open-badge", badge_02())
    second = offer(app, "open-badge", badge_02())
    tokens = []
    for made in (first, second):
        code = offer_document(app, made)["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
        tokens.append(token(app, code).json()["access_token"])
    jwt = proof(app, holder)
    assert credential(app, tokens[0], "open-badge", jwt).status_code == 200
    replay = credential(app, tokens[1], "open-badge", jwt)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_nonce"
    state = app.client.get(f"/instance/default/offers/{second['id']}", headers=app.auth())
    assert state.json()["state"] == "redeemed"


def test_a_wrong_audience_or_another_format_is_refused(app: App, holder: Key) -> None:
    made = offer(app, "open-badge", badge_02())
    code = offer_document(app, made)["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    access = token(app, code).json()["access_token"]
    nonce = app.client.post("/instance/default/nonce").json()["c_nonce"]
    jwk = holder.public_only().to_jwk()
    jwk.pop("kid", None)
    wrong = sign_jws({"typ": "openid4vci-proof+jwt", "jwk": jwk},
                     {"aud": "https://elsewhere.example", "nonce": nonce,
                      "iat": int(time.time())}, holder)
    assert credential(app, access, "open-badge", wrong).json()["error"] == "invalid_proof"
    other = credential(app, access, "open-badge-jwt", proof(app, holder))
    assert other.json()["error"] == "unknown_credential_configuration"
    unauth = app.client.post("/instance/default/credential", json={})
    assert unauth.status_code == 401 and "invalid_token" in unauth.headers["www-authenticate"]
    form = app.client.post("/instance/default/token", json={"grant_type": "x"})
    assert form.status_code == 400 and form.json()["error"] == "invalid_request"


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[App, App]]:
    """Two services on one database (the default tenant's key shared through the data
    folder), as two processes behind a load balancer are."""
    first = make_app(tmp_path / "data")
    a = next(first)
    second = make_app(tmp_path / "data")
    b = next(second)
    try:
        yield a, b
    finally:
        for gen in (second, first):
            try:
                next(gen)
            except StopIteration:
                pass


def test_single_use_holds_across_two_services_on_one_database(
        two: tuple[App, App], holder: Key) -> None:
    a, b = two
    assert a.service is not b.service and a.issuer == b.issuer
    made = offer(a, "open-badge", badge_02())
    # the offer made on A is served by B
    code = offer_document(b, made)["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    access = token(b, code).json()["access_token"]
    # redeemed on B: A refuses the code
    refused = token(a, code)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    # a nonce from A spent on B; the same proof on A (another offer) is refused
    nonce = a.client.post("/instance/default/nonce").json()["c_nonce"]
    jwt = proof(a, holder, nonce)
    assert credential(b, access, "open-badge", jwt).status_code == 200
    other = offer(a, "open-badge", badge_02())
    code2 = offer_document(a, other)["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    access2 = token(a, code2).json()["access_token"]
    assert credential(a, access2, "open-badge", jwt).json()["error"] == "invalid_nonce"


def test_offers_survive_a_restart(tmp_path: Path, holder: Key) -> None:
    first = make_app(tmp_path / "data")
    a = next(first)
    made = offer(a, "open-badge", badge_02())
    for _ in first:
        pass
    second = make_app(tmp_path / "data")
    b = next(second)
    code = offer_document(b, made)["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    access = token(b, code).json()["access_token"]
    assert credential(b, access, "open-badge", proof(b, holder)).status_code == 200
    for _ in second:
        pass


def test_a_vcapi_exchange(app: App) -> None:
    holder = generate_key("ed25519")
    vc = badge_02()
    made = app.client.post("/instance/default/workflows/didauth-issue/exchanges",
                           headers=app.auth(), json={"variables": {"credential": vc}})
    assert made.status_code == 201, made.text
    body = made.json()
    assert made.headers["location"] == body["url"]
    assert body["deepLink"].startswith("dccrequest://request?")
    path = body["url"].replace("http://testserver", "")
    protocols = app.client.get(path + "?iuv=1").json()["protocols"]
    assert protocols["vcapi"] == body["url"]
    # the same credential by OpenID4VCI: its offer, withdrawn once the exchange completes
    offer_uri = unquote(protocols["oid4vci-1.0"].split("credential_offer_uri=", 1)[1])
    assert offer_uri.endswith("/credential-offer/exchange-" + body["id"])
    assert app.client.get(offer_uri.replace("http://testserver", "")).status_code == 200
    assert app.client.post("/instance/default/workflows/didauth-issue/exchanges",
                           json={"variables": {"credential": vc}}).status_code == 401
    request = app.client.post(path, json={}).json()["verifiablePresentationRequest"]
    presentation = sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                         "type": ["VerifiablePresentation"], "holder": holder.controller},
                        holder, proof_purpose="authentication",
                        challenge=request["challenge"], domain=request["domain"])
    answer = app.client.post(path, json={"verifiablePresentation": presentation})
    assert answer.status_code == 200, answer.text
    issued = answer.json()["verifiablePresentation"]["verifiableCredential"][0]
    assert issued["credentialSubject"]["id"] == holder.controller
    assert verify(issued).ok
    again = app.client.post(path, json={"verifiablePresentation": presentation})
    assert again.status_code == 409 and again.json()["code"] == "exchange.completed"
    assert app.client.get(path).json()["exchange"]["state"] == "complete"
    assert app.client.get(path.replace("didauth-issue", "nope")).status_code == 404
    withdrawn = app.client.get(offer_uri.replace("http://testserver", ""))
    assert withdrawn.status_code == 404 and withdrawn.json()["error"] == "offer_not_found"


def test_an_exchange_collected_by_openid4vci_is_closed(app: App, holder: Key) -> None:
    made = app.client.post("/instance/default/workflows/didauth-issue/exchanges",
                           headers=app.auth(), json={"variables": {"credential": badge_02()}})
    body = made.json()
    path = body["url"].replace("http://testserver", "")
    link = app.client.get(path + "?iuv=1").json()["protocols"]["oid4vci-1.0"]
    uri = unquote(link.split("credential_offer_uri=", 1)[1]).replace("http://testserver", "")
    code = app.client.get(uri).json()["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    access = token(app, code).json()["access_token"]
    # the wallet asked for the DIDAuth request meanwhile: the exchange is active
    request = app.client.post(path, json={}).json()["verifiablePresentationRequest"]
    issued = credential(app, access, "open-badge", proof(app, holder))
    assert issued.status_code == 200, issued.text
    assert app.client.get(path).json()["exchange"]["state"] == "complete"
    wallet = generate_key("ed25519")
    presentation = sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                         "type": ["VerifiablePresentation"], "holder": wallet.controller},
                        wallet, proof_purpose="authentication",
                        challenge=request["challenge"], domain=request["domain"])
    refused = app.client.post(path, json={"verifiablePresentation": presentation})
    assert refused.status_code == 409 and refused.json()["code"] == "exchange.completed"


def test_an_offer_the_wallet_could_not_collect_is_refused_now(app: App) -> None:
    no_subject = {k: v for k, v in badge_02().items() if k != "credentialSubject"}
    response = app.client.post("/instance/default/offers", headers=app.auth(), json={
        "credential": no_subject, "configuration": "open-badge"})
    assert response.status_code == 400
    assert response.json()["pointer"] == "/credential/credentialSubject"
    undefined = badge_02()
    undefined["credentialSubject"]["nmae"] = "a term no context defines"
    response = app.client.post("/instance/default/offers", headers=app.auth(), json={
        "credential": undefined, "configuration": "open-badge"})
    assert response.status_code == 422, response.text
    assert response.json()["code"].startswith("jsonld.")
    assert response.json()["pointer"].startswith("/credential/credentialSubject")
    claims = {k: v for k, v in LEARNING.items() if k != "family_name"}
    response = app.client.post("/instance/default/offers", headers=app.auth(), json={
        "credential": claims, "configuration": "eudi-learning-credential"})
    assert response.status_code == 400
    assert response.json()["pointer"] == "/credential/family_name"
