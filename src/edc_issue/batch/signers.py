"""What turns one filled-in credential into output files: sign, seal, bake.

A :class:`BatchSigner` is a small callable: credential dict in, files out. The batch
runner calls it once per row, in worker processes with ``jobs > 1``, so a signer must
be picklable: the ones here keep only plain data (a key file's path or JSON, the
PKCS#12 bytes) and load the key lazily in each process. Secrets never appear in
``repr`` or messages.

- :class:`KeySigner`: a Data Integrity proof (``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019``)
  or a VC-JWT, with a key file (``KEY.json``).
- :class:`SealSigner`: a JAdES e-seal with a PKCS#12 e-seal certificate (EDC).
- :class:`BakingSigner`: wraps another signer and also writes the badge image with the
  credential baked in (Open Badges 3.0).
- :class:`CallableSigner`: any picklable function, for tests and custom backends.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .._types import JsonObject
from ..errors import ConfigError, InputError

__all__ = [
    "BakingSigner",
    "BatchSigner",
    "CallableSigner",
    "KeySigner",
    "OutputFile",
    "SealSigner",
    "dump_json",
    "validate_with_models",
]


@dataclass(frozen=True)
class OutputFile:
    """One file to write for a credential: its suffix (``.json``, ``.jwt``, ``.png``) and bytes."""

    suffix: str
    data: bytes


@runtime_checkable
class BatchSigner(Protocol):
    """Signs (or seals) one credential and returns the files to write, one per suffix."""

    @property
    def issuer_id(self) -> str | None:
        """The issuer id the key or certificate stands for (``{{$issuer}}``), if known."""
        ...

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The file suffixes of the output, in the order :meth:`__call__` returns them."""
        ...

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Return the output files of *credential*.

        :raises EdcIssueError: the credential cannot be signed (that row fails).
        """
        ...


def dump_json(document: Any) -> bytes:
    """Serialize a credential or envelope as indented UTF-8 JSON with a final newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _output(signed: Any, suffix: str) -> OutputFile:
    if isinstance(signed, str):
        return OutputFile(suffix, (signed.strip() + "\n").encode("utf-8"))
    if isinstance(signed, bytes):
        return OutputFile(suffix, signed)
    return OutputFile(suffix, dump_json(signed))


class KeySigner:
    """Sign with a key file: a Data Integrity proof, or a VC-JWT with ``suite="vc-jwt"``.

    :param key: a key file path, a key document (Multikey or JWK, as a dict), or a
        :class:`~edc_issue.keys.Key` (exported to a dict so it can reach worker processes).
    :param suite: ``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019`` or ``vc-jwt``; default from the key.
    :param created: the proofs' ``created`` time (default: when each is signed).
    :param issuer_from_key: set each credential's issuer to the key's controller.
    :raises ReadError, KeyMaterialError: the key cannot be loaded (checked at once).
    """

    def __init__(self, key: Any, *, suite: str | None = None, created: str | None = None,
                 issuer_from_key: bool = False) -> None:
        from ..keys import Key, load_key

        if isinstance(key, Key):
            if not key.has_secret:
                raise InputError("the key has no secret half; it cannot sign",
                                 code="key.no_secret")
            self._source: str | dict[str, Any] = (
                key.to_jwk(include_secret=True) if key.kind == "rsa"
                else key.to_multikey(include_secret=True))
            loaded = key
        elif isinstance(key, Mapping):
            self._source = dict(key)
            loaded = load_key(self._source)
        else:
            self._source = os.fspath(key)
            loaded = load_key(self._source)
        if not loaded.has_secret:
            raise InputError("the key file holds no secret key; it cannot sign",
                             code="key.no_secret",
                             pointer=self._source if isinstance(self._source, str) else None)
        self.suite = suite
        self.created = created
        self.issuer_from_key = issuer_from_key
        self._issuer_id = loaded.controller
        self._key: Any = loaded

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_key"] = None  # reloaded in each worker process
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        where = self._source if isinstance(self._source, str) else "<key document>"
        return f"KeySigner({where!r}, suite={self.suite!r})"

    @property
    def issuer_id(self) -> str | None:
        """The key's controller (a ``did:key``, ``did:web`` or URL)."""
        return self._issuer_id

    @property
    def suffixes(self) -> tuple[str, ...]:
        """``.jwt`` for VC-JWT, else ``.json``."""
        return (".jwt",) if self.suite == "vc-jwt" else (".json",)

    def _loaded(self) -> Any:
        if self._key is None:
            from ..keys import load_key

            self._key = load_key(self._source)
        return self._key

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Sign *credential*."""
        from .._api import sign

        signed = sign(credential, self._loaded(), suite=self.suite, created=self.created,
                      issuer_from_key=self.issuer_from_key)
        return [_output(signed, self.suffixes[0])]


class SealSigner:
    """Seal with a PKCS#12 e-seal certificate: each credential becomes a JAdES envelope.

    The certificate's organisation becomes the issuer (legal name, eIDAS identifier).

    :param p12: the PKCS#12 file's path or bytes.
    :param password: its password (kept in memory only, never shown).
    :param tsa: a time-stamping authority URL for JAdES baseline T (uses the network).
    :raises KeyMaterialError: wrong password, or not an e-seal certificate (checked at once).
    """

    def __init__(self, p12: str | os.PathLike[str] | bytes, password: bytes | str | None = None,
                 *, tsa: str | None = None) -> None:
        from .._io import read_bytes
        from ..seal import load_pkcs12_signer

        self._name = "<bytes>" if isinstance(p12, bytes) else os.fspath(p12)
        self._p12 = p12 if isinstance(p12, bytes) else read_bytes(p12, max_bytes=1024 * 1024)
        self._password = password.encode("utf-8") if isinstance(password, str) else password
        self.tsa = tsa
        self._signer: Any = load_pkcs12_signer(self._p12, self._password)
        leaf = self._signer.certificate_chain[0]
        # a stable organisation id for this certificate (the EU issuer uses urn:epass:org:)
        name = f"x509:{leaf.issuer.rfc4514_string()}#{leaf.serial_number}"
        self._issuer_id = f"urn:epass:org:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_signer"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"SealSigner({self._name!r})"

    @property
    def issuer_id(self) -> str | None:
        """``urn:epass:org:<uuid>``, stable for the certificate; sealing adds its name."""
        return self._issuer_id

    @property
    def suffixes(self) -> tuple[str, ...]:
        """``.json`` (the envelope)."""
        return (".json",)

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Seal *credential*."""
        from ..edc import seal_edc
        from ..seal import load_pkcs12_signer

        if self._signer is None:
            self._signer = load_pkcs12_signer(self._p12, self._password)
        # the certificate fills in the issuer; the rows were validated by the runner
        envelope = seal_edc(credential, self._signer, tsa=self.tsa, validate=False).envelope
        return [OutputFile(".json", dump_json(envelope))]


