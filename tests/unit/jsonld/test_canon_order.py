"""Line order matches rdf-canonize (UTF-16 code units) where it differs from code point order.

The two orders differ only for lines that first differ at a character above U+FFFF
against one in U+E000-U+FFFF. rdf-canonize, the canonicalizer vc-js signs with, sorts
UTF-16 code units, both for the output and inside Hash First Degree Quads (so blank
node labels can differ too). The expected outputs were produced by rdf-canonize 5.0.0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from edc_issue import canonicalize_nquads

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "jsonld"


@pytest.mark.parametrize("algorithm", ["sha256", "sha384"])
def test_order_and_labels_match_rdf_canonize(algorithm: str) -> None:
    source = (FIXTURES / "utf16-order-in.nq").read_text(encoding="utf-8")
    expected = (FIXTURES / f"utf16-order-{algorithm}.nq").read_text(encoding="utf-8")
    assert canonicalize_nquads(source, hash_algorithm=algorithm) == expected


def test_code_point_order_would_differ() -> None:
    # the fixture really exercises the difference: sorted by code point, the first two
    # lines would swap
    expected = (FIXTURES / "utf16-order-sha256.nq").read_text(encoding="utf-8").splitlines()
    assert expected[:2] != sorted(expected[:2])
