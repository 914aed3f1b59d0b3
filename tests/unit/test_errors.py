"""The error tree: each class declares its codes, a code's area names its class, and every
raise in src/ agrees (checked statically, so a raise no test reaches is checked too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from edc_issue import errors
from edc_issue.errors import AREAS, ELSEWHERE, EdcIssueError

SRC = Path(__file__).resolve().parents[2] / "src" / "edc_issue"
DOCS = (Path(__file__).resolve().parents[2] / "docs" / "errors.md").read_text()
CLASSES = {name: obj for name, obj in vars(errors).items()
           if isinstance(obj, type) and issubclass(obj, EdcIssueError)}


def _declared(cls: type[EdcIssueError]) -> frozenset[str]:
    return cls.__dict__["codes"]  # type: ignore[no-any-return]


def test_each_class_declares_its_codes_and_its_default_is_one() -> None:
    for name, cls in CLASSES.items():
        assert "codes" in cls.__dict__, name
        assert cls.code in _declared(cls), name
    with pytest.raises(TypeError):
        type("Undeclared", (errors.InputError,), {})


def test_every_code_belongs_to_one_class_named_by_its_area() -> None:
    owners: dict[str, str] = {}
    for name, cls in CLASSES.items():
        for code in _declared(cls):
            assert code not in owners, f"{code} is declared by {owners[code]} and {name}"
            owners[code] = name
            area = code.split(".", 1)[0]
            assert area in AREAS, f"{code}: no class for the area {area!r}"
            assert issubclass(cls, AREAS[area]), f"{code} is an {area} code, not {name}'s"
            assert code == "error" or f"`{code}`" in DOCS, f"{code} is not in docs/errors.md"


def test_a_code_the_class_does_not_declare_is_refused() -> None:
    with pytest.raises(ValueError):
        errors.KeyMaterialError("x", code="proof.malformed")
    assert errors.KeyMaterialError("x", code="key.unsupported").code == "key.unsupported"
    # the two errors that are also what they were raised as before
    mismatch = errors.AlgorithmMismatchError("x")
    assert isinstance(mismatch, errors.KeyMaterialError)
    assert isinstance(mismatch, errors.ProofFormatError)
    assert isinstance(errors.StatusFetchError("x"), errors.ReadError)


def _raises() -> list[tuple[str, str | None, str]]:
    """(class name, code literal or None, where) of every raise of an errors class."""
    found: list[tuple[str, str | None, str]] = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in CLASSES:
                continue
            code: str | None = None
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    code = keyword.value.value
            found.append((name, code, f"{path.relative_to(SRC)}:{node.lineno}"))
    return found


def test_every_raise_in_src_uses_a_code_its_class_carries() -> None:
    raises = _raises()
    assert len(raises) > 200
    bare = [where for name, _, where in raises if name == "EdcIssueError"]
    assert not bare, f"raise a subclass, not EdcIssueError: {bare}"
    wrong = [(name, code, where) for name, code, where in raises
             if code is not None and code not in _declared(CLASSES[name])
             and code not in ELSEWHERE.get(name, ())]
    assert not wrong, wrong


def test_the_codes_raised_elsewhere_are_still_raised_there() -> None:
    # ELSEWHERE only shrinks: an entry whose raise is gone must go too
    used = {(name, code) for name, code, _ in _raises()}
    stale = [(name, code) for name, codes in ELSEWHERE.items() for code in codes
             if (name, code) not in used]
    assert not stale, stale
    places = {where.split(":")[0] for name, code, where in _raises()
              if code in ELSEWHERE.get(name, ())}
    owned_elsewhere = ("seal/", "_edc_sealing.py", "validate/shacl.py")
    assert all(p.startswith(owned_elsewhere) for p in places), places
