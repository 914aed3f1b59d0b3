"""The base of every JSON-LD model: aliases, lossless round trips, errors with paths.

A model reads the *compact* JSON-LD of a credential (``Model.model_validate(data)``)
and writes it back (``model.to_jsonld()``) so that the output has the same RDF as
the input, and, for data we read, the same JSON too. Compact JSON-LD lets the same
statement be written in several ways, so each node remembers how it was written:

- a property that may hold several values, written as one bare value, is written
  back bare; a single-valued property written as a one-element list is written back
  as a list (``_list_forms``);
- keys are written back in the order they were read (``_key_order``);
- a property with a default (``type``) that was absent is not added on writing;
- dates and times keep their lexical form (``XsdDateTime``, ``XsdDate``);
- properties the model does not know are kept (on classes with ``extra="allow"``)
  and listed by :meth:`JsonLdModel.unknown_properties`.

Models built from Python (``LearningAchievement(title={"en": "..."})``) write the
form the EU samples use: lists for multi-valued properties, bare values otherwise.

Every model imports only pydantic, :mod:`edc_issue.errors` and :mod:`edc_issue._types`.
The XML Schema lexical types are in :mod:`._xsd`, error shaping in :mod:`._errors`; both
are importable from here.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, ClassVar, TypeVar, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError
from typing_extensions import Self

from edc_issue._types import JsonObject
from edc_issue.errors import ModelError

from ._errors import _UNION_TAGS, format_loc, model_error
from ._xsd import Number, XsdDate, XsdDateTime, XsdDuration

__all__ = [
    "IRI",
    "JsonLdModel",
    "LanguageMap",
    "LanguageValue",
    "Number",
    "Ref",
    "XsdDate",
    "XsdDateTime",
    "XsdDuration",
    "by_type",
    "format_loc",
    "model_error",
    "node_or_iri",
]

#: One language's value in a language map: one string, or several (``{"en": ["a", "b"]}``).
LanguageValue = str | list[str]


def _check_language_map(value: Any) -> Any:
    if isinstance(value, str):
        raise PydanticCustomError(
            "language_map",
            "expected a language map such as {\"en\": \"...\"}, found the string '{found}'",
            {"found": value[:40]},
        )
    if not isinstance(value, Mapping):
        raise PydanticCustomError(
            "language_map",
            "expected a language map such as {\"en\": \"...\"}, found {found}",
            {"found": type(value).__name__},
        )
    return value


#: A JSON-LD language map (``"@container": "@language"``): language tag to string(s).
LanguageMap = Annotated[dict[str, LanguageValue], BeforeValidator(_check_language_map)]

#: An IRI (an ``@id`` value): kept as written.
IRI = str


# --------------------------------------------------------------------------- discriminators



def node_or_iri(value: Any) -> str:
    """Discriminator for ``Annotated[Node, Tag("node")] | Annotated[str, Tag("iri")]``.

    A JSON-LD object property holds either an embedded node or a bare IRI reference.
    """
    return "iri" if isinstance(value, str) else "node"


def by_type(tags: Mapping[str, str], default: str) -> Callable[[Any], str]:
    """Return a discriminator that picks a union member by the node's ``type``.

    :param tags: JSON-LD type name to union tag (``{"Person": "Person", ...}``).
    :param default: the tag for a node whose ``type`` names none of *tags*, and for
        model instances of no listed class.
    :returns: a callable for :class:`pydantic.Discriminator`; a string value (an IRI
        reference) gets the tag ``"iri"``.
    """
    _UNION_TAGS.update(tags.values())
    _UNION_TAGS.add(default)

    def discriminate(value: Any) -> str:
        if isinstance(value, str):
            return "iri"
        if isinstance(value, BaseModel):
            name = type(value).__name__
            return tags.get(name, default)
        types = value.get("type") if isinstance(value, Mapping) else None
        if isinstance(types, str):
            types = [types]
        if isinstance(types, list):
            for item in types:
                if isinstance(item, str) and item in tags:
                    return tags[item]
        return default

    return discriminate


_Node = TypeVar("_Node")

#: A node-valued property: an embedded node of the given model, or a bare IRI reference
#: to a node described elsewhere (``"awardingBody": "urn:epass:org:1"``); ``Ref[Note]``.
Ref = Annotated[
    Annotated[_Node, Tag("node")] | Annotated[str, Tag("iri")], Discriminator(node_or_iri)
]


# --------------------------------------------------------------------------- base model


def _is_list_annotation(annotation: Any) -> bool:
    """True if *annotation* (possibly ``X | None`` or ``Annotated``) is a list type."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_list_annotation(get_args(annotation)[0])
    if origin is list:
        return True
    if origin is Union or type(annotation).__name__ == "UnionType":
        members = [a for a in get_args(annotation) if a is not type(None)]
        return len(members) == 1 and _is_list_annotation(members[0])
    return False


