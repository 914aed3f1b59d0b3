"""Validation profiles: which official shapes or schemas check a credential.

An EDC names its application profile in ``credentialSchema`` (an entry of type
``ShaclValidator2017`` whose ``id`` is the profile IRI, e.g.
``http://data.europa.eu/snb/model/ap/edc-generic-full``). Each profile is one
bundled Turtle file in ``schemas/shacl/elm-<version>/`` together with the
files it ``owl:imports``; ELM 3.2 (application profile 1.2.0) is the default
and ELM 3.1 (1.1.0) is selected with ``NAME@3.1``.

Open Badges 3.0 credentials are checked against the 1EdTech JSON Schemas in
``schemas/jsonschema/``.

See: <https://europa.eu/europass/elm-browser/documentation/rdf/ap/edc/documentation/edc-generic-full.html>
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import ProfileError

__all__ = [
    "DEFAULT_ELM_VERSION",
    "EDC_PROFILES",
    "ELM_VERSIONS",
    "OB_PROFILES",
    "PROFILE_IRI_BASE",
    "Profile",
    "all_profile_names",
    "edc_profiles_from_schema",
    "parse_profile",
]

#: Namespace of the EDC application-profile IRIs named in ``credentialSchema``.
PROFILE_IRI_BASE = "http://data.europa.eu/snb/model/ap/"
#: ``credentialSchema.type`` of an EDC application profile.
SHACL_VALIDATOR_TYPE = "ShaclValidator2017"

ELM_VERSIONS = ("3.2", "3.1")
DEFAULT_ELM_VERSION = "3.2"

#: EDC profile name → (shape file, profile it imports or None).
EDC_PROFILES: dict[str, tuple[str, str | None]] = {
    "edc-generic-no-cv": ("EDC-generic-no-cv.ttl", None),
    "edc-generic-full": ("EDC-generic-full.ttl", "edc-generic-no-cv"),
    "edc-accredited": ("EDC-accredited.ttl", "edc-generic-full"),
    "edc-converted": ("EDC-converted.ttl", "edc-generic-full"),
    "edc-diplomaSupplement": ("EDC-diplomaSupplement.ttl", "edc-accredited"),
    "edc-issuedByMandate": ("EDC-issuedByMandate.ttl", "edc-generic-full"),
}

#: Open Badges / CLR profile name → bundled JSON Schema file.
OB_PROFILES: dict[str, str] = {
    "ob-v3p0-achievementcredential": "ob_v3p0_achievementcredential_schema.json",
    "ob-v3p0-endorsementcredential": "ob_v3p0_endorsementcredential_schema.json",
}


@dataclass(frozen=True)
class Profile:
    """One validation profile.

    :param name: ``edc-generic-full``, ``edc-accredited``, ..., or an Open Badges
        profile such as ``ob-v3p0-achievementcredential``.
    :param kind: ``"shacl"`` (EDC) or ``"jsonschema"`` (Open Badges 3.0).
    :param elm_version: ``"3.2"`` or ``"3.1"`` for EDC profiles, else ``None``.
    """

    name: str
    kind: str
    elm_version: str | None = None

    @property
    def label(self) -> str:
        """The name as printed in reports (``edc-accredited@3.2``)."""
        return f"{self.name}@{self.elm_version}" if self.elm_version else self.name

    @property
    def iri(self) -> str | None:
        """The application-profile IRI of an EDC profile."""
        return PROFILE_IRI_BASE + self.name if self.kind == "shacl" else None

    def shape_files(self) -> list[str]:
        """The Turtle files of an EDC profile, imports first (``owl:imports`` closure)."""
        files: list[str] = []
        name: str | None = self.name
        while name is not None:
            file, name = EDC_PROFILES[name]
            files.insert(0, file)
        return files


def all_profile_names() -> list[str]:
    """Every name ``--profile`` accepts (besides ``auto``)."""
    names = [*EDC_PROFILES, *OB_PROFILES]
    names += [f"{n}@{v}" for n in EDC_PROFILES for v in ELM_VERSIONS]
    return names


def parse_profile(name: str) -> Profile:
    """Turn a profile name (``edc-generic-full``, ``edc-accredited@3.1``, an AP IRI) into a Profile.

    :raises ProfileError: ``validate.unknown_profile`` (an ``InputError``), with a
        did-you-mean hint.
    """
    text = name.strip()
    version = DEFAULT_ELM_VERSION
    if "@" in text:
        text, _, version = text.rpartition("@")
        version = version.removeprefix("elm-")
    if text.startswith(PROFILE_IRI_BASE):
        text = text[len(PROFILE_IRI_BASE):]
    if text in EDC_PROFILES and version in ELM_VERSIONS:
        return Profile(text, "shacl", version)
    if text in OB_PROFILES and "@" not in name:
        return Profile(text, "jsonschema")
    close = difflib.get_close_matches(name, ["auto", *all_profile_names()], n=1, cutoff=0.6)
    raise ProfileError(
        f'unknown validation profile "{name}"',
        code="validate.unknown_profile",
        hint=f'did you mean "{close[0]}"?' if close else
        "choose one of: auto, " + ", ".join(all_profile_names()),
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def edc_profiles_from_schema(
    credential_schema: Any, *, elm_version: str = DEFAULT_ELM_VERSION
) -> tuple[list[Profile], list[str]]:
    """Read the EDC profiles a credential declares in its ``credentialSchema``.

    :returns: the profiles found (in order, without duplicates), and the ids of
        ``ShaclValidator2017`` entries that name no known EDC profile.
    """
    found: list[Profile] = []
    unknown: list[str] = []
    for entry in _as_list(credential_schema):
        if not isinstance(entry, dict):
            continue
        types = _as_list(entry.get("type", entry.get("@type")))
        if SHACL_VALIDATOR_TYPE not in types and not any(
            isinstance(t, str) and t.endswith("/" + SHACL_VALIDATOR_TYPE) for t in types
        ):
            continue
        iri = entry.get("id", entry.get("@id"))
        if not isinstance(iri, str):
            continue
        short = iri[len(PROFILE_IRI_BASE):] if iri.startswith(PROFILE_IRI_BASE) else None
        if short in EDC_PROFILES:
            profile = Profile(short, "shacl", elm_version)
            if profile not in found:
                found.append(profile)
        else:
            unknown.append(iri)
    return found, unknown


def names(profiles: Iterable[Profile]) -> str:
    """Join profile labels for a report line."""
    return ", ".join(p.label for p in profiles)
