"""RDFC-1.0 canonicalization (edc_issue.jsonld.rdfc10); the W3C suite is in tests/conformance."""

from __future__ import annotations

import hashlib
import math
import random
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edc_issue.errors import CanonicalizationError
from edc_issue.jsonld.nquads import (
    DEFAULT_GRAPH,
    IRI,
    BlankNode,
    Literal,
    Quad,
    parse_nquads,
    serialize_nquads,
)
from edc_issue.jsonld.rdfc10 import (
    canonicalize,
    canonicalize_nquads,
    canonicalize_with_map,
    issued_identifiers,
)

P, Q = IRI("urn:ex:p"), IRI("urn:ex:q")
ORACLE = Path(__file__).resolve().parents[2] / "fixtures" / "canon-oracle"


def _clique(size: int) -> list[Quad]:
    return [
        Quad(BlankNode(f"n{i}"), P, BlankNode(f"n{j}"))
        for i in range(size) for j in range(size) if i != j
    ]


def _cycle(size: int, prefix: str = "n") -> list[Quad]:
    return [Quad(BlankNode(f"{prefix}{i}"), P, BlankNode(f"{prefix}{(i + 1) % size}"))
            for i in range(size)]


# ----------------------------------------------------------------------- basics


def test_output_is_sorted_deduplicated_and_newline_terminated() -> None:
    text = (
        '_:x <urn:ex:p> "b" .\n'
        "<urn:ex:s> <urn:ex:p> _:x .\n"
        '_:x <urn:ex:p> "b" .\n'  # duplicate
        '_:x <urn:ex:p> "\\u0062" .\n'  # the same quad, escaped differently
    )
    assert canonicalize_nquads(text) == (
        '<urn:ex:s> <urn:ex:p> _:c14n0 .\n_:c14n0 <urn:ex:p> "b" .\n'
    )
    assert canonicalize_nquads("") == ""
    assert canonicalize([]) == ""


def test_ground_quads_are_only_sorted() -> None:
    quads = [
        Quad(IRI("urn:ex:b"), P, Literal("1")),
        Quad(IRI("urn:ex:a"), P, Literal("2"), IRI("urn:ex:g")),
    ]
    assert canonicalize(quads) == serialize_nquads(reversed(quads))


def _first_degree(hash_name: str, lines: list[str]) -> str:
    return hashlib.new(hash_name, "".join(sorted(lines)).encode()).hexdigest()


@pytest.mark.parametrize("algorithm", ["sha256", "sha384"])
def test_labels_follow_first_degree_hashes(algorithm: str) -> None:
    # Two blank nodes told apart by first-degree hashes only: c14n0 goes to the
    # node with the smaller hash (spec 4.4.3 step 5), computed here independently.
    values = ["0", "1", "2", "3", "4", "5"]
    quads = [Quad(BlankNode(f"n{v}"), P, Literal(v)) for v in values]
    by_hash = sorted(
        values,
        key=lambda v: _first_degree(algorithm, [f'_:a <urn:ex:p> "{v}" .\n']),
    )
    issued = issued_identifiers(quads, hash_algorithm=algorithm)
    assert issued == {f"n{v}": f"c14n{i}" for i, v in enumerate(by_hash)}


def test_sha384_and_sha256_label_differently() -> None:
    quads = [Quad(BlankNode(f"n{v}"), P, Literal(str(v))) for v in range(6)]
    sha256 = canonicalize_with_map(quads)
    sha384 = canonicalize_with_map(quads, hash_algorithm="sha384")
    assert sha256.issued != sha384.issued
    assert sha256.nquads != sha384.nquads


@pytest.mark.parametrize(
    ("spelling", "same_as"),
    [("SHA256", "sha256"), ("sha-256", "sha256"), ("SHA-256", "sha256"),
     ("Sha384", "sha384"), ("SHA-384", "sha384"), ("sha_384", "sha384")],
)
def test_hash_algorithm_spellings(spelling: str, same_as: str) -> None:
    quads = [Quad(BlankNode(f"n{v}"), P, Literal(str(v))) for v in range(6)]
    assert canonicalize(quads, hash_algorithm=spelling) == canonicalize(
        quads, hash_algorithm=same_as
    )


