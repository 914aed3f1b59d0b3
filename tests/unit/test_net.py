"""The Fetcher seam: the default fetcher against a real HTTP server on 127.0.0.1 (timeouts,
size cap, no redirect off https), and a fake fetcher standing in for the network for
every outbound call: contexts, did:web controller documents, status lists.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from edc_issue import Fetcher, OfflineLoader, Verifier, generate_key, sign
from edc_issue._net import UrllibFetcher, default_fetcher
from edc_issue.errors import ContextError, ReadError, SecurityWarning
from edc_issue.keys import did_web_key
from edc_issue.proofs import VerificationMethodResolver
from edc_issue.status import MemoryStatusListStore, StatusList, check_status, status_entry

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UNSIGNED = json.loads((FIXTURES / "vc-di" / "eddsa" / "unsigned.json").read_text())


class _Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str | None, bytes]]] = []

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append((self.command, self.path, self.headers.get("Accept"), body))
        if self.path == "/ok":
            payload = b'{"ok": true}'
        elif self.path == "/big":
            payload = b"x" * 5000
        elif self.path == "/slow":
            time.sleep(1.5)
            payload = b"late"
        elif self.path == "/to-http":
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/ok")
            self.end_headers()
            return
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except BrokenPipeError:  # the client gave up (the timeout test)
            pass

    do_GET = _answer
    do_POST = _answer


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()




@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_the_default_fetcher_gets_and_posts(server: str) -> None:
    fetcher = default_fetcher()
    assert isinstance(fetcher, Fetcher) and fetcher is default_fetcher()
    body = fetcher.fetch(f"{server}/ok", accept="application/json", max_bytes=100, timeout=5)
    assert json.loads(body) == {"ok": True}
    fetcher.fetch(f"{server}/ok", accept="application/timestamp-reply", max_bytes=100,
                  timeout=5, data=b"\x30\x00", content_type="application/timestamp-query")
    assert _Handler.seen == [("GET", "/ok", "application/json", b""),
                             ("POST", "/ok", "application/timestamp-reply", b"\x30\x00")]


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
@pytest.mark.parametrize("path,limit,timeout,what", [
    ("/big", 4096, 5.0, "more than 4,096 bytes"),
    ("/slow", 100, 0.3, "failed"),
    ("/missing", 100, 5.0, "HTTP 404"),
])
def test_the_default_fetcher_refuses(server: str, path: str, limit: int, timeout: float,
                                     what: str) -> None:
    with pytest.raises(ReadError) as info:
        UrllibFetcher().fetch(f"{server}{path}", accept="*/*", max_bytes=limit,
                              timeout=timeout)
    assert info.value.code == "io.fetch_failed" and what in info.value.message


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_no_redirect_to_plain_http(server: str) -> None:
    with pytest.raises(ReadError) as info:
        UrllibFetcher().fetch(f"{server}/to-http", accept="*/*", max_bytes=100, timeout=5)
    assert info.value.code == "io.fetch_failed" and "not https" in info.value.message
    assert [path for _, path, _, _ in _Handler.seen] == ["/to-http"]  # /ok never asked


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "data:,x"])
def test_only_http_urls_are_fetched(url: str) -> None:
    with pytest.raises(ReadError) as info:
        UrllibFetcher().fetch(url, accept="*/*", max_bytes=100, timeout=1)
    assert info.value.code == "io.fetch_failed"


class FakeFetcher:
    """Serves fixed bodies by URL and records what was asked (no network)."""

    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents
        self.asked: list[tuple[str, str, int]] = []

    def fetch(self, url: str, *, accept: str, max_bytes: int, timeout: float,
              data: bytes | None = None, content_type: str | None = None,
              headers: Any = None) -> bytes:
        self.asked.append((url, accept, max_bytes))
        if url not in self.documents:
            raise ReadError(f"{url}: HTTP 404", code="io.fetch_failed")
        value = self.documents[url]
        body = value if isinstance(value, bytes) else json.dumps(value).encode()
        if len(body) > max_bytes:
            raise ReadError(f"{url} sent more than {max_bytes:,} bytes", code="io.fetch_failed")
        return body


def test_a_context_is_fetched_through_the_loaders_fetcher() -> None:
    url = "https://example.org/contexts/extra/v1"
    fake = FakeFetcher({url: {"@context": {"foo": "https://example.org/vocab#foo"}}})
    loader = OfflineLoader(allow_network=True, fetcher=fake)
    with pytest.warns(SecurityWarning, match="fetching JSON-LD context"):
        assert loader.get(url) == {"@context": {"foo": "https://example.org/vocab#foo"}}
    assert fake.asked == [(url, "application/ld+json, application/json", 2 * 1024 * 1024)]
    assert loader.get(url) and len(fake.asked) == 1  # kept, not fetched again
    with pytest.warns(SecurityWarning), pytest.raises(ContextError) as info:
        loader.get("https://example.org/contexts/missing")
    assert info.value.code == "jsonld.context_fetch_failed"
    assert not OfflineLoader(fetcher=fake).knows(url)  # fetching stays opt-in


def test_did_web_and_status_lists_are_fetched_through_the_verifiers_fetcher() -> None:
    key, did_document = did_web_key(generate_key("ed25519"), "example.edu")
    store = MemoryStatusListStore()
    list_url = "https://example.edu/status/7"
    status_list = StatusList.create(store, list_id=list_url, issuer=key.controller, sign=key)
    credential = dict(UNSIGNED, credentialStatus=status_entry(list_url, 5))
    signed = sign(credential, key, issuer_from_key=True)
    fake = FakeFetcher({"https://example.edu/.well-known/did.json": did_document,
                        list_url: store.load_credential()})
    offline = Verifier(fetcher=fake).verify(signed)
    assert fake.asked == []  # nothing fetched without allow_network: two warnings instead
    assert {c.code for c in offline.warnings} == {"proof.key_binding_unconfirmed",
                                                  "status.list_not_given"}
    with pytest.warns(SecurityWarning, match="fetching controller document"):
        result = Verifier(fetcher=fake, allow_network=True).verify(signed)
    assert result.ok and not result.warnings, [c.to_json() for c in result.checks]
    # the credential's key, the list, the list's key (caching is the fetcher's to do)
    assert [url for url, _, _ in fake.asked] == [
        "https://example.edu/.well-known/did.json", list_url,
        "https://example.edu/.well-known/did.json"]
    status_list.revoke([5], sign=key)
    fake.documents[list_url] = store.load_credential()
    with pytest.warns(SecurityWarning):
        revoked = Verifier(fetcher=fake, allow_network=True).verify(signed)
    assert "status.revoked" in {c.code for c in revoked.checks if not c.ok}


def test_a_status_list_fetch_failure_is_a_warning() -> None:
    fake = FakeFetcher({})
    credential = dict(UNSIGNED, credentialStatus=status_entry("https://example.edu/s/1", 1))
    [check] = check_status(credential, allow_network=True, fetcher=fake)
    assert check.code == "status.fetch_failed" and check.severity == "warning"


def test_a_resolver_refuses_plain_http_before_fetching() -> None:
    fake = FakeFetcher({})
    resolver = VerificationMethodResolver(allow_network=True, fetcher=fake)
    from edc_issue.errors import KeyMaterialError

    with pytest.raises(KeyMaterialError) as info:
        resolver.resolve("http://example.edu/keys#1")
    assert info.value.code == "key.fetch_failed" and fake.asked == []
