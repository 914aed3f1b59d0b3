"""Verifying JAdES-sealed credentials: :func:`verify_envelope`.

Checks are named after the EDC verification vocabulary
(<http://data.europa.eu/snb/verification/25831c2>): ``FORMAT``, ``SEAL``, ``EXPIRY``,
``REVOCATION``. Each aggregate follows its finer-grained checks::

    FORMAT.envelope        JWS JSON serialization with a JSON-object payload
    FORMAT.shacl           the payload against the EDC SHACL shapes (when the validator exists)
    FORMAT
    SEAL.header            b64:false in crit; no unknown critical header; JAdES values well-formed
    SEAL.certificate       x5c present and readable
    SEAL.signature         over ASCII(protected) || '.' || payload (RFC 7797 §3)
    SEAL.x5t#S256          the signed digest names the x5c certificate
    SEAL.kid               the IssuerSerial in kid names the x5c certificate (when kid is one)
    SEAL.key_usage         digitalSignature
    SEAL.chain             x5c / xVals up to a trust anchor (warning when no anchors are given)
    SEAL.trust             warning: the anchor reached is the bundled TEST-ONLY one
    SEAL.validity          the chain was valid at sigT (and at the signature time-stamp)
    SEAL.adoTst[i]         time-stamp over the payload: imprint, CMS signature, TSA EKU
    SEAL.sigTst[i]         time-stamp over the signature value: same
    SEAL.arcTst[i]         archive time-stamp over payload, header, signature, earlier etsiU
    SEAL
    REVOCATION             from embedded OCSP responses / CRLs (rVals); nothing is fetched
    EXPIRY                 expirationDate / validUntil of the payload
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from asn1crypto import cms as a_cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from joserfc.errors import (
    JoseError,
    MissingCritHeaderError,
    UnsupportedAlgorithmError,
    UnsupportedHeaderError,
)

from .._dates import parse_datetime
from .._types import JsonObject
from ..errors import EdcIssueError
from ..results import Check, Severity, VerificationResult
from ._jades_headers import JADES_HEADER_REGISTRY, JADES_UNPROTECTED_PARAMETERS, jades_registry
from ._test_anchors import eu_samples_test_anchors
from .chain import (
    build_chain,
    check_key_usage,
    check_revocation,
    check_validity,
    describe,
    fingerprint,
)
from .jades import SignatureParts, b64url_decode, parse_envelope, x5t_s256
from .signer import SUPPORTED_ALGORITHMS, verify_jws_signature
from .tsp import verify_token

__all__ = ["is_jades_envelope", "verify_envelope"]

#: digest URIs JAdES uses in x5t#o (TS 119 182-1 §5.1.7 refers to RFC 6931 / XML-DSig)
_DIG_URIS: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
    "S256": hashes.SHA256, "S384": hashes.SHA384, "S512": hashes.SHA512,
}


def is_jades_envelope(document: Any) -> bool:
    """True when *document* looks like a JWS JSON serialization (a JAdES envelope)."""
    return isinstance(document, Mapping) and "payload" in document and (
        "signatures" in document or ("signature" in document and "protected" in document)
    )


def _reject_unprotected_critical(unprotected: Mapping[str, Any],
                                 protected: Mapping[str, Any]) -> None:
    """RFC 7515 §4.1.11: ``crit``, and every parameter it names, must be protected.

    (joserfc has this check, but its signature changed between 1.7 and 1.8.)
    """
    if "crit" in unprotected:
        raise UnsupportedHeaderError("'crit' header MUST be protected header")
    critical = protected.get("crit")
    for name in critical if isinstance(critical, list) else []:
        if isinstance(name, str) and name not in protected and name in unprotected:
            raise UnsupportedHeaderError(f"'{name}' header MUST be protected")


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


class _Sig:
    """Collects the SEAL.* checks of one signature entry."""

    def __init__(self, result: VerificationResult, parts: SignatureParts) -> None:
        self.result = result
        self.parts = parts
        self.failed: list[Check] = []

    def add(self, name: str, ok: bool, message: str, *, code: str | None = None,
            severity: Severity = "error", path: str | None = None) -> None:
        where = path if path is not None else self.parts.path
        check = Check(name, ok, message, path=where, code=None if ok else code,
                      severity=severity)
        self.result.add(check)
        if not ok and severity == "error":
            self.failed.append(check)


def verify_envelope(
    envelope: JsonObject,
    *,
    trust: Sequence[x509.Certificate] | None = None,
    now: datetime | None = None,
    test_anchors: bool = True,
    validate_payload: bool = True,
) -> VerificationResult:
    """Verify a JAdES-sealed credential; return every check made (never raises for a bad seal).

    :param trust: trust anchors for the seal's chain. With none given, the bundled
        TEST-ONLY anchor of the EU samples is used (when *test_anchors*), and a chain
        that reaches no anchor is a warning, not an error.
    :param now: the time for ``EXPIRY`` (default: the current UTC time).
    :param validate_payload: run ``edc_issue.validate.validate`` on the payload when
        that module is installed (``FORMAT.shacl``).
    """
    result = VerificationResult(format="jades")
    when_now = _utc(now) if now is not None else datetime.now(timezone.utc)
    try:
        env = parse_envelope(envelope)
    except EdcIssueError as exc:
        result.add(Check("FORMAT.envelope", False, exc.message, path=exc.pointer,
                         code="seal.malformed"))
        result.add(Check("FORMAT", False, "not a JAdES envelope: " + exc.message,
                         code="seal.malformed"))
        result.add(Check("SEAL", False, "not checked: the envelope is malformed",
                         code="seal.malformed"))
        return result

    payload_bytes = env.payload.encode("utf-8")
    document: Any = None
    try:
        document = json.loads(env.payload)
    except (ValueError, RecursionError) as exc:
        payload_problem: str | None = f"the payload is not JSON ({exc})"
    else:
        payload_problem = None if isinstance(document, dict) else "the payload is not a JSON object"
    if payload_problem:
        result.add(Check("FORMAT.envelope", False, payload_problem, path="payload",
                         code="seal.malformed"))
        document = None
    else:
        result.add(Check("FORMAT.envelope", True,
                         f"JWS JSON serialization, {len(env.signatures)} signature(s), "
                         "JSON-object payload", path="payload"))
        result.document = document

    shacl_ok = _check_shacl(result, document, validate_payload)
    if payload_problem:
        result.add(Check("FORMAT", False, payload_problem, code="seal.malformed"))
    else:
        result.add(Check("FORMAT", shacl_ok is not False,
                         "well-formed envelope" + {
                             True: "; the payload conforms to the EDC shapes",
                             False: "; the payload does not conform to the EDC shapes",
                             None: "; SHACL conformance not checked"}[shacl_ok],
                         code=None if shacl_ok is not False else "credential.not_conforming"))

    revocation: list[Check] = []
    for parts in env.signatures:
        _verify_signature(result, parts, env.payload, payload_bytes, trust, test_anchors,
                          revocation)
    for check in revocation:
        result.add(check)
    result.add(_check_expiry(document, when_now))
    return result


def _check_shacl(result: VerificationResult, document: Any, enabled: bool) -> bool | None:
    if document is None or not enabled:
        return None
    try:
        from ..validate import validate  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        result.add(Check("FORMAT.shacl", False,
                         "SHACL conformance not checked: edc_issue.validate is not available",
                         severity="warning", code="seal.shacl_unavailable"))
        return None
    try:
        report = validate(document, profile="auto")
    except EdcIssueError as exc:
        result.add(Check("FORMAT.shacl", False, f"SHACL conformance not checked: {exc}",
                         severity="warning", code=exc.code))
        return None
    findings = [f for f in getattr(report, "findings", []) if f.severity == "error"]
    profile = getattr(report, "profile", None) or "auto"
    if report.ok:
        result.add(Check("FORMAT.shacl", True, f"the payload conforms ({profile})"))
        return True
    first = findings[0] if findings else None
    message = f"{len(findings)} violation(s) of {profile}"
    if first is not None:
        message += f"; first: {first.path}: {first.message}"
    result.add(Check("FORMAT.shacl", False, message, path=first.path if first else None,
                     code="credential.not_conforming"))
    return False


def _check_expiry(document: Any, now: datetime) -> Check:
    if not isinstance(document, dict):
        return Check("EXPIRY", False, "not checked: the payload is not a JSON object",
                     severity="warning")
    for key in ("expirationDate", "validUntil"):
        value = document.get(key)
        if value is None:
            continue
        when = parse_datetime(value) if isinstance(value, str) else None
        if when is None:
            return Check("EXPIRY", False, f"{key} is not a date-time: {value!r}", path=key,
                         code="credential.bad_date")
        if now > when:
            return Check("EXPIRY", False, f"the credential expired on {value}", path=key,
                         code="credential.expired")
        return Check("EXPIRY", True, f"valid until {value}", path=key)
    return Check("EXPIRY", True, "the credential has no expiration date")


def _decode_etsi_u(header: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = header.get("etsiU", [])
    if not isinstance(raw, list):
        raise ValueError("etsiU must be an array")
    out: list[dict[str, Any]] = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            try:
                value = json.loads(b64url_decode(item))
            except ValueError as exc:
                raise ValueError(f"etsiU[{i}] is not base64url JSON") from exc
        else:
            value = item
        if not isinstance(value, dict) or len(value) != 1:
            raise ValueError(f"etsiU[{i}] must be an object with one property")
        out.append(value)
    return out


def _der_list(items: Any, key: str | None) -> list[bytes]:
    out: list[bytes] = []
    if not isinstance(items, list):
        return out
    for item in items:
        value = item.get(key) if key and isinstance(item, dict) else item
        if isinstance(value, dict):
            value = value.get("val")
        if isinstance(value, str):
            try:
                out.append(base64.b64decode(value, validate=True))
            except ValueError:
                continue
    return out


def _verify_signature(
    result: VerificationResult,
    parts: SignatureParts,
    payload: str,
    payload_bytes: bytes,
    trust: Sequence[x509.Certificate] | None,
    test_anchors: bool,
    revocation: list[Check],
) -> None:
    sig = _Sig(result, parts)
    prefix = parts.path

    def finish(summary_ok_message: str | None = None) -> None:
        if sig.failed:
            first = sig.failed[0]
            result.add(Check("SEAL", False, f"{first.check}: {first.message}", path=prefix,
                             code=first.code))
        else:
            result.add(Check("SEAL", True, summary_ok_message or "the seal verifies",
                             path=prefix))

    # -- the protected header -----------------------------------------------------
    try:
        header = json.loads(b64url_decode(parts.protected))
        if not isinstance(header, dict):
            raise ValueError("not a JSON object")
    except (ValueError, RecursionError) as exc:
        sig.add("SEAL.header", False, f"the protected header is not base64url JSON ({exc})",
                code="seal.malformed", path=f"{prefix}.protected")
        finish()
        return
    unprotected = dict(parts.header)
    problem, code = _header_problem(header, unprotected)
    if problem:
        sig.add("SEAL.header", False, problem, code=code, path=f"{prefix}.protected")
        finish()
        return
    sig.add("SEAL.header", True,
            f"alg {header['alg']}, b64 false (critical), critical {header.get('crit')}, "
            f"sigT {header.get('sigT')}", path=f"{prefix}.protected")

    # -- the certificate ----------------------------------------------------------
    try:
        x5c = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True))
               for c in header["x5c"]]
        if not x5c:
            raise ValueError("empty")
    except (ValueError, TypeError) as exc:
        sig.add("SEAL.certificate", False, f"x5c does not hold DER certificates ({exc})",
                code="seal.no_certificate", path=f"{prefix}.protected.x5c")
        finish()
        return
    leaf = x5c[0]
    sig.add("SEAL.certificate", True, f"sealed by '{describe(leaf)}' "
            f"({leaf.subject.rfc4514_string()})", path=f"{prefix}.protected.x5c")

    # -- the signature over the RFC 7797 signing input ----------------------------
    signing_input = parts.protected.encode("ascii") + b"." + payload.encode("utf-8")
    try:
        valid = verify_jws_signature(str(header["alg"]), leaf.public_key(), signing_input,
                                     b64url_decode(parts.signature))
    except (EdcIssueError, ValueError, TypeError, UnicodeError) as exc:
        sig.add("SEAL.signature", False, f"the signature cannot be checked: {exc}",
                code="seal.bad_signature", path=f"{prefix}.signature")
    else:
        if valid:
            sig.add("SEAL.signature", True,
                    f"{header['alg']} signature over ASCII(protected) || '.' || payload "
                    "verifies", path=f"{prefix}.signature")
        else:
            sig.add("SEAL.signature", False,
                    "the signature over ASCII(protected) || '.' || payload does not verify "
                    "with the x5c certificate's key: the payload or the protected header "
                    "was changed", code="seal.bad_signature", path=f"{prefix}.signature")

    # -- the certificate digest and kid -------------------------------------------
    if "x5t#S256" in header:
        ok = header["x5t#S256"] == x5t_s256(leaf)
        sig.add("SEAL.x5t#S256", ok,
                "x5t#S256 is the SHA-256 of the x5c certificate" if ok else
                "x5t#S256 does not match the SHA-256 of the x5c certificate",
                code="seal.digest_mismatch", path=f"{prefix}.protected.x5t#S256")
    else:
        dig = header.get("x5t#o") or (header.get("sigX5ts") or [None])[0]
        algo = _DIG_URIS.get(dig.get("digAlg", "")) if isinstance(dig, dict) else None
        if algo is None:
            sig.add("SEAL.x5t#S256", False, "no usable signing-certificate digest "
                    "(x5t#S256, x5t#o or sigX5ts)", code="seal.digest_mismatch",
                    path=f"{prefix}.protected")
        else:
            assert isinstance(dig, dict)
            ok = dig.get("digVal") == base64.urlsafe_b64encode(
                leaf.fingerprint(algo())).rstrip(b"=").decode()
            sig.add("SEAL.x5t#S256", ok, "the signed certificate digest (x5t#o) "
                    + ("matches" if ok else "does not match") + " the x5c certificate",
                    code="seal.digest_mismatch", path=f"{prefix}.protected")
    kid_check = _kid_matches(header.get("kid"), leaf)
    if kid_check is not None:
        sig.add("SEAL.kid", kid_check,
                "kid (IssuerSerial) names the x5c certificate" if kid_check else
                "kid (IssuerSerial) names another certificate than x5c[0]",
                code="seal.digest_mismatch", path=f"{prefix}.protected.kid")

    ok, message = check_key_usage(leaf)
    sig.add("SEAL.key_usage", ok, message, code="seal.key_usage",
            path=f"{prefix}.protected.x5c[0]")

    # -- unsigned properties ------------------------------------------------------
    try:
        etsi_u = _decode_etsi_u(unprotected)
    except ValueError as exc:
        sig.add("SEAL.etsiU", False, str(exc), code="seal.malformed",
                path=f"{prefix}.header.etsiU")
        etsi_u = []
    xvals: list[x509.Certificate] = []
    ocsps: list[bytes] = []
    crls: list[bytes] = []
    for item in etsi_u:
        if "xVals" in item:
            for der in _der_list(item["xVals"], "x509Cert"):
                try:
                    xvals.append(x509.load_der_x509_certificate(der))
                except ValueError:
                    continue
        if "rVals" in item and isinstance(item["rVals"], dict):
            ocsps += _der_list(item["rVals"].get("ocspVals"), None)
            crls += _der_list(item["rVals"].get("crlVals"), None)
    extra = [*x5c, *xvals]

    # -- time-stamps --------------------------------------------------------------
    sig_tst_times: list[datetime] = []
    tokens: list[tuple[str, str, Any]] = []
    etsi_index: dict[str, int] = {}
    if "adoTst" in header:
        for i, tok in enumerate(header["adoTst"]["tstTokens"]):
            tokens.append((f"SEAL.adoTst[{i}]", f"{prefix}.protected.adoTst.tstTokens[{i}]",
                           tok.get("val")))
    for n, item in enumerate(etsi_u):
        for name in ("sigTst", "arcTst"):
            container = item.get(name)
            if container is None:
                continue
            toks = container.get("tstTokens") if isinstance(container, dict) else None
            if not isinstance(toks, list) or not toks:
                sig.add(f"SEAL.{name}", False, f"{name} holds no tstTokens",
                        code="seal.timestamp_invalid", path=f"{prefix}.header.etsiU[{n}]")
                continue
            for i, tok in enumerate(toks):
                tok_path = f"{prefix}.header.etsiU[{n}].{name}.tstTokens[{i}]"
                etsi_index[tok_path] = n
                tokens.append((f"SEAL.{name}[{i}]", tok_path, tok.get("val")
                               if isinstance(tok, dict) else None))
    for name, tok_path, val in tokens:
        try:
            der = base64.b64decode(val, validate=True) if isinstance(val, str) else b""
        except ValueError:
            der = b""
        if not der:
            sig.add(name, False, "the token is not base64", code="seal.timestamp_invalid",
                    path=tok_path)
            continue
        if name.startswith("SEAL.adoTst"):
            check = verify_token(der, data=payload_bytes, extra_certificates=extra)
            what = "the payload"
        elif name.startswith("SEAL.sigTst"):
            check = verify_token(der, data=parts.signature.encode("ascii"),
                                 extra_certificates=extra)
            what = "the signature value"
        else:
            archived = _archive_input(payload, parts, etsi_index[tok_path])
            if archived is None:
                check = verify_token(der, digest=_imprint_of(der), extra_certificates=extra)
                what = "the archive data (clear-JSON etsiU: imprint not recomputed)"
            else:
                check = verify_token(der, data=archived, extra_certificates=extra)
                what = "the payload, header, signature and earlier etsiU entries"
        if check.ok and check.info is not None and name.startswith("SEAL.sigTst"):
            sig_tst_times.append(check.info.gen_time)
        sig.add(name, check.ok, f"over {what}: {check.message}",
                code="seal.timestamp_invalid", path=tok_path)

    # -- chain, trust, validity ---------------------------------------------------
    bundled = eu_samples_test_anchors() if (trust is None and test_anchors) else ()
    anchors = list(trust) if trust is not None else list(bundled)
    chain = build_chain(leaf, [*x5c[1:], *xvals], anchors)
    path = chain.path
    if chain.problem:
        sig.add("SEAL.chain", False, chain.problem, code="seal.chain_broken",
                path=f"{prefix}.protected.x5c")
    elif chain.anchor is not None:
        names = " → ".join(f"'{describe(c)}'" for c in path)
        test_only = fingerprint(chain.anchor) in {fingerprint(a) for a in bundled}
        sig.add("SEAL.chain", True, f"chain {names} ends at a trust anchor"
                + (" (bundled TEST-ONLY anchor)" if test_only else ""),
                path=f"{prefix}.protected.x5c")
        if test_only:
            sig.add("SEAL.trust", False,
                    f"the chain ends at '{describe(chain.anchor)}', bundled as a TEST-ONLY "
                    "anchor for the EU sample credentials; this is not a production trust "
                    "decision: pass trust anchors (--trust) to decide",
                    severity="warning", code="seal.test_anchor")
    elif trust:
        sig.add("SEAL.chain", False,
                f"the chain ends at '{describe(path[-1])}', which is none of the "
                f"{len(trust)} trust anchor(s) given and is not issued by one",
                code="seal.chain_untrusted", path=f"{prefix}.protected.x5c")
    else:
        sig.add("SEAL.chain", False,
                f"not checked against a trust list: the chain ends at '{describe(path[-1])}'"
                f" ({len(path)} certificate(s)); pass trust anchors (--trust) to decide",
                severity="warning", code="seal.no_trust_anchor",
                path=f"{prefix}.protected.x5c")

    sig_t = parse_datetime(header["sigT"])
    assert sig_t is not None  # checked in _header_problem
    times = [("sigT", sig_t)] + [("the signature time-stamp", t) for t in sig_tst_times[:1]]
    validity_problem = None
    for label, when in times:
        validity_problem = check_validity(path, when)
        if validity_problem:
            validity_problem = f"at {label}: {validity_problem}"
            break
    sig.add("SEAL.validity", validity_problem is None,
            validity_problem or f"the certificate chain was valid at sigT {header['sigT']}"
            + (f" and at the signature time-stamp {sig_tst_times[0]:%Y-%m-%dT%H:%M:%SZ}"
               if sig_tst_times else ""),
            code="seal.certificate_expired", path=f"{prefix}.protected.sigT")

    # -- revocation (reported after all SEAL checks) ------------------------------
    issuer = path[1] if len(path) > 1 else next(
        (c for c in anchors if c.subject == leaf.issuer), None)
    at = sig_tst_times[0] if sig_tst_times else sig_t
    rev = check_revocation(leaf, issuer, ocsp_responses=ocsps, crls=crls,
                           pool=[*extra, *anchors], at=at)
    where = f"{prefix}.header.etsiU"
    if rev.status == "good":
        revocation.append(Check("REVOCATION", True, rev.message, path=where))
    elif rev.status == "revoked":
        revocation.append(Check("REVOCATION", False, rev.message, path=where,
                                code="seal.revoked"))
    else:
        revocation.append(Check("REVOCATION", False,
                                f"not checked: {rev.message}; no OCSP or CRL is fetched "
                                "(offline)", path=where, severity="warning",
                                code="seal.revocation_unknown"))
    finish(f"sealed by '{describe(leaf)}' at {header['sigT']}: signature, certificate "
           f"digest{', time-stamps' if tokens else ''} and chain verify")


def _archive_input(payload: str, parts: SignatureParts, index: int) -> bytes | None:
    """The data an ``arcTst`` time-stamps, for base64url ``etsiU`` entries.

    ``payload '.' protected '.' signature '.'`` followed by the ``etsiU`` entries
    before the ``arcTst``, concatenated as written (TS 119 182-1 §5.3.6.3; checked
    against the EU issuer's envelopes). Clear-JSON entries would need the
    canonicalization named in ``canonAlg``: ``None`` then.
    """
    raw = parts.header.get("etsiU")
    if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw[:index]):
        return None
    text = ".".join([payload, parts.protected, parts.signature, "".join(raw[:index])])
    return text.encode("utf-8")


def _imprint_of(token: bytes) -> bytes | None:
    try:
        info = a_cms.ContentInfo.load(token)["content"]["encap_content_info"]["content"].parsed
        value = info["message_imprint"]["hashed_message"].native
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return value if isinstance(value, bytes) else None


def _kid_matches(kid: Any, leaf: x509.Certificate) -> bool | None:
    if not isinstance(kid, str):
        return None
    try:
        value = a_cms.IssuerSerial.load(base64.b64decode(kid, validate=True))
        serial = value["serial"].native
        names = value["issuer"]
        issuer_ders = [n.chosen.untag().dump() for n in names if n.name == "directory_name"]
    except (ValueError, TypeError, KeyError):
        return None  # a kid of another form: nothing to compare
    if not issuer_ders:
        return None
    return serial == leaf.serial_number and leaf.issuer.public_bytes() in issuer_ders


def _header_problem(header: dict[str, Any], unprotected: dict[str, Any]) -> tuple[str | None, str]:
    """Why the header is unacceptable, with a check code; ``(None, "")`` when fine."""
    alg = header.get("alg")
    if alg not in SUPPORTED_ALGORITHMS:
        return (f"alg {alg!r} is not allowed for seals; expected one of "
                f"{', '.join(SUPPORTED_ALGORITHMS)}", "seal.algorithm")
    if header.get("b64") is not False:
        return ("the payload is base64url-encoded (b64 is "
                f"{'absent' if 'b64' not in header else json.dumps(header['b64'])}); "
                "EDC seals carry the credential as an unencoded payload (b64: false, "
                "RFC 7797)", "seal.encoded_payload")
    crit = header.get("crit")
    if not isinstance(crit, list) or "b64" not in crit:
        return ("b64 is false but not listed in crit (RFC 7797 §6)", "seal.unknown_critical")
    unknown = [c for c in crit if isinstance(c, str) and c not in JADES_HEADER_REGISTRY
               and c not in ("b64",)]
    if unknown:
        return (f"unknown critical header parameter(s) {', '.join(unknown)}: this verifier "
                "does not understand them (RFC 7515 §4.1.11)", "seal.unknown_critical")
    for name in unprotected:
        if name not in JADES_UNPROTECTED_PARAMETERS and name in JADES_HEADER_REGISTRY:
            return (f"{name} must be in the protected header (ETSI TS 119 182-1 §5.2)",
                    "seal.malformed")
    if "sigD" in header:
        return ("detached seals (sigD) are not supported; expected the credential as the "
                "payload", "seal.malformed")
    if "x5c" not in header:
        return ("x5c is missing: the signing certificate must be in the protected header",
                "seal.no_certificate")
    if "sigT" not in header:
        return ("sigT (claimed signing time) is missing: JAdES baseline signatures carry it",
                "seal.malformed")
    registry = jades_registry([str(alg)])
    try:
        _reject_unprotected_critical(unprotected, header)
        registry.check_header({**unprotected, **header})
        registry.get_alg(str(alg))
    except MissingCritHeaderError as exc:
        return (f"crit names parameter(s) absent from the header: {exc.description}",
                "seal.unknown_critical")
    except UnsupportedHeaderError as exc:
        return (str(exc.description), "seal.unknown_critical")
    except UnsupportedAlgorithmError as exc:
        return (str(exc.description), "seal.algorithm")
    except JoseError as exc:
        return (str(exc.description or exc.error), "seal.malformed")
    return None, ""
