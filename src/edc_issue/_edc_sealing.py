"""Sealing a European Digital Credential as the EU issuer does: :func:`seal_edc`.

The layer above :mod:`edc_issue.seal` (which seals any JSON object exactly as given)
and :mod:`edc_issue.validate`: it reads the EU upload format, refuses what is not an
EDC, fills in the issuer from the seal certificate, validates against the EDC SHACL
shapes, and only then seals. Its public names are re-exported by :mod:`edc_issue.edc`.
"""

from __future__ import annotations

import copy
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ._io import check_depth
from ._types import Fetcher, JsonObject
from .errors import InputError, KeyMaterialError, ValidationError
from .formats.envelopes import EDC_CONTEXT, EDC_UPLOAD_CONTEXTS, is_jades_envelope

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

    from .results import ValidationReport
    from .seal import Signer, TimeStampClient

__all__ = [
    "SealedEdc",
    "apply_seal_certificate",
    "names_matching",
    "require_edc",
    "seal_edc",
    "unwrap_upload",
]

_EDC_TYPES = frozenset({"EuropeanDigitalCredential", "elm:EuropeanDigitalCredential",
                        "http://data.europa.eu/snb/model/elm/EuropeanDigitalCredential"})
#: organizationIdentifier (ETSI EN 319 412-1), e.g. ``VATAL-L12345678A``.
_OID_ORGANIZATION_IDENTIFIER = "2.5.4.97"


# --------------------------------------------------------------------------- input


def unwrap_upload(document: Mapping[str, Any]) -> tuple[JsonObject, JsonObject | None]:
    """Split the EU issuer's upload format ``{"credential", "deliveryDetails"}``.

    Returns the credential (a copy, given the EDC ``@context`` when it has none, as the
    EU issuer does) and the ``deliveryDetails`` (``None`` when absent or not an upload).
    Anything else comes back as it is, with ``None``.

    :raises InputError: ``seal.already_sealed`` for a JAdES envelope.
    """
    from .formats.envelopes import unwrap_credential

    if is_jades_envelope(document):
        raise InputError("this is a sealed credential (a JAdES envelope); extend it "
                         "(edc_issue.seal.extend) instead of sealing it again",
                         code="seal.already_sealed")
    credential, container = unwrap_credential(dict(document))
    details = document.get("deliveryDetails") if container == "upload" else None
    return copy.deepcopy(credential), (copy.deepcopy(dict(details))
                                       if isinstance(details, Mapping) else None)


