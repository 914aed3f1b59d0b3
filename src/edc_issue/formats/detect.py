"""The one format detector: what a value holds, and the credential inside it.

Every reader of documents asks this module (``verify()``, ``validate()``, status checks,
the command line), so a new container is added in one place. Recognised:

- a bare JSON-LD credential, or a Verifiable Presentation;
- an EDC inside a JAdES envelope (JWS JSON serialization, ``payload`` is the credential);
- an EDC inside the EU issuer's upload wrapper ``{"credential": ..., "deliveryDetails": ...}``;
- a VC-JWT (compact JWS; the credential is the ``vc`` claim, or the payload itself
  as in VC-JOSE-COSE and Open Badges 3.0);
- a baked Open Badge: a PNG with an ``openbadgecredential`` iTXt chunk, or an SVG
  with an ``<openbadges:credential>`` element.

:func:`sniff` names the outermost container without unwrapping anything (cheap: it is
what ``verify()`` routes on); :func:`detect` unwraps down to the credential and reports
problems met on the way as findings (what ``validate()`` needs).

The credential kind is ``edc`` (type ``EuropeanDigitalCredential`` or a
``ShaclValidator2017`` schema), ``ob3`` (``OpenBadgeCredential``,
``AchievementCredential`` or ``EndorsementCredential``), ``clr`` (``ClrCredential``),
``presentation`` (``VerifiablePresentation``), ``vc`` (any other
``VerifiableCredential``) or ``unknown``.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from .._b64 import b64url_decode
from .._io import MAX_JSON_DEPTH, check_depth, json_depth, parse_json_text
from .._types import JsonObject
from ..errors import ReadError
from ..results import Finding
from .baking import BakingError, detect_image_kind, unbake_text
from .envelopes import (
    EDC_CONTEXT,
    EDC_UPLOAD_CONTEXTS,
    is_compact_jws,
    is_jades_envelope,
    is_upload_wrapper,
    payload_text,
)

__all__ = [
    "CLR_TYPES",
    "EDC_TYPES",
    "JWT_CLAIMS",
    "MAX_DEPTH",
    "OB3_TYPES",
    "Container",
    "Detected",
    "credential_of",
    "decode_jwt",
    "detect",
    "is_compact_jwt",
    "is_image",
    "is_jades_envelope",
    "is_presentation",
    "is_upload_wrapper",
    "json_depth",
    "jwt_credential",
    "kind_of",
    "load_document",
    "parse_text",
    "sniff",
]

#: Deepest JSON nesting accepted: the reader's one limit (``edc_issue._io``).
MAX_DEPTH = MAX_JSON_DEPTH

EDC_TYPES = frozenset({"EuropeanDigitalCredential", "elm:EuropeanDigitalCredential",
                       "http://data.europa.eu/snb/model/elm/EuropeanDigitalCredential"})
OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"})
CLR_TYPES = frozenset({"ClrCredential"})
PRESENTATION_TYPES = frozenset({"VerifiablePresentation"})

#: Registered JWT claims (RFC 7519 §4.1) that sit beside the credential in a JWT payload.
JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})

#: The outermost container of a value, as :func:`sniff` names it.
Container = Literal["json", "jades", "upload", "vc-jwt", "png", "svg"]


# ---- recognisers (no unwrapping) ------------------------------------------------------


def is_compact_jwt(value: Any) -> bool:
    """Return True if *value* is a string in the compact JWS form ``header.payload.signature``."""
    return is_compact_jws(value)


def is_image(value: Any) -> bool:
    """Return True if *value* is the bytes of a PNG or SVG image (a baked badge, perhaps)."""
    if not isinstance(value, (bytes, bytearray)):
        return False
    try:
        detect_image_kind(bytes(value))
    except BakingError:
        return False
    return True


def is_presentation(value: Any) -> bool:
    """Return True if *value* is a JSON object typed ``VerifiablePresentation``."""
    return isinstance(value, dict) and bool(_types(value) & PRESENTATION_TYPES)


def sniff(value: Any) -> Container | None:
    """Name the outermost container of *value* without unwrapping it.

    ``png`` / ``svg`` for image bytes, ``vc-jwt`` for a compact JWS string, ``jades``,
    ``upload`` or ``json`` for a JSON object (a credential, a presentation or anything
    else); ``None`` for anything else (other text or bytes, numbers, lists).
    """
    if isinstance(value, (bytes, bytearray)):
        try:
            return detect_image_kind(bytes(value))
        except BakingError:
            return None
    if isinstance(value, str):
        return "vc-jwt" if is_compact_jwt(value) else None
    if isinstance(value, dict):
        if is_jades_envelope(value):
            return "jades"
        if is_upload_wrapper(value):
            return "upload"
        return "json"
    return None


# ---- kinds ----------------------------------------------------------------------------


def _types(doc: dict[str, Any]) -> set[str]:
    value = doc.get("type", doc.get("@type"))
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {t for t in value if isinstance(t, str)}
    return set()


def _contexts(doc: dict[str, Any]) -> list[Any]:
    value = doc.get("@context")
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def kind_of(doc: dict[str, Any]) -> str:
    """Classify a JSON object by its ``type``, ``@context`` and ``credentialSchema``:
    ``edc``, ``ob3``, ``clr``, ``presentation``, ``vc`` or ``unknown``."""
    types = _types(doc)
    if types & PRESENTATION_TYPES:
        return "presentation"
    if types & EDC_TYPES or EDC_CONTEXT in _contexts(doc):
        return "edc"
    schema = doc.get("credentialSchema")
    if "ShaclValidator2017" in json.dumps(schema) if schema is not None else False:
        return "edc"
    if types & CLR_TYPES:
        return "clr"
    if types & OB3_TYPES:
        return "ob3"
    if "VerifiableCredential" in types or any(t.endswith("#VerifiableCredential") for t in types):
        return "vc"
    return "unknown"


# ---- JWTs -----------------------------------------------------------------------------


def _b64url_json(part: str, what: str) -> Any:
    try:
        return json.loads(b64url_decode(part))
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise ReadError(f"the JWT {what} is not base64url-encoded JSON",
                        code="io.not_json") from exc


def decode_jwt(token: str) -> tuple[JsonObject, JsonObject]:
    """Return the header and payload of a compact JWS, unverified.

    :raises ReadError: ``io.not_json`` if it is not three parts, or the header or payload
        is not base64url JSON, or either is not a JSON object.
    """
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ReadError("a compact JWS has three parts", code="io.not_json")
    header = _b64url_json(parts[0], "header")
    payload = _b64url_json(parts[1], "payload")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ReadError("the JWT header and payload must be JSON objects", code="io.not_json")
    return header, payload


def jwt_credential(payload: JsonObject) -> JsonObject:
    """Return the credential a JWT payload carries: its ``vc`` claim (VC-JWT 1.1), or the
    payload without the registered claims (VC-JOSE-COSE, Open Badges 3.0)."""
    vc = payload.get("vc")
    if isinstance(vc, dict):
        return vc
    return {k: v for k, v in payload.items() if k not in JWT_CLAIMS}


# ---- full detection -------------------------------------------------------------------


@dataclass
class Detected:
    """What :func:`detect` found.

    :param kind: ``edc``, ``ob3``, ``clr``, ``presentation``, ``vc`` or ``unknown``.
    :param container: ``json``, ``jades``, ``upload``, ``vc-jwt``, ``png`` or ``svg``
        (the outermost one).
    :param credential: the unwrapped credential (``None`` when there is none).
    :param prefix: the JSON path of the credential inside the file (``credential``
        for the upload wrapper, ``""`` otherwise).
    :param findings: problems met while unwrapping (a bad payload, no credential).
    """

    kind: str
    container: str
    credential: dict[str, Any] | None
    prefix: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def format(self) -> str:
        """The format as printed in reports: ``edc``, ``edc+jades``, ``ob3+vc-jwt``..."""
        return self.kind if self.container == "json" else f"{self.kind}+{self.container}"


def _from_jwt(token: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    try:
        _header, payload = decode_jwt(token)
    except ReadError as exc:
        return None, [Finding("", exc.message, rule="vc-jwt", code="format.bad_jwt")]
    return jwt_credential(payload), []


def _from_text(text: str, container: str) -> Detected:
    text = text.strip()
    if is_compact_jws(text):
        cred, findings = _from_jwt(text)
        return _classify(cred, "vc-jwt" if container == "json" else container, "", findings)
    if container == "json":
        # the file itself: unreadable input is the caller's error (exit 2), not a finding
        value = parse_json_text(text, source="file")
        if isinstance(value, str) and not is_compact_jws(value):
            return _classify(value, container, "", [])  # a JSON string: no credential
        return detect(value, container=container)
    try:
        value = parse_json_text(text, source=container)
    except ReadError as exc:
        return Detected("unknown", container, None, findings=[
            Finding("", f"the embedded credential is not JSON: {exc.message}",
                    rule="format", code="format.bad_payload")])
    return detect(value, container=container)


def _classify(cred: Any, container: str, prefix: str, findings: list[Finding]) -> Detected:
    if not isinstance(cred, dict):
        return Detected("unknown", container, None, prefix, findings or [
            Finding(prefix, "no credential found: expected a JSON object", rule="format",
                    code="format.unknown")])
    return Detected(kind_of(cred), container, cred, prefix, findings)


def detect(value: Any, *, container: str = "json") -> Detected:
    """Find the credential in *value*: a parsed JSON value, JWT text, or file bytes.

    Problems inside a container (a JAdES payload that is not JSON, a JWT without a
    credential) become findings of the result.

    :raises ReadError: ``io.not_json`` when *value* is bytes or text that is
        neither JSON, a JWT nor a baked image; ``io.too_deep`` when it nests deeper
        than :data:`MAX_DEPTH`.
    """
    if isinstance(value, (dict, list)):
        check_depth(value, source="document")
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
        try:
            kind = detect_image_kind(data)
        except BakingError:
            return _from_text(parse_text(data), "json")
        try:
            text = unbake_text(data, kind=kind)
        except BakingError as exc:
            return Detected("unknown", kind, None, findings=[Finding(
                "", f"{exc.message}: not a baked badge", rule="format", code=exc.code)])
        return _from_text(text, kind)
    if isinstance(value, str):
        return _from_text(value, container)
    if isinstance(value, dict):
        if is_jades_envelope(value):
            payload = value["payload"]
            if isinstance(payload, dict):
                return _classify(payload, "jades", "", [])
            if not isinstance(payload, str):
                return Detected("unknown", "jades", None, findings=[Finding(
                    "payload", "the JAdES payload is not a string", rule="format",
                    code="format.bad_payload")])
            try:
                text = payload_text(payload)
            except ReadError as exc:
                return Detected("unknown", "jades", None, findings=[Finding(
                    "payload", f"the embedded credential is not JSON: {exc.message}",
                    rule="format", code="format.bad_payload")])
            return _from_text(text, "jades")
        if is_upload_wrapper(value):
            inner = dict(value["credential"])
            if "@context" not in inner:
                # the EU issuer adds these to an uploaded credential, and so do we
                inner = {"@context": list(EDC_UPLOAD_CONTEXTS), **inner}
            return _classify(inner, "upload", "credential", [])
        return _classify(value, container, "", [])
    return _classify(value, container, "", [])


def credential_of(value: Any) -> JsonObject | None:
    """Return the credential inside *value* (any container :func:`detect` knows), or None
    when there is none or it cannot be read."""
    try:
        return detect(value).credential
    except ReadError:
        return None


def parse_text(data: bytes) -> str:
    """Decode file bytes as UTF-8 text (BOM accepted).

    :raises ReadError: ``io.not_json`` for binary data.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReadError(f"not UTF-8 text (byte {exc.start}); expected JSON, a JWT or a baked badge",
                        code="io.not_json") from None


def load_document(data: bytes, *, source: str = "<input>") -> Any:
    """Return file bytes as ``verify()`` takes them: image bytes as they are, a parsed
    JSON value, or the text of a compact JWT.

    :raises ReadError: ``io.not_json`` when the bytes are none of these.
    """
    if sniff(data) is not None:
        return data
    text = data.lstrip(b"\xef\xbb\xbf").strip()
    if text[:1] in (b"{", b"["):
        return parse_json_text(data, source=source)
    try:
        decoded = text.decode("ascii")
    except UnicodeDecodeError:
        decoded = ""
    if is_compact_jwt(decoded):
        return decoded
    raise ReadError("neither JSON, a compact JWT nor a baked PNG/SVG badge", pointer=source,
                    code="io.not_json")
