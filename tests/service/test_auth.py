"""Auth: OAuth2 client credentials (JWT access tokens bound to one tenant, with scopes),
static bearer tokens (hashed), HTTP Basic; 401 for none or a bad one, 403 across tenants.

The token request is the one the W3C suites' harness sends (vc-test-suite-implementations
lib/oauth2.js): a form body with client_id, client_secret, grant_type=client_credentials,
audience and a space-separated scope.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from svc_helpers import App, issue_body, make_app

from edc_issue.service._auth import hash_secret, hash_token

TOKEN_A, TOKEN_B = "token-of-tenant-a-" + "x" * 24, "token-of-tenant-b-" + "y" * 24


@pytest.fixture
def two(tmp_path: Path) -> Iterator[App]:
    """Two tenants, each with a key, a static token and an OAuth2 client."""
    import json

    from edc_issue.keys import generate_key

    tenants: dict[str, Any] = {}
    for name, token in (("alpha", TOKEN_A), ("beta", TOKEN_B)):
        key = tmp_path / f"{name}.json"
        key.write_text(json.dumps(generate_key("ed25519").to_multikey(include_secret=True)))
        tenants[name] = {
            "key": str(key), "tokens": [hash_token(token)],
            "clients": [{"client_id": f"{name}-lms", "secret_hash": hash_secret(f"{name}-s3cret"),
                         "scopes": ["write:/credentials/issue"]}],
        }
    yield from make_app(tmp_path / "data", tenants=tenants, default_tenant="alpha")


def _issue(app: App, tenant: str, headers: dict[str, str]) -> Any:
    issuer = app.service.tenants[tenant].issuer
    body = issue_body(app)
    body["credential"]["issuer"] = dict(body["credential"]["issuer"], id=issuer)
    return app.client.post(f"/instance/{tenant}/credentials/issue", json=body, headers=headers)


def test_missing_and_bad_tokens_are_401(two: App) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Token x"},
                    {"Authorization": "Bearer a.b.c"}):
        response = _issue(two, "alpha", headers)
        assert response.status_code == 401, headers
        assert response.json()["code"] == "service.unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_static_tokens_are_tenant_bound(two: App) -> None:
    assert _issue(two, "alpha", {"Authorization": f"Bearer {TOKEN_A}"}).status_code == 201
    refused = _issue(two, "beta", {"Authorization": f"Bearer {TOKEN_A}"})
    assert refused.status_code == 403 and refused.json()["code"] == "service.forbidden"
    assert _issue(two, "beta", {"Authorization": f"Bearer {TOKEN_B}"}).status_code == 201


def test_unknown_tenant_is_404(two: App) -> None:
    response = two.client.post("/instance/gamma/credentials/issue", json={},
                               headers={"Authorization": f"Bearer {TOKEN_A}"})
    assert response.status_code == 404 and response.json()["code"] == "service.unknown_tenant"


def _token(app: App, **fields: str) -> Any:
    return app.client.post("/oauth2/token", data=fields)


def test_client_credentials_token(two: App) -> None:
    response = _token(two, client_id="alpha-lms", client_secret="alpha-s3cret",
                      grant_type="client_credentials", audience="alpha",
                      scope="write:/credentials/issue")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    assert response.headers["cache-control"] == "no-store"
    token = body["access_token"]
    assert token.count(".") == 2
    assert _issue(two, "alpha", {"Authorization": f"Bearer {token}"}).status_code == 201
    # bound to its tenant (aud) and to its scopes
    assert _issue(two, "beta", {"Authorization": f"Bearer {token}"}).status_code == 403
    status = two.client.post("/instance/alpha/credentials/status", json={
        "credentialId": "urn:x", "credentialStatus": [{"type": "BitstringStatusListCredential",
                                                       "status": "revoked"}]},
        headers={"Authorization": f"Bearer {token}"})
    assert status.status_code == 403 and status.json()["code"] == "service.insufficient_scope"


def test_client_secret_basic(two: App) -> None:
    basic = base64.b64encode(b"beta-lms:beta-s3cret").decode()
    response = two.client.post("/oauth2/token", data={"grant_type": "client_credentials"},
                               headers={"Authorization": f"Basic {basic}"})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert _issue(two, "beta", {"Authorization": f"Bearer {token}"}).status_code == 201


def test_token_errors_follow_rfc6749(two: App) -> None:
    wrong = _token(two, client_id="alpha-lms", client_secret="wrong",
                   grant_type="client_credentials")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    grant = _token(two, client_id="alpha-lms", client_secret="alpha-s3cret",
                   grant_type="password")
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    scope = _token(two, client_id="alpha-lms", client_secret="alpha-s3cret",
                   grant_type="client_credentials", scope="write:/status-lists")
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"
    target = _token(two, client_id="alpha-lms", client_secret="alpha-s3cret",
                    grant_type="client_credentials", audience="beta")
    assert target.status_code == 400 and target.json()["error"] == "invalid_target"


def test_expired_and_forged_tokens_are_401(two: App) -> None:
    tokens = two.service.tokens
    expired = tokens.issue(tenant="alpha", client_id="alpha-lms",
                           scopes=["write:/credentials/issue"])
    tokens.ttl = -10
    past = tokens.issue(tenant="alpha", client_id="alpha-lms", scopes=["write:/credentials/issue"])
    tokens.ttl = 600
    assert _issue(two, "alpha", {"Authorization": f"Bearer {expired}"}).status_code == 201
    response = _issue(two, "alpha", {"Authorization": f"Bearer {past}"})
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    header, payload, signature = expired.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert _issue(two, "alpha", {"Authorization": f"Bearer {forged}"}).status_code == 401
    assert time.time() > 0


def test_verify_and_status_lists_are_open(two: App) -> None:
    response = two.client.post("/credentials/verify", json={"verifiableCredential": {}})
    assert response.status_code == 400  # reached the route: no auth needed
