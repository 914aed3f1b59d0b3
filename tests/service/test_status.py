"""Status: revoke and suspend through the VC-API and the DCC bodies; publish lists.

The DCC body is the one of the issuer coordinator's README and tests
(``{"credentialId", "credentialStatus": [{"type": "BitstringStatusListCredential",
"status": "revoked"}]}``), answered as its status service does (``{"code": 200, ...}``).
"""

from __future__ import annotations

from typing import Any

from svc_helpers import App, badge_02, issue_body, make_app

from edc_issue import verify


def _issue(app: App, credential_id: str, tenant_path: str = "") -> dict[str, Any]:
    body = issue_body(app)
    body["credential"]["id"] = credential_id
    response = app.client.post(f"{tenant_path}/credentials/issue", json=body, headers=app.auth())
    assert response.status_code == 201, response.text
    return dict(response.json()["verifiableCredential"])


def _list_for(app: App, vc: dict[str, Any]) -> Any:
    entry = vc["credentialStatus"]
    entries = entry if isinstance(entry, list) else [entry]
    url = entries[0]["statusListCredential"]
    path = url[len("http://testserver"):]
    response = app.client.get(path)
    assert response.status_code == 200, response.text
    return response


def test_dcc_revoke(app: App) -> None:
    vc = _issue(app, "urn:uuid:951b475e-b795-43bc-ba8f-a2d01efd2eb1")
    before = _list_for(app, vc).json()
    assert verify(vc, status_lists=[before]).ok
    response = app.client.post("/instance/default/credentials/status", json={
        "credentialId": "urn:uuid:951b475e-b795-43bc-ba8f-a2d01efd2eb1",
        "credentialStatus": [{"type": "BitstringStatusListCredential", "status": "revoked"}],
    }, headers=app.auth())
    assert response.status_code == 200
    assert response.json() == {"code": 200, "message": "Credential successfully revoked."}
    after = _list_for(app, vc).json()
    result = verify(vc, status_lists=[after])
    assert not result.ok
    assert "status.revoked" in [c.code for c in result.checks]
    assert verify(after).ok  # the re-signed list verifies


def test_vcapi_status_by_list_and_index(app: App) -> None:
    vc = _issue(app, "urn:uuid:11111111-2222-3333-4444-555555555555")
    entry = vc["credentialStatus"]
    response = app.client.post("/credentials/status", json={
        "credentialId": "urn:uuid:11111111-2222-3333-4444-555555555555",
        "credentialStatus": {"type": "BitstringStatusListEntry",
                             "statusPurpose": "revocation",
                             "statusListCredential": entry["statusListCredential"],
                             "statusListIndex": entry["statusListIndex"]},
        "status": True,
    }, headers=app.auth())
    assert response.status_code == 200, response.text
    assert response.json()["credentialStatus"]["statusListIndex"] == entry["statusListIndex"]
    assert not verify(vc, status_lists=[_list_for(app, vc).json()]).ok
    # revocation cannot be undone
    undo = app.client.post("/credentials/status", json={
        "credentialId": "urn:uuid:11111111-2222-3333-4444-555555555555",
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
        "status": False}, headers=app.auth())
    assert undo.status_code == 409 and undo.json()["code"] == "status.irreversible"


def test_unknown_credential_is_404(app: App) -> None:
    response = app.client.post("/credentials/status", json={
        "credentialId": "urn:uuid:unknown",
        "credentialStatus": [{"type": "BitstringStatusListCredential", "status": "revoked"}]},
        headers=app.auth())
    assert response.status_code == 404 and response.json()["code"] == "service.not_found"


def test_bad_status_bodies_are_400(app: App) -> None:
    for body in ({}, {"credentialId": "x", "credentialStatus": [{"type": "StatusList2021",
                                                                  "status": "revoked"}]},
                 {"credentialId": "x", "credentialStatus": [{"type":
                                                             "BitstringStatusListCredential",
                                                             "status": "lost"}]},
                 {"credentialId": "x", "credentialStatus": {"type": "BitstringStatusListEntry",
                                                            "statusPurpose": "revocation"}},
                 []):
        response = app.client.post("/credentials/status", json=body, headers=app.auth())
        assert response.status_code == 400, (body, response.text)


