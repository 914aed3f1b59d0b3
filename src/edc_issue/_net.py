"""The default :class:`~edc_issue.Fetcher`: the library's only way out to the network.

Every outbound request the library makes when the caller allows it (a JSON-LD context
with ``allow_network=True``, a did:web or https controller document, a status list, a
time-stamp, OCSP, CRL or remote-signing call) goes through a :class:`~edc_issue.Fetcher`;
this one uses the standard library:

- a timeout for the whole request and a size cap on the body (read one byte past it);
- ``http`` and ``https`` URLs only (no ``file:``, ``ftp:`` or ``data:`` handler), and a
  redirect only to ``https``: a redirect to plain HTTP is refused, so an attacker on the
  path cannot downgrade; a POST is never redirected (its body is not replayed elsewhere);
- no cookies: nothing is sent but the URL, ``Accept``, ``User-Agent``, the headers the
  caller gives (a bearer token, whose value no error message shows) and, for a POST, the
  body. Proxies from the environment are used, as urllib does.

The callers decide which schemes they accept (did:web resolution is https only) and warn
with a :class:`~edc_issue.errors.SecurityWarning` that the network is used. A service
replaces this fetcher with its own (an SSRF guard, a cache, a proxy); tests pass a fake.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from http.client import HTTPMessage
from typing import IO, Any

from .errors import ReadError

__all__ = ["UrllibFetcher", "default_fetcher"]


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to an https URL, never for a POST (at most 5 times)."""

    max_redirections = 5

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: HTTPMessage, newurl: str
                         ) -> urllib.request.Request | None:
        problem = None
        if urllib.parse.urlsplit(newurl).scheme != "https":
            problem = f"redirects to {newurl}, which is not https; refusing to follow"
        elif req.data is not None:
            problem = f"redirects a POST to {newurl}; refusing to send the body elsewhere"
        if problem is not None:
            fp.close()
            raise ReadError(f"{req.full_url} {problem}", pointer=req.full_url,
                            code="io.fetch_failed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _error_detail(body: bytes) -> str:
    """The ``error`` / ``error_description`` of a JSON error body (OAuth 2, CSC), if any."""
    try:
        value = json.loads(body[:4096])
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(value, dict):
        return ""
    parts = [str(value[k])[:200] for k in ("error", "error_description") if k in value]
    return (": " + " - ".join(parts)) if parts else ""


class UrllibFetcher:
    """Fetches with :mod:`urllib.request`: timeouts, a size cap, https-only redirects.

    Stateless and thread-safe; one instance serves every caller.

    :param user_agent: the ``User-Agent`` header.
    """

    def __init__(self, *, user_agent: str = "edc-issue") -> None:
        self.user_agent = user_agent
        # http(s) only: no file:, ftp: or data: handlers, as build_opener would add
        self._opener = urllib.request.OpenerDirector()
        for handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(),
                        urllib.request.HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(),
                        _HttpsOnlyRedirects(), urllib.request.HTTPErrorProcessor()):
            self._opener.add_handler(handler)

    def __repr__(self) -> str:
        return "UrllibFetcher()"

    def _open(self, request: urllib.request.Request, timeout: float) -> Any:
        """Send *request* (the one place a connection is opened)."""
        return self._opener.open(request, timeout=timeout)

    def fetch(
        self,
        url: str,
        *,
        accept: str,
        max_bytes: int,
        timeout: float,
        data: bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> bytes:
        """GET *url* (POST *data* with *content_type* when *data* is given); return the body.

        :param headers: extra request headers (an ``Authorization`` bearer token); their
            values are never included in an error message.
        :raises ReadError: ``io.fetch_failed`` when the URL is not http(s), the request
            fails or times out, the server answers with an error status, a redirect leaves
            https, or the body is larger than *max_bytes*.
        """
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in ("https", "http"):
            raise ReadError(f"cannot fetch {url}: only http and https URLs are fetched",
                            pointer=url, code="io.fetch_failed")
        request_headers = {"Accept": accept, "User-Agent": self.user_agent}
        if data is not None:
            request_headers["Content-Type"] = content_type or "application/octet-stream"
        request_headers.update(headers or {})
        request = urllib.request.Request(url, data=data, headers=request_headers,
                                         method="POST" if data is not None else "GET")
        try:
            with self._open(request, timeout) as response:
                body: bytes = response.read(max_bytes + 1)
        except ReadError:
            raise
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc.read() if exc.fp is not None else b"")
            exc.close()
            raise ReadError(f"fetching {url} failed: HTTP {exc.code} {exc.reason}{detail}",
                            pointer=url, code="io.fetch_failed") from None
        except (OSError, ValueError) as exc:  # URLError, timeouts, bad URLs
            reason: Any = getattr(exc, "reason", exc)
            raise ReadError(f"fetching {url} failed: {reason}", pointer=url,
                            code="io.fetch_failed") from exc
        if len(body) > max_bytes:
            raise ReadError(f"{url} sent more than {max_bytes:,} bytes", pointer=url,
                            code="io.fetch_failed")
        return body


_DEFAULT: UrllibFetcher | None = None


def default_fetcher() -> UrllibFetcher:
    """Return the process-wide default fetcher."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = UrllibFetcher()
    return _DEFAULT
