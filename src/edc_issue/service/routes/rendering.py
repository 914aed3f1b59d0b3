"""Rendering: ``POST /credentials/render`` and the public verification page ``GET /verify``.

Both verify first, with the tenant's verifier, then render
(:func:`edc_issue.rendering.verify_and_render`, in the work pool): the page says what the
verification found, and a credential whose proof or seal fails reads "not verified",
never "verified".

- ``POST /credentials/render`` ``{"verifiableCredential": ..., "options": {"format":
  "pdf"|"html", "lang": "sq", "verifyUrl": "https://..."}}`` → the PDF or the HTML page,
  with ``X-Credential-Verified: true|false``. Open like ``/credentials/verify`` (the
  ``open_verify`` setting), or with ``write:/credentials/verify``.
- ``GET /verify``: what a learner or an employer opens from the credential's QR code. With
  ``?url=https://...`` the credential at that URL is fetched (SSRF-guarded: no private
  address unless ``[network] allow_networks`` has it), verified and shown; without it, a
  form to paste or upload a credential (``POST /verify``, no JavaScript).
"""

from __future__ import annotations

import html
import importlib.util
from typing import Any

import anyio
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ...errors import EdcIssueError
from .. import _core
from .._errors import plain_problem
from .._http import parse_json, read_json
from .._service import Service
from ._common import bad_request, json_body, register, service_of
from .verifier import _status_urls, _unenvelope

__all__ = ["router"]

router = APIRouter()

_FORMATS = {"pdf": "application/pdf", "html": "text/html"}
RENDER_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "verifiableCredential": {"oneOf": [{"type": "object"}, {"type": "string"}]},
        "options": {"type": "object", "properties": {
            "format": {"type": "string", "enum": sorted(_FORMATS)},
            "lang": {"type": "string"}, "verifyUrl": {"type": "string"}}},
    },
    "required": ["verifiableCredential"],
}


def _renderer_missing() -> bool:
    return any(importlib.util.find_spec(name) is None for name in ("typst", "segno", "jinja2"))


async def _lists_for(service: Service, document: Any) -> list[Any] | None:
    assert service.status is not None
    status = service.status
    target = document
    if isinstance(document, dict) and "payload" in document and "@context" not in document:
        return None  # a sealed EDC: no status list of this service
    urls = _status_urls(target, service.base_url)
    if not urls:
        return None
    found = await anyio.to_thread.run_sync(lambda: status.lists_by_url(urls))
    return list(found.values()) or None


async def _render(service: Service, tenant: str, document: Any, *, media_type: str,
                  lang: str | None, verify_url: str | None) -> dict[str, Any]:
    assert service.pool is not None
    lists = await _lists_for(service, document)
    return await service.pool.run(_core.render_document, tenant, document,
                                  media_type=media_type, lang=lang, verify_url=verify_url,
                                  status_lists=lists)


async def render_route(request: Request, tenant: str) -> Response:
    """Verify and render a credential → the PDF or HTML (``X-Credential-Verified``)."""
    service = service_of(request)
    service.authorize(request, tenant, "write:/credentials/verify",
                      open_route=service.config.auth.open_verify)
    if _renderer_missing():
        return plain_problem(request, 503, "service.unavailable",
                             "rendering needs the [render] extra: pip install 'edc-issue[render]'")
    body = await read_json(request, max_depth=service.config.limits.max_json_depth)
    if not isinstance(body, dict) or "verifiableCredential" not in body:
        raise bad_request('the body must have "verifiableCredential"', "/verifiableCredential")
    options = body.get("options") or {}
    if not isinstance(options, dict):
        raise bad_request("options must be an object", "/options")
    fmt = options.get("format", "pdf")
    accept = request.headers.get("accept", "")
    if "format" not in options and "text/html" in accept and "application/pdf" not in accept:
        fmt = "html"
    if not isinstance(fmt, str) or fmt not in _FORMATS:
        raise bad_request(f"options.format is one of {', '.join(sorted(_FORMATS))}",
                          "/options/format")
    for name in ("lang", "verifyUrl"):
        if name in options and not isinstance(options[name], str):
            raise bad_request(f"options.{name} must be a string", f"/options/{name}")
    document = _unenvelope(body["verifiableCredential"])
    if not isinstance(document, (dict, str)):
        raise bad_request("verifiableCredential is a JSON object or a compact JWT",
                          "/verifiableCredential")
    done = await _render(service, tenant, document, media_type=_FORMATS[fmt],
                         lang=options.get("lang"), verify_url=options.get("verifyUrl"))
    verified = "true" if done["verified"] else "false"
    return Response(done["content"], media_type=done["media_type"],
                    headers={"X-Credential-Verified": verified, "Cache-Control": "no-store"})


