"""The default :class:`~edc_issue._types.Fetcher`: outbound HTTP with timeouts, a size cap
and no redirect away from HTTPS.

Minimal version written for the seal work (TSA, OCSP, CRL, CSC calls); the core's
``_net.py`` supersedes it. Nothing here runs unless a caller asks for a URL.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from .errors import ReadError

__all__ = ["UrllibFetcher", "default_fetcher"]


class _NoDowngradeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only from HTTPS to HTTPS, or from HTTP to HTTPS."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        if not newurl.startswith("https://"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to non-HTTPS {newurl}",
                                         headers, fp)
        if req.data is not None:  # never replay a POST body to another place
            raise urllib.error.HTTPError(newurl, code, "redirect of a POST request",
                                         headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _error_detail(body: bytes) -> str:
    """The ``error`` / ``error_description`` of a JSON error body (OAuth2, CSC), if any."""
    try:
        value = json.loads(body[:4096])
    except (ValueError, UnicodeDecodeError):
        return ""
    if not isinstance(value, dict):
        return ""
    parts = [str(value[k])[:200] for k in ("error", "error_description") if k in value]
    return (": " + " - ".join(parts)) if parts else ""


class UrllibFetcher:
    """Fetches with the standard library: ``http`` and ``https`` only.

    :param user_agent: the ``User-Agent`` header.
    """

    def __init__(self, *, user_agent: str = "edc-issue") -> None:
        self.user_agent = user_agent
        self._opener = urllib.request.build_opener(_NoDowngradeRedirects())

    def __repr__(self) -> str:
        return "UrllibFetcher()"

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
        """GET *url* (POST *data* with *content_type* when given) and return the body.

        :param headers: extra request headers (an ``Authorization`` bearer token); their
            values are never included in an error message.
        :raises ReadError: ``io.fetch_failed``: not http(s), unreachable, an HTTP error
            status, a redirect off HTTPS, a timeout, or a body larger than *max_bytes*.
        """
        if not url.startswith(("http://", "https://")):
            raise ReadError(f"{url!r} is not an http(s) URL", pointer=url,
                            code="io.fetch_failed")
        request_headers = {"Accept": accept, "User-Agent": self.user_agent}
        if content_type is not None:
            request_headers["Content-Type"] = content_type
        request_headers.update(headers or {})
        request = urllib.request.Request(url, data=data, headers=request_headers,
                                         method="POST" if data is not None else "GET")
        try:
            with self._opener.open(request, timeout=timeout) as response:
                body: bytes = response.read(max_bytes + 1)
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc.read() if exc.fp is not None else b"")
            raise ReadError(f"HTTP {exc.code} from {url}{detail}", pointer=url,
                            code="io.fetch_failed") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ReadError(f"cannot reach {url}: {reason}", pointer=url,
                            code="io.fetch_failed") from exc
        if len(body) > max_bytes:
            raise ReadError(f"the response of {url} is larger than {max_bytes:,} bytes",
                            pointer=url, code="io.fetch_failed")
        return body


def default_fetcher() -> UrllibFetcher:
    """The fetcher used when a caller passes none."""
    return UrllibFetcher()
