"""Themes: an institution's logo, colours, layout, words and templates, without code.

A theme is a folder with a ``theme.json`` (every key optional)::

    {
      "name": "University of Tirana",
      "logo": "logo.png",
      "colors": {"primary": "#7a1f2b", "accent": "#b8860b", "text": "#1a1a1a"},
      "layout": {"orientation": "portrait", "title_font": "serif",
                 "sections": ["facts", "outcomes", "parts", "alignments"]},
      "footer": {"en": "Registrar's office, +355 4 000 000", "sq": "Zyra e regjistrit"},
      "strings": {"sq": {"heading.microcredential": "Mikrokredencial universitar"}},
      "templates": {"edc-microcredential": "micro.typ", "html": "page.html.j2"}
    }

- ``logo``: a PNG, JPEG or SVG file in the folder, shown in the page header.
- ``colors``: ``#rrggbb``; ``primary`` (headings, rules) and ``text`` must reach a WCAG 2
  contrast of 4.5:1 on white, or the theme is refused (``render.theme``).
- ``layout.orientation``: ``portrait`` or ``landscape`` (A4); ``title_font``: ``serif`` or
  ``sans``; ``sections``: which blocks appear, in order (``facts``, ``outcomes``, ``parts``,
  ``criteria``, ``alignments``). The learner, the title, the awarding body, the
  verification box and the QR code always appear.
- ``strings``: page words to add or change, by language (the keys of ``strings/en.json``).
- ``templates``: your own typst file (for ``edc-microcredential``, ``edc-diploma``,
  ``badge``) or Jinja file (``html``) in the folder, used instead of the default; it
  gets the same data (``docs/render.md`` lists it). Templates are markup, not code: typst
  files can only read files inside the theme folder, and the HTML template is autoescaped.

Themes never fetch anything. ``Theme()`` is the default (the package's own colours).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._io import read_bytes
from ._source import RenderError

__all__ = ["DEFAULT_COLORS", "DEFAULT_SECTIONS", "Theme", "contrast_ratio", "load_theme"]

#: The default colours: a dark blue for headings, near-black text, a gold accent.
DEFAULT_COLORS: dict[str, str] = {"primary": "#1f3a68", "accent": "#a07a1c", "text": "#1b1b1b",
                                  "verified": "#1d6b35", "failed": "#a4161a",
                                  "unchecked": "#5a5a5a"}
#: The blocks a page shows, in order.
DEFAULT_SECTIONS: tuple[str, ...] = ("facts", "outcomes", "parts", "criteria", "alignments")
_TEMPLATE_KEYS = ("edc-microcredential", "edc-diploma", "badge", "html")
_HEX = re.compile(r"#[0-9a-fA-F]{6}\Z")
_LOGO_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _luminance(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(foreground: str, background: str = "#ffffff") -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Theme:
    """A theme (see the module's docstring); ``Theme()`` is the default one.

    :param folder: the theme's folder (custom templates are compiled with it as their root).
    :param logo: the logo's bytes and media type.
    """

    name: str | None = None
    folder: Path | None = None
    logo: tuple[bytes, str] | None = None
    colors: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_COLORS))
    orientation: str = "portrait"
    title_font: str = "serif"
    sections: tuple[str, ...] = DEFAULT_SECTIONS
    footer: Mapping[str, str] | None = None
    strings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    templates: Mapping[str, Path] = field(default_factory=dict)

    def layout(self) -> dict[str, Any]:
        """The layout settings, as the templates read them."""
        return {"orientation": self.orientation, "title_font": self.title_font,
                "sections": list(self.sections)}


def _problem(path: Path, key: str, message: str) -> RenderError:
    return RenderError(message, pointer=f"{path}: {key}", code="render.theme")


def _logo(folder: Path, name: Any, theme_file: Path) -> tuple[bytes, str]:
    if not isinstance(name, str):
        raise _problem(theme_file, "logo", "expected a file name in the theme folder")
    path = _inside(folder, name, theme_file, "logo")
    data = read_bytes(path)
    for magic, media_type in _LOGO_TYPES.items():
        if data.startswith(magic):
            return data, media_type
    if b"<svg" in data[:4096]:
        return data, "image/svg+xml"
    raise _problem(theme_file, "logo", f"{name} is not a PNG, JPEG or SVG image")


def _inside(folder: Path, name: str, theme_file: Path, key: str) -> Path:
    path = (folder / name).resolve()
    if folder.resolve() not in path.parents:
        raise _problem(theme_file, key, f"{name} is outside the theme folder")
    if not path.is_file():
        raise _problem(theme_file, key, f"no file {name} in the theme folder")
    return path


def load_theme(path: str | Path) -> Theme:
    """Read a theme folder (or its ``theme.json``).

    :raises RenderError: ``render.theme``, naming the file and the key at fault.
    :raises ReadError: ``theme.json`` is missing or not JSON.
    """
    from .._io import read_json_object

    given = Path(path)
    theme_file = given / "theme.json" if given.is_dir() else given
    folder = theme_file.parent
    data = read_json_object(theme_file)
    unknown = sorted(set(data) - {"name", "logo", "colors", "layout", "footer", "strings",
                                  "templates"})
    if unknown:
        raise _problem(theme_file, unknown[0], f"unknown key {unknown[0]!r}; expected name, "
                       "logo, colors, layout, footer, strings or templates")
    colors = dict(DEFAULT_COLORS)
    for key, value in (data.get("colors") or {}).items():
        if key not in DEFAULT_COLORS:
            raise _problem(theme_file, f"colors.{key}", f"unknown colour {key!r}; expected "
                           + ", ".join(DEFAULT_COLORS))
        if not isinstance(value, str) or not _HEX.match(value):
            raise _problem(theme_file, f"colors.{key}", f"expected #rrggbb, found {value!r}")
        colors[key] = value.lower()
    for key in ("primary", "text", "verified", "failed"):
        ratio = contrast_ratio(colors[key])
        if ratio < 4.5:
            raise _problem(theme_file, f"colors.{key}", f"{colors[key]} has a contrast of "
                           f"{ratio:.1f}:1 on white; text needs at least 4.5:1 (WCAG 2 AA)")
    layout = data.get("layout") or {}
    orientation = layout.get("orientation", "portrait")
    if orientation not in ("portrait", "landscape"):
        raise _problem(theme_file, "layout.orientation", "expected portrait or landscape")
    title_font = layout.get("title_font", "serif")
    if title_font not in ("serif", "sans"):
        raise _problem(theme_file, "layout.title_font", "expected serif or sans")
    sections = tuple(layout.get("sections", DEFAULT_SECTIONS))
    bad = [s for s in sections if s not in DEFAULT_SECTIONS]
    if bad:
        raise _problem(theme_file, "layout.sections", f"unknown section {bad[0]!r}; expected "
                       + ", ".join(DEFAULT_SECTIONS))
    templates = {}
    for key, name in (data.get("templates") or {}).items():
        if key not in _TEMPLATE_KEYS:
            raise _problem(theme_file, f"templates.{key}", f"unknown template {key!r}; "
                           "expected " + ", ".join(_TEMPLATE_KEYS))
        templates[key] = _inside(folder, str(name), theme_file, f"templates.{key}")
    strings = data.get("strings") or {}
    if not isinstance(strings, dict) or not all(
            isinstance(t, dict) and all(isinstance(v, str) for v in t.values())
            for t in strings.values()):
        raise _problem(theme_file, "strings", "expected {language: {key: text}}")
    footer = data.get("footer")
    if footer is not None and not isinstance(footer, dict):
        raise _problem(theme_file, "footer", "expected a language map {\"en\": \"...\"}")
    return Theme(
        name=data.get("name"), folder=folder,
        logo=_logo(folder, data["logo"], theme_file) if data.get("logo") else None,
        colors=colors, orientation=orientation, title_font=title_font, sections=sections,
        footer=footer, strings=strings, templates=templates,
    )