class BakingSigner:
    """Sign with *inner*, then also bake the result into a PNG or SVG badge image.

    :param inner: the signer that makes the credential (a :class:`KeySigner`).
    :param image: the badge image's bytes (PNG or SVG).
    :raises BakingError: the image is neither PNG nor SVG.
    """

    def __init__(self, inner: BatchSigner, image: bytes) -> None:
        from ..formats.baking import detect_image_kind

        self.inner = inner
        self.image = image
        self.kind = detect_image_kind(image)

    def __repr__(self) -> str:
        return f"BakingSigner({self.inner!r}, {self.kind})"

    @property
    def issuer_id(self) -> str | None:
        """The inner signer's issuer id."""
        return self.inner.issuer_id

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The inner signer's suffixes, then ``.png`` or ``.svg``."""
        return (*self.inner.suffixes, f".{self.kind}")

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Sign, then bake the signed credential into the image."""
        from ..formats.baking import bake

        files = self.inner(credential)
        text = files[0].data.decode("utf-8").strip()
        baked_source: Any = text if files[0].suffix == ".jwt" else json.loads(text)
        return [*files, OutputFile(f".{self.kind}", bake(self.image, baked_source,
                                                         kind=self.kind))]


class CallableSigner:
    """Adapt a function ``credential -> dict | str | bytes`` (picklable for ``jobs > 1``).

    :param function: a module-level function (lambdas cannot reach worker processes).
    :param suffix: the output file's suffix.
    :param issuer_id: the value of ``{{$issuer}}``.
    """

    def __init__(self, function: Callable[[JsonObject], Any], *, suffix: str = ".json",
                 issuer_id: str | None = None) -> None:
        if not suffix.startswith("."):
            raise ConfigError(f"a suffix starts with a dot, found {suffix!r}",
                              code="config.invalid")
        self.function = function
        self.suffix = suffix
        self._issuer_id = issuer_id

    def __repr__(self) -> str:
        return f"CallableSigner({getattr(self.function, '__name__', self.function)!r})"

    @property
    def issuer_id(self) -> str | None:
        """The issuer id given at creation."""
        return self._issuer_id

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The one suffix given at creation."""
        return (self.suffix,)

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Call the function and wrap its result."""
        return [_output(self.function(credential), self.suffix)]


_EDC_TYPES = frozenset({"EuropeanDigitalCredential", "EuropassCredential"})
_OB3_TYPES = frozenset({"AchievementCredential", "OpenBadgeCredential"})


def validate_with_models(credential: JsonObject) -> None:
    """Read *credential* through its data model (EDC or Open Badges 3.0), if it has one.

    Other credentials pass unchecked.

    :raises ModelError: with each problem and its JSON path.
    """
    value = credential.get("type")
    types = {value} if isinstance(value, str) else set(value) if isinstance(value, list) else set()
    if types & _EDC_TYPES:
        from ..models.edc import EuropeanDigitalCredential

        EuropeanDigitalCredential.model_validate(credential)
    elif types & _OB3_TYPES:
        from ..models.ob3 import AchievementCredential

        AchievementCredential.model_validate(credential)
