"""Reading a JWS JSON serialization (RFC 7515 §7.2): the payload and its signature entries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ProofFormatError

__all__ = ["Envelope", "SignatureParts", "parse_envelope"]


@dataclass(frozen=True)
class SignatureParts:
    """One ``signatures[]`` entry of an envelope, as written (nothing decoded yet)."""

    index: int
    protected: str
    signature: str
    header: Mapping[str, Any]

    @property
    def path(self) -> str:
        """JSON path of this entry in the envelope."""
        return f"signatures[{self.index}]"


@dataclass(frozen=True)
class Envelope:
    """A JWS JSON serialization: the payload string and its signature entries."""

    payload: str
    signatures: tuple[SignatureParts, ...]


def parse_envelope(envelope: Any) -> Envelope:
    """Read the general or flattened JWS JSON serialization (RFC 7515 §7.2).

    :raises ProofFormatError: ``seal.malformed`` with the JSON path of the problem.
    """
    def bad(message: str, pointer: str | None = None) -> ProofFormatError:
        return ProofFormatError(message, pointer=pointer, code="seal.malformed",
                                spec="https://www.rfc-editor.org/rfc/rfc7515#section-7.2")

    if not isinstance(envelope, Mapping):
        raise bad("a JAdES envelope must be a JSON object")
    payload = envelope.get("payload")
    if payload is None:
        raise bad("no payload: detached seals (sigD) are not supported; expected the "
                  "credential JSON as an unencoded payload", "payload")
    if not isinstance(payload, str):
        raise bad(f"payload must be a string, found {type(payload).__name__}", "payload")
    if "signatures" in envelope:
        raw = envelope["signatures"]
        if not isinstance(raw, list) or not raw:
            raise bad("signatures must be a non-empty array", "signatures")
        entries = raw
        prefix = "signatures"
    elif "signature" in envelope:
        entries = [{k: envelope[k] for k in ("protected", "header", "signature")
                    if k in envelope}]
        prefix = ""
    else:
        raise bad("no signatures and no signature member", "signatures")
    parts: list[SignatureParts] = []
    for i, entry in enumerate(entries):
        where = f"{prefix}[{i}]" if prefix else ""
        if not isinstance(entry, Mapping):
            raise bad("a signature entry must be an object", where or None)
        protected = entry.get("protected")
        signature = entry.get("signature")
        header = entry.get("header", {})
        if not isinstance(protected, str) or not protected:
            raise bad("protected header missing: JAdES signs its header",
                      f"{where}.protected".lstrip("."))
        if not isinstance(signature, str) or not signature:
            raise bad("signature missing or not a string", f"{where}.signature".lstrip("."))
        if not isinstance(header, Mapping):
            raise bad("header must be an object", f"{where}.header".lstrip("."))
        parts.append(SignatureParts(i, protected, signature, header))
    return Envelope(payload, tuple(parts))
