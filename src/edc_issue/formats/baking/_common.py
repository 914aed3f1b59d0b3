"""What the PNG and SVG bakers share: the spec's names and limits."""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["OB2_SVG_NAMESPACE", "OB3_SVG_NAMESPACE", "PNG_KEYWORD", "PNG_SIGNATURE", "SPEC_URL",
           "ImageKind"]

#: The iTXt keyword of an OB 3.0 baked PNG (OB 3.0 §5.3.1).
PNG_KEYWORD = "openbadgecredential"
#: The namespace of the ``<openbadges:credential>`` element (OB 3.0 §5.3.2).
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
#: The OB 2.0 namespace (``<openbadges:assertion>``), recognised only to explain what was found.
OB2_SVG_NAMESPACE = "http://openbadges.org"

SPEC_URL = "https://www.imsglobal.org/spec/ob/v3p0/#baked-badge"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_OB2_PNG_KEYWORD = "openbadges"
_SVG_PREFIX = "openbadges"
_MAX_TEXT = 16 * 1024 * 1024  # largest credential text read from a (compressed) chunk
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

#: The image formats that can carry a baked credential.
ImageKind = Literal["png", "svg"]
