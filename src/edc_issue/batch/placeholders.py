"""Placeholders: ``{{name|filter:arg|...}}`` in a template's strings, and the compiled template.

A template compiles once into a tree of nodes: literal values stay as they are, strings
holding placeholders become :class:`_Text` (knowing their JSON path), objects and arrays
holding placeholders become :class:`_Object` / :class:`_Array`, and every subtree
without a placeholder becomes one :class:`_Constant`. See :mod:`~edc_issue.batch.template`
for the syntax.
"""

from __future__ import annotations

import difflib
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import TemplateError  # defined with the other errors; imported from here too

__all__ = ["BUILTINS", "FILTERS", "Placeholder", "TemplateError", "compile_template",
           "walk_placeholders"]

FILTERS: tuple[str, ...] = ("date", "datetime", "integer", "langmap", "number", "optional")
BUILTINS: tuple[str, ...] = ("$id", "$issuer", "$now", "$row", "$today", "$uuid")

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@dataclass(frozen=True)
class Placeholder:
    """One ``{{name|filter:arg|...}}`` in a template string."""

    name: str
    filters: tuple[tuple[str, str | None], ...] = ()

    @property
    def optional(self) -> bool:
        """True when an empty value is allowed."""
        return any(f == "optional" for f, _ in self.filters)


@dataclass(frozen=True)
class _Text:
    """A compiled template string: literal text and placeholders, in order, at *path*."""

    parts: tuple[str | Placeholder, ...]
    path: str = "$"

    @property
    def whole(self) -> Placeholder | None:
        """The placeholder, when the string is exactly one placeholder."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Placeholder):
            return self.parts[0]
        return None


@dataclass(frozen=True)
class _Object:
    """A compiled JSON object holding placeholders: each member's key and compiled value."""

    members: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class _Array:
    """A compiled JSON array holding placeholders."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class _Constant:
    """An object or array without placeholders, kept pickled: each row gets its own copy,
    made at C speed (a step that changes its credential cannot change the next row's)."""

    pickled: bytes


def _parse_placeholder(inner: str, where: str) -> Placeholder:
    pieces = [p.strip() for p in inner.split("|")]
    name = pieces[0]
    if not name:
        raise TemplateError("a placeholder has no column name", pointer=where,
                            hint="write {{column}} or {{column|date}}")
    if "{" in name or "}" in name:
        raise TemplateError(f"placeholder {{{{{inner}}}}} is malformed", pointer=where)
    if name.startswith("$") and name not in BUILTINS:
        suggestion = difflib.get_close_matches(name, BUILTINS, n=1)
        raise TemplateError(
            f"unknown built-in value {name!r}; expected one of {', '.join(BUILTINS)}",
            pointer=where, hint=f"did you mean {suggestion[0]!r}?" if suggestion else None)
    filters: list[tuple[str, str | None]] = []
    for piece in pieces[1:]:
        fname, _, arg = piece.partition(":")
        fname = fname.strip()
        if fname not in FILTERS:
            suggestion = difflib.get_close_matches(fname, FILTERS, n=1)
            raise TemplateError(
                f"unknown filter {fname!r} in {{{{{inner}}}}}; expected one of "
                f"{', '.join(FILTERS)}", pointer=where,
                hint=f"did you mean {suggestion[0]!r}?" if suggestion else None)
        filters.append((fname, arg.strip() or None))
    return Placeholder(name, tuple(filters))


def _compile_text(text: str, where: str) -> str | _Text:
    if "{{" not in text:
        if "}}" in text:
            pass  # a literal "}}" is harmless
        return text
    parts: list[str | Placeholder] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > position:
            parts.append(text[position:match.start()])
        parts.append(_parse_placeholder(match.group(1), where))
        position = match.end()
    rest = text[position:]
    if "{{" in rest:
        raise TemplateError("a placeholder is not closed with }}", pointer=where)
    if rest:
        parts.append(rest)
    return _Text(tuple(parts), where)


def compile_template(value: Any, path: str) -> Any:
    """Compile *value* at JSON *path*: literal text stays text, subtrees without any
    placeholder become one :class:`_Constant`."""
    if isinstance(value, str):
        return _compile_text(value, path or "$")
    if isinstance(value, dict):
        members = []
        for key, item in value.items():
            if "{{" in key:
                raise TemplateError("placeholders are not allowed in keys", pointer=path or key)
            members.append((key, compile_template(item, f"{path}.{key}" if path else key)))
        if not any(_has_placeholder(node) for _, node in members):
            return _Constant(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        return _Object(tuple(members))
    if isinstance(value, list):
        items = tuple(compile_template(item, f"{path}[{i}]") for i, item in enumerate(value))
        if not any(_has_placeholder(node) for node in items):
            return _Constant(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        return _Array(items)
    return value


def _has_placeholder(node: Any) -> bool:
    return isinstance(node, (_Text, _Object, _Array))


def walk_placeholders(value: Any) -> Iterable[Placeholder]:
    """Every placeholder of a compiled template, in document order."""
    if isinstance(value, _Text):
        for part in value.parts:
            if isinstance(part, Placeholder):
                yield part
    elif isinstance(value, _Object):
        for _, item in value.members:
            yield from walk_placeholders(item)
    elif isinstance(value, _Array):
        for item in value.items:
            yield from walk_placeholders(item)
