"""The verification QR code (segno): SVG for the PDF and the HTML page.

The code encodes the verification URL exactly (byte mode where needed), with error
correction level M, so a phone reads it from a printout; the URL's text is printed under it.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["qr_svg"]

#: The mask chosen for a URL of each shape (length, and the text around its digits): the
#: pages of a batch differ only in the credential's id, so the mask is evaluated once.
_MASKS: dict[tuple[int, str], int] = {}
_MASKS_LOCK = threading.Lock()
_ID_CHARS = re.compile(r"[0-9A-Fa-f]")


def _shape(url: str) -> tuple[int, str]:
    return len(url), _ID_CHARS.sub("0", url)


@lru_cache(maxsize=256)
def qr_svg(url: str, *, title: str | None = None, scale: int = 4) -> str:
    """An SVG QR code for *url* (no XML declaration, so it can be inlined in HTML).

    Choosing the mask (ISO/IEC 18004 §7.8.3: the lowest penalty of eight) is most of the
    cost, so codes are kept for the last 256 URLs (one page rendered as PDF and HTML, or
    in several languages, computes its code once), and the mask chosen for a URL is used
    again for URLs of the same shape (the same length and text, other hex digits: the
    pages of a batch, which differ in the credential's id); any mask decodes the same.

    :param title: the SVG ``<title>`` (its accessible name).
    :raises ConfigError: ``config.extra_missing`` if segno is not installed.
    """
    from ._deps import require

    segno = require("segno")
    shape = _shape(url)
    mask = _MASKS.get(shape)
    code = segno.make(url, error="m", micro=False, mask=mask)
    if mask is None:
        with _MASKS_LOCK:
            if len(_MASKS) > 1024:
                _MASKS.clear()
            _MASKS[shape] = code.mask
    return _svg(code.matrix, scale=scale, title=title)


_BORDER = 2
_DARK_RUN = re.compile(rb"\x01+")


def _svg(matrix: Any, *, scale: int, title: str | None) -> str:
    """The SVG segno writes for *matrix* (``kind="svg"``, ``border=2``, ``xmldecl=False``,
    ``svgclass="qr"``, ``lineclass=None``, ``omitsize=True``, black on white), written
    from the rows' runs of dark modules at once: segno's writer walks every module in
    Python, a third of a page's QR cost. ``tests/unit/render`` holds the two equal."""
    size = len(matrix) + 2 * _BORDER
    parts: list[str] = []
    end = last = 0  # where the last run ended: its column and row
    for number, row in enumerate(matrix):
        for run in _DARK_RUN.finditer(row):
            start, stop = run.span()
            parts.append(f"m{start - end} {number - last}h{stop - start}" if parts else
                         f"M{_BORDER + start} {_BORDER + number}.5h{stop - start}")
            end, last = stop, number
    dark = '<path stroke="#000" d="' + "".join(parts) + '"/>'
    light = f'<path fill="#fff" d="M0 0h{size}v{size}h-{size}z"/>'
    width = size * scale
    head = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}" class="qr">'
    if title is not None:
        head += f"<title>{escape(title)}</title>"
    group = f'<g transform="scale({scale})">' if scale != 1 else "<g>"
    return f"{head}{group}{''.join(sorted((light, dark), key=len))}</g></svg>\n"