def require_edc(credential: Mapping[str, Any]) -> None:
    """Refuse what is not a European Digital Credential.

    The ``@context`` must name the EDC context, and only contexts this library bundles
    (the VC base contexts, the status-list context, ...); ``type`` must include
    ``EuropeanDigitalCredential``. An Open Badge is named as such.

    :raises InputError: ``seal.not_edc``, naming why.
    """
    from .jsonld.loader import bundled_contexts

    contexts = credential.get("@context")
    values = contexts if isinstance(contexts, list) else [contexts]
    types = credential.get("type")
    type_list = [t for t in (types if isinstance(types, list) else [types])
                 if isinstance(t, str)]
    if {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"} & \
            set(type_list):
        raise InputError("this is an Open Badge, not a European Digital Credential: sign "
                         "it (edc_issue.sign) instead of sealing it", pointer="type",
                         code="seal.not_edc")
    known = bundled_contexts()
    unknown = [c for c in values if not isinstance(c, str) or c not in known]
    if unknown:
        shown = ", ".join(repr(c) if isinstance(c, str) else "an inline context"
                          for c in unknown)
        raise InputError(f"@context names {shown}, a context unknown to edc-issue; only "
                         "European Digital Credentials are sealed", pointer="@context",
                         code="seal.not_edc")
    if EDC_CONTEXT not in values:
        raise InputError(f"@context does not name the EDC context {EDC_CONTEXT}; only "
                         "European Digital Credentials are sealed", pointer="@context",
                         code="seal.not_edc")
    if not _EDC_TYPES & set(type_list):
        raise InputError(f"type is {type_list}, without EuropeanDigitalCredential; only "
                         "European Digital Credentials are sealed", pointer="type",
                         code="seal.not_edc")


# --------------------------------------------------------------------------- issuer


def _name_attribute(certificate: Certificate, oid: Any) -> str | None:
    values = certificate.subject.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def names_matching(legal_name: Any, organisation: str) -> list[str]:
    """The values of *legal_name* (a language map, list or string) equal to *organisation*.

    Compared after Unicode NFC, case folding and collapsing white space.
    """
    if isinstance(legal_name, Mapping):
        raw: list[Any] = []
        for value in legal_name.values():
            raw.extend(value if isinstance(value, list) else [value])
    elif isinstance(legal_name, list):
        raw = legal_name
    else:
        raw = [legal_name]
    texts = [v.get("@value") if isinstance(v, Mapping) else v for v in raw]
    return [t for t in texts if isinstance(t, str) and _normal(t) == _normal(organisation)]


def _datetime_text(moment: datetime) -> str:
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def apply_seal_certificate(
    credential: Mapping[str, Any],
    certificate: Certificate,
    *,
    now: datetime | None = None,
    warnings: list[str] | None = None,
) -> JsonObject:
    """Fill in what the EU issuer fills at sealing, from the seal certificate's subject.

    Returns a new credential (the input is not changed) whose issuer is an
    ``Organisation`` (created with an ``urn:epass:org:<uuid4>`` id when there is none)
    with ``eIDASIdentifier``, a ``LegalIdentifier`` whose ``notation`` is the
    certificate's organizationIdentifier (``VATAL-...``) with ``spatial`` its C, and a
    ``location`` whose address ``countryCode`` is its C (unless the issuer has one).
    The issuer's own ``legalName`` (in any languages) and ``altLabel`` are kept; when it
    has none they come from the certificate's O and CN, tagged ``en``. When none of the
    issuer's legal names is the certificate's O, a line is added to *warnings*.
    ``issued`` and ``issuanceDate`` are set to *now*. A credential without
    ``@context`` gets the EDC one.

    :param credential: compact JSON-LD of an EDC (for example ``model.to_jsonld()``).
    :param certificate: the e-seal certificate (``cryptography.x509.Certificate``).
    :param now: the clock (timezone-aware); default the current UTC time.
    :param warnings: a list to append warnings to.
    :raises KeyMaterialError: ``key.unsupported`` if the certificate lacks O, C or
        organizationIdentifier (it is not an organisation's e-seal certificate).
    """
    from cryptography.x509.oid import NameOID, ObjectIdentifier

    from .edc import _alpha3, _now, country

    org_name = _name_attribute(certificate, NameOID.ORGANIZATION_NAME)
    common_name = _name_attribute(certificate, NameOID.COMMON_NAME)
    country_code = _name_attribute(certificate, NameOID.COUNTRY_NAME)
    org_id = _name_attribute(certificate, ObjectIdentifier(_OID_ORGANIZATION_IDENTIFIER))
    missing = [name for name, value in (("O", org_name), ("C", country_code),
                                        ("organizationIdentifier", org_id)) if not value]
    if missing:
        raise KeyMaterialError(
            f"the seal certificate's subject has no {', '.join(missing)}; an e-seal "
            "certificate names its organisation (O, C, organizationIdentifier)",
            code="key.unsupported",
        )
    assert org_name is not None and country_code is not None and org_id is not None
    place = country(_alpha3(country_code)).to_jsonld()

    document: JsonObject = copy.deepcopy(dict(credential))
    if "@context" not in document:
        document = {"@context": list(EDC_UPLOAD_CONTEXTS), **document}
    issuer = document.get("issuer")
    if not isinstance(issuer, dict):
        issuer = {"id": f"urn:epass:org:{uuid.uuid4()}", "type": "Organisation"}
    if issuer.get("legalName"):
        if not names_matching(issuer["legalName"], org_name) and warnings is not None:
            warnings.append(
                f"none of the issuer's legal names ({_shown(issuer['legalName'])}) is the "
                f"seal certificate's organisation '{org_name}'; the EU viewer shows both")
    else:
        issuer["legalName"] = {"en": org_name}
    if common_name and not issuer.get("altLabel"):
        issuer["altLabel"] = {"en": common_name}
    if not issuer.get("location"):
        issuer["location"] = {
            "id": "urn:certificateLocation:1",
            "type": "Location",
            "address": {"id": "urn:certificateAddress:1", "type": "Address",
                        "countryCode": place},
        }
    issuer["eIDASIdentifier"] = {
        "id": "urn:certificateIdentifier:1",
        "type": "LegalIdentifier",
        "spatial": copy.deepcopy(place),
        "notation": org_id,
    }
    document["issuer"] = issuer
    stamp = _datetime_text(_now(now))
    document["issuanceDate"] = stamp
    document["issued"] = stamp
    return document


def _shown(legal_name: Any) -> str:
    if isinstance(legal_name, Mapping):
        return ", ".join(f"{lang}: {value!r}" for lang, value in legal_name.items())
    return repr(legal_name)


# --------------------------------------------------------------------------- sealing


@dataclass
class SealedEdc:
    """What :func:`seal_edc` returns.

    :param envelope: the JAdES envelope (the sealed credential).
    :param delivery_details: the upload's ``deliveryDetails``, kept beside the seal (never
        sealed into it), or ``None``.
    :param report: the SHACL validation report of the credential as sealed (``None``
        with ``validate=False``).
    :param warnings: one line each (the issuer's names and the certificate's differ).
    """

    envelope: JsonObject
    delivery_details: JsonObject | None = None
    report: ValidationReport | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def credential(self) -> JsonObject:
        """The sealed credential (the envelope's payload, parsed)."""
        import json

        value: JsonObject = json.loads(self.envelope["payload"])
        return value


def _refuse_findings(report: ValidationReport) -> None:
    if report.ok:
        return
    errors = [f for f in report.findings if f.severity == "error"] or list(report.findings)
    first = errors[0]
    raise ValidationError(
        f"the credential does not conform to {report.profile or 'the EDC shapes'} and is "
        f"not sealed: {first.message}" + (f" ({len(errors) - 1} more)" if len(errors) > 1
                                          else ""),
        pointer=first.path or None, code="validation.failed",
        problems=[(f.path, f"{f.message} [{f.rule}]") for f in errors])


def seal_edc(
    document: Mapping[str, Any],
    signer: Signer,
    *,
    level: str | None = None,
    tsa: str | TimeStampClient | None = None,
    fetcher: Fetcher | None = None,
    validate: bool = True,
    profile: str = "auto",
    apply_certificate: bool = True,
    now: datetime | None = None,
) -> SealedEdc:
    """Seal a European Digital Credential as the EU issuer does.

    1. *document* may be the EU upload format ``{"credential", "deliveryDetails"}``: the
       credential is taken out (given the EDC ``@context`` when it has none) and the
       ``deliveryDetails`` are returned beside the seal;
    2. what is not an EDC is refused (an Open Badge, another ``@context``);
    3. the seal certificate fills in the issuer (:func:`apply_seal_certificate`);
    4. with *validate* (the default) the result must conform to the EDC SHACL shapes;
    5. it is sealed at *level* (:func:`edc_issue.seal.seal`).

    :param signer: an :class:`edc_issue.seal.Signer` (file, PKCS#11, CSC, your own).
    :param level: ``B``, ``T``, ``LT`` or ``LTA`` (default ``T`` with *tsa*, else ``B``).
    :param tsa: the time-stamping authority, from ``T`` up.
    :param fetcher: makes the network calls (TSA, OCSP, CRL).
    :param profile: the SHACL profile (``auto``: from ``credentialSchema``).
    :param apply_certificate: ``False`` seals the credential's issuer as given (step 3
        is skipped; it must already name the certificate's organisation).
    :raises InputError: ``seal.not_edc``, ``seal.already_sealed``, ``seal.level``.
    :raises ValidationError: ``validation.failed``: the credential does not conform;
        ``problems`` lists every finding with its path.
    :raises KeyMaterialError: the certificate cannot seal (``key.expired``, ...).
    :raises SignerError: the signer, TSA or a revocation source failed.
    """
    from .seal import seal
    from .seal.jades import resolve_level

    resolve_level(level, tsa)  # a wrong level fails before anything else is done
    check_depth(document, source="document")
    credential, details = unwrap_upload(document)
    require_edc(credential)
    chain = list(signer.certificate_chain)
    if not chain:
        raise KeyMaterialError("the signer has no certificate", code="key.malformed")
    moment = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    warnings: list[str] = []
    filled = (apply_seal_certificate(credential, chain[0], now=moment, warnings=warnings)
              if apply_certificate else credential)
    report = None
    if validate:
        from .validate import validate as run_validation  # type: ignore[attr-defined,unused-ignore]

        report = run_validation(filled, profile=profile)
        _refuse_findings(report)
    envelope = seal(filled, signer, level=level, tsa=tsa, fetcher=fetcher, now=moment)
    return SealedEdc(envelope, details, report, warnings)

