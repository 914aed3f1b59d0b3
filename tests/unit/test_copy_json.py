"""``copy_json``: the deep copy the signing path uses instead of ``copy.deepcopy``."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from edc_issue._io import copy_json

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=40,
)


def _containers(value: Any) -> list[Any]:
    found = [value] if isinstance(value, (dict, list)) else []
    children = value.values() if isinstance(value, dict) else (
        value if isinstance(value, list) else [])
    for child in children:
        found.extend(_containers(child))
    return found


@given(_JSON)
def test_equal_to_deepcopy_and_shares_no_container(value: Any) -> None:
    copied = copy_json(value)
    assert copied == copy.deepcopy(value)
    originals = {id(c) for c in _containers(value)}
    assert not originals & {id(c) for c in _containers(copied)}


def test_changing_the_copy_leaves_the_original() -> None:
    original = {"proof": [{"type": "DataIntegrityProof"}], "tags": ("a", ["b"])}
    copied = copy_json(original)
    copied["proof"][0]["type"] = "changed"
    copied["tags"][1].append("c")
    assert original == {"proof": [{"type": "DataIntegrityProof"}], "tags": ("a", ["b"])}
    assert isinstance(copied["tags"], tuple)
