"""The EU issuer's sealing API, with the request the Moodle plugin local_isycredentials
sends (classes/edci_issuer_signing_service.php): a multipart form whose file part
``_file`` (``document.json``, ``application/json``) holds ``{credential, deliveryDetails}``,
to ``/europass2/edci-issuer/api/v2/public/credentials/seal?password=...``; 200 and the
sealed JSON back. The upload is the EU's own sample (Certificate of Participation).
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

from svc_helpers import App, eu_upload, make_app

from edc_issue import validate, verify

V2 = "/europass2/edci-issuer/api/v2/public/credentials/seal"
V1 = "/api/v1/public/credentials/seal"


def _moodle_body(document: Any) -> dict[str, Any]:
    # the plugin minifies with JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return {"_file": ("document.json", text.encode("utf-8"), "application/json")}


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _anchor(app: App) -> bytes:
    return (app.data / "dev-pki" / "test-ca.pem").read_bytes()


def test_seal_the_eu_sample_as_moodle_sends_it(app: App) -> None:
    response = app.client.post(V2, files=_moodle_body(eu_upload()),
                               params={"password": "ignored-server-holds-it"},
                               headers=_basic("dev", str(app.token)))
    assert response.status_code == 200, response.text
    envelope = response.json()
    assert set(envelope) == {"payload", "signatures"}
    result = verify(envelope, trust=[_anchor(app)])
    assert result.ok, [c.to_json() for c in result.checks if not c.ok]
    payload = json.loads(envelope["payload"])
    assert payload["issuer"]["legalName"] == {"en": "edc-issue TEST issuer (dev only)"}
    assert validate(payload).ok
    # what the Moodle plugin reads back: the payload's display parameters
    assert "displayParameter" in payload


def test_seal_v1_with_a_bearer_token_and_a_json_body(app: App) -> None:
    response = app.client.post(V1, json=eu_upload(), headers=app.auth())
    assert response.status_code == 200, response.text
    assert verify(response.json(), trust=[_anchor(app)]).ok


def test_seal_needs_credentials(app: App) -> None:
    response = app.client.post(V2, files=_moodle_body(eu_upload()))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    wrong = app.client.post(V2, files=_moodle_body(eu_upload()), headers=_basic("dev", "no"))
    assert wrong.status_code == 401


def test_a_non_conforming_credential_is_422_with_its_findings(app: App) -> None:
    upload = eu_upload()
    del upload["credential"]["credentialSubject"]
    response = app.client.post(V2, files=_moodle_body(upload), headers=app.auth())
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "validation.failed" and problem["problems"]


def test_malformed_uploads_are_400(app: App) -> None:
    for files in ({"_file": ("d.json", b"{not json", "application/json")},
                  {"other": ("d.json", b"{}", "application/json")},
                  {"_file": ("d.json", b"[1, 2]", "application/json")}):
        response = app.client.post(V2, files=files, headers=app.auth())
        assert response.status_code == 400, response.text


def test_the_password_opens_the_seal(tmp_path: Path) -> None:
    """A seal whose password the server does not hold: ``?password=`` opens it, and with
    ``seal_password_auth`` it is the only credential (the EU issuer's v2 public route)."""
    from edc_issue.service._setup import _dev_pki

    p12, _anchor_path = _dev_pki(tmp_path / "pki", "correct horse battery staple")
    key_json = tmp_path / "key.json"
    from edc_issue.keys import generate_key

    key_json.write_text(json.dumps(generate_key("ed25519").to_multikey(include_secret=True)))
    tenants = {"uni": {"key": str(key_json), "seal": {"p12": str(p12)}}}
    for app in make_app(tmp_path / "data", tenants=tenants, default_tenant="uni",
                        auth={"seal_password_auth": True}):
        ok = app.client.post(V2, files=_moodle_body(eu_upload()),
                             params={"password": "correct horse battery staple"})
        assert ok.status_code == 200, ok.text
        wrong = app.client.post(V2, files=_moodle_body(eu_upload()),
                                params={"password": "wrong"})
        assert wrong.status_code == 403 and wrong.json()["code"] == "service.bad_seal_password"
        none = app.client.post(V2, files=_moodle_body(eu_upload()))
        assert none.status_code == 401
    assert os.environ.get("EDC_ISSUE_DEV_SEAL_PASSWORD") != "correct horse battery staple"


def test_no_seal_is_409(tmp_path: Path) -> None:
    for app in make_app(tmp_path / "data", dev=False):
        response = app.client.post(V1, json=eu_upload(), headers=app.auth())
        assert response.status_code == 409 and response.json()["code"] == "service.no_seal"