def test_suspend_and_reinstate(tmp_path: Any) -> None:
    for app in make_app(tmp_path / "s"):
        tenant = app.service.tenants["default"]
        object.__setattr__(tenant.config, "status_purposes", ("revocation", "suspension"))
        vc = _issue(app, "urn:uuid:aaaaaaaa-0000-0000-0000-000000000001")
        assert [e["statusPurpose"] for e in vc["credentialStatus"]] == ["revocation",
                                                                        "suspension"]
        for word, ok in (("suspended", False), ("unsuspended", True)):
            response = app.client.post("/credentials/status", json={
                "credentialId": "urn:uuid:aaaaaaaa-0000-0000-0000-000000000001",
                "credentialStatus": [{"type": "BitstringStatusListCredential",
                                      "status": word}]}, headers=app.auth())
            assert response.json()["message"] == f"Credential successfully {word}."
            lists = [_list_for(app, {"credentialStatus": e}).json()
                     for e in vc["credentialStatus"]]
            assert verify(vc, status_lists=lists).ok is ok


def test_status_list_etag_and_cache(app: App) -> None:
    vc = _issue(app, "urn:uuid:bbbbbbbb-0000-0000-0000-000000000001")
    first = _list_for(app, vc)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    path = vc["credentialStatus"]["statusListCredential"][len("http://testserver"):]
    again = app.client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    # the default tenant's lists are at the root too
    assert app.client.get(path.replace("/instance/default", "")).status_code == 200
    assert app.client.get("/status-lists/nope").status_code == 404


def test_create_status_list(app: App) -> None:
    response = app.client.post("/status-lists", json={"statusPurpose": "suspension",
                                                      "id": "course-101"}, headers=app.auth())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["id"] == "http://testserver/instance/default/status-lists/course-101"
    assert response.headers["location"] == body["id"]
    vc = body["verifiableCredential"]
    assert vc["credentialSubject"]["statusPurpose"] == "suspension" and verify(vc).ok
    again = app.client.post("/status-lists", json={"statusPurpose": "suspension",
                                                   "id": "course-101"}, headers=app.auth())
    assert again.status_code == 409 and again.json()["code"] == "status.list_exists"
    bad = app.client.post("/status-lists", json={"statusPurpose": "fame"}, headers=app.auth())
    assert bad.status_code == 400
    assert app.client.post("/status-lists", json={"statusPurpose": "revocation"}).status_code \
        == 401


def test_dcc_bare_credential_issue_and_sign(app: App) -> None:
    # the issuer coordinator's README body: a bare credential, the issuer replaced by ours
    credential = badge_02()
    credential["issuer"] = dict(credential["issuer"],
                                id="did:key:z6MkhVTX9BF3NGYX6cc7jWpbNnR7cAjH8LUffabZP8Qu4ysC")
    response = app.client.post("/instance/default/credentials/issue", json=credential,
                               headers=app.auth())
    assert response.status_code == 201, response.text
    signed = response.json()
    assert signed["issuer"]["id"] == app.issuer and "credentialStatus" in signed
    assert verify(signed).ok
    sign = app.client.post("/instance/default/credentials/sign", json=credential,
                           headers=app.auth())
    assert sign.status_code == 200 and "credentialStatus" not in sign.json()
    assert verify(sign.json()).ok


def test_a_status_change_signed_with_another_key_is_refused(app: App) -> None:
    """The service signs with the tenant's own key; were that key swapped for another
    (a misconfigured tenant), a status change is refused and the list left as it was."""
    from edc_issue import generate_key, sign

    vc = _issue(app, "urn:uuid:0d6c2f0e-6a55-4b8f-9f1a-1b7e0c2a9d01")
    before = _list_for(app, vc).content
    store = app.service.status
    own_sign = store.sign
    other = generate_key("ed25519")
    store.sign = lambda tenant, credential: sign(credential, other)
    try:
        response = app.client.post("/instance/default/credentials/status", json={
            "credentialId": "urn:uuid:0d6c2f0e-6a55-4b8f-9f1a-1b7e0c2a9d01",
            "credentialStatus": [{"type": "BitstringStatusListCredential",
                                  "status": "revoked"}],
        }, headers=app.auth())
    finally:
        store.sign = own_sign
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "status.wrong_key"
    assert _list_for(app, vc).content == before
