"""The public surface is pinned: the contract's names exist, and nothing else leaks."""

from __future__ import annotations

import inspect
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest

import edc_issue
from edc_issue import errors

CONTRACT = {
    "to_nquads", "canonicalize_nquads", "load_key", "generate_key", "sign", "verify",
    "validate", "VerificationResult", "ValidationReport", "EdcIssueError",
}


def _public_names(module: Any) -> set[str]:
    """The names *module* really holds (``vars()``, not ``dir()``, which ``__dir__`` bends),
    leaving out underscored names and subpackages (public by their import path)."""
    return {name for name, value in vars(module).items()
            if (not name.startswith("_") or name == "__version__")
            and not isinstance(value, ModuleType)}


def test_all_is_complete_and_holds_the_contract() -> None:
    # the order of __all__ is kept by ruff (RUF022); here: no duplicates, no leaks.
    # Names are loaded on first use (PEP 562): load them all, then vars() holds them
    assert len(set(edc_issue.__all__)) == len(edc_issue.__all__)
    for name in edc_issue.__all__:
        getattr(edc_issue, name)
    assert set(edc_issue.__all__) == _public_names(edc_issue)
    assert CONTRACT <= set(edc_issue.__all__)
    assert dir(edc_issue) == edc_issue.__all__


def test_every_public_name_is_documented() -> None:
    for name in edc_issue.__all__:
        if name == "__version__":
            continue
        assert inspect.getdoc(getattr(edc_issue, name)), name


def test_contract_signatures() -> None:
    assert list(inspect.signature(edc_issue.to_nquads).parameters) == [
        "document", "strict", "loader"]
    assert inspect.signature(edc_issue.to_nquads).parameters["strict"].default is True
    assert inspect.signature(edc_issue.canonicalize_nquads).parameters[
        "hash_algorithm"].default == "sha256"
    sign = inspect.signature(edc_issue.sign).parameters
    assert list(sign)[:2] == ["credential", "key"]
    assert sign["suite"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sign["created"].kind is inspect.Parameter.KEYWORD_ONLY
    assert inspect.signature(edc_issue.validate).parameters["profile"].default == "auto"
    assert "trust" in inspect.signature(edc_issue.verify).parameters


def test_contract_model_names() -> None:
    from edc_issue.models.edc import EuropeanDigitalCredential
    from edc_issue.models.ob3 import AchievementCredential

    for model in (EuropeanDigitalCredential, AchievementCredential):
        assert callable(model.model_validate)
        assert callable(model.to_jsonld)


def test_every_error_has_a_code_and_derives_from_the_base() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert issubclass(obj, edc_issue.EdcIssueError), name
            assert "." in obj.code or obj.code == "error", name


def test_validate_is_the_function_and_its_module_still_imports() -> None:
    # the contract's edc_issue.validate() shadows the subpackage's attribute; the
    # subpackage's names are imported with "from edc_issue.validate import ..."
    from edc_issue.validate import validate as module_validate
    from edc_issue.validate import validate_files

    assert edc_issue.validate is module_validate
    assert callable(validate_files)


def test_lazy_names_are_the_real_objects_and_unknown_names_fail() -> None:
    from edc_issue import _api, jsonld, keys

    assert edc_issue.sign is _api.sign and edc_issue.Verifier is _api.Verifier
    assert edc_issue.to_nquads is jsonld.to_nquads and edc_issue.Key is keys.Key
    assert edc_issue.Verifier.__module__ == "edc_issue"  # shown as edc_issue.Verifier
    with pytest.raises(AttributeError):
        edc_issue.no_such_name  # noqa: B018


def test_importing_the_package_loads_no_heavy_dependency() -> None:
    # start-up stays fast: pydantic, pyld, rdflib, pyshacl, jsonschema, cryptography and
    # joserfc are loaded when first used (timings: benchmarks/startup.py)
    code = ("import sys, edc_issue; heavy = ('pydantic', 'pyld', 'rdflib', 'pyshacl', "
            "'jsonschema', 'cryptography', 'joserfc', 'click'); "
            "print(sorted(m for m in heavy if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]", done.stdout
