"""Credential templates: a credential JSON whose strings hold ``{{column}}`` placeholders.

A template is an ordinary EDC or Open Badges 3.0 credential in JSON. Any string may
contain placeholders, filled from the row's columns::

    "name": "{{given_name}} {{family_name}}"          text, interpolated
    "dateOfBirth": "{{birth_date|date}}"              a whole-string placeholder keeps its type
    "awardedDate": "{{completed|datetime}}"
    "score": "{{grade|number}}"
    "title": "{{course|langmap:en}}"                  -> {"en": "..."}
    "email": "mailto:{{email|optional}}"              an empty optional value drops the key

Filters, chained with ``|`` (each may take one argument after ``:``):

``date[:FORMAT]``
    an ISO date (``2024-06-30``), a ``DD.MM.YYYY`` date, a spreadsheet date, or one read
    with the :func:`~datetime.datetime.strptime` *FORMAT* given (``date:%d/%m/%Y``);
    gives ``YYYY-MM-DD``.
``datetime[:FORMAT]``
    an ISO date-time (UTC when no offset is given) or a date (midnight UTC); gives
    ``YYYY-MM-DDTHH:MM:SSZ`` (or the given offset).
``number`` / ``integer``
    a JSON number (``12,5`` with a decimal comma is read as 12.5).
``langmap[:LANG]``
    a language map ``{"LANG": text}`` (default language ``en``).
``optional``
    an empty cell is allowed: a whole-string placeholder drops its key (or list item);
    inside text it becomes an empty string. Without it, an empty cell is an error.

Built-in values (names starting with ``$``): ``$id`` the credential's ``urn:uuid`` id,
``$uuid`` a new ``urn:uuid`` at each place it appears, ``$now`` the issuance date-time,
``$today`` the issuance date, ``$row`` the row number, ``$issuer`` the issuer id given by
the signer. With a key column, ``$id`` and every ``$uuid`` are UUIDv5 values derived
from that column, so the same learner always gets the same ids.

Nothing is evaluated: no expressions, no attribute access, no Jinja. A placeholder
naming a column the data does not have is an error before any row is issued.

A template may also be in the EU issuer's upload format, ``{"credential": {...},
"deliveryDetails": {...}}``: the credential is the template (given the EDC ``@context``
when it has none, as the EU issuer does), and ``deliveryDetails`` (which may hold
placeholders too, such as ``"deliveryAddress": ["{{email}}"]``) is filled for each row
and kept beside the credential (:attr:`Rendered.delivery_details`), never in it.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import pickle
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .._io import read_json_object
from .._types import JsonObject
from ..formats.envelopes import is_upload_wrapper, unwrap_credential
from .cells import CellError, convert, format_datetime, is_empty, to_text
from .placeholders import (
    BUILTINS,
    FILTERS,
    Placeholder,
    TemplateError,
    _Array,
    _Constant,
    _Object,
    _Text,
    compile_template,
    walk_placeholders,
)
from .sources import Cell, RowError

__all__ = [
    "BUILTINS",
    "FILTERS",
    "Placeholder",
    "RenderContext",
    "Rendered",
    "RowFailure",
    "Template",
    "TemplateError",
    "load_template",
]


@dataclass(frozen=True)
class RenderContext:
    """The values of the built-in placeholders for one row."""

    id: str
    row: int
    now: datetime
    issuer: str | None = None


@dataclass
class Rendered:
    """A filled-in credential and which column filled which JSON path."""

    credential: JsonObject
    columns_by_path: dict[str, str] = field(default_factory=dict)
    #: the filled ``deliveryDetails`` of an EU upload-format template (never in the credential)
    delivery_details: Any = None


class _Drop:
    """Marks a value to remove (an empty optional placeholder)."""


_DROP = _Drop()


# --------------------------------------------------------------------------- Template


class Template:
    """A compiled credential template.

    :param document: the template credential (a JSON object with placeholders).
    :param key_column: the column that identifies a row (say, a student number): ids
        become UUIDv5 values derived from it, and a re-run recognises the row by it.
    :param id_namespace: the UUIDv5 namespace for those ids (default: derived from the
        template's content).
    :param default_language: the language of ``langmap`` without an argument.
    :param source: the template's file name, for messages.
    :raises TemplateError: bad placeholder syntax, an unknown filter or built-in.
    """

    def __init__(self, document: JsonObject, *, key_column: str | None = None,
                 id_namespace: uuid.UUID | str | None = None, default_language: str = "en",
                 source: str = "template") -> None:
        if not isinstance(document, dict):
            raise TemplateError("a template must be a JSON object", pointer=source)
        self.document = document
        self.source = source
        self.key_column = key_column
        self.default_language = default_language
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
        #: sha256 of the template's canonical JSON
        self.digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        if id_namespace is None:
            self.id_namespace = uuid.uuid5(uuid.NAMESPACE_URL,
                                           f"urn:edc-issue:template:{self.digest}")
        elif isinstance(id_namespace, uuid.UUID):
            self.id_namespace = id_namespace
        else:
            try:
                self.id_namespace = uuid.UUID(id_namespace)
            except ValueError:
                self.id_namespace = uuid.uuid5(uuid.NAMESPACE_URL, id_namespace)
        credential: JsonObject = document
        delivery: Any = None
        self.has_delivery_details = is_upload_wrapper(document)
        if self.has_delivery_details:
            credential, _ = unwrap_credential(document, source=source)
            delivery = document.get("deliveryDetails")
        try:
            self._compiled = compile_template(credential, "")
            self._delivery = compile_template(delivery, "deliveryDetails")
        except TemplateError as exc:
            exc.pointer = f"{source}: {exc.pointer}" if exc.pointer else source
            raise
        self.placeholders: tuple[Placeholder, ...] = (*walk_placeholders(self._compiled),
                                                      *walk_placeholders(self._delivery))

    @classmethod
    def load(cls, path: str | os.PathLike[str], **options: Any) -> Template:
        """Read a template file (see :func:`load_template`)."""
        return load_template(path, **options)

    @property
    def columns(self) -> list[str]:
        """The columns the template uses, in order of first use."""
        seen: dict[str, None] = {}
        for p in self.placeholders:
            if not p.name.startswith("$"):
                seen.setdefault(p.name)
        if self.key_column:
            seen.setdefault(self.key_column)
        return list(seen)

    def check_columns(self, columns: Iterable[str], *, data_source: str = "data") -> None:
        """Check that every column the template names exists in *columns*.

        :raises TemplateError: ``batch.missing_column``, naming every missing column
            with a did-you-mean; raised before any row is issued.
        """
        available = list(columns)
        missing = [c for c in self.columns if c not in available]
        if not missing:
            return
        problems: list[tuple[str, str]] = []
        for column in missing:
            close = difflib.get_close_matches(column, available, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            what = "key column" if column == self.key_column else "placeholder"
            problems.append((self.source,
                             f"{what} {{{{{column}}}}} names a column that {data_source} "
                             f"does not have{hint}"))
        raise TemplateError(
            problems[0][1] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
            + f"; columns are: {', '.join(available)}",
            code="batch.missing_column", pointer=self.source, problems=problems)

    def row_id(self, values: Mapping[str, Cell]) -> str | None:
        """Return the deterministic ``urn:uuid`` id of a row, or None without a key column."""
        if not self.key_column:
            return None
        key = values.get(self.key_column)
        if is_empty(key):
            return None
        return f"urn:uuid:{uuid.uuid5(self.id_namespace, to_text(key).strip())}"

    def render(self, number: int, values: Mapping[str, Cell],
               context: RenderContext) -> Rendered:
        """Fill the template with one row.

        :raises RowFailure: with every problem of the row (each naming its column).
        """
        errors: list[RowError] = []
        columns_by_path: dict[str, str] = {}
        uuids = _UuidSource(context.id)
        state = _RenderState(number, values, context, errors, columns_by_path, uuids,
                             self.default_language)
        if self.key_column and is_empty(values.get(self.key_column)):
            errors.append(RowError(number, self.key_column, "the key column is empty",
                                   "batch.empty_value"))
        credential = state.render(self._compiled)
        delivery = None
        if self.has_delivery_details:
            state.columns_by_path = {}  # a model error never points into deliveryDetails
            delivery = state.render(self._delivery)
        if errors:
            unique = list(dict.fromkeys(errors))  # a column used twice fails once
            raise RowFailure(unique)
        if not isinstance(credential, dict):  # pragma: no cover - the root is an object
            raise RowFailure([RowError(number, None, "the template did not give an object")])
        return Rendered(credential, columns_by_path,
                        delivery_details=None if delivery is _DROP else delivery)


class RowFailure(Exception):
    """A row could not be rendered; ``errors`` names each column and reason."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class _UuidSource:
    def __init__(self, credential_id: str) -> None:
        base = credential_id.removeprefix("urn:uuid:")
        try:
            self._namespace = uuid.UUID(base)
        except ValueError:
            self._namespace = uuid.uuid5(uuid.NAMESPACE_URL, credential_id)
        self._n = 0

    def next(self) -> str:
        self._n += 1
        return f"urn:uuid:{uuid.uuid5(self._namespace, f'part-{self._n}')}"


@dataclass
class _RenderState:
    number: int
    values: Mapping[str, Cell]
    context: RenderContext
    errors: list[RowError]
    columns_by_path: dict[str, str]
    uuids: _UuidSource
    default_language: str

    def _value(self, placeholder: Placeholder, path: str) -> Any:
        name = placeholder.name
        if name.startswith("$"):
            return self._builtin(name, placeholder, path)
        if name not in self.values:
            self.errors.append(RowError(self.number, name, "the row has no such column",
                                        "batch.missing_column"))
            return _DROP
        raw = self.values[name]
        self.columns_by_path.setdefault(path, name)
        if is_empty(raw):
            if placeholder.optional:
                return _DROP
            self.errors.append(RowError(self.number, name, "the value is empty (required)",
                                        "batch.empty_value"))
            return _DROP
        try:
            return convert(placeholder.filters, raw, self.default_language)
        except CellError as exc:
            self.errors.append(RowError(self.number, name, exc.reason, exc.code))
            return _DROP

    def _builtin(self, name: str, placeholder: Placeholder, path: str) -> Any:
        ctx = self.context
        if name == "$id":
            return ctx.id
        if name == "$uuid":
            return self.uuids.next()
        if name == "$row":
            return ctx.row
        if name == "$now":
            value: Any = format_datetime(ctx.now)
        elif name == "$today":
            value = ctx.now.date().isoformat()
        else:  # $issuer
            if not ctx.issuer:
                self.errors.append(RowError(
                    self.number, None, "{{$issuer}} needs an issuer id from the key or "
                    "certificate, and the signer gave none", "batch.no_issuer"))
                return _DROP
            value = ctx.issuer
        if placeholder.filters:
            try:
                return convert(placeholder.filters, value, self.default_language)
            except CellError as exc:
                self.errors.append(RowError(self.number, None, f"{name}: {exc.reason}",
                                            exc.code))
                return _DROP
        return value

    def render(self, node: Any) -> Any:
        kind = type(node)
        if kind is _Object:
            out: dict[str, Any] = {}
            for key, item in node.members:
                rendered = self.render(item)
                if rendered is not _DROP:
                    out[key] = rendered
            return out
        if kind is _Text:
            whole = node.whole
            if whole is not None:
                return self._value(whole, node.path)
            pieces: list[str] = []
            for part in node.parts:
                if isinstance(part, str):
                    pieces.append(part)
                    continue
                value = self._value(part, node.path)
                if value is _DROP:
                    continue
                if isinstance(value, dict):
                    value = next(iter(value.values()), "")
                pieces.append(value if isinstance(value, str) else json.dumps(value))
            return "".join(pieces)
        if kind is _Constant:
            return pickle.loads(node.pickled)
        if kind is _Array:
            items = [self.render(item) for item in node.items]
            return [item for item in items if item is not _DROP]
        return node


def load_template(path: str | os.PathLike[str], *, key_column: str | None = None,
                  id_namespace: uuid.UUID | str | None = None,
                  default_language: str = "en") -> Template:
    """Read and compile a template file.

    :raises ReadError: the file is missing or not a JSON object.
    :raises TemplateError: the template's placeholders are malformed.
    """
    document = read_json_object(path)
    return Template(document, key_column=key_column, id_namespace=id_namespace,
                    default_language=default_language, source=str(Path(path)))
