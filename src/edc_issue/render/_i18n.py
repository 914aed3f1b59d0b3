"""Languages: which text of a language map to show, the page's own words, dates, countries.

The fallback order for a language map (a title, a name, a learning outcome) is, for the
language asked for (``sq``, ``uk``, ``sr-Latn-ME``):

1. the language itself, then its tag without region or script (``sr-Latn-ME`` -> ``sr``),
   then its aliases (Montenegrin: ``cnr``, ``sr-Latn-ME`` and ``sr-ME`` stand for each other);
2. the credential's primary language (an EDC's ``displayParameter.primaryLanguage``);
3. English;
4. the first language the map has.

Each value keeps the language it was taken in, so the HTML marks text that fell back with
its own ``lang`` attribute and a screen reader reads it in the right voice.

The page's own words (labels, the verification box) come from ``strings/<tag>.json``:
English, Albanian, Ukrainian, Lithuanian, Montenegrin (Latin and Cyrillic) and Greek are
bundled; another language falls back to English words around the credential's own text.
A theme may add or change words (``strings`` in ``theme.json``). Dates, and country
names that the credential does not give in the language asked for, come from CLDR (Babel).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = [
    "BUNDLED_LANGUAGES",
    "Strings",
    "Text",
    "country_name",
    "format_date",
    "language_tag",
    "pick",
    "strings_for",
]

#: The languages whose page words are bundled (``strings/<tag>.json``).
BUNDLED_LANGUAGES: tuple[str, ...] = ("cnr", "cnr-Cyrl", "el", "en", "lt", "sq", "uk")

#: Tags that name the same language (CLDR files Montenegrin under ``sr-ME``).
_ALIASES: dict[str, tuple[str, ...]] = {
    "cnr": ("cnr-Latn", "sr-Latn-ME", "sr-ME", "me"),
    "cnr-latn": ("cnr", "sr-Latn-ME", "sr-ME"),
    "sr-latn-me": ("cnr", "cnr-Latn", "sr-ME"),
    "sr-me": ("cnr", "sr-Latn-ME"),
    "cnr-cyrl": ("sr-Cyrl-ME",),
    "sr-cyrl-me": ("cnr-Cyrl",),
}

#: The bundled words file for a tag (lower case) that is not itself a file name.
_STRINGS_FILE: dict[str, str] = {
    "cnr-latn": "cnr", "sr-latn-me": "cnr", "sr-me": "cnr", "me": "cnr",
    "sr-cyrl-me": "cnr-Cyrl",
}

#: The CLDR locale (Babel) for dates and country names, where the tag alone is not one.
_LOCALES: dict[str, str] = {
    "cnr": "sr_Latn_ME", "cnr-latn": "sr_Latn_ME", "cnr-cyrl": "sr_Cyrl_ME",
    "sr-latn-me": "sr_Latn_ME", "sr-cyrl-me": "sr_Cyrl_ME", "sr-me": "sr_Latn_ME",
    "me": "sr_Latn_ME", "en": "en_GB",
}

#: EU authority-table language codes (``.../language/SQI``) to BCP 47 tags.
_EU_LANGUAGES: dict[str, str] = {
    "BUL": "bg", "CES": "cs", "DAN": "da", "DEU": "de", "ELL": "el", "ENG": "en", "EST": "et",
    "FIN": "fi", "FRA": "fr", "GLE": "ga", "HRV": "hr", "HUN": "hu", "ISL": "is", "ITA": "it",
    "LAV": "lv", "LIT": "lt", "MLT": "mt", "NLD": "nl", "NOR": "no", "POL": "pl", "POR": "pt",
    "RON": "ro", "SLK": "sk", "SLV": "sl", "SPA": "es", "SWE": "sv", "TUR": "tr", "UKR": "uk",
    "SQI": "sq", "SRP": "sr", "CNR": "cnr", "MKD": "mk", "BOS": "bs", "HBS": "sh", "CAT": "ca",
    "EUS": "eu", "GLG": "gl", "LTZ": "lb", "ARM": "hy", "HYE": "hy", "KAT": "ka", "RUS": "ru",
}
_EU_LANGUAGE_PREFIX = "http://publications.europa.eu/resource/authority/language/"


@dataclass(frozen=True)
class Text:
    """A piece of text and the language it is written in (None: not known)."""

    text: str
    lang: str | None = None


def language_tag(value: str) -> str:
    """A BCP 47 tag for *value*: a tag already, or an EU language concept IRI or code."""
    code = value.rsplit("/", 1)[-1] if value.startswith(_EU_LANGUAGE_PREFIX) else value
    if len(code) == 3 and code.isupper():
        return _EU_LANGUAGES.get(code, code.lower())
    return code


def fallback_order(lang: str, primary: str | None = None) -> list[str]:
    """The languages to try for *lang*, in order (see the module's docstring)."""
    order: list[str] = []

    def add(tag: str | None) -> None:
        if tag and tag.lower() not in (t.lower() for t in order):
            order.append(tag)

    add(lang)
    add(lang.split("-", 1)[0])
    for alias in _ALIASES.get(lang.lower(), ()):
        add(alias)
    if primary:
        add(primary)
        add(primary.split("-", 1)[0])
    add("en")
    return order


def _first(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list):
        texts = [v.strip() for v in value if isinstance(v, str) and v.strip()]
        return "; ".join(texts) if texts else None
    return None


def pick(
    values: Mapping[str, Any] | None, lang: str, *, primary: str | None = None
) -> Text | None:
    """The text of a language map in *lang*, falling back in the documented order.

    :param values: a language map (``{"en": "...", "sq": ["..."]}``); None gives None.
    :param primary: the credential's primary language, tried after *lang*.
    """
    if not values:
        return None
    lowered = {key.lower(): key for key in values}
    for tag in fallback_order(lang, primary):
        key = lowered.get(tag.lower())
        if key is not None:
            text = _first(values[key])
            if text:
                return Text(text, key)
    for key, value in values.items():
        text = _first(value)
        if text:
            return Text(text, key if key not in ("@none", "none") else None)
    return None


class Strings:
    """The page's own words in one language, with English under them.

    ``strings["grade"]`` is the word; ``strings.format("hours", hours=90)`` fills it in.
    ``strings.lang`` is the language the words are in (``en`` when none are bundled).
    """

    def __init__(self, lang: str, words: Mapping[str, str], english: Mapping[str, str]) -> None:
        self.lang = lang
        self._words = dict(english)
        self._words.update(words)

    def __getitem__(self, key: str) -> str:
        return self._words[key]

    def format(self, key: str, **values: object) -> str:
        """The word *key* with its ``{placeholders}`` filled in."""
        return self._words[key].format(**values)

    def as_dict(self) -> dict[str, str]:
        """Every word, for a template."""
        return dict(self._words)


@lru_cache(maxsize=32)
def _bundled(name: str) -> dict[str, str]:
    folder = resources.files(__package__).joinpath("strings")
    text = folder.joinpath(f"{name}.json").read_text("utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    return {str(k): str(v) for k, v in data.items()}


def _bundled_name(lang: str) -> str | None:
    lowered = lang.lower()
    if lowered in _STRINGS_FILE:
        return _STRINGS_FILE[lowered]
    for name in BUNDLED_LANGUAGES:
        if name.lower() == lowered:
            return name
    base = lowered.split("-", 1)[0]
    for name in BUNDLED_LANGUAGES:
        if name.lower() == base:
            return name
    return None


def strings_for(lang: str, overrides: Mapping[str, Mapping[str, str]] | None = None) -> Strings:
    """The page words for *lang*: bundled, then the theme's *overrides* (``{tag: {key: word}}``)."""
    english = _bundled("en")
    name = _bundled_name(lang)
    words: dict[str, str] = dict(_bundled(name)) if name else {}
    resolved = name or "en"
    for tag, table in (overrides or {}).items():
        if tag.lower() in (lang.lower(), (name or "").lower()):
            words.update(table)
            resolved = lang if name is None else resolved
        elif tag.lower() == "en":
            english = {**english, **table}
    return Strings(resolved, words, english)


def _locale(lang: str) -> Any:
    from babel import Locale, UnknownLocaleError

    name = _LOCALES.get(lang.lower(), lang.replace("-", "_"))
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(lang.split("-", 1)[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en_GB")


def format_date(moment: date | datetime | None, lang: str) -> str | None:
    """*moment* as a long date in *lang* (``27 qershor 2025``, ``27 червня 2025 р.``)."""
    if moment is None:
        return None
    from babel.dates import format_date as babel_format_date

    day = moment.date() if isinstance(moment, datetime) else moment
    return str(babel_format_date(day, format="long", locale=_locale(lang)))


def country_name(alpha3: str, lang: str) -> str | None:
    """The name of the country with ISO 3166-1 alpha-3 code *alpha3* in *lang* (CLDR)."""
    from babel.core import get_global

    aliases: Mapping[str, Iterable[str]] = get_global("territory_aliases")
    code = alpha3.upper()
    alpha2 = "XK" if code == "XKX" else next(iter(aliases.get(code, ())), None)
    if alpha2 is None:
        return None
    name = _locale(lang).territories.get(alpha2)
    return str(name) if name else None
