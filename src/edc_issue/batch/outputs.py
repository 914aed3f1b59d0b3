"""Output steps: what turns one filled-in credential into the files written for its row.

An :class:`OutputStep` is a small callable: credential dict in, files out (one per
suffix). The batch calls it once per row, in worker processes with ``jobs > 1``, so a
step must be picklable: the ones here keep only plain data (a key file's path or JSON,
the PKCS#12 bytes, an image) and load the key lazily in each process. Secrets never
appear in ``repr`` or messages.

- :class:`SignStep`: a Data Integrity proof (``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019``) or
  a VC-JWT, with a key file, a :class:`~edc_issue.keys.Key`, or any
  :class:`~edc_issue._types.Signer` (HSM, KMS).
- :class:`SealStep`: a JAdES e-seal with a PKCS#12 e-seal certificate, or with a
  :class:`edc_issue.seal.Signer` (EDC).
- :class:`BakeStep`: wraps another step and also writes the badge image with the credential
  baked in (Open Badges 3.0).
- :class:`RenderStep`: wraps another step and also writes a page a person reads (PDF or
  HTML, extra ``[render]``), showing the result of verifying what the inner step made.
- :class:`OfferStep`: wraps another step and also writes an OpenID4VCI credential offer
  (its link and QR code) for the row's credential.
- :class:`FunctionStep`: any picklable function, for tests and custom backends.

A step may also offer ``call_group(credentials)`` (:class:`GroupOutputStep`): the batch
then hands it each chunk of rows at once, so that a remote signer can authorise and sign
the chunk's digests in one call.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .._types import JsonObject
from ..errors import ConfigError, EdcIssueError, InputError, KeyMaterialError

if TYPE_CHECKING:
    from .._issuer import Issuer

__all__ = [
    "BakeStep",
    "FunctionStep",
    "GroupOutputStep",
    "OfferStep",
    "OutputFile",
    "OutputStep",
    "RenderStep",
    "SealStep",
    "SignStep",
    "dump_json",
    "verify_for_page",
]


@dataclass(frozen=True)
class OutputFile:
    """One file to write for a credential: its suffix (``.json``, ``.jwt``, ``.png``) and bytes.

    *report* holds what the row's report line carries about this file (``offer``: the
    offer link, ``tx_code``: its transaction code), as ``(name, value)`` pairs.
    """

    suffix: str
    data: bytes
    report: tuple[tuple[str, str], ...] = ()


@runtime_checkable
class OutputStep(Protocol):
    """Makes the files of one credential (signs, seals, bakes), one per suffix."""

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


@runtime_checkable
class GroupOutputStep(OutputStep, Protocol):
    """A step that can make the files of several credentials at once (one remote call)."""

    def call_group(self, credentials: Sequence[JsonObject]
                   ) -> list[list[OutputFile] | EdcIssueError]:
        """Return, for each credential in order, its files or the error that fails its row."""
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


class SignStep:
    """Sign with a key: a Data Integrity proof, or a VC-JWT with ``suite="vc-jwt"``.

    :param key: a key file path, a key document (Multikey or JWK, as a dict), a
        :class:`~edc_issue.keys.Key` (exported to a dict so it can reach worker processes),
        or any other :class:`~edc_issue._types.Signer` (it must be picklable for
        ``jobs > 1``; its controller, or its ``id`` before ``#``, is ``{{$issuer}}``).
    :param suite: ``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019`` or ``vc-jwt``; default from the key.
    :param created: the proofs' ``created`` time (default: when each is signed).
    :param issuer_from_key: set each credential's issuer to the key's controller.
    :param check_data_model: refuse a row whose credential does not follow the W3C VC
        Data Model (its row fails with the ``vcdm.*`` problems); False only for test
        vectors.
    :raises ReadError, KeyMaterialError: the key cannot be loaded, or its algorithm is not
        one edc_issue signs with (checked at once).
    :raises ProofFormatError: ``proof.unknown_suite`` (checked at once).
    """

    def __init__(self, key: Any, *, suite: str | None = None, created: str | None = None,
                 issuer_from_key: bool = False, check_data_model: bool = True) -> None:
        from .._types import Signer
        from ..keys import Key, load_key
        from ..keys.signing import signer_controller

        self._source: str | dict[str, Any] | None
        if isinstance(key, Key):
            if not key.has_secret:
                raise KeyMaterialError("the key has no secret half; it cannot sign",
                                       code="key.no_secret")
            self._source = (key.to_jwk(include_secret=True) if key.kind == "rsa"
                            else key.to_multikey(include_secret=True))
            loaded: Any = key
        elif isinstance(key, Mapping):
            self._source = dict(key)
            loaded = load_key(self._source)
        elif isinstance(key, (str, os.PathLike)):
            self._source = os.fspath(key)
            loaded = load_key(self._source)
        elif isinstance(key, Signer):
            self._source = None  # the signer itself travels (pickled) to the workers
            loaded = key
        else:
            raise InputError("key must be a key file, a key document, a Key or a Signer "
                             f"(id, algorithm, sign), found {type(key).__name__}",
                             code="input.invalid")
        if isinstance(loaded, Key) and not loaded.has_secret:
            raise KeyMaterialError("the key file holds no secret key; it cannot sign",
                                   code="key.no_secret",
                                   pointer=self._source if isinstance(self._source, str) else None)
        self.suite = suite
        self.created = created
        self.issuer_from_key = issuer_from_key
        self.check_data_model = check_data_model
        self._issuer_id = signer_controller(loaded)
        self._key: Any = loaded
        # an unknown suite or an algorithm no suite takes is refused now, not on every row
        self._issuer: Issuer | None = self._make_issuer(loaded)

    def _make_issuer(self, signer: Any) -> Issuer:
        from .._issuer import Issuer

        return Issuer(signer, suite=self.suite, issuer_from_key=self.issuer_from_key,
                      check_data_model=getattr(self, "check_data_model", True))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_issuer"] = None  # made again in each worker process
        if self._source is not None:
            state["_key"] = None  # reloaded in each worker process
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        if isinstance(self._source, str):
            where = self._source
        elif self._source is None:
            where = f"<{type(self._key).__name__}>"
        else:
            where = "<key document>"
        return f"SignStep({where!r}, suite={self.suite!r})"

    @property
    def issuer_id(self) -> str | None:
        """The key's controller (a ``did:key``, ``did:web`` or URL)."""
        return self._issuer_id

    @property
    def suffixes(self) -> tuple[str, ...]:
        """``.jwt`` for VC-JWT, else ``.json``."""
        return (".jwt",) if self.suite == "vc-jwt" else (".json",)

    def _ready(self) -> Issuer:
        if self._issuer is None:
            if self._key is None:
                from ..keys import load_key

                assert self._source is not None
                self._key = load_key(self._source)
            self._issuer = self._make_issuer(self._key)
        return self._issuer

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Sign *credential* (with one :class:`~edc_issue.Issuer` per process)."""
        signed = self._ready().issue(credential, created=self.created)
        return [_output(signed, self.suffixes[0])]


class SealStep:
    """Seal each credential into a JAdES envelope (EDC), with an e-seal certificate.

    The certificate's organisation becomes the issuer (legal name, eIDAS identifier).

    :param p12: the PKCS#12 file's path or bytes, or an :class:`edc_issue.seal.Signer`
        (one with a ``certificate_chain``: an HSM or a remote seal; picklable for ``jobs > 1``).
    :param password: the PKCS#12 password (kept in memory only, never shown).
    :param tsa: a time-stamping authority URL for JAdES baseline T (uses the network).
    :raises KeyMaterialError: wrong password, or not an e-seal certificate (checked at once).
    """

    def __init__(self, p12: str | os.PathLike[str] | bytes | Any,
                 password: bytes | str | None = None, *, tsa: str | None = None) -> None:
        from .._io import read_bytes
        from ..seal import load_pkcs12_signer

        self._p12: bytes | None
        if hasattr(p12, "certificate_chain") and hasattr(p12, "sign"):
            self._name = f"<{type(p12).__name__}>"
            self._p12 = None
            self._password: bytes | None = None
            self._signer: Any = p12
        else:
            self._name = "<bytes>" if isinstance(p12, bytes) else os.fspath(p12)
            self._p12 = p12 if isinstance(p12, bytes) else read_bytes(p12,
                                                                      max_bytes=1024 * 1024)
            self._password = password.encode("utf-8") if isinstance(password, str) else password
            self._signer = load_pkcs12_signer(self._p12, self._password)
        self.tsa = tsa
        leaf = self._signer.certificate_chain[0]
        # a stable organisation id for this certificate (the EU issuer uses urn:epass:org:)
        name = f"x509:{leaf.issuer.rfc4514_string()}#{leaf.serial_number}"
        self._issuer_id = f"urn:epass:org:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self._p12 is not None:
            state["_signer"] = None  # reloaded from the PKCS#12 bytes in each worker
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"SealStep({self._name!r})"

    @property
    def issuer_id(self) -> str | None:
        """``urn:epass:org:<uuid>``, stable for the certificate; sealing adds its name."""
        return self._issuer_id

    @property
    def suffixes(self) -> tuple[str, ...]:
        """``.json`` (the envelope)."""
        return (".json",)

    def _loaded(self) -> Any:
        if self._signer is None:
            from ..seal import load_pkcs12_signer

            assert self._p12 is not None
            self._signer = load_pkcs12_signer(self._p12, self._password)
        return self._signer

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Seal *credential*."""
        from ..edc import seal_edc

        # the certificate fills in the issuer; the rows were validated by the runner
        envelope = seal_edc(credential, self._loaded(), tsa=self.tsa, validate=False).envelope
        return [OutputFile(".json", dump_json(envelope))]

    def call_group(self, credentials: Sequence[JsonObject]
                   ) -> list[list[OutputFile] | EdcIssueError]:
        """Seal a chunk: with a signer that signs many at once (``sign_many``: a remote
        seal at a QTSP), every seal of the chunk is authorised and signed in one call (per
        ``multisign`` seals); with any other signer, one by one."""
        from datetime import datetime, timezone

        from ..edc import apply_seal_certificate, require_edc, unwrap_upload
        from ..seal import seal_many

        signer = self._loaded()
        results: list[list[OutputFile] | EdcIssueError] = []
        if not callable(getattr(signer, "sign_many", None)):
            for credential in credentials:
                try:
                    results.append(self(credential))
                except EdcIssueError as exc:
                    results.append(exc)
            return results
        now = datetime.now(timezone.utc).replace(microsecond=0)
        leaf = signer.certificate_chain[0]
        filled: list[JsonObject] = []
        positions: list[int] = []
        for position, credential in enumerate(credentials):
            try:  # as seal_edc does, for each credential
                unwrapped, _ = unwrap_upload(credential)
                require_edc(unwrapped)
                filled.append(apply_seal_certificate(unwrapped, leaf, now=now))
                positions.append(position)
                results.append([])  # replaced below
            except EdcIssueError as exc:
                results.append(exc)
        outcomes = seal_many(filled, signer, tsa=self.tsa, now=now)
        for position, outcome in zip(positions, outcomes, strict=True):
            if outcome.envelope is not None:
                results[position] = [OutputFile(".json", dump_json(outcome.envelope))]
            else:
                assert outcome.error is not None
                results[position] = outcome.error
        return results


class BakeStep:
    """Sign with *inner*, then also bake the result into a PNG or SVG badge image.

    :param inner: the step that makes the credential (a :class:`SignStep`).
    :param image: the badge image's bytes (PNG or SVG).
    :raises BakingError: the image is neither PNG nor SVG.
    """

    def __init__(self, inner: OutputStep, image: bytes) -> None:
        from ..formats.baking import detect_image_kind

        self.inner = inner
        self.image = image
        self.kind = detect_image_kind(image)

    def __repr__(self) -> str:
        return f"BakeStep({self.inner!r}, {self.kind})"

    @property
    def issuer_id(self) -> str | None:
        """The inner step's issuer id."""
        return self.inner.issuer_id

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The inner step's suffixes, then ``.png`` or ``.svg``."""
        return (*self.inner.suffixes, f".{self.kind}")

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Sign, then bake the signed credential into the image."""
        from ..formats.baking import bake

        files = self.inner(credential)
        text = files[0].data.decode("utf-8").strip()
        baked_source: Any = text if files[0].suffix == ".jwt" else json.loads(text)
        return [*files, OutputFile(f".{self.kind}", bake(self.image, baked_source,
                                                         kind=self.kind))]


class FunctionStep:
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
        return f"FunctionStep({getattr(self.function, '__name__', self.function)!r})"

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


_RENDER_SUFFIXES = {"pdf": (".pdf", "application/pdf"), "html": (".html", "text/html")}


def verify_for_page(document: Any, **settings: Any) -> Any:
    """How :class:`RenderStep` verifies by default: :func:`edc_issue.verify` offline, every
    seal, proof, key and date checked, without the EDC SHACL conformance check (the batch
    read each credential through its data model before signing; that check is the slow part
    of an EDC's verification, and a page does not show it)."""
    from .._api import verify

    settings.setdefault("check_conformance", False)
    return verify(document, **settings)


def _id_of(credential: JsonObject) -> str:
    value = credential.get("id")
    return value if isinstance(value, str) else ""


class RenderStep:
    """Make the files with *inner*, then also a PDF or HTML page of the result.

    The page shows what verifying the inner step's output found (with *verifier*, by
    default :func:`edc_issue.verify`, offline): a credential sealed with a certificate the
    verifier does not trust renders as "NOT verified", never as "verified". Pages are
    compiled on *threads* threads (typst works without the GIL), so that a chunk's PDFs are
    made side by side.

    :param inner: the step that makes the credential (:class:`SignStep`, :class:`SealStep`,
        :class:`BakeStep`).
    :param format: ``pdf`` or ``html``.
    :param lang: the pages' language (BCP 47); default each credential's own.
    :param verify_url: where each page's QR code points; ``{id}`` is replaced by the
        credential's id (URL-encoded), e.g. ``https://verify.example.edu/c/{id}``.
    :param verifier: called with the inner step's first file (JSON, JWT) as
        :func:`edc_issue.verify` takes it; picklable for ``jobs > 1`` (a module-level
        function or a :func:`functools.partial` of :func:`edc_issue.verify`); default
        :func:`verify_for_page`.
    :param threads: pages compiled at once.
    :raises ConfigError: ``config.extra_missing`` when ``edc-issue[render]`` is not
        installed; ``config.invalid`` for a format other than pdf or html.
    :raises RenderError: ``render.lang``, ``render.verify_url`` (checked at once).
    """

    def __init__(self, inner: OutputStep, format: str = "pdf", *, lang: str | None = None,
                 verify_url: str | None = None,
                 verifier: Callable[[Any], Any] | None = None, threads: int = 2) -> None:
        if format not in _RENDER_SUFFIXES:
            raise ConfigError(f"a rendered page is pdf or html, found {format!r}",
                              code="config.invalid", pointer="format")
        from ..render._deps import require

        for module in ("typst", "segno", "jinja2", "babel"):
            require(module)  # config.extra_missing: pip install 'edc-issue[render]'
        from ..render import _check_lang, _check_url

        _check_lang(lang)
        _check_url(self._url(verify_url, "urn:uuid:00000000-0000-0000-0000-000000000000"))
        self.inner = inner
        self.format = format
        self.lang = lang
        self.verify_url = verify_url
        self.verifier = verifier
        self.threads = max(1, threads)
        self._pool: Any = None

    @staticmethod
    def _url(template: str | None, credential_id: str) -> str | None:
        if template is None:
            return None
        from urllib.parse import quote

        return template.replace("{id}", quote(credential_id, safe=""))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_pool"] = None  # each process starts its own threads
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        return f"RenderStep({self.inner!r}, {self.format!r})"

    @property
    def issuer_id(self) -> str | None:
        """The inner step's issuer id."""
        return self.inner.issuer_id

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The inner step's suffixes, then ``.pdf`` or ``.html``."""
        return (*self.inner.suffixes, _RENDER_SUFFIXES[self.format][0])

    def _page(self, credential_id: str, made: OutputFile) -> OutputFile:
        from ..rendering import verify_and_render

        suffix, media_type = _RENDER_SUFFIXES[self.format]
        rendered = verify_and_render(made.data, media_type=media_type, lang=self.lang,
                                     verify_url=self._url(self.verify_url, credential_id),
                                     verifier=self.verifier or verify_for_page)
        return OutputFile(suffix, rendered.content)

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Make the inner files, then render the first of them."""
        files = self.inner(credential)
        return [*files, self._page(_id_of(credential), files[0])]

    def call_group(self, credentials: Sequence[JsonObject]
                   ) -> list[list[OutputFile] | EdcIssueError]:
        """Make a chunk's inner files (in one call if the inner step groups), then render
        their pages on the step's threads."""
        inner_group = getattr(self.inner, "call_group", None)
        made: list[list[OutputFile] | EdcIssueError] = []
        if callable(inner_group):
            made = list(inner_group(credentials))
        else:
            for credential in credentials:
                try:
                    made.append(self.inner(credential))
                except EdcIssueError as exc:
                    made.append(exc)
        if self._pool is None and self.threads > 1:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="edc-issue-render")

        def page(position: int) -> list[OutputFile] | EdcIssueError:
            files = made[position]
            if isinstance(files, EdcIssueError):
                return files
            try:
                return [*files, self._page(_id_of(credentials[position]), files[0])]
            except EdcIssueError as exc:
                return exc

        positions = range(len(credentials))
        if self._pool is None:
            return [page(p) for p in positions]
        return list(self._pool.map(page, positions))


#: The suffixes of an offer's files: the link (one line) and its QR code.
OFFER_SUFFIXES = (".offer.txt", ".offer.png")


class OfferStep:
    """Offer each credential to a wallet (OpenID4VCI), instead of or beside its files.

    For each row the unsigned credential goes to *offers* (an
    :class:`~edc_issue.oid4vci.offers.OfferMaker`: :class:`~edc_issue.oid4vci.offers.
    ServiceOffers` for an ``edc-issue serve`` tenant, :class:`~edc_issue.oid4vci.offers.
    IssuerOffers` for a credential issuer in this process), which keeps it and signs it,
    bound to the wallet's key, when the wallet collects it. The step writes the offer link
    (``.offer.txt``) and its QR code (``.offer.png``); the report's ``offer`` and ``tx_code``
    columns carry the link and the transaction code.

    :param offers: makes the offer of one credential.
    :param inner: also sign or seal now and write the credential's files (beside); None:
        only the offer (instead).
    :param issuer_id: the value of ``{{$issuer}}`` without *inner* (the issuer's DID).

    A run stopped between making a row's offer and writing its files makes a new offer for
    that row when it resumes; the first is never handed out (its link was not written) and
    expires unused.
    """

    def __init__(self, offers: Any, inner: OutputStep | None = None, *,
                 issuer_id: str | None = None) -> None:
        if not callable(offers):
            raise ConfigError("offers must make an offer of a credential (an OfferMaker)",
                              code="config.invalid", pointer="offers")
        self.offers = offers
        self.inner = inner
        self._issuer_id = issuer_id

    def __repr__(self) -> str:
        return f"OfferStep({self.offers!r}, {self.inner!r})"

    @property
    def issuer_id(self) -> str | None:
        """The inner step's issuer id, else the one given."""
        return self.inner.issuer_id if self.inner is not None else self._issuer_id

    @property
    def suffixes(self) -> tuple[str, ...]:
        """The inner step's suffixes (if any), then ``.offer.txt`` and ``.offer.png``."""
        return (*(self.inner.suffixes if self.inner is not None else ()), *OFFER_SUFFIXES)

    def __call__(self, credential: JsonObject) -> list[OutputFile]:
        """Make the inner files (if any), then the offer of the unsigned *credential*."""
        from ..oid4vci.offers import qr_code

        files = self.inner(credential) if self.inner is not None else []
        made = self.offers(credential)
        report = (("offer", made.link),) + ((("tx_code", made.tx_code),)
                                            if made.tx_code else ())
        return [*files, OutputFile(".offer.txt", (made.link + "\n").encode("utf-8"), report),
                OutputFile(".offer.png", qr_code(made.link))]
