"""The EU controlled vocabularies that EDC credentials use (EQF, ISCED-F, languages, ...).

The vocabularies are bundled as CSV files in ``schemas/vocabularies/`` (derived from the
EU's QDR XSD enumerations; see its ``PROVENANCE.json``). Look concepts up by IRI, check
that a concept belongs to the scheme a property requires, find a concept by its label::

    from edc_issue import vocab
    vocab.label("http://data.europa.eu/snb/eqf/6")                  # "Level 6"
    vocab.scheme_of("http://publications.europa.eu/resource/authority/country/ALB")
    vocab.is_in_scheme(iri, vocab.EQF)                              # bool
    vocab.find("Albania", scheme=vocab.COUNTRY)                     # [VocabConcept(...)]
    vocab.check_concepts(credential)                                # [VocabProblem(...)]

A concept outside its scheme is a :class:`VocabProblem` (a validation finding for the
caller to report), never an exception. A scheme we do not bundle (ESCO, human-sex, ...)
is not checked: absence from the bundle proves nothing there.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ._resources import schemas_dir

__all__ = [
    "ACCREDITATION",
    "ASSESSMENT",
    "CLOSED_SCHEMES",
    "COUNTRY",
    "CREDENTIAL",
    "CURRENCY",
    "EDUCATION_CREDIT",
    "ENCODING",
    "EQF",
    "EVIDENCE_TYPE",
    "FILE_TYPE",
    "ISCED_F",
    "LANGUAGE",
    "LEARNING_ACTIVITY",
    "LEARNING_SETTING",
    "NQF",
    "VERIFICATION",
    "VERIFICATION_STATUS",
    "VocabConcept",
    "VocabProblem",
    "Vocabularies",
    "check_concepts",
    "concept",
    "concepts_in",
    "find",
    "is_enumerated",
    "is_in_scheme",
    "knows_scheme",
    "label",
    "labels",
    "scheme_of",
    "schemes",
]

#: Scheme IRIs, exactly as the EDC shapes (``edc-generic-full``) name them in ``sh:hasValue``.
EQF = "http://data.europa.eu/snb/eqf/25831c2"
ISCED_F = "http://data.europa.eu/snb/isced-f/25831c2"
NQF = "http://data.europa.eu/snb/qdr/25831c2"
LANGUAGE = "http://publications.europa.eu/resource/authority/language"
COUNTRY = "http://publications.europa.eu/resource/authority/country"
CURRENCY = "http://publications.europa.eu/resource/authority/currency"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type"
CREDENTIAL = "http://data.europa.eu/snb/credential/25831c2"
ACCREDITATION = "http://data.europa.eu/snb/accreditation/25831c2"
EVIDENCE_TYPE = "http://data.europa.eu/snb/evidence-type/25831c2"
ASSESSMENT = "http://data.europa.eu/snb/assessment/25831c2"
LEARNING_ACTIVITY = "http://data.europa.eu/snb/learning-activity/25831c2"
LEARNING_SETTING = "http://data.europa.eu/snb/learning-setting/25831c2"
EDUCATION_CREDIT = "http://data.europa.eu/snb/education-credit/25831c2"
ENCODING = "http://data.europa.eu/snb/encoding/25831c2"
VERIFICATION = "http://data.europa.eu/snb/verification/25831c2"
VERIFICATION_STATUS = "http://data.europa.eu/snb/verification-status/25831c2"

#: Schemes whose bundled list is the whole list: a concept missing from one is unknown, an
#: error (``validate.concept_not_in_scheme``) under every profile but ``edc-generic-no-cv``.
CLOSED_SCHEMES = frozenset({ISCED_F, EQF, COUNTRY, LANGUAGE, CURRENCY})


@dataclass(frozen=True)
class VocabConcept:
    """One concept of a bundled vocabulary.

    :param iri: the concept's IRI.
    :param scheme: the IRI of its concept scheme.
    :param label: its English label (may be empty: some enumerations carry none).
    :param source: the bundled file it comes from (``eqf.csv``).
    """

    iri: str
    scheme: str
    label: str
    source: str


@dataclass(frozen=True)
class VocabProblem:
    """A concept that is not in the scheme it claims, or not in the scheme required.

    :param path: where, as a JSON path (``credentialSubject.hasClaim[0]...eqfLevel``).
    :param message: what was found and what was expected.
    :param iri: the concept's IRI.
    :param scheme: the scheme the concept claims (``inScheme``) or must be in.
    :param suggestion: a concept of that scheme with a similar label, if one exists.
    :param severity: ``"error"`` when the concept belongs to another bundled scheme;
        ``"warning"`` when no bundled scheme lists it (the bundle is a snapshot of the EU
        tables, so a newer concept may be missing from it).
    """

    path: str
    message: str
    iri: str
    scheme: str
    suggestion: VocabConcept | None = None
    severity: str = "error"


class Vocabularies:
    """The concepts of a folder of vocabulary CSV files, indexed by IRI and by scheme.

    :param folder: the folder of CSV files (default: the bundled ``schemas/vocabularies``).
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else schemas_dir() / "vocabularies"
        self._by_iri: dict[str, VocabConcept] = {}
        self._by_scheme: dict[str, list[VocabConcept]] = {}
        for path in sorted(self.folder.glob("*.csv")):
            for item in _read_csv(path):
                self._by_iri.setdefault(item.iri, item)
                self._by_scheme.setdefault(item.scheme, []).append(item)

    def concept(self, iri: str) -> VocabConcept | None:
        """The concept with this IRI, or None if no bundled vocabulary lists it."""
        return self._by_iri.get(iri)

    def scheme_of(self, iri: str) -> str | None:
        """The IRI of the scheme that lists *iri*, or None."""
        found = self._by_iri.get(iri)
        return found.scheme if found else None

    def labels(self, iri: str) -> dict[str, str]:
        """The labels of *iri* as a language map (``{"en": "Level 6"}``); empty if unknown."""
        found = self._by_iri.get(iri)
        return {"en": found.label} if found and found.label else {}

    def label(self, iri: str, lang: str = "en") -> str | None:
        """The label of *iri* in *lang*, or None."""
        return self.labels(iri).get(lang)

    def is_in_scheme(self, iri: str, scheme: str) -> bool:
        """True if the bundled vocabulary *scheme* lists *iri*."""
        found = self._by_iri.get(iri)
        return found is not None and found.scheme == scheme

    def knows_scheme(self, scheme: str) -> bool:
        """True if *scheme* is bundled (so that absence from it means something)."""
        return scheme in self._by_scheme

    def is_enumerated(self, scheme: str) -> bool:
        """True if *scheme* is bundled whole, so that a concept missing from it is unknown.

        Those are the closed lists (:data:`CLOSED_SCHEMES`: ISCED-F 2013, EQF, and the EU
        authority tables of countries, languages and currencies), when bundled. The other
        bundled lists are snapshots that the EU extends (the EU's own samples use an
        accreditation type newer than the ELM's enumeration), or only the concepts the
        EDCI code names: a concept missing from them may be real.
        """
        return scheme in CLOSED_SCHEMES and scheme in self._by_scheme

    def schemes(self) -> list[str]:
        """The IRIs of the bundled schemes."""
        return sorted(self._by_scheme)

    def concepts_in(self, scheme: str) -> list[VocabConcept]:
        """Every bundled concept of *scheme* (empty if the scheme is not bundled)."""
        return list(self._by_scheme.get(scheme, []))

    def find(self, text: str, *, scheme: str | None = None) -> list[VocabConcept]:
        """Concepts whose label equals *text* (case-insensitive), else the closest labels.

        :param scheme: search only this scheme.
        """
        pool = self.concepts_in(scheme) if scheme else list(self._by_iri.values())
        wanted = " ".join(text.split()).casefold()
        exact = [c for c in pool if c.label.casefold() == wanted]
        if exact:
            return exact
        by_label = {c.label.casefold(): c for c in pool if c.label}
        close = difflib.get_close_matches(wanted, list(by_label), n=3, cutoff=0.75)
        return [by_label[name] for name in close]

    def check(self, iri: str, scheme: str, *, path: str = "") -> VocabProblem | None:
        """A problem if *iri* is not a concept of *scheme*; None if it is, or if unknowable.

        Unknowable: *scheme* is not bundled (ESCO and others), so we cannot tell.
        """
        if not self.knows_scheme(scheme) or self.is_in_scheme(iri, scheme):
            return None
        actual = self.scheme_of(iri)
        if actual is not None:
            message = (
                f"concept {iri} belongs to scheme {actual} ({self.label(iri) or 'no label'}), "
                f"not to {scheme}"
            )
        else:
            message = f"concept {iri} is not in scheme {scheme}"
        suggestion = None
        name = self.label(iri)
        if name:
            matches = self.find(name, scheme=scheme)
            suggestion = matches[0] if matches else None
        if suggestion is not None:
            message += f"; did you mean {suggestion.iri} ({suggestion.label})?"
        # in another scheme, or unknown to a scheme bundled whole: an error; unknown to a
        # partial list only: a warning (it may be a concept the bundle lacks)
        known_wrong = actual is not None or self.is_enumerated(scheme)
        return VocabProblem(path=path, message=message, iri=iri, scheme=scheme,
                            suggestion=suggestion,
                            severity="error" if known_wrong else "warning")

    def check_concepts(self, document: Mapping[str, Any]) -> list[VocabProblem]:
        """Check every ``Concept`` node of a compact EDC document against its ``inScheme``.

        A concept that names a bundled scheme but is not listed in it is a problem.
        """
        problems: list[VocabProblem] = []
        for path, node in _concept_nodes(document, ""):
            iri = node.get("id")
            for scheme in _scheme_ids(node.get("inScheme")):
                if isinstance(iri, str):
                    problem = self.check(iri, scheme, path=path)
                    if problem is not None:
                        problems.append(problem)
        return problems


