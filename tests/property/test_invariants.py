"""Properties that must hold for any input of the shape, not just the fixtures.

- The canonical form and a Data Integrity signature do not depend on JSON key order.
- Changing any single string value of a signed credential fails verification.
- Reading a credential into the models and writing it back is stable.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import edc_issue as edc
from edc_issue.models.ob3 import AchievementCredential

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SIGNED = json.loads((FIXTURES / "openbadges" / "spec-signed" /
                     "02-sample-openbadgecredential.eddsa-rdfc-2022.json").read_text())
UNSIGNED = json.loads((FIXTURES / "jsonld" / "obv3p0-unsigned.json").read_text())
CANONICAL = (FIXTURES / "jsonld" / "obv3p0-document-canon.nq").read_text()
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [_shuffled(v, rng) for v in value]  # list order is data: kept
    return value


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() if k != "@context"
                for p in _string_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _string_paths(v, (*path, i))]
    return [path] if isinstance(value, str) else []


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_canonical_form_ignores_key_order(rng: random.Random) -> None:
    shuffled = _shuffled(UNSIGNED, rng)
    assert edc.canonicalize_nquads(edc.to_nquads(shuffled)) == CANONICAL


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_signature_ignores_key_order(rng: random.Random) -> None:
    result = edc.verify(_shuffled(SIGNED, rng))
    assert result.ok, [c.to_json() for c in result.checks if not c.ok]


STRING_PATHS = [p for p in _string_paths(SIGNED) if "proof" not in p]


@SETTINGS
@given(st.sampled_from(STRING_PATHS), st.text(min_size=1, max_size=8))
def test_changing_any_signed_string_fails(path: tuple[Any, ...], suffix: str) -> None:
    doc = copy.deepcopy(SIGNED)
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = node[path[-1]] + suffix
    result = edc.verify(doc)
    assert not result.ok


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_model_round_trip_is_stable(rng: random.Random) -> None:
    shuffled = _shuffled(SIGNED, rng)
    written = AchievementCredential.model_validate(shuffled).to_jsonld()
    assert written == shuffled
    again = AchievementCredential.model_validate(written).to_jsonld()
    assert json.dumps(again) == json.dumps(written)
