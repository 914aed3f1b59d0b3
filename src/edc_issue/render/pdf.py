"""PDF and PNG pages with typst: A4, the bundled Noto fonts, the original attached.

Why typst: it is a self-contained wheel (a Rust library, no system libraries), compiles an
A4 certificate in about 10 ms here, embeds only the glyphs used (subset fonts), writes
tagged PDF (reading order and alt text for screen readers) and PDF/A-3 with associated
files, and reads the page's data as JSON, so credential text is never parsed as markup.
WeasyPrint needs the system's Pango and is some ten times slower; ReportLab has no layout
engine for multi-page tables; a headless browser is heavy and not self-contained.

The PDF is PDF/A-3a: the credential's original (see :mod:`._source`) is an associated
file (``/AF``, relationship ``Source``), so the PDF carries what can be verified. PNG
output is the first page (the EDC display image), at 96 pixels per inch by default, the
size the EU's own display images have.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ._deps import require
from ._source import RenderError
from ._view import View

__all__ = ["DEFAULT_PPI", "FONTS_DIR", "PDF_STANDARDS", "TEMPLATES_DIR", "compile_page"]

#: The bundled fonts (Noto Sans, Noto Serif) and templates.
FONTS_DIR = Path(str(resources.files(__package__).joinpath("fonts")))
TEMPLATES_DIR = Path(str(resources.files(__package__).joinpath("templates")))
#: PNG resolution: the EU's display images are A4 at 96 ppi (794 x 1123 pixels).
DEFAULT_PPI = 96.0

#: PDF/A-3a (archival, tagged, every glyph mapped to Unicode; associated files allowed) and
#: PDF/UA-1 (accessible): typst refuses a page that breaks either (an image without alt text).
PDF_STANDARDS: tuple[str, ...] = ("a-3a", "ua-1")

_LOCAL = threading.local()

#: The default templates that made a page of more than one sheet: their pages ask typst for
#: the page count from the start (see :func:`compile_page`).
_MULTI_PAGE: set[Path] = set()
#: The page tree's count in a PDF typst writes (``/Type/Pages/Count 1/Kids[...]``).
_PAGE_COUNT = re.compile(rb"<<\s*/Type\s*/Pages\s*/Count\s+(\d+)\s*/")


def _compiler() -> Any:
    """One typst compiler per thread: the fonts are parsed once, not per page."""
    compiler = getattr(_LOCAL, "compiler", None)
    if compiler is None:
        typst = require("typst")
        compiler = typst.Compiler(font_paths=[str(FONTS_DIR)], ignore_system_fonts=True)
        _LOCAL.compiler = compiler
    return compiler


def _images_json(view: View) -> str:
    # typst reads bytes from JSON arrays: no temporary files, nothing on disk
    import json

    return json.dumps({name: list(image.data) for name, image in view.images.items()},
                      separators=(",", ":"))


def compile_page(
    view: View,
    *,
    original: bytes,
    qr_svg: str | None,
    template: Path | None,
    output: str,
    now: datetime,
    ppi: float = DEFAULT_PPI,
) -> bytes:
    """Compile *view* with a typst template into PDF (``output="pdf"``) or PNG (page 1).

    :param template: a theme's typst file (compiled with its folder as the root, so it can
        read only files there); None: the default template for ``view.template``.
    :raises RenderError: ``render.template`` if the template does not compile.
    """
    path = template if template is not None else TEMPLATES_DIR / f"{view.template}.typ"
    inputs = {
        "view": view.to_json(),
        "images": _images_json(view),
        "qr": qr_svg or "",
        "original": original.decode("utf-8") if output == "pdf" else "",
        "attached": "1" if output == "pdf" else "",
    }
    # The footer's "1 / 1" needs the page count, which costs typst a second layout pass
    # (0.7 ms of a badge's 6). Most pages are one sheet: a default template is told so
    # first (sys.inputs.pages), and the page is compiled again, asking typst, if it was not
    # one sheet; after that, that template asks typst from the start.
    if template is None and path not in _MULTI_PAGE:
        result = _compile(path, dict(inputs, pages="1"), output=output, ppi=ppi, now=now)
        if _one_sheet(result):
            return _first(result, path)
        _MULTI_PAGE.add(path)
    return _first(_compile(path, inputs, output=output, ppi=ppi, now=now), path)


def _compile(path: Path, inputs: dict[str, str], *, output: str, ppi: float,
             now: datetime) -> Any:
    typst = require("typst")
    try:
        return _compiler().compile(
            input=str(path), root=str(path.parent), format=output, sys_inputs=inputs,
            ppi=ppi if output == "png" else None,
            pdf_standards=list(PDF_STANDARDS) if output == "pdf" else [],
            timestamp=now.replace(microsecond=0),
        )
    except typst.TypstError as exc:
        raise RenderError(f"the template {path.name} does not compile: {exc.message}",
                          pointer=str(path), code="render.template") from None


def _one_sheet(result: Any) -> bool:
    """True when typst's output is one page: one PNG, or a PDF whose page tree counts one
    (anything else, such as a tree this does not read, counts as more)."""
    if isinstance(result, list):
        return len(result) == 1
    if not isinstance(result, bytes):
        return False
    if result.startswith(b"\x89PNG"):
        return True
    counts = _PAGE_COUNT.findall(result)
    return counts == [b"1"]


def _first(result: Any, path: Path) -> bytes:
    if isinstance(result, list) and result:
        return bytes(result[0])
    if not isinstance(result, bytes):
        raise RenderError(f"the template {path.name} produced no output", pointer=str(path),
                          code="render.template")
    return result
