"""``POST /presentations/verify`` (VC-API): ``{verifiablePresentation, options: {challenge,
domain}}`` → ``{verified, problemDetails, results}``, one result per credential inside."""

from __future__ import annotations

from typing import Any

from svc_helpers import App, issue_body, not_verified

from edc_issue import build_presentation, sign_presentation
from edc_issue.keys import generate_key

DOMAIN = "verifier.example"


def _presentation(app: App, challenge: str, *, suite: str | None = None) -> Any:
    issued = app.client.post("/credentials/issue", json=issue_body(app), headers=app.auth())
    assert issued.status_code == 201, issued.text
    holder = generate_key("ed25519")
    vp = build_presentation([issued.json()["verifiableCredential"]], holder=holder.controller)
    return sign_presentation(vp, holder, challenge=challenge, domain=DOMAIN, suite=suite)


def _post(app: App, vp: Any, **options: Any) -> Any:
    return app.client.post("/presentations/verify",
                           json={"verifiablePresentation": vp, "options": options})


def _challenge(app: App) -> str:
    return str(app.client.post("/challenges").json()["challenge"])


def test_a_signed_presentation_verifies(app: App) -> None:
    for suite in (None, "vc-jwt"):
        challenge = _challenge(app)
        response = _post(app, _presentation(app, challenge, suite=suite), challenge=challenge,
                         domain=DOMAIN)
        assert response.status_code == 200
        answer = response.json()
        assert answer["verified"] is True, answer["problemDetails"]
        assert [p for p in answer["problemDetails"] if p["severity"] == "error"] == []
        [credential] = answer["results"]["verifiableCredential"]
        assert credential["verified"] is True
        if suite is None:
            assert answer["results"]["proof"][0]["verified"] is True
            assert credential["results"]["proof"][0]["verified"] is True
    # the tenant route answers too
    challenge = _challenge(app)
    vp = _presentation(app, challenge)
    assert app.client.post("/instance/default/presentations/verify",
                           json={"verifiablePresentation": vp,
                                 "options": {"challenge": challenge, "domain": DOMAIN}}
                           ).json()["verified"] is True


def test_wrong_or_missing_challenge_is_400_not_verified(app: App) -> None:
    vp = _presentation(app, "c-1")
    for options, code in (({"challenge": "c-2", "domain": DOMAIN}, "proof.challenge_mismatch"),
                          ({"domain": DOMAIN}, "proof.challenge_required"),
                          ({"challenge": "c-1", "domain": "x.example"}, "proof.domain_mismatch")):
        answer = not_verified(_post(app, vp, **options))
        assert code in [p["title"] for p in answer["problemDetails"]]


def test_a_changed_credential_is_reported_in_its_result(app: App) -> None:
    vp = _presentation(app, "c-1")
    vp["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Changed"
    answer = not_verified(_post(app, vp, challenge="c-1", domain=DOMAIN))
    [credential] = answer["results"]["verifiableCredential"]
    assert credential["verified"] is False
    assert "proof.bad_signature" in [p["title"] for p in credential["problemDetails"]]


def test_malformed_requests_are_400_naming_the_field(app: App) -> None:
    vp = _presentation(app, "c-1")
    cases: list[tuple[Any, str]] = [
        ({"presentation": vp}, "/verifiablePresentation"),
        ({"verifiablePresentation": 42}, "/verifiablePresentation"),
        ({"verifiablePresentation": "not-a-jwt"}, "/verifiablePresentation"),
        ({"verifiablePresentation": vp, "options": {"challenge": 1}}, "/options/challenge"),
        ({"verifiablePresentation": dict(vp, holder="not a url")},
         "/verifiablePresentation/holder"),
        ({"verifiablePresentation": dict(vp, type=["Other"])}, "/verifiablePresentation/type"),
        ({"verifiablePresentation": dict(vp, verifiableCredential=["a string"])},
         "/verifiablePresentation/verifiableCredential/0"),
    ]
    for body, pointer in cases:
        response = app.client.post("/presentations/verify", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["pointer"] == pointer


def test_an_issued_challenge_is_used_once(app: App) -> None:
    challenge = _challenge(app)
    vp = _presentation(app, challenge)
    # without options.challenge, the proof's challenge is expected when we issued it
    first = _post(app, vp, domain=DOMAIN).json()
    assert first["verified"] is True, first["problemDetails"]
    for options in ({"domain": DOMAIN}, {"challenge": challenge, "domain": DOMAIN}):
        again = not_verified(_post(app, vp, **options))
        assert [p["title"] for p in again["problemDetails"]] == ["service.challenge_used"]
        assert again["pointer"] == again["problemDetails"][0]["pointer"] == "/options/challenge"
    # a challenge of the caller's own (not issued here) is checked as given, every time
    own = _presentation(app, "callers-own-nonce")
    for _ in range(2):
        assert _post(app, own, challenge="callers-own-nonce", domain=DOMAIN
                     ).json()["verified"] is True
    # and without it, nothing says which challenge to expect: not verified
    assert "proof.challenge_required" in [
        p["title"] for p in not_verified(_post(app, own, domain=DOMAIN))["problemDetails"]]

