"""Model errors as the library reports them: pydantic's errors become one
:class:`~edc_issue.errors.ModelError` whose ``problems`` name each JSON path, with a
did-you-mean for a misspelled property.
"""

from __future__ import annotations

import difflib

from pydantic import ValidationError

from edc_issue.errors import ModelError

__all__ = ["format_loc", "model_error"]

#: Tags that discriminated unions add to pydantic error locations; dropped from paths.
_UNION_TAGS: set[str] = {"node", "iri"}




def format_loc(loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into a JSON path (``credentialSubject.hasClaim[0].title``).

    Union tags (``node``, class names of discriminated unions) are left out.
    """
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in _UNION_TAGS or part.startswith(("function-", "tagged-union[")):
            continue
        else:
            path += f".{part}" if path else part
    return path


def model_error(exc: ValidationError, *, model: str | None = None) -> ModelError:
    """Wrap a pydantic :class:`~pydantic.ValidationError` into a :class:`ModelError`.

    ``problems`` holds one ``(path, message)`` per error, the path as a JSON path.
    """
    problems: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        path = format_loc(tuple(error["loc"]))
        message = str(error["msg"])
        if error["type"] == "missing":
            message = "required property is missing"
        elif error["type"] == "extra_forbidden":
            message = f"unknown property {path.rsplit('.', 1)[-1]!r}"
            hint = _suggest(path)
            if hint:
                message += f"; did you mean {hint!r}?"
        problems.append((path or "(root)", message))
    name = model or exc.title
    first = problems[0] if problems else ("", "invalid")
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return ModelError(f"{first[1]} [{name}]{more}", problems=problems, pointer=first[0] or None)


def _suggest(path: str) -> str | None:
    from ._base import JsonLdModel  # the aliases of every model class defined so far

    name = path.rsplit(".", 1)[-1]
    matches = difflib.get_close_matches(name, sorted(JsonLdModel._all_aliases), n=1, cutoff=0.8)
    return matches[0] if matches else None
