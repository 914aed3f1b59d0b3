"""The presentation names of the public contract keep their shape."""

from __future__ import annotations

import inspect

import edc_issue
from edc_issue import _presentations


def test_sign_presentation_signature() -> None:
    assert edc_issue.sign_presentation is _presentations.sign_presentation
    assert edc_issue.sign_presentation.__module__ == "edc_issue"
    params = inspect.signature(edc_issue.sign_presentation).parameters
    assert list(params)[:2] == ["presentation", "signer"]
    assert params["challenge"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["challenge"].default is inspect.Parameter.empty  # required
    for name in ("domain", "suite"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[name].default is None


def test_verify_and_verifier_take_challenge_and_domain() -> None:
    for func in (edc_issue.verify, edc_issue.Verifier):
        params = inspect.signature(func).parameters
        for name in ("challenge", "domain"):
            assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
            assert params[name].default is None
        assert params["allow_unsigned_presentation"].default is False
