"""Request hygiene: request ids, body cap (413), time limit (503), JSON parsing with a depth
cap (400), structured JSON access logs and the Prometheus metrics.

The access log has one JSON line per request: time, request id, method, path (never the
query string: ``?password=`` travels there), route, status, duration, tenant and actor.
No header, body, token, password or key is ever logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from starlette.requests import Request

from .._io import MAX_JSON_DEPTH
from ..errors import ReadError
from ._errors import PROBLEM_JSON, ServiceError, problem

__all__ = [
    "JsonLogFormatter",
    "Metrics",
    "ServiceMiddleware",
    "configure_logging",
    "read_json",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_access = logging.getLogger("edc_issue.service.access")

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``msg`` and the record's
    structured fields (``extra=``)."""

    _FIELDS = ("event", "request_id", "method", "path", "route", "status", "duration_ms",
               "tenant", "actor", "bytes", "exception", "where", "host", "port", "workers")

    def format(self, record: logging.LogRecord) -> str:
        """Format *record* as one JSON line (exception text is left out)."""
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in self._FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """Send the service's and uvicorn's logs to stderr as JSON lines.

    uvicorn's own access log is switched off: it prints the query string.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter())
    for name in ("edc_issue.service", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.disabled = True
    access.propagate = False


class Metrics:
    """Request counts and a latency histogram, per route, in this process."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency: dict[str, list[int]] = defaultdict(lambda: [0] * (len(_BUCKETS) + 1))
        self.latency_sum: dict[str, float] = defaultdict(float)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request."""
        self.requests[(method, route, status)] += 1
        counts = self.latency[route]
        for i, bound in enumerate(_BUCKETS):
            if seconds <= bound:
                counts[i] += 1
                break
        else:
            counts[-1] += 1
        self.latency_sum[route] += seconds

    def render(self, counts: dict[str, dict[str, int]]) -> str:
        """The Prometheus text exposition (version 0.0.4)."""
        lines = ["# HELP edc_issue_http_requests_total HTTP requests handled by this process.",
                 "# TYPE edc_issue_http_requests_total counter"]
        for (method, route, status), n in sorted(self.requests.items()):
            lines.append(f'edc_issue_http_requests_total{{method="{method}",route="{_esc(route)}",'
                         f'status="{status}"}} {n}')
        lines += ["# HELP edc_issue_http_request_duration_seconds Time to answer a request.",
                  "# TYPE edc_issue_http_request_duration_seconds histogram"]
        for route, buckets in sorted(self.latency.items()):
            cumulative = 0
            label = _esc(route)
            for bound, n in zip((*_BUCKETS, float("inf")), buckets, strict=False):
                cumulative += n
                le = "+Inf" if bound == float("inf") else repr(bound)
                lines.append(f'edc_issue_http_request_duration_seconds_bucket{{route="{label}",'
                             f'le="{le}"}} {cumulative}')
            lines.append(f'edc_issue_http_request_duration_seconds_sum{{route="{label}"}} '
                         f"{self.latency_sum[route]:.6f}")
            lines.append(f'edc_issue_http_request_duration_seconds_count{{route="{label}"}} '
                         f"{cumulative}")
        for name, help_text, key in (
            ("edc_issue_credentials_issued_total", "Credentials issued (all processes).", "issued"),
            ("edc_issue_status_changes_total", "Statuses set: revocations and suspensions.",
             "revoked"),
            ("edc_issue_credentials_sealed_total", "EDCs sealed (all processes).", "sealed"),
        ):
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
            for tenant, n in sorted(counts.get(key, {}).items()):
                lines.append(f'{name}{{tenant="{_esc(tenant)}"}} {n}')
        return "\n".join(lines) + "\n"


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class _BodyTooLarge(Exception):
    pass


class ServiceMiddleware:
    """Pure ASGI middleware: request id, body cap, time limit, access log, metrics."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, timeout: float,
                 metrics: Metrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout = timeout
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        status_holder = {"status": 0, "started": False, "bytes": 0}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message["headers"] = headers
            elif message["type"] == "http.response.body":
                status_holder["bytes"] += len(message.get("body", b""))
            await send(message)

        received = 0

        async def receive_wrapper() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        length = _content_length(scope)
        try:
            if length is not None and length > self.max_body_bytes:
                raise _BodyTooLarge
            with anyio.fail_after(self.timeout):
                await self.app(scope, receive_wrapper, send_wrapper)
        except _BodyTooLarge:
            if not status_holder["started"]:
                await _send_problem(send_wrapper, scope, 413, "service.body_too_large",
                                    f"the request body is larger than {self.max_body_bytes:,} "
                                    "bytes", request_id)
        except TimeoutError:
            if not status_holder["started"]:
                await _send_problem(send_wrapper, scope, 503, "service.timeout",
                                    f"the request took longer than {self.timeout:g} s",
                                    request_id, retry_after=True)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_of(scope)
            status = int(status_holder["status"]) or 500
            self.metrics.observe(scope["method"], route, status, elapsed)
            _access.info("request", extra={
                "event": "access", "request_id": request_id, "method": scope["method"],
                "path": scope.get("path"), "route": route, "status": status,
                "duration_ms": round(elapsed * 1000, 2), "bytes": status_holder["bytes"],
                "tenant": state.get("tenant"), "actor": state.get("actor"),
            })


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID.match(text) else None
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


async def _send_problem(send: Send, scope: Scope, status: int, code: str, detail: str,
                        request_id: str, *, retry_after: bool = False) -> None:
    body = json.dumps(problem(status, code, detail, instance=scope.get("path"),
                              request_id=request_id)).encode("utf-8")
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length",
                                                          str(len(body)).encode())]
    if retry_after:
        headers.append((b"retry-after", b"5"))
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _depth_ok(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > limit:
                return False
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            if depth > limit:
                return False
            stack.extend((v, depth + 1) for v in item)
    return True


def parse_json(raw: bytes, *, max_depth: int, what: str = "the request body") -> Any:
    """Parse JSON text, refusing what is not JSON or nests deeper than *max_depth*.

    *max_depth* is the tenant's limit, at most the library's one limit
    (``edc_issue._io.MAX_JSON_DEPTH``).

    :raises ServiceError: ``service.malformed_json`` (400): not JSON.
    :raises ReadError: ``io.too_deep`` (400): nested deeper than *max_depth*.
    """
    if not raw.strip():
        raise ServiceError(f"{what} is empty; a JSON document is expected",
                           code="service.malformed_json", status=400)
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ReadError(f"{what} nests deeper than {max_depth} levels", pointer=what,
                        code="io.too_deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ServiceError(f"{what} is not valid JSON: {exc}",
                           code="service.malformed_json", status=400) from None
    if not _depth_ok(value, min(max_depth, MAX_JSON_DEPTH)):
        raise ReadError(f"{what} nests deeper than {max_depth} levels", pointer=what,
                        code="io.too_deep")
    return value


async def read_json(request: Request, *, max_depth: int) -> Any:
    """The request's JSON body (any JSON media type), depth-checked."""
    return parse_json(await request.body(), max_depth=max_depth)
