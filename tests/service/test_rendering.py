"""Rendering in the service: ``POST /credentials/render`` (a credential in, a PDF or an HTML
page out, verified first: a credential whose proof or seal fails reads "NOT verified") and
the public ``/verify`` page (a form; a pasted or uploaded credential; one fetched from the
URL in ``?url=``, through the SSRF guard), and the page opened in headless Chromium."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from svc_helpers import LOCAL, App, badge_02, eu_upload, issue_body, make_app

pytest.importorskip("typst", reason="the [render] extra is not installed")

V1 = "/api/v1/public/credentials/seal"


def _issued(app: App) -> dict[str, Any]:
    response = app.client.post("/credentials/issue", headers=app.auth(), json=issue_body(app))
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def _sealed(app: App) -> dict[str, Any]:
    text = json.dumps(eu_upload()).encode()
    response = app.client.post(V1, headers=app.auth(),
                               files={"_file": ("document.json", text, "application/json")})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_render_a_badge_the_service_issued_as_pdf(app: App, tmp_path: Path) -> None:
    vc = _issued(app)
    response = app.client.post("/credentials/render", json={
        "verifiableCredential": vc,
        "options": {"verifyUrl": "https://verify.example.edu/c/1"}})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-credential-verified"] == "true"
    assert response.content.startswith(b"%PDF")
    text = _text(response.content, tmp_path)
    assert vc["name"] in " ".join(text.split()) or vc["credentialSubject"]["achievement"][
        "name"] in " ".join(text.split())
    assert "NOT verified" not in text


def test_a_tampered_badge_renders_not_verified(app: App) -> None:
    vc = copy.deepcopy(_issued(app))
    vc["credentialSubject"]["achievement"]["name"] = "A title the issuer never signed"
    response = app.client.post("/instance/default/credentials/render", json={
        "verifiableCredential": vc, "options": {"format": "html"}})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-credential-verified"] == "false"
    page = response.text
    assert "NOT verified" in page
    assert ">Verified<" not in page


def test_a_sealed_edc_renders_verified_and_a_broken_seal_not(app: App) -> None:
    envelope = _sealed(app)
    good = app.client.post("/credentials/render", json={
        "verifiableCredential": envelope, "options": {"format": "html"}})
    assert good.status_code == 200, good.text
    # the seal chains to the tenant's trust anchor (the dev CA), but a baseline B seal holds
    # no OCSP response or CRL: the page (and the header) say NOT verified, and why
    assert "not on a trusted list" not in good.text
    assert "revoked could not be checked" in good.text
    assert good.headers["x-credential-verified"] == "false", good.text[:3000]
    assert "NOT verified" in good.text
    payload = json.loads(envelope["payload"])
    payload["issuanceDate"] = "2020-01-01T00:00:00Z"
    broken = dict(envelope, payload=json.dumps(payload))
    bad = app.client.post("/credentials/render", json={
        "verifiableCredential": broken, "options": {"format": "html"}})
    assert bad.status_code == 200, bad.text
    assert bad.headers["x-credential-verified"] == "false"
    assert "NOT verified" in bad.text


def test_render_refuses_what_is_not_a_request(app: App) -> None:
    assert app.client.post("/credentials/render", json={"x": 1}).status_code == 400
    response = app.client.post("/credentials/render", json={
        "verifiableCredential": _issued(app), "options": {"format": "docx"}})
    assert response.status_code == 400
    assert response.json()["pointer"] == "/options/format"
    unknown = app.client.post("/credentials/render", json={
        "verifiableCredential": {"@context": ["https://www.w3.org/ns/credentials/v2"],
                                 "type": ["VerifiableCredential"]}})
    assert 400 <= unknown.status_code < 500


def test_the_verify_page_is_a_form_without_script(app: App) -> None:
    response = app.client.get("/verify")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="en">' in page and "<form" in page and "<script" not in page
    assert app.client.get("/instance/default/verify").status_code == 200
    assert app.client.get("/instance/nobody/verify").status_code == 404


def test_the_verify_page_shows_a_pasted_or_uploaded_credential(app: App) -> None:
    vc = _issued(app)
    pasted = app.client.post("/verify", data={"credential": json.dumps(vc)},
                             files={"file": ("", b"", "application/octet-stream")})
    assert pasted.status_code == 200, pasted.text
    assert pasted.headers["x-credential-verified"] == "true"
    uploaded = app.client.post("/verify", files={
        "file": ("badge.json", json.dumps(vc).encode(), "application/json")})
    assert uploaded.status_code == 200 and uploaded.headers["x-credential-verified"] == "true"
    tampered = dict(vc, name="Not what was signed")
    shown = app.client.post("/verify", data={"credential": json.dumps(tampered)},
                            files={"file": ("", b"", "application/octet-stream")})
    assert shown.headers["x-credential-verified"] == "false" and "NOT verified" in shown.text
    empty = app.client.post("/verify", data={"credential": ""},
                            files={"file": ("", b"", "application/octet-stream")})
    assert empty.status_code == 400 and "Paste a credential" in empty.text
    junk = app.client.post("/verify", data={"credential": "{not json"},
                           files={"file": ("", b"", "application/octet-stream")})
    assert junk.status_code == 400 and "<form" in junk.text


class _Serve(BaseHTTPRequestHandler):
    body = b""

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


@pytest.fixture
def publisher() -> Iterator[tuple[str, type[_Serve]]]:
    handler = type("Handler", (_Serve,), {"body": b""})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.allow_hosts(LOCAL)
def test_the_verify_page_does_not_fetch_from_a_private_address(
        app: App, publisher: Any) -> None:
    base, handler = publisher
    handler.body = json.dumps(_issued(app)).encode()
    response = app.client.get("/verify", params={"url": f"{base}/badge.json"})
    assert response.status_code == 400
    assert "not public" in response.text and "<form" in response.text


@pytest.mark.allow_hosts(LOCAL)
def test_the_verify_page_fetches_from_an_allowed_network(tmp_path: Path,
                                                         publisher: Any) -> None:
    base, handler = publisher
    for app in make_app(tmp_path / "data", network={"allow_networks": ["127.0.0.0/8"]}):
        handler.body = json.dumps(_issued(app)).encode()
        url = f"{base}/badge.json"
        response = app.client.get("/verify", params={"url": url})
        assert response.status_code == 200, response.text[:2000]
        assert response.headers["x-credential-verified"] == "true"
        # the page's QR code and printed link lead back to this page
        assert "/verify?url=" in response.text


@pytest.mark.allow_hosts(LOCAL)
def test_the_verify_page_in_chromium(tmp_path: Path, publisher: Any) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian's chromium)")
    import uvicorn
    from svc_helpers import free_port

    from edc_issue.service import ServiceConfig, create_app
    from edc_issue.service._setup import prepare_default

    port = free_port()
    setup = prepare_default(ServiceConfig.model_validate({
        "data_dir": tmp_path / "data", "base_url": f"http://127.0.0.1:{port}",
        "limits": {"pool_workers": 0}, "network": {"allow_networks": ["127.0.0.0/8"]}}))
    server = uvicorn.Server(uvicorn.Config(create_app(setup.config), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        import time

        import httpx

        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        vc = httpx.post(f"http://127.0.0.1:{port}/credentials/issue",
                        headers={"Authorization": f"Bearer {setup.token}"},
                        json={"credential": {**badge_02(), "issuer": {
                            **badge_02()["issuer"],
                            "id": setup.config and _issuer_of(tmp_path)}}}, timeout=60)
        assert vc.status_code == 201, vc.text
        base, handler = publisher
        handler.body = json.dumps(vc.json()["verifiableCredential"]).encode()
        page_url = f"http://127.0.0.1:{port}/verify?url={base}/badge.json"
        dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                              "--no-first-run", "--disable-background-networking",
                              f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                              page_url], capture_output=True, text=True, timeout=120)
        assert dom.returncode == 0, dom.stderr[-2000:]
        assert "Verified" in dom.stdout and "NOT verified" not in dom.stdout
        assert vc.json()["verifiableCredential"]["credentialSubject"]["achievement"][
            "name"] in dom.stdout
    finally:
        server.should_exit = True
        thread.join(30)


def _issuer_of(tmp_path: Path) -> str:
    from edc_issue.keys import load_key

    key = json.loads((tmp_path / "data" / "keys" / "default.json").read_text())
    return str(load_key(key).controller)
