"""The W3C RDFC-1.0 test suite (tests/fixtures/rdf-canon, see its PROVENANCE.json).

* eval tests: the canonical N-Quads must equal ``<test>-rdfc10.nq`` byte for byte;
* map tests: the issued identifier map must equal ``<test>-rdfc10map.json``;
* negative tests (poison graphs): ``canon.poison_graph``, raised quickly.

The hashAlgorithm column marks the SHA-384 tests. pyoxigraph, an independent
implementation, cross-checks every eval test when it is installed.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any

import pytest

from edc_issue.errors import CanonicalizationError
from edc_issue.jsonld import nquads as nq
from edc_issue.jsonld.rdfc10 import canonicalize_nquads, canonicalize_with_map

SUITE = Path(__file__).resolve().parents[1] / "fixtures" / "rdf-canon"
NEGATIVE = "RDFC10NegativeEvalTest"

# Tests we cannot pass, with the reason. Keep it empty.
SKIP: dict[str, str] = {}


def _manifest() -> list[dict[str, str]]:
    with (SUITE / "manifest.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = _manifest()
EVAL = [r for r in ROWS if r["rdfc10"] == "TRUE"]
MAPS = [r for r in ROWS if r["rdfc10map"] == "TRUE"]
NEGATIVES = [r for r in ROWS if r["rdfc10"] == NEGATIVE]


def _params(rows: list[dict[str, str]]) -> list[Any]:
    return [
        pytest.param(
            row,
            id=row["test"],
            marks=[pytest.mark.skip(reason=SKIP[row["test"]])] if row["test"] in SKIP else [],
        )
        for row in rows
    ]


def _algorithm(row: dict[str, str]) -> str:
    return "sha384" if row["hashAlgorithm"].upper() == "SHA384" else "sha256"


def _read(name: str) -> str:
    # newline="" keeps the bytes as they are: the comparison is byte for byte.
    with (SUITE / "rdfc10" / name).open(encoding="utf-8", newline="") as handle:
        return handle.read()


def test_manifest_is_complete() -> None:
    assert len(ROWS) == 65
    assert len(EVAL) == 64 and len(MAPS) == 21 and len(NEGATIVES) == 1
    assert {r["hashAlgorithm"] for r in ROWS} == {"", "SHA384"}
    assert all(r["rdfc10"] in ("TRUE", NEGATIVE) for r in ROWS)


@pytest.mark.parametrize("row", _params(EVAL))
def test_eval(row: dict[str, str]) -> None:
    test = row["test"]
    expected = _read(f"{test}-rdfc10.nq")
    actual = canonicalize_nquads(_read(f"{test}-in.nq"), _algorithm(row))
    assert actual.encode("utf-8") == expected.encode("utf-8")


@pytest.mark.parametrize("row", _params(MAPS))
def test_map(row: dict[str, str]) -> None:
    test = row["test"]
    expected = json.loads(_read(f"{test}-rdfc10map.json"))
    quads = nq.parse_nquads(_read(f"{test}-in.nq"))
    result = canonicalize_with_map(quads, hash_algorithm=_algorithm(row))
    assert result.issued == expected


@pytest.mark.parametrize("row", _params(NEGATIVES))
def test_negative(row: dict[str, str]) -> None:
    source = _read(f"{row['test']}-in.nq")
    started = time.perf_counter()
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize_nquads(source, _algorithm(row))
    elapsed = time.perf_counter() - started
    assert caught.value.code == "canon.poison_graph"
    assert "poison graph" in str(caught.value)
    assert elapsed < 2.0, f"took {elapsed:.2f}s to refuse a poison graph"


# ------------------------------------------------------------ pyoxigraph cross-check


def _from_oxigraph(term: Any) -> Any:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return nq.IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return nq.BlankNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return nq.Literal(term.value, nq.RDF_LANGSTRING, term.language)
        return nq.Literal(term.value, term.datatype.value)
    if isinstance(term, ox.DefaultGraph):
        return nq.DEFAULT_GRAPH
    raise AssertionError(f"unexpected term {term!r}")


@pytest.mark.interop
@pytest.mark.parametrize("row", _params(EVAL))
def test_eval_agrees_with_pyoxigraph(row: dict[str, str]) -> None:
    ox = pytest.importorskip("pyoxigraph")
    source = _read(f"{row['test']}-in.nq")
    algorithm = (
        ox.CanonicalizationAlgorithm.RDFC_1_0_SHA_384
        if _algorithm(row) == "sha384"
        else ox.CanonicalizationAlgorithm.RDFC_1_0_SHA_256
    )
    dataset = ox.Dataset(ox.parse(source.encode("utf-8"), ox.RdfFormat.N_QUADS))
    dataset.canonicalize(algorithm)
    theirs = {
        nq.Quad(
            _from_oxigraph(q.subject),
            _from_oxigraph(q.predicate),
            _from_oxigraph(q.object),
            _from_oxigraph(q.graph_name),
        )
        for q in dataset
    }
    ours = nq.parse_nquads(canonicalize_nquads(source, _algorithm(row)))
    assert len(ours) == len(set(ours))
    assert set(ours) == theirs
