"""RDF Dataset Canonicalization, RDFC-1.0 (https://www.w3.org/TR/rdf-canon/).

:func:`canonicalize_nquads` and :func:`canonicalize` return the canonical
N-Quads document (sorted lines, each ending with ``"\\n"``);
:func:`canonicalize_with_map` also returns the issued identifier map.

The implementation follows the specification step by step (the step numbers
in comments are the spec's) and agrees with rdf-canonize, the JavaScript
implementation that vc-js signs with, wherever the spec leaves a choice:

* a quad is listed once per blank node even if the node occurs twice in it;
* blank nodes with equal hashes are handled in order of first appearance;
* permutations are generated from the sorted list with the Steinhaus-Johnson-
  Trotter algorithm, so the first of several equal chosen paths is the one
  rdf-canonize keeps;
* work is bounded like rdf-canonize's ``maxWorkFactor``: at most
  ``n ** max_work_factor`` calls of Hash N-Degree Quads, where ``n`` is the
  number of blank nodes whose first-degree hash is shared
  (https://www.w3.org/TR/rdf-canon/#dataset-poisoning); ``max_work`` also
  bounds the total work, so a large poison graph fails within about a second.

Line order. The spec sorts N-Quads lines in Unicode code point order; rdf-canonize,
the implementation vc-js signs with (and Java implementations such as the 1EdTech
validator's), sorts UTF-16 code units. The two orders differ only when two lines
first differ at a character above U+FFFF on one side and U+E000-U+FFFF on the other
(an emoji against U+FFFD, say); a signature computed with one order then fails with
the other. We sort as the deployed verifiers do: by UTF-16 code units, which is the
plain sort whenever the dataset has no character above U+FFFF (tested against
rdf-canonize in tests/unit/jsonld/test_canon_order.py and tests/interop).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Final, NoReturn, Protocol

from ..errors import CanonicalizationError
from .nquads import BlankNode, Quad, RawQuad, parse_nquads, raw_from_quads, serialize_literal

__all__ = [
    "DEFAULT_MAX_WORK",
    "DEFAULT_MAX_WORK_FACTOR",
    "CanonicalResult",
    "canonicalize",
    "canonicalize_nquads",
    "canonicalize_raw",
    "canonicalize_with_map",
    "issued_identifiers",
]

SPEC: Final = "https://www.w3.org/TR/rdf-canon/"

DEFAULT_MAX_WORK_FACTOR: Final = 3.0
"""Default bound on the calls of Hash N-Degree Quads: ``n ** 3`` for ``n`` blank nodes
whose first-degree hash is shared (rdf-canonize's ``maxWorkFactor``, whose own
default of 1 rejects the W3C suite's "computable" poison graphs 044-046).
"""

DEFAULT_MAX_WORK: Final = 2_000_000
"""Default bound on the total work of Hash N-Degree Quads, in steps.

A step is one related blank node hashed, or one entry of a permutation or of
the copied identifier issuer examined. Poison graphs of every shape tried
(cliques, cycles, grids) are refused within about 0.1-0.4 s at this bound; the
W3C suite needs at most about 21,000 steps (tests 044-046) and credentials
typically a few hundred.
"""


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


_HASHES: Final[dict[str, Callable[..., _Hasher]]] = {
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
}


def _hash_factory(name: str) -> Callable[..., _Hasher]:
    """Map ``sha256``/``SHA-256``/``sha384``/``SHA-384`` (any case) to a hashlib constructor."""
    key = str(name).lower().replace("-", "").replace("_", "")
    factory = _HASHES.get(key)
    if factory is None:
        raise CanonicalizationError(
            f"unsupported RDFC-1.0 hash algorithm {name!r}; use 'sha256' or 'sha384'",
            code="canon.unsupported_hash",
            spec=f"{SPEC}#hash-algorithm",
        )
    return factory


@dataclass(frozen=True, slots=True)
class CanonicalResult:
    """The canonical N-Quads document and the issued identifier map.

    ``issued`` maps each input blank-node label to its canonical label
    (``"c14nN"``), in issue order (https://www.w3.org/TR/rdf-canon/#dfn-issued-identifiers-map).
    """

    nquads: str
    issued: dict[str, str]


class _Issuer:
    """Identifier issuer (https://www.w3.org/TR/rdf-canon/#issue-identifier)."""

    __slots__ = ("counter", "issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None,
                 counter: int = 0) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = {} if issued is None else issued
        self.counter = counter

    def issue(self, existing: str) -> str:
        """The identifier issued for ``existing``, issuing a new one if needed."""
        ident = self.issued.get(existing)
        if ident is None:
            ident = self.issued[existing] = f"{self.prefix}{self.counter}"
            self.counter += 1
        return ident

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, self.issued.copy(), self.counter)


def _permutations(items: list[str]) -> Iterator[list[str]]:
    """All permutations of ``items``, in rdf-canonize's order.

    The list is sorted, then permuted with the Steinhaus-Johnson-Trotter
    algorithm (directions are kept per value, as rdf-canonize does, which
    matters only when a value occurs twice). Each yielded list is fresh.
    """
    current = sorted(items)
    length = len(current)
    if length == 1:
        yield current
        return
    left = dict.fromkeys(current, True)
    last = length - 1
    while True:
        yield current.copy()
        # the largest mobile element: greater than the neighbour it looks at
        k: str | None = None
        pos = 0
        for i, element in enumerate(current):
            if (k is None or element > k) and (
                (left[element] and i > 0 and element > current[i - 1])
                or (not left[element] and i < last and element > current[i + 1])
            ):
                k, pos = element, i
        if k is None:
            return
        swap = pos - 1 if left[k] else pos + 1
        current[pos], current[swap] = current[swap], k
        for element in current:
            if element > k:
                left[element] = not left[element]


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _utf16_order(line: str) -> bytes:
    """Sort key comparing UTF-16 code units, as JavaScript's ``Array.prototype.sort``."""
    return line.encode("utf-16-be", "surrogatepass")


def _sort_lines(lines: list[str], astral: bool) -> None:
    """Sort N-Quads lines as rdf-canonize does (see the module docstring)."""
    if astral:
        lines.sort(key=_utf16_order)
    else:
        lines.sort()  # no character above U+FFFF: code points and UTF-16 agree


class _Canonicalizer:
    """State of one run of the canonicalization algorithm (section 4.4)."""

    def __init__(self, quads: Iterable[RawQuad], hash_algorithm: str,
                 max_work_factor: float, max_deep_iterations: int | None,
                 max_work: int | None) -> None:
        self.new_hash = _hash_factory(hash_algorithm)
        self.max_work_factor = max_work_factor
        self.max_deep_iterations = max_deep_iterations
        self.remaining = 0
        self.limit = 0
        self.non_unique_count = 0
        self.max_work = max_work
        self.steps = max_work if max_work is not None else 2**62
        self.input = quads
        # Per distinct quad: N-Quads of subject, predicate, object and graph
        # ("" for the default graph), and the blank-node labels of subject,
        # object and graph (None where not a blank node).
        self.parts: list[tuple[str, str, str, str]] = []
        self.labels: list[tuple[str | None, str | None, str | None]] = []
        # 4.4.3 step 2: blank node to quads map (quad indexes, each quad once).
        self.bnode_quads: dict[str, list[int]] = {}
        self.first_degree: dict[str, str] = {}
        self.related: dict[str, list[tuple[str, str]]] = {}
        self.canonical = _Issuer("c14n")
        #: whether any term has a character above U+FFFF (then line order needs care)
        self.astral = False

    # -- helpers ------------------------------------------------------------

    def _hex(self, text: str) -> str:
        return self.new_hash(text.encode("utf-8")).hexdigest()

    def _index(self) -> None:
        """Serialize each distinct quad once and build the blank node to quads map.

        A dataset is a set: duplicate quads are dropped, the first one kept
        (4.4.3 step 2, https://www.w3.org/TR/rdf-canon/#canon-algo-algo).
        """
        bnode_quads = self.bnode_quads
        parts = self.parts
        labels = self.labels
        seen: set[tuple[str, str, str, str]] = set()
        astral = False
        for subject, predicate, obj, graph in self.input:
            ls = lo = lg = None
            if type(subject) is str:
                s = "<" + subject + ">"
            else:
                ls = subject.id  # type: ignore[union-attr]
                s = "_:" + ls
            kind = type(obj)
            if kind is str:
                o = "<" + obj + ">"  # type: ignore[operator]
            elif kind is BlankNode:
                lo = obj.id  # type: ignore[union-attr]
                o = "_:" + lo
            else:
                o = serialize_literal(obj)  # type: ignore[arg-type]
            if graph is None:
                g = ""
            elif type(graph) is str:
                g = "<" + graph + ">"
            else:
                lg = graph.id  # type: ignore[union-attr]
                g = "_:" + lg
            key = (s, "<" + predicate + ">", o, g)
            if key in seen:
                continue
            if not astral and not (s.isascii() and o.isascii() and key[1].isascii()
                                   and g.isascii()):
                astral = any(_ASTRAL.search(term) for term in key)
            seen.add(key)
            index = len(parts)
            parts.append(key)
            labels.append((ls, lo, lg))
            for label in (ls, lo, lg):
                if label is not None:
                    indexes = bnode_quads.get(label)
                    if indexes is None:
                        bnode_quads[label] = [index]
                    elif indexes[-1] != index:
                        indexes.append(index)
        self.astral = astral

    # -- 4.6 Hash First Degree Quads -------------------------------------------

    def _hash_first_degree(self, ident: str) -> str:
        """https://www.w3.org/TR/rdf-canon/#hash-1d-quads"""
        lines = []
        for index in self.bnode_quads[ident]:
            s, p, o, g = self.parts[index]
            ls, lo, lg = self.labels[index]
            if ls is not None:
                s = "_:a" if ls == ident else "_:z"
            if lo is not None:
                o = "_:a" if lo == ident else "_:z"
            if lg is not None:
                g = "_:a" if lg == ident else "_:z"
            lines.append(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")
        _sort_lines(lines, self.astral)
        return self._hex("".join(lines))

    def _related_of(self, ident: str) -> list[tuple[str, str]]:
        """Each (related blank node, position + predicate prefix) for ``ident``.

        Section 4.8.3 step 3 with the constant part of 4.7.3 steps 1-2
        (https://www.w3.org/TR/rdf-canon/#hash-related-blank-node).
        """
        cached = self.related.get(ident)
        if cached is not None:
            return cached
        related: list[tuple[str, str]] = []
        for index in self.bnode_quads[ident]:
            ls, lo, lg = self.labels[index]
            predicate = self.parts[index][1]
            if ls is not None and ls != ident:
                related.append((ls, "s" + predicate))
            if lo is not None and lo != ident:
                related.append((lo, "o" + predicate))
            if lg is not None and lg != ident:
                related.append((lg, "g"))
        self.related[ident] = related
        return related

    def _too_complex(self, what: str) -> NoReturn:
        raise CanonicalizationError(
            f"the dataset is too complex to canonicalize, a possible poison graph: {what} "
            f"would be needed for its {self.non_unique_count} blank nodes with shared hashes",
            code="canon.poison_graph",
            hint="raise the work limits only for trusted input",
            spec=f"{SPEC}#dataset-poisoning",
        )

    # -- 4.8 Hash N-Degree Quads -------------------------------------------

    def _hash_n_degree(self, ident: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """https://www.w3.org/TR/rdf-canon/#hash-nd-quads"""
        if self.remaining <= 0:
            self._too_complex(f"more than {self.limit} deep iterations of Hash N-Degree Quads")
        self.remaining -= 1
        related_list = self._related_of(ident)
        self.steps -= len(related_list)
        canonical = self.canonical.issued
        first_degree = self.first_degree
        new_hash = self.new_hash

        # Steps 1-3: hash to related blank nodes map (4.7 Hash Related Blank Node).
        hash_to_related: dict[str, list[str]] = {}
        for related, prefix in related_list:
            known = canonical.get(related)
            if known is not None:
                key = "_:" + known
            else:
                known = issuer.issued.get(related)
                key = "_:" + known if known is not None else first_degree[related]
            digest = new_hash((prefix + key).encode("utf-8")).hexdigest()
            group = hash_to_related.get(digest)
            if group is None:
                hash_to_related[digest] = [related]
            else:
                group.append(related)

        # Step 4: data to hash (fed straight into the hash object).
        data = new_hash()
        # Step 5: for each related hash, in code point order.
        for related_hash in sorted(hash_to_related):
            data.update(related_hash.encode("ascii"))
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            # Step 5.4: for each permutation of the blank node list.
            for permutation in _permutations(hash_to_related[related_hash]):
                self.steps -= len(permutation) + len(issuer.issued)
                if self.steps < 0:
                    self._too_complex(f"more than {self.max_work} steps of work")
                issuer_copy = issuer.copy()
                path = ""
                recursion: list[str] = []
                skip = False
                for related in permutation:
                    known = canonical.get(related)
                    if known is not None:
                        path += "_:" + known
                    else:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        path += "_:" + issuer_copy.issue(related)
                    # Step 5.4.4.3. A path that already sorts after the chosen
                    # one can only grow after it (a prefix would sort before).
                    if chosen_path and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                # Step 5.4.5: recurse into the newly reached blank nodes.
                for related in recursion:
                    result_hash, result_issuer = self._hash_n_degree(related, issuer_copy)
                    path += "_:" + issuer_copy.issue(related) + "<" + result_hash + ">"
                    issuer_copy = result_issuer
                    if chosen_path and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                # Step 5.4.6
                if chosen_issuer is None or path < chosen_path:
                    chosen_path = path
                    chosen_issuer = issuer_copy
            # Steps 5.5-5.6
            data.update(chosen_path.encode("utf-8"))
            assert chosen_issuer is not None  # the first permutation is never skipped
            issuer = chosen_issuer
        # Step 6
        return data.hexdigest(), issuer

    # -- 4.4 Canonicalization algorithm ----------------------------------------

    def run(self) -> CanonicalResult:
        """https://www.w3.org/TR/rdf-canon/#canon-algorithm"""
        self._index()
        # Steps 3-5 (one pass: first-degree hashes never change, see the spec's
        # note on step 5 and rdf-canonize).
        hash_to_bnodes: dict[str, list[str]] = {}
        for ident in self.bnode_quads:
            digest = self.first_degree[ident] = self._hash_first_degree(ident)
            hash_to_bnodes.setdefault(digest, []).append(ident)
        non_unique: list[list[str]] = []
        for digest in sorted(hash_to_bnodes):
            idents = hash_to_bnodes[digest]
            if len(idents) > 1:
                non_unique.append(idents)
            else:
                self.canonical.issue(idents[0])

        # The work bound (section 4.4 "dataset poisoning").
        count = self.non_unique_count = sum(len(idents) for idents in non_unique)
        if self.max_deep_iterations is not None:
            self.limit = self.max_deep_iterations
        else:
            bound = count ** self.max_work_factor if count else 0.0
            self.limit = int(bound) if math.isfinite(bound) and bound < 2**62 else 2**62
        self.remaining = self.limit

        # Step 6: blank nodes sharing a first-degree hash.
        for idents in non_unique:
            hash_path_list: list[tuple[str, _Issuer]] = []
            for ident in idents:
                if ident in self.canonical.issued:
                    continue
                issuer = _Issuer("b")
                issuer.issue(ident)
                hash_path_list.append(self._hash_n_degree(ident, issuer))
            hash_path_list.sort(key=lambda result: result[0])  # stable, as in JS
            for _, issuer in hash_path_list:
                for existing in issuer.issued:
                    self.canonical.issue(existing)

        # Step 7: relabel and serialize each quad; sort (see the module docstring).
        canonical = self.canonical.issued
        lines: list[str] = []
        for (s, p, o, g), (ls, lo, lg) in zip(self.parts, self.labels, strict=True):
            if ls is not None:
                s = "_:" + canonical[ls]
            if lo is not None:
                o = "_:" + canonical[lo]
            if lg is not None:
                g = "_:" + canonical[lg]
            lines.append(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")
        # Distinct quads give distinct lines: canonical labels are a bijection.
        _sort_lines(lines, self.astral)
        return CanonicalResult("".join(lines), dict(canonical))


def canonicalize_with_map(
    quads: Iterable[Quad],
    *,
    hash_algorithm: str = "sha256",
    max_work_factor: float = DEFAULT_MAX_WORK_FACTOR,
    max_deep_iterations: int | None = None,
    max_work: int | None = DEFAULT_MAX_WORK,
) -> CanonicalResult:
    """Canonicalize ``quads`` with RDFC-1.0; return the document and the issued map.

    :param hash_algorithm: ``"sha256"`` (default) or ``"sha384"``; ``"SHA-256"``
        and other cases are accepted too
        (https://www.w3.org/TR/rdf-canon/#hash-algorithm).
    :param max_work_factor: bound the calls of Hash N-Degree Quads to ``n **
        max_work_factor``, ``n`` being the number of blank nodes whose first-degree
        hash is not unique (``math.inf``: no bound).
    :param max_deep_iterations: an exact bound on those calls, overriding
        ``max_work_factor``.
    :param max_work: bound the total work of Hash N-Degree Quads, in steps (one
        related blank node hashed or one permutation entry examined; ``None``:
        no bound), so that a large poison graph fails within about a second.
    :raises CanonicalizationError: ``canon.unsupported_hash`` for another hash
        algorithm, ``canon.poison_graph`` when the bound is reached.
    """
    return _Canonicalizer(
        raw_from_quads(quads), hash_algorithm, max_work_factor, max_deep_iterations, max_work
    ).run()


def canonicalize_raw(
    raw: Iterable[RawQuad],
    *,
    hash_algorithm: str = "sha256",
    max_work_factor: float = DEFAULT_MAX_WORK_FACTOR,
    max_deep_iterations: int | None = None,
    max_work: int | None = DEFAULT_MAX_WORK,
) -> str:
    """:func:`canonicalize` for quads in raw form (:data:`.nquads.RawQuad`).

    The compiled JSON-LD path hands its quads over this way, without a :class:`Quad`
    per statement.
    """
    return _Canonicalizer(
        raw, hash_algorithm, max_work_factor, max_deep_iterations, max_work
    ).run().nquads


def canonicalize(
    quads: Iterable[Quad],
    *,
    hash_algorithm: str = "sha256",
    max_work_factor: float = DEFAULT_MAX_WORK_FACTOR,
    max_deep_iterations: int | None = None,
    max_work: int | None = DEFAULT_MAX_WORK,
) -> str:
    """The canonical N-Quads document of ``quads`` (RDFC-1.0).

    Lines are the canonical N-Quads of each distinct quad, with blank nodes
    relabelled ``_:c14nN``, sorted as rdf-canonize sorts them, each ending with
    ``"\\n"``. Parameters as :func:`canonicalize_with_map`.
    See https://www.w3.org/TR/rdf-canon/#canon-algorithm.
    """
    return canonicalize_with_map(
        quads, hash_algorithm=hash_algorithm, max_work_factor=max_work_factor,
        max_deep_iterations=max_deep_iterations, max_work=max_work,
    ).nquads


def issued_identifiers(
    quads: Iterable[Quad],
    *,
    hash_algorithm: str = "sha256",
    max_work_factor: float = DEFAULT_MAX_WORK_FACTOR,
    max_deep_iterations: int | None = None,
    max_work: int | None = DEFAULT_MAX_WORK,
) -> dict[str, str]:
    """The issued identifiers map: input blank-node label -> canonical label.

    See https://www.w3.org/TR/rdf-canon/#dfn-issued-identifiers-map.
    """
    return canonicalize_with_map(
        quads, hash_algorithm=hash_algorithm, max_work_factor=max_work_factor,
        max_deep_iterations=max_deep_iterations, max_work=max_work,
    ).issued


def canonicalize_nquads(nquads: str, hash_algorithm: str = "sha256") -> str:
    """Canonicalize an N-Quads document with RDFC-1.0 and return canonical N-Quads.

    :param hash_algorithm: ``"sha256"`` (default) or ``"sha384"``.
    :raises CanonicalizationError: ``canon.invalid_nquads`` (with ``pointer``
        ``"line N"``), ``canon.unsupported_hash`` or ``canon.poison_graph``.
    """
    _hash_factory(hash_algorithm)  # reject a bad algorithm before parsing
    return canonicalize(parse_nquads(nquads), hash_algorithm=hash_algorithm)
