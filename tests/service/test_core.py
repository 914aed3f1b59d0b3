"""The service's library calls (``_core.py``): each worker builds a tenant's issuers and its
verifier once; a request signs and verifies with them (building one per request would show
here: construction is made to fail after start)."""

from __future__ import annotations

from typing import Any

import pytest
from svc_helpers import badge_02

from edc_issue import _issuer, _verifier
from edc_issue.keys import generate_key
from edc_issue.service import _core


@pytest.fixture
def tenant() -> Any:
    key = generate_key("ed25519")
    _core.init_worker({"t": _core.TenantKeys(key=key.to_multikey(include_secret=True),
                                             suite=None)})
    return key


def test_requests_use_the_issuers_and_verifier_built_at_start(
        tenant: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    credential = dict(badge_02(), issuer=dict(badge_02()["issuer"], id=tenant.controller))
    # the first verification builds the verifier's own verifier of status lists (once)
    first = _core.sign_credential("t", credential, suite=None, issuer_from_key=False)
    assert _core.verify_document(first, tenant="t")["ok"]

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an Issuer or Verifier was built for a request")

    monkeypatch.setattr(_issuer.Issuer, "__init__", refuse)
    monkeypatch.setattr(_verifier.Verifier, "__init__", refuse)
    signed = _core.sign_credential("t", credential, suite=None, issuer_from_key=False)
    jwt = _core.sign_credential("t", credential, suite="vc-jwt", issuer_from_key=True)
    assert isinstance(signed, dict) and isinstance(jwt, str)
    for document in (signed, jwt):
        result = _core.verify_document(document, tenant="t")
        assert result["ok"], result
    listed = _core.sign_list("t", {**credential, "id": "urn:uuid:list"})
    assert listed["proof"]


def test_a_challenge_gets_a_verifier_sharing_the_tenants_settings(tenant: Any) -> None:
    base = _core._verifier("t")
    derived = _core._verifier("t", challenge="c-1", domain="example.org")
    assert derived is not base
    assert derived.resolver is base.resolver and derived.fetcher is base.fetcher
    assert derived.registry is base.registry
    assert derived.policy.challenge == "c-1" and derived.policy.domain == "example.org"
    assert _core._verifier("t") is base
