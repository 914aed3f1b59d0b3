"""The service's :class:`~edc_issue.Fetcher`: the library's fetcher with an SSRF guard.

A service fetches URLs that requests name (a credential given by URL on the ``/verify``
page, a did:web controller document, a status list): without a guard, a request could
make the service read its own admin ports, the cloud's metadata address
(``169.254.169.254``) or any host of the private network behind it. This fetcher:

- refuses every address that is not globally routable (loopback, private, link-local,
  unique-local, multicast, reserved, IPv4-mapped forms of these) unless the configuration
  allows that network (``[network] allow_networks = ["10.1.0.0/16"]``);
- checks the address the socket actually connected to, after DNS, for the first request
  and every redirect: a name that resolves to ``127.0.0.1`` (or changes its answer
  between a check and the connection) is refused the same way;
- ignores proxies from the environment (the address checked must be the one connected
  to), and keeps the library fetcher's rules (timeouts, size cap, https-only redirects).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from collections.abc import Iterable
from typing import Any

from .._net import UrllibFetcher, _HttpsOnlyRedirects
from ..errors import ReadError

__all__ = ["GuardedFetcher", "address_allowed"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def address_allowed(address: str, allowed: Iterable[Network] = ()) -> bool:
    """True when *address* (an IP literal) is globally routable or in an *allowed* network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in allowed if net.version == ip.version):
        return True
    return ip.is_global and not ip.is_multicast


def _guarded(base: type[http.client.HTTPConnection], allowed: tuple[Network, ...]) -> type:
    """*base* whose TCP connection is checked before anything is sent on it (for HTTPS,
    before the TLS handshake)."""

    class Guarded(base):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = self._checked_connection

        def _checked_connection(self, address: tuple[str, int], *args: Any) -> socket.socket:
            sock = socket.create_connection(address, *args)
            peer = sock.getpeername()[0]
            if not address_allowed(peer, allowed):
                sock.close()
                raise ReadError(
                    f"refusing to fetch from {self.host}: it is the address {peer}, which "
                    "is not public (loopback, private or link-local); allow its network "
                    "in the service's [network] allow_networks to fetch from it",
                    pointer=self.host, code="io.fetch_failed")
            return sock

    return Guarded


class _Http(urllib.request.HTTPHandler):
    def __init__(self, allowed: tuple[Network, ...]) -> None:
        super().__init__()
        self._conn = _guarded(http.client.HTTPConnection, allowed)

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self._conn, req)  # type: ignore[arg-type]


class _Https(urllib.request.HTTPSHandler):
    def __init__(self, allowed: tuple[Network, ...]) -> None:
        super().__init__()
        self._conn = _guarded(http.client.HTTPSConnection, allowed)

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self._conn, req,  # type: ignore[arg-type]
                            context=self._context)  # type: ignore[attr-defined]


class GuardedFetcher(UrllibFetcher):
    """:class:`~edc_issue._net.UrllibFetcher` that connects to public addresses only.

    :param allow_networks: networks (CIDR strings) that may be fetched from although they
        are not public: a registry on the private network, ``127.0.0.1/32`` in tests.
    """

    def __init__(self, *, allow_networks: Iterable[str] = (),
                 user_agent: str = "edc-issue-service") -> None:
        super().__init__(user_agent=user_agent)
        self.allowed: tuple[Network, ...] = tuple(
            ipaddress.ip_network(n, strict=False) for n in allow_networks)
        self._opener = urllib.request.OpenerDirector()
        for handler in (urllib.request.ProxyHandler({}), _Http(self.allowed),
                        _Https(self.allowed), urllib.request.HTTPDefaultErrorHandler(),
                        _HttpsOnlyRedirects(), urllib.request.HTTPErrorProcessor()):
            self._opener.add_handler(handler)

    def __repr__(self) -> str:
        return f"GuardedFetcher(allow_networks={[str(n) for n in self.allowed]})"
