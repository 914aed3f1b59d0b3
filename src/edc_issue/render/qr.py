"""The verification QR code (segno): SVG for the PDF and the HTML page.

The code encodes the verification URL exactly (byte mode where needed), with error
correction level M, so a phone reads it from a printout; the URL's text is printed under it.
"""

from __future__ import annotations

import io
import re
import threading
from functools import lru_cache

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
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True,
              title=title, dark="#000000", light="#ffffff", svgclass="qr",
              lineclass=None, omitsize=True)
    return out.getvalue().decode("utf-8")
