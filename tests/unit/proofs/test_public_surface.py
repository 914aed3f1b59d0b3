"""The public names of edc_issue.keys and edc_issue.proofs (pinned, as httpx pins its own)."""

from __future__ import annotations

import edc_issue.keys as keys
import edc_issue.proofs as proofs


def test_all_is_sorted_and_complete() -> None:
    for module in (keys, proofs):
        assert module.__all__ == sorted(module.__all__)
        for name in module.__all__:
            if name in ("KEY_KINDS", "KeyKind"):  # constants and type aliases
                continue
            assert getattr(module, name).__doc__, f"{module.__name__}.{name} has no docstring"


def test_pinned_names() -> None:
    assert {"Key", "generate_key", "load_key", "key_from_jwk", "key_from_pem"} <= set(keys.__all__)
    assert {"EddsaRdfc2022", "EcdsaRdfc2019", "SuiteRegistry",
            "VerificationMethodResolver"} <= set(proofs.__all__)
