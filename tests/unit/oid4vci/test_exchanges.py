"""VC-API exchanges as the Learner Credential Wallet drives them: DIDAuth, then the
credential; single use, expiry, challenge and domain checked; the deep links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from edc_issue import sign, verify
from edc_issue.keys import Key, generate_key
from edc_issue.oid4vci.errors import ExchangeError
from edc_issue.oid4vci.exchanges import ExchangeService, dcc_deep_link, parse_dcc_deep_link

WORKFLOW = "didauth-issue"


@pytest.fixture
def service(clock: Any, issuer_keys: Any) -> ExchangeService:
    return ExchangeService("https://issuer.example/instance/uni", issuer_keys["ed25519"],
                           clock=clock, issuer_name="University of Tirana",
                           offer_link=lambda exchange: "openid-credential-offer://?x=1")


def didauth(key: Key, challenge: str, domain: str | None, **extra: Any) -> Any:
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                    "type": ["VerifiablePresentation"], "holder": key.controller, **extra}
    return sign(presentation, key, proof_purpose="authentication", challenge=challenge,
                domain=domain)


def code_of(call: Any) -> str:
    with pytest.raises(ExchangeError) as caught:
        call()
    return caught.value.code


def test_the_lcw_flow(service: ExchangeService, badge: Any) -> None:
    created = service.create_exchange(WORKFLOW, badge)
    assert created.interaction_url == created.url + "?iuv=1"
    parts = parse_dcc_deep_link(created.deep_link)
    assert created.deep_link.startswith("dccrequest://request?")
    assert parts == {"issuer": "University of Tirana", "vc_request_url": created.url,
                     "challenge": created.challenge}
    assert created.lcw_link.startswith("https://lcw.app/request.html?")
    assert parse_dcc_deep_link(created.lcw_link) == parts
    protocols = service.interaction(WORKFLOW, created.id)["protocols"]
    assert protocols["vcapi"] == created.url
    assert protocols["oid4vci-1.0"].startswith("openid-credential-offer://")
    request = service.participate(WORKFLOW, created.id, {})["verifiablePresentationRequest"]
    assert request["query"][0]["type"] == "DIDAuthentication"
    assert request["challenge"] == created.challenge and request["domain"] == "issuer.example"
    assert service.state(WORKFLOW, created.id)["exchange"]["state"] == "active"
    holder = generate_key("ed25519")
    answer = service.participate(WORKFLOW, created.id, {
        "verifiablePresentation": didauth(holder, request["challenge"], request["domain"])})
    (credential,) = answer["verifiablePresentation"]["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == holder.controller
    assert verify(credential).ok
    assert service.state(WORKFLOW, created.id)["exchange"]["state"] == "complete"
    # single use: the same presentation again is refused, nothing is issued twice
    again = {"verifiablePresentation": didauth(holder, request["challenge"], request["domain"])}
    assert code_of(lambda: service.participate(WORKFLOW, created.id, again)) == \
        "exchange.completed"
    assert service.store.get(created.id).variables == {}  # deleteWhenCollected


def test_didauth_refusals(service: ExchangeService, badge: Any) -> None:
    created = service.create_exchange(WORKFLOW, badge)
    holder, other = generate_key("ed25519"), generate_key("p256")

    def send(presentation: Any) -> str:
        return code_of(lambda: service.participate(
            WORKFLOW, created.id, {"verifiablePresentation": presentation}))

    domain = "issuer.example"
    assert send(didauth(holder, "another-challenge", domain)) == "exchange.invalid_presentation"
    assert send(didauth(holder, created.challenge, "evil.example")) == \
        "exchange.invalid_presentation"
    assert send(didauth(holder, created.challenge, domain, holder=other.controller)) == \
        "exchange.invalid_presentation"
    wrong_purpose = sign({"@context": ["https://www.w3.org/ns/credentials/v2"],
                          "type": ["VerifiablePresentation"]}, holder,
                         challenge=created.challenge, domain=domain)
    assert send(wrong_purpose) == "exchange.invalid_presentation"
    tampered = didauth(holder, created.challenge, domain)
    tampered["id"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
    assert send(tampered) == "exchange.invalid_presentation"
    assert send({"type": ["VerifiableCredential"]}) == "exchange.invalid_presentation"
    assert send("a string") == "exchange.invalid_presentation"
    # a P-256 did:key is accepted as well; the exchange is still open after the refusals
    answer = service.participate(WORKFLOW, created.id, {
        "verifiablePresentation": didauth(other, created.challenge, domain)})
    assert answer["verifiablePresentation"]["verifiableCredential"][0][
        "credentialSubject"]["id"] == other.controller


def test_expiry_and_unknowns(service: ExchangeService, badge: Any, clock: Any) -> None:
    created = service.create_exchange(WORKFLOW, badge, ttl=timedelta(minutes=1))
    clock.advance(61)
    assert code_of(lambda: service.participate(WORKFLOW, created.id, {})) == "exchange.expired"
    assert service.state(WORKFLOW, created.id)["exchange"]["state"] == "invalid"
    assert code_of(lambda: service.participate(WORKFLOW, "nope", {})) == "exchange.not_found"
    assert code_of(lambda: service.participate("other", created.id, {})) == \
        "exchange.unknown_workflow"
    assert code_of(lambda: service.create_exchange(WORKFLOW, {"name": "x"})) == \
        "exchange.bad_request"
    fresh = service.create_exchange(WORKFLOW, badge)
    assert code_of(lambda: service.participate(WORKFLOW, fresh.id, [])) == "exchange.bad_request"
    assert ExchangeError("x", code="exchange.expired").status == 410
    with pytest.raises(ExchangeError):
        parse_dcc_deep_link("dccrequest://request?issuer=x")
    assert "auth_type=bearer" in dcc_deep_link(issuer="i", vc_request_url="https://x",
                                               challenge="c", auth_type="bearer")
