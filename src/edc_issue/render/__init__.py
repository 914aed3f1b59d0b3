"""Credentials a person can read: a printable PDF, an HTML page, a page image (PNG).

``pip install 'edc-issue[render]'`` (typst, segno, Jinja, Babel), then::

    from edc_issue import render, verify
    data = open("edc-microcredential.sealed.json", "rb").read()
    result = verify(render.read_source(data).document, trust=[root_pem])
    pdf = render.render(data, media_type="application/pdf", lang="sq",
                        verify_url="https://verify.example.edu/c/123", verification=result)

- :func:`render` takes an EDC (bare, a sealed JAdES envelope, the EU upload payload) or an
  Open Badge (JSON, VC-JWT, a baked PNG/SVG), as a dict, a JWT string or a file's bytes.
- It never verifies: it shows the ``VerificationResult`` the caller passes in (``None``
  shows "not verified"). ``edc_issue.rendering.verify_and_render`` does both.
- The PDF is A4, PDF/A-3a, tagged, with the bundled Noto fonts, a QR code on every page
  pointing at *verify_url* (its text printed under it), and the original attached.
- The HTML page is one self-contained file: no script, no request, ``lang`` attributes,
  alt texts, WCAG AA contrast.
- ``image/png`` is the first page, the image an EDC's ``displayParameter`` shows
  (:func:`page_images` makes one per language).

This package reads credentials through :mod:`edc_issue.models`, :mod:`edc_issue.vocab` and
:mod:`edc_issue.formats`; it imports nothing that signs, seals or verifies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ._i18n import language_tag
from ._source import CredentialKind, RenderError, Source, read_source
from .themes import Theme, load_theme

if TYPE_CHECKING:
    from ..results import VerificationResult
    from ._view import View

__all__ = [
    "MEDIA_TYPES",
    "CredentialKind",
    "RenderError",
    "Source",
    "Theme",
    "cover_images",
    "language_tag",
    "load_theme",
    "page_images",
    "read_source",
    "render",
]

#: The media types :func:`render` writes, and the format names the CLI uses for them.
MEDIA_TYPES: dict[str, str] = {"application/pdf": "pdf", "text/html": "html",
                               "image/png": "png"}

_DEFAULT_THEME = Theme()


_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")


def _check_lang(lang: str | None) -> None:
    if lang is not None and not _LANG.match(lang):
        raise RenderError(f"not a language tag: {lang[:40]!r}; expected BCP 47, such as sq, uk "
                          "or sr-Cyrl-ME", pointer="lang", code="render.lang")


def _check_url(url: str | None) -> None:
    if url is None:
        return
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise RenderError(f"the verification URL must be an http(s) URL, found {url[:60]!r}",
                          pointer="verify_url", code="render.verify_url")


def render(
    document: Mapping[str, Any] | str | bytes | Source,
    *,
    media_type: str = "application/pdf",
    lang: str | None = None,
    verify_url: str | None = None,
    verification: VerificationResult | None = None,
    theme: Theme | None = None,
    now: datetime | None = None,
) -> bytes:
    """Render a credential for a person to read.

    :param document: the credential, its envelope, upload payload, JWT or baked image
        (see :func:`read_source`); pass a file's bytes to attach the file unchanged.
    :param media_type: ``application/pdf``, ``text/html`` or ``image/png`` (page 1).
    :param lang: the page's language (BCP 47: ``sq``, ``uk``, ``cnr``, ``sr-Cyrl-ME``);
        default the credential's primary language, else English. Text the credential lacks
        in that language falls back in the order :mod:`edc_issue.render._i18n` states.
    :param verify_url: where the QR code points (an http(s) URL); no QR code without it.
    :param verification: the result of ``edc_issue.verify`` on this document; None renders
        "not verified", a failing result "NOT verified".
    :param theme: an institution's theme (:func:`load_theme`); default the package's own.
    :param now: the render time ("checked on"), and the PDF's creation date.
    :raises RenderError: ``render.unsupported``, ``render.media_type``, ``render.lang``,
        ``render.verify_url``, ``render.template``.
    :raises ModelError: the credential does not fit its model (the path is named).
    :raises ConfigError: ``config.extra_missing``: install ``edc-issue[render]``.
    """
    output = MEDIA_TYPES.get(media_type)
    if output is None:
        raise RenderError(f"cannot render {media_type!r}; expected one of "
                          + ", ".join(MEDIA_TYPES), pointer="media_type",
                          code="render.media_type")
    _check_url(verify_url)
    _check_lang(lang)
    return _render(read_source(document), output=output, lang=lang, verify_url=verify_url,
                   verification=verification, theme=theme, now=now)


def _render(source: Source, *, output: str, lang: str | None, verify_url: str | None,
            verification: VerificationResult | None, theme: Theme | None,
            now: datetime | None, display: bool = False) -> bytes:
    from ._deps import require
    from ._view import build_view

    require("babel")
    chosen = theme or _DEFAULT_THEME
    moment = now if now is not None else datetime.now(timezone.utc)
    view = build_view(source, lang=lang, verification=verification, verify_url=verify_url,
                      theme=chosen, now=moment)
    view.show_verification = not display
    return _output(view, source.original, output=output, theme=chosen, now=moment)


def _output(view: View, original: bytes, *, output: str, theme: Theme, now: datetime) -> bytes:
    qr = None
    if view.verify_url is not None:
        from .qr import qr_svg

        qr = qr_svg(view.verify_url,
                    title=view.strings["qr_alt"].replace("{url}", view.verify_url))
    if output == "html":
        from .html import render_html

        return render_html(view, qr_svg=qr, template=theme.templates.get("html"))
    from .pdf import compile_page

    return compile_page(view, original=original, qr_svg=qr,
                        template=theme.templates.get(view.template), output=output, now=now)


def page_images(
    document: Mapping[str, Any] | str | bytes | Source,
    languages: Sequence[str],
    *,
    theme: Theme | None = None,
    now: datetime | None = None,
) -> dict[str, bytes]:
    """The first page of *document* as a PNG, once per language (BCP 47 tags or EU codes).

    These are the images an EDC's ``displayParameter.individualDisplay`` carries, so the
    Europass viewer shows the credential. They have no verification box and no QR code:
    the image is part of what is sealed, so it cannot vouch for the seal (the viewer that
    shows it verifies the credential itself).
    """
    source = read_source(document)
    return {code: _render(source, output="png", lang=language_tag(code), verify_url=None,
                          verification=None, theme=theme, now=now, display=True)
            for code in languages}


def cover_images(
    title: Mapping[str, Any],
    languages: Sequence[str],
    *,
    description: Mapping[str, Any] | None = None,
    theme: Theme | None = None,
    now: datetime | None = None,
) -> dict[str, bytes]:
    """A page image per language holding only *title* and *description* (language maps).

    For a display image made before the rest of the credential exists
    (``edc.display_parameter``); :func:`page_images` shows the whole credential.
    """
    from ._deps import require
    from ._view import cover_view

    require("babel")
    chosen = theme or _DEFAULT_THEME
    moment = now if now is not None else datetime.now(timezone.utc)
    primary = language_tag(languages[0]) if languages else None
    return {code: _output(cover_view(title, description, lang=language_tag(code),
                                     primary=primary, theme=chosen),
                          b"", output="png", theme=chosen, now=moment)
            for code in languages}
