"""EDC validation: JSON-LD (undefined terms become findings), then SHACL with the declared profile.

Steps, for one credential:

1. pick the profiles: ``--profile`` if given, else every EDC application profile
   named in ``credentialSchema`` (a profile already imported by another is dropped);
2. give id-less typed objects marker ids (:mod:`.nodemap`) so results map to JSON paths;
3. expand strictly: each term, type or IRI that the contexts do not define becomes a
   finding (with its path); an unknown context or invalid JSON-LD stops here;
4. validate the lenient graph (what the EU verifier sees) with the official shapes;
5. refuse a graph without a ``EuropeanDigitalCredential`` node: an empty or near-empty
   graph conforms vacuously to shapes that target classes, and must never pass.

A nested violation (``sh:node`` failing) is reported as its inner cause on the
nested node ("issuer lacks eIDASIdentifier"), never as "does not conform to
IssuerNodeShape"; pySHACL's ``sh:detail`` carries the inner results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .._types import JsonObject
from ..errors import ContextError, EdcIssueError, JsonLdError
from ..jsonld import OfflineLoader, default_loader
from ..jsonld.rdf import raw_quads
from ..results import Finding, Severity
from . import shacl
from .nodemap import MARKER_PREFIX, NodeIndex, annotate, join_path, term_names
from .profiles import (
    DEFAULT_ELM_VERSION,
    EDC_PROFILES,
    Profile,
    edc_profiles_from_schema,
)

__all__ = ["EDC_CLASS", "check_edc", "select_profiles"]

EDC_CLASS = "http://data.europa.eu/snb/model/elm/EuropeanDigitalCredential"
SHACL_SPEC = "https://www.w3.org/TR/shacl/"

_PREFIXES = {
    "http://data.europa.eu/snb/model/elm/": "elm:",
    "https://www.w3.org/2018/credentials#": "cred:",
    "http://purl.org/dc/terms/": "dc:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
    "http://www.w3.org/ns/shacl#": "sh:",
    "http://xmlns.com/foaf/0.1/": "foaf:",
    "http://www.w3.org/ns/adms#": "adms:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "http://data.europa.eu/snb/model/ap/edc-generic-no-cv/": "edc-generic-no-cv:",
    "http://data.europa.eu/snb/model/ap/edc-generic-full/": "edc-generic-full:",
    "http://data.europa.eu/snb/model/ap/edc-accredited/": "edc-accredited:",
    "http://data.europa.eu/snb/model/ap/edc-converted/": "edc-converted:",
    "http://data.europa.eu/snb/model/ap/edc-diplomaSupplement/": "edc-diplomaSupplement:",
    "http://data.europa.eu/snb/model/ap/edc-issuedByMandate/": "edc-issuedByMandate:",
    "https://w3id.org/security#": "sec:",
    "http://www.w3.org/ns/locn#": "locn:",
}
_SEVERITY: dict[str, Severity] = {"Violation": "error", "Warning": "warning", "Info": "info"}


def _closure(profile: Profile) -> set[str]:
    names: set[str] = set()
    name: str | None = profile.name
    while name is not None:
        names.add(name)
        name = EDC_PROFILES[name][1]
    return names


def select_profiles(
    credential: dict[str, Any], *, override: Profile | None, prefix: str = ""
) -> tuple[list[Profile], list[Finding]]:
    """Choose the EDC profiles that check *credential*, with findings about the choice."""
    if override is not None:
        return [override], []
    found, unknown = edc_profiles_from_schema(credential.get("credentialSchema"),
                                              elm_version=DEFAULT_ELM_VERSION)
    findings = [Finding(
        join_path(prefix, "credentialSchema"),
        f'"{iri}" is not an EDC application profile this validator knows; it was not checked '
        f"(known: {', '.join('http://data.europa.eu/snb/model/ap/' + n for n in EDC_PROFILES)})",
        severity="warning", rule="edc-profile", code="validate.unknown_profile", value=iri,
    ) for iri in unknown]
    if not found:
        found = [Profile("edc-generic-full", "shacl", DEFAULT_ELM_VERSION)]
        findings.append(Finding(
            join_path(prefix, "credentialSchema"),
            "no credentialSchema entry of type ShaclValidator2017 names an EDC profile; "
            "checked against edc-generic-full",
            severity="warning", rule="edc-profile", code="validate.no_profile",
        ))
    # a profile imported by another is checked with it: drop it
    kept = [p for p in found if not any(q is not p and p.name in _closure(q) and
                                        p.name != q.name for q in found)]
    return kept, findings


@dataclass
class _Namer:
    names: dict[str, str]
    index: NodeIndex
    prefix: str

    def term(self, iri: str | None) -> str:
        if iri is None:
            return "?"
        if iri.startswith("^"):
            return "^" + self.term(iri[1:])
        name = self.names.get(iri)
        if name:
            return name
        return self.compact(iri)

    @staticmethod
    def compact(iri: str) -> str:
        for ns, short in _PREFIXES.items():
            if iri.startswith(ns):
                return short + iri[len(ns):]
        return iri

    def node_path(self, key: str | None, parent: tuple[str, str] | None = None) -> str:
        if key is not None:
            path = self.index.path_of(key)
            if path is not None:
                return path
        if parent is not None:
            return join_path(self.node_path(parent[0]), self.term(parent[1]))
        return self.prefix

    def value_text(self, value: str | None) -> str:
        if value is None:
            return ""
        if value.startswith(MARKER_PREFIX) or value.startswith("_:"):
            path = self.index.path_of(value)
            return f"the node at {path}" if path else "a blank node"
        return f'"{value}"'


def _code(component: str) -> str:
    name = component.removesuffix("ConstraintComponent")
    return "shacl." + re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _explain(result: shacl.ShaclResult) -> str:
    extra = [t for t in (result.shape_name, result.shape_description) if t]
    if result.shape_message:
        extra = [result.shape_message]
    return (" (" + "; ".join(e.strip().rstrip(".") for e in extra) + ")") if extra else ""


def _message(result: shacl.ShaclResult, namer: _Namer, label: str) -> str:
    comp = result.component.removesuffix("ConstraintComponent")
    prop = namer.term(result.path)
    value = namer.value_text(result.value)
    why = _explain(result)
    if comp == "MinCount":
        n = result.param("minCount") or "1"
        need = "" if n == "1" else f" (at least {n} required)"
        return f'{label} lacks "{prop}"{need}{why}'
    if comp == "MaxCount":
        return f'{label} has more than {result.param("maxCount")} "{prop}" value(s){why}'
    if comp == "Class":
        cls = namer.term(result.param("class"))
        return f'"{prop}" of {label} must be a {cls}; {value} is not{why}'
    if comp == "Datatype":
        dt = namer.compact(result.param("datatype") or "")
        return f'"{prop}" of {label} must be a {dt} value, found {value}{why}'
    if comp == "HasValue":
        return f'"{prop}" of {label} must include "{result.param("hasValue")}"{why}'
    if comp == "In":
        return f'"{prop}" of {label} is {value}, which is not one of the allowed values{why}'
    if comp == "NodeKind":
        kind = namer.compact(result.param("nodeKind") or "")
        return f'"{prop}" of {label} must be a {kind}, found {value}{why}'
    if comp == "QualifiedValueShape":
        lo, hi = result.param("qualifiedMinCount"), result.param("qualifiedMaxCount")
        bound = (f"at least {lo}" if lo else "") + (" and " if lo and hi else "") + (
            f"at most {hi}" if hi else "")
        return (f'{label} needs {bound} "{prop}" value(s) matching the required shape'
                f"{why}")
    text = result.message
    for iri in set(re.findall(r"<([^>]+)>", text)):
        text = text.replace(f"<{iri}>", namer.term(iri))
    where = f'"{prop}" of {label}' if result.path else label
    return f"{where}: {text}{why}"


def _findings(results: Iterable[shacl.ShaclResult], namer: _Namer, *,
              at: tuple[str, str] | None = None, parent_shape: str = "") -> list[Finding]:
    """Findings of *results*; *at* = (node key, path) when they explain a nested shape."""
    out: list[Finding] = []
    for r in results:
        if at is not None and r.focus == at[0]:
            node_path = at[1]
        else:
            node_path = namer.node_path(r.focus, r.focus_parent)
        is_root = r.focus == namer.index.root_key
        label = "the credential" if is_root else node_path
        shape = namer.compact(r.source_shape) if r.source_shape else parent_shape
        value_path = None
        if r.value_is_node and r.value is not None and r.path and not r.path.startswith("^"):
            # the value as reached from this focus node (issuer, not its first occurrence)
            value_path = join_path(node_path, namer.term(r.path))
        if r.details and r.component in ("NodeConstraintComponent",
                                         "QualifiedValueShapeConstraintComponent"):
            inner = (r.value, value_path) if r.value and value_path else None
            out.extend(_findings(r.details, namer, at=inner, parent_shape=shape))
            continue
        path = join_path(node_path, namer.term(r.path)) if r.path else node_path
        if value_path and r.component != "MinCountConstraintComponent":
            path = value_path
        component = r.component.removesuffix("ConstraintComponent")
        out.append(Finding(
            path=path,
            message=_message(r, namer, label),
            severity=_SEVERITY.get(r.severity, "error"),
            rule=f"{shape} sh:{component}" if shape else f"sh:{component}",
            code=_code(r.component),
            value=None if r.value is None or r.value.startswith(MARKER_PREFIX) else r.value,
        ))
    return out


def jsonld_findings(exc: EdcIssueError, *, prefix: str, edc: bool) -> list[Finding]:
    """Turn a strict-mode JSON-LD error into findings, one per dropped term, type or IRI.

    For an EDC these are warnings: the EU verifier drops the same data, SHACL judges
    the graph that remains, and a JAdES seal covers the JSON bytes anyway. For other
    credentials, whose Data Integrity proofs sign the graph, they are errors (data
    left out of the signature; VC Data Model 2.0 §4.1, VC Data Integrity §2.4).
    """
    problems = getattr(exc, "problems", None) or []
    if not problems:
        where = join_path(prefix, exc.pointer) if exc.pointer and not isinstance(
            exc, ContextError) else join_path(prefix, "@context")
        return [Finding(where, exc.message if not exc.hint else f"{exc.message} ({exc.hint})",
                        rule="json-ld", code=exc.code,
                        value=exc.pointer if isinstance(exc, ContextError) else None)]
    out: list[Finding] = []
    for path, message in problems:
        is_type = "the type" in message
        is_relative = "is relative" in message
        code = ("jsonld.undefined_type" if is_type else
                "jsonld.relative_iri" if is_relative else "jsonld.undefined_term")
        severity: Severity = "warning" if edc else "error"
        if edc and is_relative and path.endswith("dateModified"):
            message += ("; a known defect of the published EDC context, which types "
                        "dateModified as @id")
        out.append(Finding(join_path(prefix, path), message, severity=severity,
                           rule="json-ld", code=code))
    return out


#: The bundled ELM 3.1 copy of the EDC context (the URL is the same for 3.1 and 3.2).
_ELM31_CONTEXT_KEY = "urn:edc-issue:context:edc-ap:elm-3.1"
_EDC_CONTEXT_URL = "http://data.europa.eu/snb/model/context/edc-ap"
_ELM31_LOADER: OfflineLoader | None = None


def elm31_loader() -> OfflineLoader:
    """A loader that serves the ELM 3.1 EDC context for the EDC context URL.

    Used when every selected profile is an ELM 3.1 one (``edc-generic-full@3.1``):
    the 3.1 shapes expect the 3.1 context's terms (e.g. ``nationalID`` mapped to
    ``elm:nationalID``, renamed in 3.2).
    """
    global _ELM31_LOADER
    if _ELM31_LOADER is None:
        base = default_loader()
        _ELM31_LOADER = OfflineLoader({_EDC_CONTEXT_URL: base.get(_ELM31_CONTEXT_KEY)})
    return _ELM31_LOADER


def check_edc(
    credential: dict[str, Any],
    *,
    prefix: str = "",
    profile: Profile | None = None,
    loader: OfflineLoader | None = None,
    vocabulary_triples: Any = None,
) -> tuple[list[Finding], list[Profile]]:
    """Validate one EDC with SHACL; return the findings and the profiles used.

    :param profile: overrides the profiles named in ``credentialSchema``.
    :param vocabulary_triples: a callable ``(quads) -> [(s, p, o)]`` adding the
        controlled-vocabulary facts the shapes check (optional); it receives the
        credential's quads in raw form (:data:`edc_issue.jsonld.nquads.RawQuad`).
    """
    profiles, findings = select_profiles(credential, override=profile, prefix=prefix)
    if loader is not None:
        ldr = loader
    elif profiles and all(p.elm_version == "3.1" for p in profiles):
        ldr = elm31_loader()
    else:
        ldr = default_loader()
    annotated, index = annotate(credential, prefix=prefix)
    try:
        quads = raw_quads(annotated, strict=True, loader=ldr)
    except JsonLdError as exc:
        findings.extend(jsonld_findings(exc, prefix=prefix, edc=True))
        if not getattr(exc, "problems", None):
            return findings, profiles
        quads = raw_quads(annotated, strict=False, loader=ldr)
    except ContextError as exc:
        findings.extend(jsonld_findings(exc, prefix=prefix, edc=True))
        return findings, profiles
    extra: list[tuple[str, str, str]] = []
    if vocabulary_triples is not None:
        extra = list(vocabulary_triples(quads))
    outcome = shacl.validate_quads(quads, profiles, extra_triples=extra)
    root_types = outcome.types.get(index.root_key or "", [])
    if EDC_CLASS not in root_types:
        findings.append(Finding(
            prefix,
            f"the credential's graph has no EuropeanDigitalCredential node ({outcome.triples} "
            "triples): nothing to validate; check its @context and type",
            rule="edc-graph", code="validate.empty_graph",
        ))
    if outcome.results:  # the names only word the messages
        names = term_names(annotated.get("@context"), ldr)
        findings.extend(_findings(outcome.results, _Namer(names, index, prefix)))
    if any(p.name != "edc-generic-no-cv" for p in profiles):
        findings.extend(vocabulary_findings(credential, prefix=prefix))
    return findings, profiles


def vocabulary_findings(credential: JsonObject, *, prefix: str = "") -> list[Finding]:
    """Concepts that are not in the controlled vocabulary their ``inScheme`` names.

    Every profile but ``edc-generic-no-cv`` restricts concepts to the EU's controlled
    vocabularies; the shapes can only check what the credential says of a concept
    (its ``inScheme``), so the bundled vocabularies check that the claim is true.
    A concept that another bundled scheme lists is an error; one that no bundled
    list holds is a warning (the bundle is a snapshot of the EU tables).
    """
    from .. import vocab

    out: list[Finding] = []
    for problem in vocab.check_concepts(credential):
        path = join_path(prefix, problem.path) if problem.path else prefix
        out.append(Finding(
            path=path, message=problem.message,
            severity="error" if problem.severity == "error" else "warning",
            rule=f"vocabulary {problem.scheme}", code="validate.concept_not_in_scheme",
            value=problem.iri,
        ))
    return out
