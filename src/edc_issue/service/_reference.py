"""The API reference page: the OpenAPI document rendered as one self-contained HTML page.

No script, font or style sheet is fetched from anywhere (a CDN would break the page
offline and leak every visit): the styles are inline, the request and response schemas
are shown as indented JSON.
"""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["render_reference"]

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;
color:#1d2330}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd}
.op{border:1px solid #dde;border-radius:6px;margin:.8rem 0;padding:.4rem .8rem}
.m{font-weight:700;display:inline-block;min-width:4.5rem}
.post{color:#17613a}.get{color:#1b4f9c}code,pre{font:13px ui-monospace,monospace}
pre{background:#f5f6fa;padding:.5rem;overflow:auto;max-height:20rem}
summary{cursor:pointer}.sec{color:#7a4b00;font-size:.85rem}
"""


def _schema_text(schema: Any) -> str:
    return html.escape(json.dumps(schema, indent=2, ensure_ascii=False))


def render_reference(openapi: dict[str, Any]) -> str:
    """Render *openapi* (FastAPI's ``app.openapi()``) as an HTML page."""
    info = openapi.get("info", {})
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{html.escape(str(info.get('title', 'API')))}</title>"
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>{html.escape(str(info.get('title', '')))} "
             f"<small>{html.escape(str(info.get('version', '')))}</small></h1>",
             f"<p>{html.escape(str(info.get('description', '')))}</p>",
             "<p>The machine-readable document: <a href='/openapi.json'>/openapi.json</a>. "
             "Every tenant's routes are under <code>/instance/{tenant}</code>; the default "
             "tenant's are also at the root. Errors are RFC 9457 problem documents "
             "(<code>application/problem+json</code>) with a stable <code>code</code>.</p>"]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in sorted(openapi.get("paths", {}).items()):
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            tag = (op.get("tags") or ["Other"])[0]
            by_tag.setdefault(tag, []).append((method, path, op))
    for tag, ops in by_tag.items():
        parts.append(f"<h2 id='{html.escape(tag)}'>{html.escape(tag)}</h2>")
        for method, path, op in ops:
            anchor = html.escape(str(op.get("operationId", "")))
            parts.append(f"<div class='op' id='{anchor}'><span class='m {method}'>"
                         f"{method.upper()}</span> <code>{html.escape(path)}</code> "
                         f"— {html.escape(str(op.get('summary', '')))}")
            description = op.get("description")
            if description:
                parts.append(f"<p>{html.escape(str(description))}</p>")
            body = op.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                parts.append(f"<details><summary>Request body: <code>{html.escape(media)}"
                             f"</code></summary><pre>{_schema_text(content.get('schema'))}"
                             "</pre></details>")
            responses = op.get("responses", {})
            if responses:
                codes = ", ".join(f"<code>{html.escape(str(c))}</code> "
                                  f"{html.escape(str(r.get('description', '')))}"
                                  for c, r in sorted(responses.items()))
                parts.append(f"<p>Responses: {codes}</p>")
            parts.append("</div>")
    parts.append("</body></html>")
    return "".join(parts)
