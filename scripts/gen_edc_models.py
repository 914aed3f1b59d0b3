#!/usr/bin/env python3
"""Generate the ELM / EDC Pydantic models from the EDC SHACL shapes and JSON-LD contexts.

Maintainer tool: its output (``src/edc_issue/models/elm/*.py``) is reviewed and checked
in like hand-written code. A new ELM release becomes a regeneration and a diff::

    python scripts/gen_edc_models.py \\
        --shapes  path/to/elm-3.2/ap/edc/EDC-generic-no-cv.ttl \\
        --ontology path/to/elm-3.2/ontology/ELM.ttl \\
        [--context schemas/contexts/edc-ap-context-elm3.2.jsonld] \\
        [--vc-context schemas/contexts/credentials-v1.jsonld] \\
        [--out src/edc_issue/models/elm]
    ruff format src/edc_issue/models/elm

What it reads:

- every ``sh:NodeShape`` with a ``sh:targetClass``: one model class each, with one field
  per ``sh:property`` (and the properties of the shapes of its superclasses, from the
  ontology's ``rdfs:subClassOf``);
- ``sh:minCount`` >= 1 makes a field required (except the fields the EU issuer fills
  at sealing, ``RELAXED``), ``sh:maxCount 1`` makes it single-valued, otherwise a list;
- ``sh:datatype`` / ``sh:class`` / ``sh:or`` / ``sh:node`` give the field's type;
- the contexts give the JSON-LD term of each property IRI: the alias of the field.

Needs rdflib (a dependency of the project).
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

ROOT = Path(__file__).resolve().parent.parent
ELM = "http://data.europa.eu/snb/model/elm/"
CRED = "https://www.w3.org/2018/credentials#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EDC_SHAPES = "http://data.europa.eu/snb/model/ap/edc-generic-no-cv/"

#: Module of each generated class (by its Python name). Classes not listed go to "misc".
AREAS: dict[str, list[str]] = {
    "common": ["Concept", "ConceptScheme", "Note", "MediaObject", "WebResource", "PeriodOfTime"],
    "agent": [
        "Agent", "Person", "Organisation", "Group", "Address", "Location", "ContactPoint",
        "Mailbox", "Phone", "Identifier", "LegalIdentifier", "Geometry",
    ],
    "claim": [
        "Claim", "LearningAchievement", "LearningActivity", "LearningAssessment",
        "LearningEntitlement", "AwardingProcess", "ShortenedGrading", "ResultDistribution",
        "ResultCategory",
    ],
    "specification": ["Specification", "LearningAchievementSpecification", "Qualification"],
    "learning": [
        "LearningActivitySpecification", "LearningAssessmentSpecification",
        "LearningEntitlementSpecification", "LearningOutcome", "LearningOpportunity",
        "AwardingOpportunity", "GradingScheme",
    ],
    "value": ["CreditPoint", "Amount", "PriceDetail", "Grant", "Accreditation"],
    "credential": [
        "EuropeanDigitalCredential", "EuropeanDigitalPresentation", "DisplayParameter",
        "IndividualDisplay", "DisplayDetail", "Evidence", "CredentialStatus", "TermsOfUse",
        "ShaclValidator2017", "VerificationCheck",
    ],
}
AREA_DOCS = {
    "common": "Shared ELM building blocks: concepts, notes, media, web resources, periods.",
    "agent": "ELM agents (person, organisation, group) and how to reach and identify them.",
    "claim": "ELM claims (achievement, activity, assessment, entitlement) and their awarding.",
    "specification": "ELM learning achievement specifications and qualifications.",
    "learning": "ELM specifications of activities, assessments, entitlements; opportunities.",
    "value": "ELM credit points, amounts, prices, grants and accreditations.",
    "credential": "The EDC envelope: credential, presentation, display, evidence, schema.",
}

#: Classes with a shape that are not generated: the envelope bases live in models/vc.py.
EXTERNAL = {
    CRED + "VerifiableCredential": ("VerifiableCredential", "..vc"),
    CRED + "VerifiablePresentation": ("VerifiablePresentation", "..vc"),
    ELM + "Proof": ("Proof", "..vc"),
}
#: Base class of each generated class (default: ElmNode).
BASES = {
    "EuropeanDigitalCredential": ("VerifiableCredential", "..vc"),
    "EuropeanDigitalPresentation": ("VerifiablePresentation", "..vc"),
}
#: Required by the shapes, but filled by the EU issuer at sealing time: optional here so
#: that the upload payloads (pre-seal) read too.
RELAXED = {("EuropeanDigitalCredential", "issuer"), ("EuropeanDigitalCredential", "issued")}
#: Default ``type`` of classes whose instances name more than one type.
TYPE_DEFAULTS = {
    "EuropeanDigitalCredential": ["VerifiableCredential", "EuropeanDigitalCredential"],
    "EuropeanDigitalPresentation": ["VerifiablePresentation", "EuropeanDigitalPresentation"],
}
#: Multi-valued properties that the EU issuer writes as one bare node when there is one
#: value (majority form in the EU ELM-support signed samples, 2024-25): a credential
#: built from Python writes them so too. Properties not listed are written as lists.
BARE_WHEN_SINGLE: dict[str, list[str]] = {
    "Accreditation": ["identifier", "landingPage", "limitJurisdiction", "organisation",
                      "supplementaryDocument"],
    "AwardingProcess": ["awardingBody"],
    "Concept": ["inScheme"],
    "ContactPoint": ["address", "emailAddress", "phone"],
    "DisplayParameter": ["individualDisplay", "language"],
    "EuropeanDigitalCredential": ["credentialProfiles", "credentialSchema", "evidence",
                                  "identifier"],
    "Group": ["contactPoint"],
    "IndividualDisplay": ["displayDetail"],
    "LearningAchievement": ["additionalNote", "influencedBy", "provenBy"],
    "LearningAchievementSpecification": ["creditPoint", "dcType", "language",
                                         "learningOutcome", "mode"],
    "LearningActivity": ["additionalNote", "directedBy", "temporal"],
    "LearningActivitySpecification": ["additionalNote", "dcType", "homepage", "language",
                                      "mode"],
    "LearningAssessmentSpecification": ["language", "mode"],
    "Location": ["address", "spatialCode"],
    "Organisation": ["accreditation", "additionalNote", "contactPoint", "groupMemberOf",
                     "homepage", "identifier", "location", "taxIdentifier", "vatIdentifier"],
    "Person": ["citizenshipCountry", "contactPoint", "hasClaim", "identifier"],
    "Qualification": ["creditPoint", "dcType", "language", "mode", "nqfLevel"],
}
DATATYPES = {
    RDF_NS + "langString": "LanguageMap",
    RDF_NS + "HTML": "str",
    XSD + "dateTime": "XsdDateTime",
    XSD + "date": "XsdDate",
    XSD + "duration": "XsdDuration",
    XSD + "decimal": "Number",
    XSD + "integer": "Number",
    XSD + "positiveInteger": "Number",
    XSD + "nonNegativeInteger": "Number",
    XSD + "boolean": "StrictBool",
    XSD + "string": "str",
    XSD + "anyURI": "str",
}


@dataclass
class Prop:
    """One property of one class, as the shapes describe it."""

    iri: str
    term: str
    name: str
    types: str
    many: bool
    required: bool
    description: str
    classes: list[str] = field(default_factory=list)


@dataclass
class Klass:
    """One model class."""

    iri: str
    name: str
    term: str
    doc: str
    props: dict[str, Prop] = field(default_factory=dict)


def snake(term: str) -> str:
    """``eIDASIdentifier`` -> ``eidas_identifier``; ``contentURL`` -> ``content_url``."""
    special = {"eIDASIdentifier": "eidas_identifier", "@context": "context"}
    if term in special:
        return special[term]
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", term)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()
    return text + "_" if keyword.iskeyword(text) else text


def load_terms(context_paths: list[Path]) -> dict[str, list[str]]:
    """Map each property IRI to the JSON-LD terms the contexts define for it."""
    terms: dict[str, list[str]] = defaultdict(list)

    def walk(ctx: dict[str, Any]) -> None:
        prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("/", "#"))}
        prefixes.update({k: v for k, v in ctx.items() if k in ("clv",) and isinstance(v, str)})

        def expand(value: str) -> str:
            if ":" in value:
                prefix, rest = value.split(":", 1)
                if prefix in prefixes:
                    return prefixes[prefix] + rest
            return value

        for key, value in ctx.items():
            if key.startswith("@"):
                continue
            if isinstance(value, dict):
                if "@id" in value:
                    terms[expand(value["@id"])].append(key)
                if isinstance(value.get("@context"), dict):
                    walk({**prefixes, **value["@context"]})
            elif isinstance(value, str) and not value.endswith(("/", "#")):
                terms[expand(value)].append(key)

    for path in context_paths:
        walk(json.loads(path.read_text(encoding="utf-8"))["@context"])
    return terms


def local(iri: str) -> str:
    """The local name of an IRI."""
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


def first_sentence(text: str) -> str:
    """The first sentence of a shape description, on one line."""
    text = " ".join(text.split())
    match = re.match(r"(.+?\.)(\s|$)", text)
    return match.group(1) if match else text


class Generator:
    """Reads the graphs and writes the modules."""

    def __init__(self, shapes: rdflib.Graph, ontology: rdflib.Graph,
                 terms: dict[str, list[str]]) -> None:
        self.g = shapes
        self.ont = ontology
        self.terms = terms
        self.skipped: list[str] = []
        self.classes: dict[str, Klass] = {}
        self.supers: dict[str, set[str]] = defaultdict(set)
        for sub, sup in ontology.subject_objects(RDFS.subClassOf):
            if isinstance(sup, rdflib.URIRef) and sub != sup:
                self.supers[str(sub)].add(str(sup))

    def term_for(self, iri: str) -> str | None:
        candidates = self.terms.get(iri, [])
        if not candidates:
            candidates = [t for ts in self.terms.values() for t in ts if t == local(iri)]
        if not candidates:
            return None
        candidates.sort(key=lambda t: (t != local(iri), len(t)))
        return candidates[0]

    def class_name(self, iri: str) -> str:
        if iri in EXTERNAL:
            return EXTERNAL[iri][0]
        return self.term_for(iri) or local(iri)

    def ancestors(self, iri: str) -> list[str]:
        seen: list[str] = []
        todo = list(self.supers.get(iri, ()))
        while todo:
            sup = todo.pop()
            if sup not in seen:
                seen.append(sup)
                todo.extend(self.supers.get(sup, ()))
        return seen

    def subclasses(self, iri: str) -> list[str]:
        return [c for c in self.shape_targets if iri in self.ancestors(c)]

    def run(self) -> None:
        g = self.g
        shape_of: dict[str, rdflib.term.Node] = {}
        for shape, target in g.subject_objects(SH.targetClass):
            if (shape, SH.deactivated, rdflib.Literal(True)) in g:
                continue
            shape_of[str(target)] = shape
        self.shape_targets = list(shape_of)
        self.shape_of = shape_of
        for iri, shape in shape_of.items():
            if iri in EXTERNAL:
                continue
            name = self.class_name(iri)
            doc = " ".join(str(c) for c in g.objects(shape, RDFS.comment)) or f"ELM {name}."
            klass = Klass(iri=iri, name=name, term=name, doc=" ".join(doc.split()))
            for source in [iri, *self.ancestors(iri)]:
                if source not in shape_of:
                    continue
                for pshape in g.objects(shape_of[source], SH.property):
                    prop = self.prop(klass, pshape)
                    if prop is not None and prop.term not in klass.props:
                        klass.props[prop.term] = prop
            self.classes[iri] = klass

    def members(self, pshape: rdflib.term.Node) -> list[str]:
        """The classes a property's values may have (sh:class, sh:or, sh:node)."""
        g = self.g
        found: list[str] = [str(c) for c in g.objects(pshape, SH["class"])]
        for lst in g.objects(pshape, SH["or"]):
            for item in Collection(g, lst):
                found += [str(c) for c in g.objects(item, SH["class"])]
        for node in g.objects(pshape, SH.node):
            if str(node) == EDC_SHAPES + "ClaimNodeShape":
                found += [ELM + "Claim"]
        result: list[str] = []
        for iri in found:
            for candidate in [iri, *self.subclasses(iri)]:
                if candidate not in result and (
                    candidate in self.shape_of or candidate in EXTERNAL
                ):
                    result.append(candidate)
        return result

    def prop(self, klass: Klass, pshape: rdflib.term.Node) -> Prop | None:
        g = self.g
        path = str(next(g.objects(pshape, SH.path)))
        if path == str(RDF.type):
            return None
        term = self.term_for(path)
        if term is None:
            self.skipped.append(f"{klass.name}: {path}")
            return None
        min_count = int(next(g.objects(pshape, SH.minCount), 0))
        max_count = next(g.objects(pshape, SH.maxCount), None)
        datatype = next(g.objects(pshape, SH.datatype), None)
        # A language map holds every value of a langString property: never a list of maps.
        many = (max_count is None or int(max_count) > 1) and str(datatype) != RDF_NS + "langString"
        members = self.members(pshape)
        if datatype is not None:
            base = DATATYPES.get(str(datatype), "str")
        elif members:
            names = [self.class_name(m) for m in members]
            if len(names) == 1:
                base = f"Ref[{names[0]}]"
            else:
                base = "@union:" + ",".join(names)
        else:
            base = "str"
        description = first_sentence(
            " ".join(str(d) for d in g.objects(pshape, SH.description))
        )
        required = min_count >= 1 and (klass.name, term) not in RELAXED
        return Prop(
            iri=path, term=term, name=snake(term), types=base, many=many,
            required=required, description=description,
            classes=[self.class_name(m) for m in members],
        )

    # -- writing ---------------------------------------------------------------

    def module_of(self, name: str) -> str:
        for area, names in AREAS.items():
            if name in names:
                return area
        return "misc"

    def render(self, out: Path) -> list[Path]:
        by_module: dict[str, list[Klass]] = defaultdict(list)
        for klass in self.classes.values():
            by_module[self.module_of(klass.name)].append(klass)
        written: list[Path] = []
        for module, klasses in sorted(by_module.items()):
            order = AREAS.get(module, [])
            klasses.sort(key=lambda k: order.index(k.name) if k.name in order else 99)
            path = out / f"{module}.py"
            path.write_text(self.render_module(module, klasses), encoding="utf-8")
            written.append(path)
        init = out / "__init__.py"
        init.write_text(self.render_init(by_module), encoding="utf-8")
        written.append(init)
        return written

    def union(self, spec: str, discriminators: dict[str, str]) -> str:
        names = spec.split(",")
        default = names[0]
        for name in names:
            iri = next((k.iri for k in self.classes.values() if k.name == name), None)
            others = [n for n in names if n != name]
            if iri and all(
                iri in self.ancestors(k.iri) for k in self.classes.values() if k.name in others
            ):
                default = name
        key = "_BY_TYPE_" + "_".join(snake(n).upper() for n in names)
        mapping = ", ".join(f'"{n}": "{n}"' for n in names)
        discriminators[key] = f'by_type({{{mapping}}}, "{default}")'
        parts = " | ".join(f'Annotated[{n}, Tag("{n}")]' for n in names)
        return f'Annotated[{parts} | Annotated[str, Tag("iri")], Discriminator({key})]'

    def render_module(self, module: str, klasses: list[Klass]) -> str:
        names_here = {k.name for k in klasses}
        needed: set[str] = set()
        discriminators: dict[str, str] = {}
        body: list[str] = []
        uses: set[str] = set()
        for klass in klasses:
            base, _ = BASES.get(klass.name, ("ElmNode", "._node"))
            body.append("")
            body.append("")
            body.append(f"class {klass.name}({base}):")
            doc = textwrap.fill(klass.doc, 88)
            body.append('    """' + doc.replace("\n", "\n    ").replace("\\", "\\\\"))
            body.append("")
            body.append(f"    See: <{klass.iri}>")
            body.append('    """')
            body.append("")
            if klass.name in TYPE_DEFAULTS:
                default = TYPE_DEFAULTS[klass.name]
                body.append(
                    f"    type: str | list[str] = Field(default_factory=lambda: {default!r})"
                )
            else:
                body.append(f'    type: str | list[str] = "{klass.term}"')
            bare = sorted(
                klass.props[t].name
                for t in BARE_WHEN_SINGLE.get(klass.name, [])
                if t in klass.props and klass.props[t].many
            )
            if bare:
                uses.add("ClassVar")
                body.append(
                    f"    _bare_when_single: ClassVar[frozenset[str]] = frozenset({bare!r})"
                )
            for prop in klass.props.values():
                annotation = prop.types
                if annotation.startswith("@union:"):
                    annotation = self.union(annotation[len("@union:"):], discriminators)
                    uses.update(["Annotated", "Tag", "Discriminator", "by_type"])
                for token in ("Ref", "LanguageMap", "XsdDateTime", "XsdDate", "XsdDuration",
                              "Number", "StrictBool"):
                    if re.search(rf"\b{token}\b", annotation):
                        uses.add(token)
                needed.update(c for c in prop.classes if c not in names_here)
                if prop.many:
                    annotation = f"list[{annotation}]"
                kwargs = []
                if not prop.required:
                    annotation += " | None"
                    kwargs.append("default=None")
                if prop.term != prop.name:
                    kwargs.append(f'alias="{prop.term}"')
                if prop.description:
                    chunks = textwrap.wrap(prop.description, 72, drop_whitespace=False)
                    text = " ".join(json.dumps(chunk) for chunk in chunks)
                    kwargs.append(f"description=({text})" if len(chunks) > 1 else
                                  f"description={text}")
                uses.add("Field")
                body.append(f"    {prop.name}: {annotation} = Field({', '.join(kwargs)})")
        lines = [
            f'"""{AREA_DOCS.get(module, "ELM classes.")}',
            "",
            "Generated by scripts/gen_edc_models.py from the EDC SHACL shapes (ELM 3.2,",
            "EDC-generic-no-cv) and the EDC JSON-LD context; reviewed and checked in.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
        ]
        typing_names = sorted({"TYPE_CHECKING"} | ({"Annotated", "ClassVar"} & uses))
        lines.append(f"from typing import {', '.join(typing_names)}")
        lines.append("")
        pyd = sorted({"Field", "Discriminator", "Tag", "StrictBool"} & uses)
        lines.append(f"from pydantic import {', '.join(pyd)}")
        lines.append("")
        base_names = sorted(
            {"Ref", "LanguageMap", "XsdDateTime", "XsdDate", "XsdDuration", "Number", "by_type"}
            & uses
        )
        if base_names:
            lines.append(f"from .._base import {', '.join(base_names)}")
        bases = {BASES.get(k.name, ("ElmNode", "._node")) for k in klasses}
        for base, mod in sorted(bases):
            lines.append(f"from {mod} import {base}")
        lines.append("")
        ext_needed = {c for c in needed if c in {v[0] for v in EXTERNAL.values()}}
        lines.append("if TYPE_CHECKING:")
        if ext_needed:
            lines.append(f"    from ..vc import {', '.join(sorted(ext_needed))}")
        per_module: dict[str, list[str]] = defaultdict(list)
        for name in sorted(needed - ext_needed):
            per_module[self.module_of(name)].append(name)
        for mod, names in sorted(per_module.items()):
            lines.append(f"    from .{mod} import {', '.join(names)}")
        if not needed:
            lines.append("    pass")
        lines.append("")
        lines.append(f"__all__ = {sorted(k.name for k in klasses)!r}")
        if discriminators:
            lines.append("")
            for key, value in sorted(discriminators.items()):
                lines.append(f"{key} = {value}")
        lines.extend(body)
        return "\n".join(lines) + "\n"

    def render_init(self, by_module: dict[str, list[Klass]]) -> str:
        names = sorted(k.name for ks in by_module.values() for k in ks)
        lines = [
            '"""The European Learning Model (ELM 3.2) as the EDC application profile uses it.',
            "",
            "Generated by scripts/gen_edc_models.py; one module per area. The classes refer",
            "to each other across modules, so their annotations are resolved here, once all",
            "modules are imported.",
        ]
        if self.skipped:
            lines.append("")
            lines.append("Shape properties with no JSON-LD term in the contexts (not modelled):")
            lines.append("")
            lines.extend(f"- {s}" for s in sorted(set(self.skipped)))
        lines += ['"""', "", "from __future__ import annotations", "", "from typing import Any", ""]
        lines.append("from .. import vc")
        lines.append("from .._base import JsonLdModel")
        lines.append("from ._node import ElmNode")
        for module, klasses in sorted(by_module.items()):
            lines.append(
                f"from .{module} import {', '.join(sorted(k.name for k in klasses))}"
            )
        lines.append("")
        lines.append(f"__all__ = {sorted([*names, 'ElmNode'])!r}")
        lines.append("")
        lines.append("")
        lines.append("def _rebuild() -> None:")
        lines.append("    namespace: dict[str, Any] = {")
        lines.append(
            '        name: value for name, value in globals().items() if not name.startswith("_")'
        )
        lines.append("    }")
        lines.append("    namespace.update(Proof=vc.Proof)")
        lines.append("    for value in list(namespace.values()):")
        lines.append(
            "        if isinstance(value, type) and issubclass(value, JsonLdModel):"
        )
        lines.append("            value.model_rebuild(_types_namespace=namespace)")
        lines.append("")
        lines.append("")
        lines.append("_rebuild()")
        return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--shapes", type=Path, required=True, help="EDC-generic-no-cv.ttl")
    parser.add_argument("--ontology", type=Path, required=True, help="ELM.ttl")
    parser.add_argument(
        "--context", type=Path, default=ROOT / "schemas/contexts/edc-ap-context-elm3.2.jsonld"
    )
    parser.add_argument(
        "--vc-context", type=Path, default=ROOT / "schemas/contexts/credentials-v1.jsonld"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "src/edc_issue/models/elm")
    args = parser.parse_args(argv)
    shapes = rdflib.Graph().parse(args.shapes)
    ontology = rdflib.Graph().parse(args.ontology)
    _ = OWL  # the ontology is read for rdfs:subClassOf only
    terms = load_terms([args.vc_context, args.context])
    gen = Generator(shapes, ontology, terms)
    gen.run()
    args.out.mkdir(parents=True, exist_ok=True)
    written = gen.render(args.out)
    for path in written:
        print(f"wrote {path}")
    print("now run: ruff check --fix --select I,UP,F401 <out> && ruff format <out>")
    for skipped in sorted(set(gen.skipped)):
        print(f"skipped {skipped}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
