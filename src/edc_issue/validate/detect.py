"""Format detection: what a file holds, and the credential inside it.

Recognised containers (the credential is unwrapped, the container recorded):

- a bare JSON-LD credential;
- an EDC inside a JAdES envelope (JWS JSON serialization, ``payload`` is the credential);
- an EDC inside the EU issuer's upload wrapper ``{"credential": ..., "deliveryDetails": ...}``;
- a VC-JWT (compact JWS; the credential is the ``vc`` claim, or the payload itself
  as in VC-JOSE-COSE);
- a baked Open Badge: a PNG with an ``openbadgecredential`` iTXt chunk, or an SVG
  with an ``<openbadges:credential>`` element.

The credential kind is ``edc`` (type ``EuropeanDigitalCredential`` or a
``ShaclValidator2017`` schema), ``ob3`` (``OpenBadgeCredential``,
``AchievementCredential`` or ``EndorsementCredential``), ``clr`` (``ClrCredential``),
``vc`` (any other ``VerifiableCredential``) or ``unknown``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .._io import parse_json_text
from ..errors import ReadError
from ..formats.baking import BakingError, detect_image_kind, unbake_text
from ..formats.envelopes import EDC_UPLOAD_CONTEXTS, is_jades_envelope, is_upload_wrapper
from ..results import Finding

__all__ = ["MAX_DEPTH", "Detected", "detect", "json_depth"]

#: Deepest JSON nesting accepted (real credentials stay below 30 levels).
MAX_DEPTH = 256

EDC_TYPES = frozenset({"EuropeanDigitalCredential", "elm:EuropeanDigitalCredential",
                       "http://data.europa.eu/snb/model/elm/EuropeanDigitalCredential"})
OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential"})
CLR_TYPES = frozenset({"ClrCredential"})
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"

#: Registered JWT claims (RFC 7519 §4.1) that sit beside the credential in a JWT payload.
JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


@dataclass
class Detected:
    """What :func:`detect` found.

    :param kind: ``edc``, ``ob3``, ``clr``, ``vc`` or ``unknown``.
    :param container: ``json``, ``jades``, ``upload``, ``vc-jwt``, ``png`` or ``svg``.
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


def json_depth(value: Any) -> int:
    """Return the nesting depth of a parsed JSON value, iteratively (no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in item)
    return deepest


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
    """Classify a credential object by its ``type``, ``@context`` and ``credentialSchema``."""
    types = _types(doc)
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


def _b64url_json(part: str, what: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise ReadError(f"the JWT {what} is not base64url-encoded JSON",
                        code="io.not_json") from exc


def _from_jwt(token: str) -> tuple[dict[str, Any] | None, list[Finding]]:
    header_b64, payload_b64, _ = token.split(".")
    findings: list[Finding] = []
    try:
        header = _b64url_json(header_b64, "header")
        payload = _b64url_json(payload_b64, "payload")
    except ReadError as exc:
        return None, [Finding("", exc.message, rule="vc-jwt", code="format.bad_jwt")]
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return None, [Finding("", "the JWT header and payload must be JSON objects",
                              rule="vc-jwt", code="format.bad_jwt")]
    vc = payload.get("vc")
    if isinstance(vc, dict):
        return vc, findings
    # VC-JOSE-COSE / OB 3.0 VC-JWT: the payload is the credential plus JWT claims
    return {k: v for k, v in payload.items() if k not in JWT_CLAIMS}, findings


def _from_text(text: str, container: str) -> Detected:
    text = text.strip()
    if _JWT_RE.match(text):
        cred, findings = _from_jwt(text)
        return _classify(cred, "vc-jwt" if container == "json" else container, "", findings)
    if container == "json":
        # the file itself: unreadable input is the caller's error (exit 2), not a finding
        value = parse_json_text(text, source="file")
        if isinstance(value, str) and not _JWT_RE.match(value.strip()):
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
        neither JSON, a JWT nor a baked image.
    """
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
        depth = json_depth(value)
        if depth > MAX_DEPTH:
            return Detected("unknown", container, None, findings=[Finding(
                "", f"JSON nested {depth} levels deep; at most {MAX_DEPTH} are accepted",
                rule="format", code="format.too_deep")])
        if is_jades_envelope(value):
            payload = value["payload"]
            if isinstance(payload, dict):
                return _classify(payload, "jades", "", [])
            if not isinstance(payload, str):
                return Detected("unknown", "jades", None, findings=[Finding(
                    "payload", "the JAdES payload is not a string", rule="format",
                    code="format.bad_payload")])
            return _from_text(payload, "jades")
        if is_upload_wrapper(value):
            inner = dict(value["credential"])
            if "@context" not in inner:
                # the EU issuer adds these to an uploaded credential, and so do we
                inner = {"@context": list(EDC_UPLOAD_CONTEXTS), **inner}
            return _classify(inner, "upload", "credential", [])
        return _classify(value, container, "", [])
    return _classify(value, container, "", [])


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
