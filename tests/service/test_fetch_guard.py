"""The service's fetcher refuses loopback, private and link-local addresses (SSRF) unless
the configuration allows their network; it checks the address actually connected to, so a
host name that resolves to 127.0.0.1 is refused as the literal is."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from svc_helpers import LOCAL

from edc_issue.errors import ReadError
from edc_issue.service._fetch import GuardedFetcher, address_allowed

pytestmark = [pytest.mark.allow_hosts(LOCAL)]


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.8.8", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "224.0.0.1", "100.64.0.1"])
def test_addresses_that_are_not_public_are_refused(address: str) -> None:
    assert not address_allowed(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_allowed(address)


def test_an_allowed_network_opens_its_addresses_only() -> None:
    import ipaddress

    allowed = [ipaddress.ip_network("10.1.0.0/16")]
    assert address_allowed("10.1.9.9", allowed)
    assert not address_allowed("10.2.0.1", allowed)
    assert not address_allowed("127.0.0.1", allowed)


class _Hello(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        body = b'{"hello": "world"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def local_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:{port}/vc.json",
                                 "http://localhost:{port}/vc.json",
                                 # refused before the TLS handshake (the server is plain
                                 # HTTP: a handshake would fail with another message)
                                 "https://127.0.0.1:{port}/vc.json"])
def test_a_loopback_server_is_not_fetched_by_default(local_server: int, url: str) -> None:
    fetcher = GuardedFetcher()
    with pytest.raises(ReadError) as caught:
        fetcher.fetch(url.format(port=local_server), accept="application/json",
                      max_bytes=1000, timeout=5)
    assert caught.value.code == "io.fetch_failed"
    assert "not public" in caught.value.message


def test_a_configured_network_is_fetched(local_server: int) -> None:
    fetcher = GuardedFetcher(allow_networks=["127.0.0.0/8"])
    body = fetcher.fetch(f"http://127.0.0.1:{local_server}/vc.json", accept="application/json",
                         max_bytes=1000, timeout=5)
    assert body == b'{"hello": "world"}'


def test_the_service_verifier_fetches_through_the_guard() -> None:
    from edc_issue.service import _core

    _core.init_worker({"t": _core.TenantKeys(key=None, suite=None, allow_network=True)})
    verifier = _core._verifier("t")
    assert isinstance(verifier.fetcher, GuardedFetcher)
    assert verifier.allow_network
