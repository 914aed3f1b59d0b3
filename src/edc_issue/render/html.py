"""One self-contained HTML page: no script, no request to anywhere, printable, accessible.

- Everything is inline: the stylesheet, the QR code (SVG), images (``data:`` URLs). A
  Content-Security-Policy (``default-src 'none'``) forbids the browser any request, so a
  theme's template cannot add one by mistake.
- Accessible: ``lang`` on the page and on every text that fell back to another language,
  landmarks and headings, alt text on images and the QR code, colours checked for contrast
  (themes too), the verification verdict in words, not only in colour.
- Printable: ``@page`` A4 with the same content as the PDF.

The template (Jinja, autoescaped) gets the same view as the PDF templates.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ._deps import require
from ._source import RenderError
from ._view import View
from .pdf import TEMPLATES_DIR

__all__ = ["render_html"]

#: No request of any kind: styles inline, images as data: URLs only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "form-action 'none'; base-uri 'none'"
)


@lru_cache(maxsize=8)
def _environment(folder: str) -> Any:
    jinja2 = require("jinja2")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), autoescape=True, trim_blocks=True,
        lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )


def _bcp47(tag: str | None) -> str | None:
    return tag if tag and tag not in ("@none", "none") else None


def render_html(view: View, *, qr_svg: str | None, template: Path | None) -> bytes:
    """The HTML page of *view* as UTF-8 bytes.

    :param template: a theme's Jinja file; None: the default ``page.html.j2``.
    :raises RenderError: ``render.template`` if the template fails.
    """
    jinja2 = require("jinja2")
    path = template if template is not None else TEMPLATES_DIR / "page.html.j2"
    environment = _environment(str(path.parent))
    try:
        page = environment.get_template(path.name).render(
            view=view, s=view.strings, images=view.images, qr_svg=qr_svg,
            csp=CONTENT_SECURITY_POLICY, bcp47=_bcp47,
            markup=jinja2.utils.markupsafe.Markup,
        )
    except jinja2.TemplateError as exc:
        raise RenderError(f"the template {path.name} failed: {exc}", pointer=str(path),
                          code="render.template") from None
    return str(page).encode("utf-8")
