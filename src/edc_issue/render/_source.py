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

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._io import parse_json_text
from .._types import JsonObject
from ..errors import InputError
from ..formats.baking import PNG_SIGNATURE, unbake_text
from ..formats.envelopes import unwrap_credential

__all__ = ["CredentialKind", "RenderError", "Source", "read_source"]

#: The kinds of credential the templates know.
CredentialKind = Literal["edc", "ob3"]

_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
_OB3_TYPES = ("OpenBadgeCredential", "AchievementCredential")


class RenderError(InputError):
    """A document cannot be rendered (not a credential the templates know, a bad theme).

    Codes: ``render.unsupported`` (neither an EDC nor an Open Badge), ``render.media_type``
    (a media type other than PDF, HTML or PNG), ``render.lang`` (not a language tag),
    ``render.verify_url`` (not an http(s) URL), ``render.theme`` (a theme file that cannot be
    used), ``render.template`` (a theme's template failed to compile).
    """

    code = "render.unsupported"


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


def _b64url_json(part: str, what: str) -> JsonObject:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InputError(f"the JWT's {what} is not base64url JSON", code="format.bad_jwt",
                         pointer=what) from None
    if not isinstance(value, dict):
        raise InputError(f"the JWT's {what} is not a JSON object", code="format.bad_jwt",
                         pointer=what)
    return value


def _from_jwt(token: str) -> tuple[JsonObject, JsonObject]:
    """The (header, credential) of a compact VC-JWT; the signature is not checked here."""
    header_part, payload_part, _signature = token.split(".")
    header = _b64url_json(header_part, "header")
    payload = _b64url_json(payload_part, "payload")
    credential = payload.get("vc") if isinstance(payload.get("vc"), dict) else payload
    assert isinstance(credential, dict)
    return header, dict(credential)


def _kind(credential: Mapping[str, Any]) -> CredentialKind:
    types = credential.get("type")
    names = [types] if isinstance(types, str) else [t for t in types or [] if isinstance(t, str)]
    contexts = credential.get("@context")
    context_list = [contexts] if isinstance(contexts, str) else list(contexts or [])
    if "EuropeanDigitalCredential" in names or _EDC_CONTEXT in context_list:
        return "edc"
    if any(t in names for t in _OB3_TYPES):
        return "ob3"
    raise RenderError(
        f"not a credential the templates know: type {names or 'missing'}; expected a "
        "EuropeanDigitalCredential or an OpenBadgeCredential (AchievementCredential)",
        pointer="type",
    )


def _text_source(text: str, original: bytes, container: str | None) -> Source:
    stripped = text.strip().lstrip("\ufeff")
    if _JWS.fullmatch(stripped):
        header, credential = _from_jwt(stripped)
        return Source(credential=credential, kind=_kind(credential),
                      container=container or "jwt", document=stripped, original=original,
                      attachment_name="credential.jwt", attachment_type="application/jwt",
                      jwt_header=header)
    value = parse_json_text(text, source="<input>")
    if not isinstance(value, dict):
        raise InputError("expected a JSON object or a compact VC-JWT", code="io.not_object")
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
        head = document[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if document.startswith(PNG_SIGNATURE) or head.startswith(b"<"):
            kind = "png" if document.startswith(PNG_SIGNATURE) else "svg"
            text = unbake_text(document)
            source = _text_source(text, text.encode("utf-8"), kind)
            return Source(**{**source.__dict__, "document": document})
        try:
            text = document.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start}), nor a PNG or SVG image",
                             code="io.not_json") from None
        return _text_source(text, document, None)
    if isinstance(document, str):
        return _text_source(document, document.encode("utf-8"), None)
    if isinstance(document, Mapping):
        original = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        return _object_source(document, original, None)
    raise InputError(
        f"cannot render a {type(document).__name__}; pass a dict, a JWT string or a file's bytes",
        code="input.invalid",
    )
