"""A real ``edc-issue serve --dev`` on 127.0.0.1, driven by real clients:

- ``curl`` with the exact requests of the DCC issuer coordinator's README (issue, revoke),
  the VC-API, and the Moodle plugin's multipart ``_file`` upload;
- ``php``: a snippet shaped like local_isycredentials' edci_issuer_signing_service::sign()
  (PHP curl, CURLFile, ``?password=``), the service's credentials in the URL (userinfo)
  so the plugin's code is unchanged;
- vc-js verifies the issued badge; ``edc-issue verify`` checks the sealed EDC, and after a
  revoke through the API, ``edc-issue verify --status-list`` (the list fetched from the
  service) fails;
- the server's whole log is searched for every secret and credential body it saw.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from svc_helpers import LOCAL, ROOT, badge_02, eu_upload

pytestmark = [pytest.mark.allow_hosts(LOCAL), pytest.mark.slow]

CURL = shutil.which("curl")
PHP = shutil.which("php")

# the plugin's code, with its long lines
PHP_SNIPPET = r"""<?php
// shaped like local_isycredentials\edci_issuer_signing_service::sign()
$signing_service_url = $argv[1];
$certificate_password = $argv[2];
$document = file_get_contents($argv[3]);
$json_data = mb_convert_encoding($document, 'UTF-8', 'auto');
$document = json_encode(json_decode($json_data), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
$sealing_endpoint = '/europass2/edci-issuer/api/v2/public/credentials/seal';
$temp_file = tempnam(sys_get_temp_dir(), 'json_');
file_put_contents($temp_file, $document);
$curl = curl_init();
curl_setopt($curl, CURLOPT_URL, $signing_service_url . $sealing_endpoint . '?password=' . urlencode($certificate_password));
curl_setopt($curl, CURLOPT_RETURNTRANSFER, true);
curl_setopt($curl, CURLOPT_POST, true);
curl_setopt($curl, CURLOPT_HTTPHEADER, ['Content-Type: multipart/form-data']);
curl_setopt($curl, CURLOPT_POSTFIELDS, [
    '_file' => new \CURLFile($temp_file, 'application/json', 'document.json')
]);
$response = curl_exec($curl);
$http_code = curl_getinfo($curl, CURLINFO_HTTP_CODE);
curl_close($curl);
unlink($temp_file);
if ($http_code !== 200) {
    fwrite(STDERR, "Error: Failed to call signing service. HTTP code: {$http_code}. Response: {$response}\n");
    exit(1);
}
echo $response;
"""  # noqa: E501


def _curl(*args: str) -> tuple[int, str]:
    assert CURL is not None
    done = subprocess.run([CURL, "--silent", "--show-error", "--max-time", "60",
                           "--write-out", "\n%{http_code}", *args],
                          capture_output=True, text=True, timeout=90, check=True)
    body, _, code = done.stdout.rpartition("\n")
    return int(code), body


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "edc_issue", *args], capture_output=True,
                          text=True, timeout=120, check=False)


def _vcjs() -> Any:
    """The vc-js peer of tests/interop (installed there with EDC_ISSUE_INTEROP_INSTALL=1)."""
    path = ROOT / "tests" / "interop" / "test_vcjs.py"
    spec = importlib.util.spec_from_file_location("_interop_vcjs", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(CURL is None, reason="curl is not installed")
def test_real_server_with_real_clients(start_server: Any, tmp_path: Path) -> None:
    server = start_server("--dev")
    token = server.token
    assert token, server.stdout()
    assert f"base URL: {server.url}" in server.stdout()
    secrets_seen = [token]

    # 1. DCC issuer coordinator README: a bare credential, Bearer tenant token → 201
    dcc = badge_02()
    dcc["id"] = "urn:uuid:2fe53dc9-b2ec-4939-9b2c-0d00f6663b6c"
    dcc["credentialSubject"]["name"] = "Jane Doe-Unique-Learner-7781"
    dcc["issuer"] = dict(dcc["issuer"],
                         id="did:key:z6MkhVTX9BF3NGYX6cc7jWpbNnR7cAjH8LUffabZP8Qu4ysC")
    code, body = _curl("--location", f"{server.url}/instance/default/credentials/issue",
                       "--header", f"Authorization: Bearer {token}",
                       "--header", "Content-Type: application/json",
                       "--data-raw", json.dumps(dcc))
    assert code == 201, body
    badge = json.loads(body)
    (tmp_path / "badge.json").write_text(json.dumps(badge))

    # the badge verifies with edc-issue and with vc-js
    assert _cli("verify", str(tmp_path / "badge.json")).returncode == 0
    interop = _vcjs()
    reason = interop._peer_ready()
    if reason is None:
        # vc-js checks the proof (which covers credentialStatus); the status itself is
        # checked below by edc-issue verify --status-list with the service's list
        script = interop.CACHE / "peer-service.mjs"
        assert "vc.verifyCredential({" in interop.PEER
        script.write_text(interop.PEER.replace(
            "vc.verifyCredential({", "vc.verifyCredential({checkStatus: async () => "
            "({verified: true}), "))
        from edc_issue.jsonld.loader import bundled_contexts, context_file
        from edc_issue.keys import did_key_document

        documents = {url: json.loads(context_file(url).read_text())
                     for url in bundled_contexts()}
        did = badge["issuer"]["id"]
        did_doc = did_key_document(did)
        documents[did_doc["id"]] = did_doc
        for method in did_doc["verificationMethod"]:
            documents[method["id"]] = {"@context": "https://w3id.org/security/multikey/v1",
                                       **method}
        done = subprocess.run(["node", str(script)], input=json.dumps({
            "mode": "verify", "credential": badge, "documents": documents}),
            cwd=interop.CACHE, capture_output=True, text=True, timeout=120, check=False)
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        assert answer.get("verified") is True, answer
    else:
        print(f"vc-js not run: {reason}")

    # 2. VC-API issue with curl
    vcapi = badge_02()
    vcapi["issuer"] = dict(vcapi["issuer"], id=badge["issuer"]["id"])
    code, body = _curl(f"{server.url}/credentials/issue", "-H", f"Authorization: Bearer {token}",
                       "-H", "Content-Type: application/json",
                       "-d", json.dumps({"credential": vcapi}))
    assert code == 201 and "verifiableCredential" in json.loads(body)

    # 3. revoke (DCC body), fetch the list from the service, verify --status-list fails
    list_url = badge["credentialStatus"]["statusListCredential"]
    code, body = _curl(f"{list_url}", "-o", str(tmp_path / "list-before.json"))
    assert code == 200
    before = _cli("verify", "--status-list", str(tmp_path / "list-before.json"),
                  str(tmp_path / "badge.json"))
    assert before.returncode == 0, before.stdout + before.stderr
    code, body = _curl("--location", f"{server.url}/instance/default/credentials/status",
                       "--header", f"Authorization: Bearer {token}",
                       "--header", "Content-Type: application/json",
                       "--data-raw", json.dumps({
                           "credentialId": "urn:uuid:2fe53dc9-b2ec-4939-9b2c-0d00f6663b6c",
                           "credentialStatus": [{"type": "BitstringStatusListCredential",
                                                 "status": "revoked"}]}))
    assert code == 200, body
    code, _ = _curl(list_url, "-o", str(tmp_path / "list-after.json"))
    assert code == 200
    after = _cli("verify", "--status-list", str(tmp_path / "list-after.json"),
                 str(tmp_path / "badge.json"))
    assert after.returncode == 1, after.stdout + after.stderr
    assert "revoked" in after.stdout

    # 4. the Moodle plugin's upload with curl -F, Basic auth (user dev, the token)
    upload = tmp_path / "document.json"
    upload.write_text(json.dumps(eu_upload(), ensure_ascii=False, separators=(",", ":")))
    code, body = _curl("-u", f"dev:{token}", "-F", f"_file=@{upload};type=application/json",
                       f"{server.url}/europass2/edci-issuer/api/v2/public/credentials/seal"
                       "?password=moodle-certificate-password-551")
    secrets_seen.append("moodle-certificate-password-551")
    assert code == 200, body
    (tmp_path / "sealed.json").write_text(body)
    anchor = server.data / "dev-pki" / "test-ca.pem"
    sealed = _cli("verify", "--trust", str(anchor), str(tmp_path / "sealed.json"))
    assert sealed.returncode == 0, sealed.stdout + sealed.stderr
    assert _cli("validate", str(tmp_path / "sealed.json")).returncode == 0

    # 5. the same from PHP, as the plugin does it, credentials in the service URL
    probe = ("exit(function_exists('curl_init') && "
             "function_exists('mb_convert_encoding') ? 0 : 1);")
    if PHP is not None and subprocess.run([PHP, "-r", probe], check=False).returncode == 0:
        script = tmp_path / "seal.php"
        script.write_text(PHP_SNIPPET)
        base = server.url.replace("http://", f"http://dev:{token}@")
        done = subprocess.run([PHP, str(script), base, "php-certificate-password-662",
                               str(upload)], capture_output=True, text=True, timeout=120,
                              check=False)
        secrets_seen.append("php-certificate-password-662")
        assert done.returncode == 0, done.stderr
        envelope = json.loads(done.stdout)
        payload = json.loads(envelope["payload"])
        assert "displayParameter" in payload
    else:
        print("php with curl is not installed; the PHP client was not run")

    # 6. OAuth2 with curl: the token request of the W3C suites' harness
    code, body = _curl(f"{server.url}/oauth2/token", "-d", "grant_type=client_credentials",
                       "-d", "client_id=nobody", "-d", "client_secret=never-logged-secret-9")
    secrets_seen.append("never-logged-secret-9")
    assert code == 401 and json.loads(body)["error"] == "invalid_client"

    server.stop()
    logs = server.logs()
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert any(line.get("event") == "access" for line in lines)
    assert all(line.get("request_id") for line in lines if line.get("event") == "access")
    key = json.loads((server.data / "keys" / "default.json").read_text())
    dev_password = (server.data / "dev-pki" / "password").read_text().strip()
    for secret in [*secrets_seen, key["secretKeyMultibase"], dev_password,
                   "Jane Doe-Unique-Learner-7781", "password="]:
        assert secret not in logs, f"a secret or credential reached the log: {secret[:12]}..."
    assert token not in server.stdout().replace(f"token: {token}", "")


def test_several_workers_answer_kept_alive_connections_without_delay(start_server: Any) -> None:
    """``--workers 2``: the connections have TCP_NODELAY. Without it a response written
    in two parts waited for the client's delayed ACK, so every request after the first on
    a kept-alive connection took 40 ms or more (Linux's minimum delayed-ACK time); here
    the median of 20 is well under that, however loaded the machine."""
    import socket
    import statistics
    import time
    from urllib.parse import urlsplit

    server = start_server("--workers", "2")
    address = urlsplit(server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        took = []
        for _ in range(21):
            started = time.perf_counter()
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            data = b""
            while b'{"status":"ok"}' not in data:
                chunk = sock.recv(65536)
                assert chunk, data
                data += chunk
            took.append(time.perf_counter() - started)
    assert statistics.median(took[1:]) < 0.030, took