class JsonLdModel(BaseModel):
    """Base of every JSON-LD node model (ELM, VC envelope, Open Badges).

    Fields are snake_case with the JSON-LD term as alias; both names are accepted on
    input and the alias is written. Subclasses default to ``extra="forbid"`` (a
    misspelled property fails with a did-you-mean); a class the specification leaves
    open sets ``extra="allow"``: what it does not know is kept, written back, and
    listed by :meth:`unknown_properties`.

    Read with :meth:`model_validate` (raises :class:`~edc_issue.errors.ModelError`
    with the JSON path of each problem) and write with :meth:`to_jsonld`.
    """

    model_config = ConfigDict(
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        validate_assignment=False,
        arbitrary_types_allowed=False,
    )

    #: Every alias of every JsonLdModel subclass: the did-you-mean dictionary.
    _all_aliases: ClassVar[set[str]] = set()
    #: List-valued fields written as one bare value when they hold one and the node was
    #: built in Python (the form the EU samples use); read nodes keep their own form.
    _bare_when_single: ClassVar[frozenset[str]] = frozenset()

    _list_forms: dict[str, bool] = PrivateAttr(default_factory=dict)
    _key_order: tuple[str, ...] = PrivateAttr(default=())
    _absent_defaults: frozenset[str] = PrivateAttr(default=frozenset())

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Register each subclass's name (a union tag) and aliases (for did-you-mean)."""
        super().__pydantic_init_subclass__(**kwargs)
        _UNION_TAGS.add(cls.__name__)
        for name, info in cls.model_fields.items():
            JsonLdModel._all_aliases.add(info.alias or name)

    @classmethod
    def _jsonld_fields(cls) -> tuple[frozenset[str], dict[str, str]]:
        """The list-valued field names and the alias-to-name map, computed once.

        Computed on first use rather than at class creation: classes that refer to each
        other across modules only have their annotations resolved by ``model_rebuild``.
        """
        cached = cls.__dict__.get("_jsonld_fields_cache")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        list_fields: set[str] = set()
        aliases: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            alias = info.alias or name
            aliases[alias] = name
            aliases.setdefault(name, name)
            if _is_list_annotation(info.annotation):
                list_fields.add(name)
            JsonLdModel._all_aliases.add(alias)
        result = (frozenset(list_fields), aliases)
        if cls.__pydantic_complete__:
            type.__setattr__(cls, "_jsonld_fields_cache", result)
        return result

    # -- reading -------------------------------------------------------------------

    @model_validator(mode="wrap")
    @classmethod
    def _read_forms(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if not isinstance(data, Mapping):
            return handler(data)
        list_fields, alias_to_name = cls._jsonld_fields()
        normalized: dict[str, Any] = {}
        forms: dict[str, bool] = {}
        order: list[str] = []
        for key, value in data.items():
            name = alias_to_name.get(key)
            order.append(name if name is not None else key)
            if name is None:
                normalized[key] = value
            elif name in list_fields:
                if isinstance(value, list):
                    forms[name] = True
                elif value is not None:
                    forms[name] = False
                    value = [value]
                normalized[key] = value
            elif isinstance(value, list) and len(value) == 1:
                forms[name] = True
                normalized[key] = value[0]
            else:
                normalized[key] = value
        present = {alias_to_name.get(key, key) for key in data}
        absent = frozenset(
            name
            for name, info in cls.model_fields.items()
            if name not in present and not info.is_required() and info.default is not None
        )
        result = handler(normalized)
        if isinstance(result, JsonLdModel):
            result._list_forms = forms
            result._key_order = tuple(order)
            result._absent_defaults = absent
        return result

    def __init__(self, /, **data: Any) -> None:
        """Build a node from Python values; a problem raises :class:`ModelError`."""
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise model_error(exc, model=type(self).__name__) from exc
        if self.model_extra:
            # Open classes keep unknown properties when *reading* JSON-LD; a keyword
            # argument nobody models is a typo when *building* (use model_validate to
            # add an extension property on purpose).
            known = sorted(type(self)._jsonld_fields()[1])
            problems = []
            for key in self.model_extra:
                hint = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
                message = f"unknown property {key!r}" + (
                    f"; did you mean {hint[0]!r}?" if hint else ""
                )
                problems.append((key, message))
            raise ModelError(
                f"{problems[0][1]} [{type(self).__name__}]",
                problems=problems,
                pointer=problems[0][0],
            )
        # Built from Python: write every default (``type``), in the EU samples' form.
        self._absent_defaults = frozenset()
        self._list_forms = {}
        self._key_order = ()

    # Nested nodes are validated by pydantic-core without calling __init__ (as for
    # BaseModel): keep it so, or read nodes would lose their remembered forms.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Read compact JSON-LD; raise :class:`ModelError` listing each problem with its path."""
        try:
            return super().model_validate(
                obj, strict=strict, extra=extra, from_attributes=from_attributes,
                context=context, by_alias=by_alias, by_name=by_name,
            )
        except ValidationError as exc:
            raise model_error(exc, model=cls.__name__) from exc

    @classmethod
    def from_jsonld(cls, data: JsonObject) -> Self:
        """Read a compact JSON-LD object (same as :meth:`model_validate`)."""
        return cls.model_validate(data)

    # -- writing -------------------------------------------------------------------

    @model_serializer(mode="wrap")
    def _write_forms(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        data = handler(self)
        if not isinstance(data, dict):
            return data
        fields = type(self).model_fields
        for name in self._absent_defaults:
            if name in fields:
                data.pop(fields[name].alias or name, None)
                data.pop(name, None)
        forms = dict.fromkeys(self._bare_when_single, False)
        forms.update(self._list_forms)
        for name, as_list in forms.items():
            alias = fields[name].alias or name
            key = alias if alias in data else name
            if key not in data:
                continue
            value = data[key]
            if as_list and not isinstance(value, list):
                data[key] = [value]
            elif not as_list and isinstance(value, list) and len(value) == 1:
                data[key] = value[0]
        if not self._key_order:
            return data
        ordered: dict[str, Any] = {}
        for name in self._key_order:
            for key in ((fields[name].alias or name, name) if name in fields else (name,)):
                if key in data and key not in ordered:
                    ordered[key] = data[key]
        for key, value in data.items():
            ordered.setdefault(key, value)
        return ordered

    def to_jsonld(self) -> JsonObject:
        """Write this node as compact JSON-LD (a new ``dict``; JSON terms as keys)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        assert isinstance(data, dict)
        return data

    # -- inspecting ----------------------------------------------------------------

    def unknown_properties(self) -> list[str]:
        """JSON paths of the properties this node and its descendants do not model.

        They are kept and written back by :meth:`to_jsonld`; only classes with
        ``extra="allow"`` can hold them.
        """
        return [path for path, _ in self._walk_unknown("")]

    def _walk_unknown(self, prefix: str) -> Iterator[tuple[str, Any]]:
        for key, value in (self.model_extra or {}).items():
            yield (f"{prefix}.{key}" if prefix else key), value
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            alias = info.alias or name
            here = f"{prefix}.{alias}" if prefix else alias
            if isinstance(value, JsonLdModel):
                yield from value._walk_unknown(here)
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, JsonLdModel):
                        yield from item._walk_unknown(f"{here}[{index}]")
