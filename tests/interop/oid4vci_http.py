"""A stand-in HTTP front for the OpenID4VCI and VC-API protocol logic, on 127.0.0.1.

The service (``edc-issue serve``) carries the real routes; until its OpenID4VCI routes are
on main this stdlib server lets the npm wallet library drive the very same
:class:`CredentialIssuer` and :class:`ExchangeService` over real HTTP. It maps each
``OID4VCIError`` / ``ExchangeError`` to its status and body as the routes must.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from edc_issue.oid4vci.errors import ExchangeError, OID4VCIError
from edc_issue.oid4vci.exchanges import ExchangeService
from edc_issue.oid4vci.issuance import CredentialIssuer


def _handler(issuer: CredentialIssuer, exchanges: ExchangeService | None) -> type:
    prefix = urlsplit(issuer.issuer).path  # /instance/uni

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _route(self, method: str) -> None:
            url = urlsplit(self.path)
            path = url.path
            try:
                if method == "GET" and path in (
                        f"/.well-known/openid-credential-issuer{prefix}",
                        f"{prefix}/.well-known/openid-credential-issuer"):
                    return self._send(200, issuer.metadata())
                if method == "GET" and path in (
                        f"/.well-known/oauth-authorization-server{prefix}",
                        f"{prefix}/.well-known/oauth-authorization-server"):
                    return self._send(200, issuer.authorization_server_metadata())
                if method == "GET" and path.startswith(f"{prefix}/credential-offer/"):
                    return self._send(200, issuer.offer_document(path.rsplit("/", 1)[1]))
                if method == "POST" and path == f"{prefix}/token":
                    form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
                    return self._send(200, issuer.token(form))
                if method == "POST" and path == f"{prefix}/nonce":
                    return self._send(200, issuer.nonce())
                if method == "POST" and path == f"{prefix}/credential":
                    body = json.loads(self._body() or b"null")
                    return self._send(200, issuer.credential(self.headers.get("Authorization"),
                                                             body))
                parts = path[len(prefix):].strip("/").split("/")
                if exchanges and len(parts) == 4 and parts[0] == "workflows" and \
                        parts[2] == "exchanges":
                    if method == "GET" and "iuv=1" in url.query:
                        return self._send(200, exchanges.interaction(parts[1], parts[3]))
                    if method == "GET":
                        return self._send(200, exchanges.state(parts[1], parts[3]))
                    body = json.loads(self._body() or b"{}")
                    return self._send(200, exchanges.participate(parts[1], parts[3], body))
                return self._send(404, {"error": "not_found"})
            except OID4VCIError as exc:
                headers = {"WWW-Authenticate": f'Bearer error="{exc.error}"'} \
                    if exc.status == 401 else None
                return self._send(exc.status, exc.to_json(), headers)
            except ExchangeError as exc:
                return self._send(exc.status, {"type": "about:blank", "title": exc.code,
                                               "detail": str(exc)})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    return Handler


@contextmanager
def serve(issuer_factory: Any) -> Iterator[tuple[str, Any]]:
    """Start a server on 127.0.0.1; *issuer_factory(base_url)* returns the issuer (and
    exchanges) to serve. Yields the base URL and what the factory returned."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    made = issuer_factory(base)
    issuer, exchanges = made if isinstance(made, tuple) else (made, None)
    server.RequestHandlerClass = _handler(issuer, exchanges)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, made
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