@pytest.mark.parametrize("algorithm", ["sha1", "md5", "sha512", "sha3-256", "", "256"])
def test_unsupported_hash_algorithms_are_refused(algorithm: str) -> None:
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize([Quad(BlankNode("x"), P, Literal("v"))], hash_algorithm=algorithm)
    assert caught.value.code == "canon.unsupported_hash"
    # checked before the document is even parsed
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize_nquads("not n-quads", algorithm)
    assert caught.value.code == "canon.unsupported_hash"


def test_invalid_nquads_is_reported_with_its_line() -> None:
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize_nquads("<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n<urn:ex:s> <urn:ex:p> .\n")
    assert caught.value.code == "canon.invalid_nquads"
    assert caught.value.pointer == "line 2"


def test_issued_map_relabels_the_input_into_the_output() -> None:
    quads = [
        Quad(BlankNode("e0"), P, BlankNode("e1"), BlankNode("g")),
        Quad(BlankNode("e1"), Q, Literal("x"), BlankNode("g")),
        Quad(IRI("urn:ex:s"), P, BlankNode("g")),
    ]
    result = canonicalize_with_map(quads)
    assert sorted(result.issued) == ["e0", "e1", "g"]
    assert sorted(result.issued.values()) == ["c14n0", "c14n1", "c14n2"]

    def relabel(term: Any) -> Any:
        return BlankNode(result.issued[term.id]) if isinstance(term, BlankNode) else term

    relabelled = [
        Quad(relabel(q.subject), q.predicate, relabel(q.object), relabel(q.graph))
        for q in quads
    ]
    assert result.nquads == "".join(sorted(serialize_nquads(relabelled).splitlines(True)))


# ------------------------------------------------------------------ equal hashes


def test_ties_are_broken_as_rdf_canonize_does() -> None:
    # A dataset whose result depends on the order of equal hashes (a known
    # RDFC-1.0 limitation). Labels and output as rdf-canonize 5.0.0 gives them.
    text = (
        "_:b4 <http://ex/q> _:b2 _:b3 .\n"
        "_:b4 <http://ex/p> _:b0 .\n"
        "_:b0 <http://ex/q> _:b3 _:b2 .\n"
    )
    result = canonicalize_with_map(parse_nquads(text))
    assert result.issued == {"b0": "c14n0", "b4": "c14n1", "b2": "c14n2", "b3": "c14n3"}
    assert result.nquads == (
        "_:c14n0 <http://ex/q> _:c14n3 _:c14n2 .\n"
        "_:c14n1 <http://ex/p> _:c14n0 .\n"
        "_:c14n1 <http://ex/q> _:c14n2 _:c14n3 .\n"
    )


def test_symmetric_graphs_are_canonical() -> None:
    # two disjoint 4-cycles, written in different orders and labels
    one = _cycle(4, "a") + _cycle(4, "b")
    two = list(reversed(_cycle(4, "x"))) + _cycle(4, "y")
    assert canonicalize(one) == canonicalize(two)
    assert canonicalize(one).count("\n") == 8


# ----------------------------------------------------------------- poison graphs


@pytest.mark.parametrize("size", [10, 12, 40])
def test_poison_clique_is_refused_fast(size: int) -> None:
    started = time.perf_counter()
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize(_clique(size))
    elapsed = time.perf_counter() - started
    assert caught.value.code == "canon.poison_graph"
    assert "poison graph" in caught.value.message
    assert caught.value.spec and "rdf-canon" in caught.value.spec
    assert elapsed < 2.0, f"{size}-clique took {elapsed:.2f}s to refuse"


def test_poison_grid_is_refused_fast() -> None:
    quads = []
    for i in range(12):
        for j in range(12):
            if i + 1 < 12:
                quads.append(Quad(BlankNode(f"g{i}_{j}"), P, BlankNode(f"g{i + 1}_{j}")))
            if j + 1 < 12:
                quads.append(Quad(BlankNode(f"g{i}_{j}"), P, BlankNode(f"g{i}_{j + 1}")))
    started = time.perf_counter()
    with pytest.raises(CanonicalizationError) as caught:
        canonicalize(quads)
    assert caught.value.code == "canon.poison_graph"
    assert time.perf_counter() - started < 2.0