# ---- the public page -----------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;background:#fff;line-height:1.5}
h1{font-size:1.5rem}label{display:block;font-weight:600;margin-top:1rem}
textarea,input[type=url]{width:100%;box-sizing:border-box;font:inherit;padding:.4rem}
textarea{min-height:10rem;font-family:monospace}
button{margin-top:1rem;font:inherit;padding:.4rem 1.2rem}
.error{border-left:4px solid #a40000;padding:.5rem 1rem;background:#fdeaea;color:#5a0000}
"""


def _form_page(action: str, *, error: str | None = None, status: int = 200) -> HTMLResponse:
    problem = (f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verify a credential</title><style>{_STYLE}</style></head>
<body><main>
<h1>Verify a credential</h1>
{problem}
<p>Paste a credential (JSON, a VC-JWT or a sealed European Digital Credential), upload its
file (JSON or a baked PNG/SVG badge), or give the address it is published at. It is
checked here and shown with the result; nothing is stored.</p>
<form method="post" action="{html.escape(action)}" enctype="multipart/form-data">
<label for="credential">Credential</label>
<textarea id="credential" name="credential"></textarea>
<label for="file">or its file</label>
<input id="file" name="file" type="file" accept=".json,.jwt,.png,.svg,application/json">
<button type="submit">Verify</button>
</form>
<form method="get" action="{html.escape(action)}">
<label for="url">or its address (URL)</label>
<input id="url" name="url" type="url" placeholder="https://">
<button type="submit">Verify</button>
</form>
</main></body></html>"""
    return HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-store"})


def _parse_upload(data: bytes) -> Any:
    """What a pasted or uploaded credential is: JSON, a compact JWT, or image bytes."""
    text = data.strip()
    if text[:1] in (b"{", b"["):
        return parse_json(text, max_depth=64)
    if text.count(b".") == 2 and b" " not in text and text[:2] == b"ey":
        return text.decode("ascii", "replace")
    return bytes(data)


async def _page_for(request: Request, tenant: str, document: Any) -> Response:
    service = service_of(request)
    verify_url = str(request.url)
    lang = request.query_params.get("lang")
    try:
        done = await _render(service, tenant, document, media_type="text/html", lang=lang,
                             verify_url=verify_url if "url=" in verify_url else None)
    except EdcIssueError as exc:
        return _form_page(request.url.path, error=f"This cannot be shown: {exc.message} "
                          f"[{exc.code}]", status=422)
    return HTMLResponse(done["content"].decode("utf-8"), headers={
        "X-Credential-Verified": "true" if done["verified"] else "false",
        "Cache-Control": "no-store"})


async def verify_page(request: Request, tenant: str) -> Response:
    """The public verification page: a form, or the result for ``?url=``."""
    service = service_of(request)
    service.tenant(tenant)
    if _renderer_missing():
        return plain_problem(request, 503, "service.unavailable",
                             "the verification page needs the [render] extra")
    url = request.query_params.get("url")
    if not url:
        return _form_page(request.url.path)
    network = service.config.network
    if not network.verify_page_urls:
        return _form_page(request.url.path, status=403,
                          error="This service does not fetch credentials by address; "
                                "paste or upload it instead.")
    if not url.startswith(("https://", "http://")):
        return _form_page(request.url.path, status=400,
                          error="The address must start with https://")
    assert service.pool is not None
    try:
        data = await service.pool.run(_core.fetch_document, url,
                                      allow_networks=network.allow_networks,
                                      timeout=network.timeout, max_bytes=network.max_bytes)
        document = _parse_upload(data)
    except EdcIssueError as exc:
        return _form_page(request.url.path, status=400,
                          error=f"The credential could not be read from that address: "
                                f"{exc.message} [{exc.code}]")
    return await _page_for(request, tenant, document)


async def verify_page_post(request: Request, tenant: str) -> Response:
    """The verification page's form: a pasted or uploaded credential."""
    service = service_of(request)
    service.tenant(tenant)
    if _renderer_missing():
        return plain_problem(request, 503, "service.unavailable",
                             "the verification page needs the [render] extra")
    limit = service.config.limits.max_body_bytes
    try:
        form = await request.form(max_files=1, max_fields=4, max_part_size=limit)
    except Exception:  # the multipart parser's errors: a malformed form
        return _form_page(request.url.path, status=400, error="The form cannot be read.")
    data = b""
    try:
        upload = form.get("file")
        if upload is not None and not isinstance(upload, str):
            data = await upload.read()
        if not data.strip():
            pasted = form.get("credential")
            data = pasted.encode("utf-8") if isinstance(pasted, str) else b""
    finally:
        await form.close()
    if not data.strip():
        return _form_page(request.url.path, status=400,
                          error="Paste a credential or choose its file.")
    try:
        document = _parse_upload(data)
    except EdcIssueError as exc:
        return _form_page(request.url.path, status=400,
                          error=f"That is not a credential: {exc.message} [{exc.code}]")
    return await _page_for(request, tenant, document)


register(router, "/credentials/render", render_route, methods=["POST"],
         name="renderCredential", summary="Verify and render a credential (PDF or HTML)",
         tags=["Rendering"], openapi_extra=json_body(RENDER_BODY),
         responses={200: {"description": "The rendered credential",
                          "content": {"application/pdf": {}, "text/html": {}}}})
register(router, "/verify", verify_page, methods=["GET"], name="verifyPage",
         summary="The public verification page", tags=["Rendering"],
         responses={200: {"description": "An HTML page", "content": {"text/html": {}}}})
register(router, "/verify", verify_page_post, methods=["POST"], name="verifyPageForm",
         summary="The verification page's form (paste or upload)", tags=["Rendering"],
         openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
             "type": "object", "properties": {"credential": {"type": "string"},
                                              "file": {"type": "string",
                                                       "format": "binary"}}}}}}},
         responses={200: {"description": "An HTML page", "content": {"text/html": {}}}})
