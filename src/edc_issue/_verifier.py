"""The :class:`Verifier`: every verification setting held once (trust anchors, controller
documents, loader, suites, status lists, network access, clock), then
:meth:`Verifier.verify` for document after document.

A service builds one per tenant at start-up; :func:`edc_issue.verify` is
``Verifier(**settings).verify(document)``. The verifier routes each document through its
format table (:class:`FormatVerifier`: a recogniser and a verifier each), first match wins:
a baked PNG/SVG badge is opened and what it holds routed again; a VP-JWT, a compact VC-JWT, a
JAdES envelope (sealed EDC), a presentation and a JSON-LD document with Data Integrity proofs
each have theirs.
Extra formats given to the verifier are tried before the built-in ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ._data_model import data_model_checks
from ._io import check_depth
from ._presentations import is_vp_jwt, looks_like_presentation
from ._types import Clock, Fetcher, JsonObject
from .errors import BakingError, EdcIssueError, InputError
from .formats.detect import is_image, load_document, sniff
from .proofs.data_integrity import ASSERTION_METHOD
from .proofs.registry import SuiteRegistry, default_registry
from .proofs.resolver import VerificationMethodResolver
from .proofs.verify import ProofPolicy, ProofVerifier
from .results import Check, VerificationResult

if TYPE_CHECKING:
    from .jsonld import OfflineLoader
    from .status.check import StatusLists, StatusListSet

__all__ = ["FormatVerifier", "Verifier", "edc_conformance"]


@dataclass(frozen=True)
class FormatVerifier:
    """One entry of a verifier's format table.

    :param name: the format's name (``result.format`` when the verifier sets none).
    :param recognises: True for a document of this format (cheap: it is asked of every
        document until one says yes).
    :param verify: checks the document with the verifier's settings, at the time given,
        and returns the checks made; it raises only when no answer can be reached.
    """

    name: str
    recognises: Callable[[Any], bool]
    verify: Callable[[Any, Verifier, datetime], VerificationResult]


class Verifier:
    """Verifies documents with settings held once: proofs, JWTs, seals, statuses, dates.

    ::

        verifier = edc_issue.Verifier(trust=[root_pem], controllers=[did_json],
                                      status_lists=[status_list])
        for document in documents:
            result = verifier.verify(document)      # result.ok, result.checks

    Keys come from did:key (offline), from *controllers*, from the network only with
    *allow_network*, or from an https / did:web URL fragment holding the key. The key's
    binding to the issuer is its own check: unconfirmed is a warning (``ok`` stays true)
    unless *require_key_binding*.

    :param trust: trust anchors for sealed (JAdES) documents: certificates, or PEM/DER
        bytes or text, read once (on the first sealed document). Without any, the EU
        samples' test anchor applies and is reported as such.
    :param controllers: controller documents, DID documents or verification methods the
        caller trusts.
    :param allow_network: fetch did:web / https controller documents and status lists
        that were not given.
    :param require_key_binding: fail, instead of warn, when a key's binding to the issuer
        is unconfirmed.
    :param proof_purpose: the ``proofPurpose`` proofs must have.
    :param domain: the ``domain`` proofs must name, when given.
    :param challenge: the ``challenge`` proofs must carry, when given.
    :param loader: resolves ``@context`` (default: the bundled contexts only, offline).
    :param registry: the cryptosuites allowed (default: the built-in allowlist).
    :param resolver: finds keys (default: one built from *controllers*,
        *allow_network* and *fetcher*; *controllers* are added to a resolver given).
    :param clock: returns "now" for date checks (default: the system clock), read once
        per :meth:`verify`.
    :param check_dates: check validity periods (``validFrom``, ``validUntil``, ...).
    :param status_lists: Bitstring Status List credentials (or 1EdTech revocation lists)
        to check ``credentialStatus`` against, matched by their ``id``: paths to their
        files, parsed JSON objects or VC-JWTs (:data:`edc_issue.status.StatusListSource`);
        or a mapping from the URL a list is published at to the list. They are read when
        the verifier is built: one that cannot be read, or is no status list, raises an
        ``InputError`` naming it. When lists are given and none is the one a credential
        points to, its status check fails (``status.list_mismatch``). A list that is not
        given is fetched only with *allow_network*; otherwise the status check is a
        warning (a failure with *require_status*).
    :param check_status: set False to skip ``credentialStatus`` entirely.
    :param require_status: fail, instead of warn, when a credential's status could not be
        checked (its list was not given and not fetched, an unsupported status type, a
        list that could not be fetched). A credential with no ``credentialStatus`` has no
        status to check and is not failed for it.
    :param fetcher: makes the outbound requests *allow_network* permits (default:
        :class:`edc_issue._net.UrllibFetcher`); a service passes its own (SSRF guard,
        cache).
    :param check_conformance: check a sealed EDC's payload against its SHACL profile
        (part of its ``FORMAT`` check).
    :param formats: extra :class:`FormatVerifier` entries, tried before the built-in ones.
    :param allow_unsigned_presentation: accept a presentation without a proof (a
        warning; its credentials are still verified) when no *challenge* or *domain* is
        expected. By default an unsigned presentation is not verified.
    :param check_data_model: check the credential against the W3C VC Data Model (1.1 or
        2.0) whatever its format: each rule broken is a failed ``vcdm.*`` check, and each
        ``relatedResource`` digest is checked when the resource is available offline
        (:func:`edc_issue._data_model.data_model_checks`). False skips them all.

    A presentation (JSON-LD with a Data Integrity proof, or a VP-JWT) is checked by
    :mod:`edc_issue._presentations`: *challenge* and *domain* are then what its proof
    must carry (purpose ``authentication``), and each credential inside is verified with
    these settings but purpose ``assertionMethod`` and no challenge.
    """

    def __init__(
        self,
        *,
        trust: Iterable[Any] | None = None,
        controllers: Iterable[JsonObject] = (),
        allow_network: bool = False,
        require_key_binding: bool = False,
        proof_purpose: str = ASSERTION_METHOD,
        domain: str | None = None,
        challenge: str | None = None,
        loader: OfflineLoader | None = None,
        registry: SuiteRegistry | None = None,
        resolver: VerificationMethodResolver | None = None,
        clock: Clock | None = None,
        check_dates: bool = True,
        status_lists: StatusLists | None = None,
        check_status: bool = True,
        require_status: bool = False,
        fetcher: Fetcher | None = None,
        check_conformance: bool = True,
        formats: Iterable[FormatVerifier] = (),
        allow_unsigned_presentation: bool = False,
        check_data_model: bool = True,
    ) -> None:
        if require_status and not check_status:
            raise InputError("require_status=True needs check_status=True",
                             code="input.invalid", pointer="require_status")
        if resolver is None:
            resolver = VerificationMethodResolver(controllers, allow_network=allow_network,
                                                  fetcher=fetcher)
        else:
            for doc in controllers:
                resolver.add(doc)
        self._trust_given = list(trust or [])
        self._anchors: list[Any] | None = None
        self.allow_network = allow_network
        self.loader = loader
        self.registry = registry or default_registry()
        self.resolver = resolver
        self.clock = clock
        self.check_status = check_status
        self.check_conformance = check_conformance
        self.fetcher = fetcher
        self.allow_unsigned_presentation = allow_unsigned_presentation
        self.check_data_model = check_data_model
        self.policy = ProofPolicy(proof_purpose=proof_purpose, domain=domain,
                                  challenge=challenge, require_key_binding=require_key_binding,
                                  check_dates=check_dates)
        self.proofs = ProofVerifier(resolver=resolver, registry=self.registry, loader=loader,
                                    policy=self.policy)
        self.require_status = require_status
        self._status_lists_given = status_lists
        self._status_lists: StatusListSet | None = None
        if status_lists is not None and check_status:
            self._lists()  # a list given that cannot be read is an error now, not later
        self._list_verifier: Verifier | None = None
        self._credential_verifier: Verifier | None = None  # of a presentation's credentials
        #: The format table, in the order formats are tried.
        self.formats: tuple[FormatVerifier, ...] = (*formats, *BUILT_IN_FORMATS)

    def __repr__(self) -> str:
        names = ", ".join(f.name for f in self.formats)
        return f"Verifier(formats=[{names}])"

    # ---- settings read once ------------------------------------------------------------

    @property
    def trust_anchors(self) -> list[Any]:
        """The trust anchors as ``x509.Certificate`` objects (read on first use, once).

        :raises KeyMaterialError: ``key.malformed`` for one that is no certificate.
        """
        if self._anchors is None:
            from .keys.x509 import load_certificates

            self._anchors = load_certificates(self._trust_given)
        return self._anchors

    def _lists(self) -> StatusListSet:
        if self._status_lists is None:
            from .status.check import StatusListSet

            self._status_lists = StatusListSet(self._status_lists_given)
        return self._status_lists

    def _verifier_of_lists(self) -> Verifier:
        # a status list is verified like a credential (its own dates, its proof), with
        # the same keys, loader and suites; its own status is not checked
        if self._list_verifier is None:
            self._list_verifier = Verifier(
                resolver=self.resolver, allow_network=self.allow_network, loader=self.loader,
                registry=self.registry, check_status=False, fetcher=self.fetcher,
                formats=self.formats[:len(self.formats) - len(BUILT_IN_FORMATS)])
        return self._list_verifier

    def now(self) -> datetime:
        """The time the checks are made at: the clock's, or the system's (UTC)."""
        return (self.clock or _utc_now)()

    # ---- verification ------------------------------------------------------------------

    def verify(self, document: JsonObject | str | bytes) -> VerificationResult:
        """Verify every proof, JWT or seal of *document* and return the checks made.

        *document* is a credential (a dict) with Data Integrity proofs, a compact VC-JWT
        (a str), a JAdES-sealed EDC (its envelope, a dict) or a baked badge (PNG or SVG
        bytes); bytes holding JSON or a JWT are read as such.

        :returns: a result whose ``ok`` is False when a check of severity ``error``
            failed; never raises because a credential is bad.
        :raises EdcIssueError: only when no answer can be reached (input that is none of
            the above, an unreadable image, a trust anchor that is no certificate, JSON
            nested too deeply: ``io.too_deep``).
        """
        return self.verify_at(document, self.now())

    def verify_at(self, document: Any, now: datetime) -> VerificationResult:
        """Verify *document* as of *now* (what format verifiers call for what a container
        holds, so that every check of one document uses the same time)."""
        if isinstance(document, (bytes, bytearray)) and not is_image(document):
            document = load_document(bytes(document))
        if isinstance(document, (dict, list)):
            check_depth(document, source="document")
        result = self.route(document, now)
        if self.check_status:
            self._add_status_checks(result, document, now)
        return result

    def format_of(self, document: Any, *, skip: str | None = None) -> FormatVerifier | None:
        """Return the first format verifier that recognises *document* (but not the one
        named *skip*), or None."""
        for fmt in self.formats:
            if fmt.name != skip and fmt.recognises(document):
                return fmt
        return None

    def route(self, document: Any, now: datetime, *, skip: str | None = None
              ) -> VerificationResult:
        """Verify *document* with the format verifier that recognises it, without status
        checks.

        :raises InputError: ``input.invalid`` when no format recognises it.
        """
        fmt = self.format_of(document, skip=skip)
        if fmt is None:
            raise InputError(
                "expected a JSON object (a credential or a JAdES envelope), a compact JWS "
                "string or a baked PNG/SVG image",
                code="input.invalid",
            )
        result = fmt.verify(document, self, now)
        if self.check_data_model:  # the VC Data Model, after the format's own checks
            result.checks.extend(data_model_checks(document, fmt.name))
        if result.format is None:
            result.format = fmt.name
        return result

    def _add_status_checks(self, result: VerificationResult, document: Any, now: datetime
                           ) -> None:
        """Check ``credentialStatus`` (revocation, suspension) against the given lists."""
        from .status.check import check_status

        list_verifier = self._verifier_of_lists()
        for check in check_status(document, lists=self._lists(),
                                  allow_network=self.allow_network, fetcher=self.fetcher,
                                  verify_list=lambda raw: list_verifier.verify_at(raw, now),
                                  clock=lambda: now):
            if self.require_status and not check.ok and check.severity == "warning":
                check = replace(check, severity="error",
                                message=f"{check.message} (required: require_status=True)")
            result.add(check)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


# ---- the built-in formats ----------------------------------------------------------------


def _verify_baked(document: Any, verifier: Verifier, now: datetime) -> VerificationResult:
    """Unbake the credential from a PNG or SVG badge and verify what is inside."""
    from .formats.baking import detect_image_kind, unbake

    kind = detect_image_kind(bytes(document))
    inner = unbake(bytes(document))
    if verifier.format_of(inner, skip="baked") is None:
        raise BakingError("the image holds neither a credential nor a compact JWT",
                          code="bake.no_credential")
    result = verifier.route(inner, now, skip="baked")
    result.format = f"baked-{kind}+{result.format}"
    result.checks.insert(0, Check("BAKED", True,
                                  f"credential extracted from the {kind.upper()} image"))
    return result


def _verify_jwt(document: Any, verifier: Verifier, now: datetime) -> VerificationResult:
    return verifier.proofs.verify_vc_jwt(str(document), now)


def _verify_jades(document: Any, verifier: Verifier, now: datetime) -> VerificationResult:
    from .seal import verify_envelope

    return verify_envelope(document, trust=verifier.trust_anchors or None, now=now,
                           conformance=edc_conformance if verifier.check_conformance else None)


def _verify_presentation(document: Any, verifier: Verifier, now: datetime
                         ) -> VerificationResult:
    from ._presentations import verify_presentation

    return verify_presentation(document, verifier, now)


def _verify_vp_jwt(document: Any, verifier: Verifier, now: datetime) -> VerificationResult:
    from ._presentations import verify_vp_jwt_document

    return verify_vp_jwt_document(str(document), verifier, now)


def _verify_data_integrity(document: Any, verifier: Verifier, now: datetime
                           ) -> VerificationResult:
    return verifier.proofs.verify_data_integrity(document, now)


#: The built-in formats, in the order they are tried.
BUILT_IN_FORMATS: tuple[FormatVerifier, ...] = (
    FormatVerifier("baked", lambda d: sniff(d) in ("png", "svg"), _verify_baked),
    FormatVerifier("vp-jwt", is_vp_jwt, _verify_vp_jwt),
    FormatVerifier("vc-jwt", lambda d: sniff(d) == "vc-jwt", _verify_jwt),
    FormatVerifier("jades", lambda d: sniff(d) == "jades", _verify_jades),
    FormatVerifier("presentation", looks_like_presentation, _verify_presentation),
    FormatVerifier("data-integrity", lambda d: isinstance(d, dict), _verify_data_integrity),
)


# ---- conformance of sealed EDCs -----------------------------------------------------------


def edc_conformance(document: JsonObject) -> list[Check]:
    """The ``FORMAT.shacl`` check of a sealed EDC: its payload against its SHACL profile
    (chosen from ``credentialSchema``), by :func:`edc_issue.validate`.

    What a verifier with ``check_conformance=True`` gives the seal verifier; it never
    raises (a profile that cannot be run is a warning).
    """
    from .validate import validate

    try:
        report = validate(document, profile="auto")
    except EdcIssueError as exc:
        return [Check("FORMAT.shacl", False, f"SHACL conformance not checked: {exc}",
                      severity="warning", code=exc.code)]
    profile = report.profile or "auto"
    if report.ok:
        return [Check("FORMAT.shacl", True, f"the payload conforms ({profile})")]
    findings = [f for f in report.findings if f.severity == "error"]
    first = findings[0] if findings else None
    message = f"{len(findings)} violation(s) of {profile}"
    if first is not None:
        message += f"; first: {first.path}: {first.message}"
    return [Check("FORMAT.shacl", False, message, path=first.path if first else None,
                  code="credential.not_conforming")]
