"""What the caller gave us: find the credential inside it, and keep the original.

``read_source`` accepts the forms credentials travel in:

- an EDC: a bare credential, a sealed JAdES envelope, or the EU issuer's upload payload
  ``{"credential": ..., "deliveryDetails": ...}`` (as a dict, or the file's bytes);
- an Open Badge: JSON, a compact VC-JWT (``str`` or bytes), or a baked PNG/SVG image.

The *original* is what a PDF attaches: the bytes given (a file's bytes exactly, an
envelope with its seal), the JWT text, or the text baked into an image (byte for byte what
``unbake`` returns). A dict has no bytes of its own: it is attached as UTF-8 JSON, indented
by two spaces. Pass the file's bytes to attach the file unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._io import parse_json_text
from .._types import JsonObject
from ..errors import InputError, ReadError, RenderError
from ..formats.baking import unbake_text
from ..formats.detect import decode_jwt, is_compact_jwt, jwt_credential, kind_of, parse_text, sniff
from ..formats.envelopes import unwrap_credential

__all__ = ["CredentialKind", "RenderError", "Source", "read_source"]

#: The Open Badge types the templates know (an EndorsementCredential has no template yet).
_OB3_TYPES = ("OpenBadgeCredential", "AchievementCredential")

#: The kinds of credential the templates know.
CredentialKind = Literal["edc", "ob3"]



@dataclass(frozen=True)
class Source:
    """A credential ready to render, and what it came in.

    :param credential: the credential itself (compact JSON-LD).
    :param kind: ``edc`` or ``ob3``.
    :param container: ``credential``, ``jades``, ``upload``, ``jwt``, ``png`` or ``svg``.
    :param document: what ``edc_issue.verify`` takes for this input (the envelope, the JWT
        string, the baked image's bytes).
    :param original: the bytes a PDF attaches (see the module's docstring).
    :param attachment_name: the attachment's file name (``credential.json``, ``.jwt``).
    :param attachment_type: its media type.
    :param envelope: the JAdES envelope, when sealed.
    :param jwt_header: the decoded JOSE header, for a VC-JWT.
    """

    credential: JsonObject
    kind: CredentialKind
    container: str
    document: Any
    original: bytes
    attachment_name: str
    attachment_type: str
    envelope: JsonObject | None = None
    jwt_header: JsonObject | None = None


def _from_jwt(token: str) -> tuple[JsonObject, JsonObject]:
    """The (header, credential) of a compact VC-JWT; the signature is not checked here."""
    header, payload = decode_jwt(token)
    return header, dict(jwt_credential(payload))


def _kind(credential: Mapping[str, Any]) -> CredentialKind:
    kind = kind_of(dict(credential))
    types = credential.get("type")
    names = [types] if isinstance(types, str) else [t for t in types or [] if isinstance(t, str)]
    if kind == "edc":
        return "edc"
    if kind == "ob3" and any(t in names for t in _OB3_TYPES):  # not EndorsementCredential
        return "ob3"
    raise RenderError(
        f"not a credential the templates know: type {names or 'missing'}; expected a "
        "EuropeanDigitalCredential or an OpenBadgeCredential (AchievementCredential)",
        pointer="type",
    )


def _text_source(text: str, original: bytes, container: str | None) -> Source:
    stripped = text.strip().lstrip("\ufeff")
    if is_compact_jwt(stripped):
        header, credential = _from_jwt(stripped)
        return Source(credential=credential, kind=_kind(credential),
                      container=container or "jwt", document=stripped, original=original,
                      attachment_name="credential.jwt", attachment_type="application/jwt",
                      jwt_header=header)
    value = parse_json_text(text, source="<input>")
    if not isinstance(value, dict):
        raise ReadError("expected a JSON object or a compact VC-JWT", code="io.not_object")
    return _object_source(value, original, container)


def _object_source(value: Mapping[str, Any], original: bytes, container: str | None) -> Source:
    credential, kind_of_container = unwrap_credential(dict(value), source="<input>")
    envelope = dict(value) if kind_of_container == "jades" else None
    return Source(credential=credential, kind=_kind(credential),
                  container=container or kind_of_container, document=dict(value),
                  original=original, attachment_name="credential.json",
                  attachment_type="application/json", envelope=envelope)


def read_source(document: Mapping[str, Any] | str | bytes | Source) -> Source:
    """Find the credential in *document* (see the module's docstring).

    :raises ReadError: not JSON, not UTF-8, an unreadable envelope payload.
    :raises BakingError: an image that carries no credential.
    :raises RenderError: ``render.unsupported``: neither an EDC nor an Open Badge.
    """
    if isinstance(document, Source):
        return document
    if isinstance(document, bytes):
        kind = sniff(document)
        if kind in ("png", "svg"):
            text = unbake_text(document)
            source = _text_source(text, text.encode("utf-8"), kind)
            return Source(**{**source.__dict__, "document": document})
        return _text_source(parse_text(document), document, None)
    if isinstance(document, str):
        return _text_source(document, document.encode("utf-8"), None)
    if isinstance(document, Mapping):
        original = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        return _object_source(document, original, None)
    raise InputError(
        f"cannot render a {type(document).__name__}; pass a dict, a JWT string or a file's bytes",
        code="input.invalid",
    )
