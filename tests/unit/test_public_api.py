"""The public surface is pinned: the contract's names exist, and nothing else leaks."""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

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
    # the order of __all__ is kept by ruff (RUF022); here: no duplicates, no leaks
    assert len(set(edc_issue.__all__)) == len(edc_issue.__all__)
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
