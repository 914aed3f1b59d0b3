"""Errors as RFC 9457 problem details (``application/problem+json``) with the library's codes.

Every answer that is not a success is a problem document::

    {"type": "urn:edc-issue:error:jsonld.undefined_term", "title": "jsonld.undefined_term",
     "status": 422, "detail": "no @context defines \\"nmae\\"", "code": "jsonld.undefined_term",
     "pointer": "/credential/credentialSubject/nmae", "instance": "/credentials/issue",
     "requestId": "…"}

Statuses: the request is malformed 400 · no or bad credentials 401 · not allowed 403 ·
unknown tenant, credential or list 404 · body too large 413 · unsupported media type 415 ·
the credential's content is wrong (any library ``InputError``) 422 · a status change that
cannot be done (``StatusError``) 409 · the per-request time ran out 503. Bad input never
gives a 5xx.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import EdcIssueError, InputError, KeyMaterialError, StatusError

__all__ = [
    "PROBLEM_JSON",
    "ServiceError",
    "problem_response",
    "status_for",
    "verification_response",
]

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger("edc_issue.service")


class ServiceError(EdcIssueError):
    """An error the service answers with: a code in the ``service`` area and an HTTP status.

    Codes: ``service.invalid_request`` (400), ``service.malformed_json`` (400),
    ``service.issuer_mismatch`` (400), ``service.unauthorized`` (401),
    ``service.forbidden`` (403), ``service.insufficient_scope`` (403),
    ``service.bad_seal_password`` (403), ``service.unknown_tenant`` (404),
    ``service.not_found`` (404), ``service.method_not_allowed`` (405),
    ``service.body_too_large`` (413), ``service.unsupported_media_type`` (415),
    ``service.no_seal`` (409), ``service.batch_not_finished`` (409), ``service.timeout``
    (503), ``service.unavailable`` (503), ``service.not_verified`` (400: a verify route's
    document did not verify), ``service.challenge_used`` (400: a one-time challenge was
    used or expired).
    """

    code: ClassVar[str] = "service.invalid_request"
    codes: ClassVar[frozenset[str]] = frozenset({  # the codes it may carry (edc_issue.errors)
        "service.invalid_request", "service.malformed_json", "service.issuer_mismatch",
        "service.unauthorized", "service.forbidden", "service.insufficient_scope",
        "service.bad_seal_password", "service.unknown_tenant", "service.not_found",
        "service.method_not_allowed", "service.body_too_large",
        "service.unsupported_media_type", "service.no_seal", "service.timeout",
        "service.unavailable", "service.invalid_client", "service.invalid_scope",
        "service.invalid_target", "service.internal_error", "service.not_verified",
        "service.challenge_used",
        "service.batch_not_finished",  # a batch job's report or outputs asked for too early
    })

    def __init__(self, message: str, *, code: str, status: int, pointer: str | None = None,
                 headers: dict[str, str] | None = None, hint: str | None = None) -> None:
        super().__init__(message, code=code, pointer=pointer, hint=hint)
        self.status = status
        self.headers = dict(headers or {})


def status_for(exc: EdcIssueError) -> int:
    """The HTTP status for a library error (see the module docstring)."""
    if isinstance(exc, ServiceError):
        return exc.status
    if isinstance(exc, StatusError):
        if exc.code in ("status.no_list",):
            return 404
        return 409
    if isinstance(exc, KeyMaterialError) and exc.code == "key.bad_password":
        return 403
    if isinstance(exc, InputError):
        if exc.code.startswith("io."):
            return 400
        return 422
    # ConfigError, SignerError, ValidationError and the rest: the request could not be done
    # with what the tenant has; the request is well formed, so 422 (never 5xx for input)
    return 422


def _pointer(path: str | None) -> str | None:
    """A JSON Pointer from the library's dotted paths (``a.b[0].c`` → ``/a/b/0/c``)."""
    if not path:
        return None
    if path.startswith("/"):
        return path
    parts: list[str] = []
    for piece in path.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(piece.replace("~", "~0").replace("/", "~1"))
    return "/" + "/".join(parts)


def problem(status: int, code: str, detail: str, *, instance: str | None = None,
            pointer: str | None = None, request_id: str | None = None,
            extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build a problem document."""
    body: dict[str, Any] = {
        "type": f"urn:edc-issue:error:{code}",
        "title": code,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if pointer:
        body["pointer"] = pointer
    if instance:
        body["instance"] = instance
    if request_id:
        body["requestId"] = request_id
    if extra:
        body.update(extra)
    return body


def problem_response(request: Request | None, exc: EdcIssueError, *,
                     prefix: str = "") -> JSONResponse:
    """Turn *exc* into a problem response; *prefix* is the pointer of the part it concerns."""
    status = status_for(exc)
    pointer = _pointer(exc.pointer) if exc.pointer and not exc.pointer.startswith("<") else None
    if pointer and prefix and not pointer.startswith(prefix + "/") and pointer != prefix:
        pointer = prefix + pointer
    detail = exc.message if not exc.hint else f"{exc.message} ({exc.hint})"
    extra: dict[str, Any] = {}
    if exc.problems:
        extra["problems"] = [{"pointer": _pointer(p) if not p.startswith("<") else None,
                              "detail": m} for p, m in exc.problems[:50]]
    body = problem(status, exc.code, detail, pointer=pointer,
                   instance=request.url.path if request is not None else None,
                   request_id=_request_id(request), extra=extra)
    headers = dict(exc.headers) if isinstance(exc, ServiceError) else {}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def verification_response(request: Request | None, answer: dict[str, Any], *,
                          prefix: str = "") -> JSONResponse:
    """The answer of a verify route: 200 with the VCALM result when it verified, else 400.

    A failed verification is a problem document (``application/problem+json``, code
    ``service.not_verified``, its detail the first error's), as Digital Bazaar's
    verifier and the W3C suites expect, that also carries the whole VCALM result
    (``verified: false``, ``problemDetails``, ``results``, ``checks``), so a client
    reading either form loses nothing. *prefix* (the request member holding the
    document) is put before the first error's pointer.
    """
    if answer.get("verified") is True:
        return JSONResponse(answer)
    errors = [p for p in answer.get("problemDetails", [])
              if isinstance(p, dict) and p.get("severity", "error") == "error"]
    first = errors[0] if errors else {}
    detail = "the document does not verify"
    if first:
        detail = f"{first.get('detail')} [{first.get('title')}]"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more: see problemDetails)"
    pointer = first.get("pointer")
    if isinstance(pointer, str) and not pointer.startswith("/options"):
        pointer = prefix + pointer
    body = problem(400, "service.not_verified", detail, pointer=pointer,
                   instance=request.url.path if request is not None else None,
                   request_id=_request_id(request))
    body.update({"verified": False, **{k: v for k, v in answer.items() if k != "verified"}})
    return JSONResponse(body, status_code=400, media_type=PROBLEM_JSON)


def _request_id(request: Request | None) -> str | None:
    if request is None:
        return None
    value = request.scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


def plain_problem(request: Request | None, status: int, code: str, detail: str,
                  headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem response for the service's own conditions (no library error)."""
    body = problem(status, code, detail,
                   instance=request.url.path if request is not None else None,
                   request_id=_request_id(request))
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def log_bug(exc: BaseException, request_id: str | None) -> None:
    """Log an unexpected exception: its type and where it happened, never its message
    (which may quote the request's data)."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    where = [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames]
    _log.error("internal error", extra={"event": "bug", "request_id": request_id,
                                        "exception": type(exc).__name__, "where": where})