def test_work_limits_can_be_tightened_and_loosened() -> None:
    cycle = _cycle(6)  # needs deep iterations: every node has the same first-degree hash
    expected = canonicalize(cycle)
    tight: list[dict[str, Any]] = [
        {"max_deep_iterations": 0}, {"max_work_factor": 0}, {"max_work": 10},
    ]
    for limits in tight:
        with pytest.raises(CanonicalizationError) as caught:
            canonicalize(cycle, **limits)
        assert caught.value.code == "canon.poison_graph"
    unbounded = canonicalize(cycle, max_work_factor=math.inf, max_work=None)
    assert unbounded == expected
    # a small clique is fine once the caller allows the work
    assert canonicalize(_clique(5), max_work_factor=math.inf, max_work=None).count("\n") == 20


def test_many_equal_blank_nodes_are_not_poison() -> None:
    # 300 identical blank-node records hanging from distinct subjects
    quads = []
    for i in range(300):
        quads.append(Quad(IRI(f"urn:ex:s{i}"), P, BlankNode(f"r{i}")))
        quads.append(Quad(BlankNode(f"r{i}"), Q, Literal("same")))
    started = time.perf_counter()
    assert canonicalize(quads).count("\n") == 600
    assert time.perf_counter() - started < 2.0


# ------------------------------------------------------------------- invariance

LABELS = [f"n{i}" for i in range(6)]
GRAPHS = [DEFAULT_GRAPH, IRI("urn:ex:g1"), IRI("urn:ex:g2")]
EDGES = st.tuples(
    st.sampled_from(LABELS),
    st.sampled_from([P, Q]),
    st.one_of(
        st.sampled_from(LABELS).map(BlankNode),
        st.sampled_from(["a", "b"]).map(Literal),
        st.just(IRI("urn:ex:o")),
    ),
    st.sampled_from(GRAPHS),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(EDGES, min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_isomorphic_inputs_give_identical_output(
    edges: list[tuple[str, IRI, Any, Any]], rng: random.Random
) -> None:
    quads = [Quad(BlankNode(s), p, o, g) for s, p, o, g in edges]
    expected = canonicalize(quads)

    renamed = dict(zip(LABELS, rng.sample([f"x{i}" for i in range(40)], len(LABELS)),
                       strict=True))

    def relabel(term: Any) -> Any:
        return BlankNode(renamed[term.id]) if isinstance(term, BlankNode) else term

    shuffled = [
        Quad(relabel(q.subject), q.predicate, relabel(q.object), q.graph) for q in quads
    ]
    rng.shuffle(shuffled)
    assert canonicalize(shuffled) == expected
    # and the canonical form is a fixed point
    assert canonicalize_nquads(expected) == expected
    labels = {t.id for q in parse_nquads(expected) for t in (q.subject, q.object)
              if isinstance(t, BlankNode)}
    assert labels == {f"c14n{i}" for i in range(len(labels))}


# ------------------------------------------------------- reference-stack outputs


def _oracle_files() -> list[Path]:
    return sorted(ORACLE.rglob("*.nq")) if ORACLE.is_dir() else []


@pytest.mark.parametrize("path", _oracle_files(), ids=lambda p: p.name)
def test_reference_canonical_outputs_are_fixed_points(path: Path) -> None:
    # Canonical N-Quads made by jsonld.js + rdf-canonize (tests/fixtures/canon-oracle)
    # canonicalize to themselves, byte for byte, whatever the order of the lines.
    text = path.read_bytes().decode("utf-8")
    algorithm = "sha384" if ".sha384." in path.name else "sha256"
    assert canonicalize_nquads(text, algorithm) == text
    lines = text.splitlines(True)
    random.Random(7).shuffle(lines)
    assert canonicalize_nquads("".join(lines), algorithm) == text