def _read_csv(path: Path) -> Iterator[VocabConcept]:
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if "concept_uri" in row:  # edc-concepts-from-EDCI: scheme, uri, meaning
                iri, scheme, text = row["concept_uri"], row["concept_scheme"], row["meaning"]
                text = text.split(":", 1)[1] if ":" in text else text
                text = text.split("(", 1)[0]
            else:
                iri, scheme, text = row["uri_or_code"], row["scheme_targetNamespace"], row["label"]
            if iri and scheme:
                yield VocabConcept(iri=iri.strip(), scheme=scheme.strip(),
                                   label=" ".join(text.split()), source=path.name)


def _scheme_ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
            out.append(item["id"])
    return out


def _concept_nodes(node: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _concept_nodes(item, f"{path}[{index}]")
    elif isinstance(node, Mapping):
        types = node.get("type")
        if types == "Concept" or (isinstance(types, list) and "Concept" in types):
            yield path, node
        for key, value in node.items():
            if key != "inScheme":
                yield from _concept_nodes(value, f"{path}.{key}" if path else key)


@lru_cache(maxsize=1)
def _default() -> Vocabularies:
    return Vocabularies()


def concept(iri: str) -> VocabConcept | None:
    """The bundled concept with this IRI, or None."""
    return _default().concept(iri)


def scheme_of(iri: str) -> str | None:
    """The scheme IRI of a bundled concept, or None."""
    return _default().scheme_of(iri)


def labels(iri: str) -> dict[str, str]:
    """The labels of a bundled concept as a language map (empty if unknown)."""
    return _default().labels(iri)


def label(iri: str, lang: str = "en") -> str | None:
    """The label of a bundled concept in *lang*, or None."""
    return _default().label(iri, lang)


def is_in_scheme(iri: str, scheme: str) -> bool:
    """True if the bundled vocabulary *scheme* lists *iri*."""
    return _default().is_in_scheme(iri, scheme)


def knows_scheme(scheme: str) -> bool:
    """True if *scheme* is bundled (whole or in part)."""
    return _default().knows_scheme(scheme)


def is_enumerated(scheme: str) -> bool:
    """True if *scheme* is bundled whole, so that a concept missing from it is unknown
    (:meth:`Vocabularies.is_enumerated`)."""
    return _default().is_enumerated(scheme)


def concepts_in(scheme: str) -> list[VocabConcept]:
    """Every bundled concept of *scheme*."""
    return _default().concepts_in(scheme)


def schemes() -> list[str]:
    """The IRIs of the bundled schemes."""
    return _default().schemes()


def find(text: str, *, scheme: str | None = None) -> list[VocabConcept]:
    """Bundled concepts by label (exact, case-insensitive; else the closest)."""
    return _default().find(text, scheme=scheme)


def check_concepts(document: Mapping[str, Any]) -> list[VocabProblem]:
    """Every concept of *document* that is not in the bundled scheme it names."""
    return _default().check_concepts(document)
