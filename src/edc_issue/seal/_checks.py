"""The validation steps of one JAdES signature, in the order :func:`verify_envelope` runs them.

Each step is a function of :class:`SealChecks` (the signature's state and the checks
made so far) that adds ``SEAL.*`` checks; a step that finds nothing more can be checked
sets ``stopped``. The groups follow ETSI TS 119 182-1 / EN 319 102-1: the header; the
certificate, signature, digest and kid; the unsigned properties; the time-stamps; the
chain, trust and validity; revocation (reported after every SEAL check).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import datetime
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
from ..errors import EdcIssueError
from ..results import Check, Severity, VerificationResult
from ._etsi_u import archive_input, decode_etsi_u, der_values
from ._jades_headers import JADES_HEADER_REGISTRY, JADES_UNPROTECTED_PARAMETERS, jades_registry
from ._jws import SUPPORTED_ALGORITHMS, b64url_decode, verify_jws_signature, x5t_s256
from ._test_anchors import eu_samples_test_anchors
from .chain import build_chain, check_key_usage, check_validity, describe, fingerprint
from .jades import SignatureParts
from .revocation import check_revocation
from .tsp import verify_token

__all__ = ["STEPS", "SealChecks"]

#: digest URIs JAdES uses in x5t#o (TS 119 182-1 §5.1.7 refers to RFC 6931 / XML-DSig)
_DIG_URIS: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
    "S256": hashes.SHA256, "S384": hashes.SHA384, "S512": hashes.SHA512,
}


class SealChecks:
    """The state of one signature entry while its steps run, and the checks they add."""

    def __init__(self, result: VerificationResult, parts: SignatureParts, payload: str,
                 trust: Sequence[x509.Certificate] | None, test_anchors: bool) -> None:
        self.result = result
        self.parts = parts
        self.prefix = parts.path
        self.payload = payload
        self.payload_bytes = payload.encode("utf-8")
        self.trust = trust
        self.test_anchors = test_anchors
        self.failed: list[Check] = []
        self.revocation: list[Check] = []
        self.stopped = False
        # filled in by the steps
        self.header: dict[str, Any] = {}
        self.unprotected: dict[str, Any] = dict(parts.header)
        self.x5c: list[x509.Certificate] = []
        self.etsi_u: list[dict[str, Any]] = []
        self.xvals: list[x509.Certificate] = []
        self.ocsps: list[bytes] = []
        self.crls: list[bytes] = []
        self.has_tokens = False
        self.sig_tst_times: list[datetime] = []
        self.anchors: list[x509.Certificate] = []
        self.path: tuple[x509.Certificate, ...] = ()

    @property
    def leaf(self) -> x509.Certificate:
        """The signing certificate (``x5c[0]``)."""
        return self.x5c[0]

    def add(self, name: str, ok: bool, message: str, *, code: str | None = None,
            severity: Severity = "error", path: str | None = None) -> None:
        """Record one check of this signature."""
        where = path if path is not None else self.prefix
        check = Check(name, ok, message, path=where, code=None if ok else code,
                      severity=severity)
        self.result.add(check)
        if not ok and severity == "error":
            self.failed.append(check)

    def finish(self) -> None:
        """Add the ``SEAL`` aggregate: the first failed check, or a summary."""
        if self.failed:
            first = self.failed[0]
            self.result.add(Check("SEAL", False, f"{first.check}: {first.message}",
                                  path=self.prefix, code=first.code))
            return
        self.result.add(Check(
            "SEAL", True, f"sealed by '{describe(self.leaf)}' at {self.header['sigT']}: "
            f"signature, certificate digest{', time-stamps' if self.has_tokens else ''} "
            "and chain verify", path=self.prefix))


# ---- 1. the header ---------------------------------------------------------------


def check_header(s: SealChecks) -> None:
    """``SEAL.header``: a JSON object with b64 false (critical), known critical headers."""
    where = f"{s.prefix}.protected"
    try:
        header = json.loads(b64url_decode(s.parts.protected))
        if not isinstance(header, dict):
            raise ValueError("not a JSON object")
    except (ValueError, RecursionError) as exc:
        s.add("SEAL.header", False, f"the protected header is not base64url JSON ({exc})",
              code="seal.malformed", path=where)
        s.stopped = True
        return
    problem, code = _header_problem(header, s.unprotected)
    if problem:
        s.add("SEAL.header", False, problem, code=code, path=where)
        s.stopped = True
        return
    s.header = header
    s.add("SEAL.header", True, f"alg {header['alg']}, b64 false (critical), critical "
          f"{header.get('crit')}, sigT {header.get('sigT')}", path=where)


def _reject_unprotected_critical(unprotected: dict[str, Any],
                                 protected: dict[str, Any]) -> None:
    """RFC 7515 §4.1.11: ``crit``, and every parameter it names, must be protected.

    (joserfc has this check, but its signature changed between 1.7 and 1.8.)
    """
    if "crit" in unprotected:
        raise UnsupportedHeaderError("'crit' header MUST be protected header")
    critical = protected.get("crit")
    for name in critical if isinstance(critical, list) else []:
        if isinstance(name, str) and name not in protected and name in unprotected:
            raise UnsupportedHeaderError(f"'{name}' header MUST be protected")


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


# ---- 2. certificate, signature, digest, kid --------------------------------------


def check_signature(s: SealChecks) -> None:
    """``SEAL.certificate``, ``.signature``, ``.x5t#S256``, ``.kid``, ``.key_usage``."""
    header, prefix = s.header, s.prefix
    try:
        s.x5c = [x509.load_der_x509_certificate(base64.b64decode(c, validate=True))
                 for c in header["x5c"]]
        if not s.x5c:
            raise ValueError("empty")
    except (ValueError, TypeError) as exc:
        s.add("SEAL.certificate", False, f"x5c does not hold DER certificates ({exc})",
              code="seal.no_certificate", path=f"{prefix}.protected.x5c")
        s.stopped = True
        return
    leaf = s.leaf
    s.add("SEAL.certificate", True, f"sealed by '{describe(leaf)}' "
          f"({leaf.subject.rfc4514_string()})", path=f"{prefix}.protected.x5c")

    signing_input = s.parts.protected.encode("ascii") + b"." + s.payload_bytes
    try:
        valid = verify_jws_signature(str(header["alg"]), leaf.public_key(), signing_input,
                                     b64url_decode(s.parts.signature))
    except (EdcIssueError, ValueError, TypeError, UnicodeError) as exc:
        s.add("SEAL.signature", False, f"the signature cannot be checked: {exc}",
              code="seal.bad_signature", path=f"{prefix}.signature")
    else:
        if valid:
            s.add("SEAL.signature", True, f"{header['alg']} signature over "
                  "ASCII(protected) || '.' || payload verifies", path=f"{prefix}.signature")
        else:
            s.add("SEAL.signature", False,
                  "the signature over ASCII(protected) || '.' || payload does not verify "
                  "with the x5c certificate's key: the payload or the protected header "
                  "was changed", code="seal.bad_signature", path=f"{prefix}.signature")

    _check_certificate_digest(s)
    kid_check = _kid_matches(header.get("kid"), leaf)
    if kid_check is not None:
        s.add("SEAL.kid", kid_check,
              "kid (IssuerSerial) names the x5c certificate" if kid_check else
              "kid (IssuerSerial) names another certificate than x5c[0]",
              code="seal.digest_mismatch", path=f"{prefix}.protected.kid")
    ok, message = check_key_usage(leaf)
    s.add("SEAL.key_usage", ok, message, code="seal.key_usage",
          path=f"{prefix}.protected.x5c[0]")


def _check_certificate_digest(s: SealChecks) -> None:
    header, leaf, prefix = s.header, s.leaf, s.prefix
    if "x5t#S256" in header:
        ok = header["x5t#S256"] == x5t_s256(leaf)
        s.add("SEAL.x5t#S256", ok,
              "x5t#S256 is the SHA-256 of the x5c certificate" if ok else
              "x5t#S256 does not match the SHA-256 of the x5c certificate",
              code="seal.digest_mismatch", path=f"{prefix}.protected.x5t#S256")
        return
    dig = header.get("x5t#o") or (header.get("sigX5ts") or [None])[0]
    algo = _DIG_URIS.get(dig.get("digAlg", "")) if isinstance(dig, dict) else None
    if algo is None or not isinstance(dig, dict):
        s.add("SEAL.x5t#S256", False, "no usable signing-certificate digest "
              "(x5t#S256, x5t#o or sigX5ts)", code="seal.digest_mismatch",
              path=f"{prefix}.protected")
        return
    ok = dig.get("digVal") == base64.urlsafe_b64encode(
        leaf.fingerprint(algo())).rstrip(b"=").decode()
    s.add("SEAL.x5t#S256", ok, "the signed certificate digest (x5t#o) "
          + ("matches" if ok else "does not match") + " the x5c certificate",
          code="seal.digest_mismatch", path=f"{prefix}.protected")


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
    return bool(serial == leaf.serial_number and leaf.issuer.public_bytes() in issuer_ders)


# ---- 3. unsigned properties ------------------------------------------------------


def check_unsigned_properties(s: SealChecks) -> None:
    """``SEAL.etsiU``: read ``xVals`` (certificates) and ``rVals`` (OCSP responses, CRLs)."""
    try:
        s.etsi_u = decode_etsi_u(s.unprotected)
    except ValueError as exc:
        s.add("SEAL.etsiU", False, str(exc), code="seal.malformed",
              path=f"{s.prefix}.header.etsiU")
        s.etsi_u = []
    for item in s.etsi_u:
        if "xVals" in item:
            for der in der_values(item["xVals"], "x509Cert"):
                try:
                    s.xvals.append(x509.load_der_x509_certificate(der))
                except ValueError:
                    continue
        if "rVals" in item and isinstance(item["rVals"], dict):
            s.ocsps += der_values(item["rVals"].get("ocspVals"), None)
            s.crls += der_values(item["rVals"].get("crlVals"), None)


# ---- 4. time-stamps --------------------------------------------------------------


def check_timestamps(s: SealChecks) -> None:
    """``SEAL.adoTst[i]``, ``SEAL.sigTst[i]``, ``SEAL.arcTst[i]``: imprint, CMS, TSA EKU."""
    prefix = s.prefix
    tokens: list[tuple[str, str, Any, int]] = []
    if "adoTst" in s.header:
        for i, tok in enumerate(s.header["adoTst"]["tstTokens"]):
            tokens.append((f"SEAL.adoTst[{i}]", f"{prefix}.protected.adoTst.tstTokens[{i}]",
                           tok.get("val"), -1))
    for n, item in enumerate(s.etsi_u):
        for name in ("sigTst", "arcTst"):
            container = item.get(name)
            if container is None:
                continue
            toks = container.get("tstTokens") if isinstance(container, dict) else None
            if not isinstance(toks, list) or not toks:
                s.add(f"SEAL.{name}", False, f"{name} holds no tstTokens",
                      code="seal.timestamp_invalid", path=f"{prefix}.header.etsiU[{n}]")
                continue
            for i, tok in enumerate(toks):
                tokens.append((f"SEAL.{name}[{i}]",
                               f"{prefix}.header.etsiU[{n}].{name}.tstTokens[{i}]",
                               tok.get("val") if isinstance(tok, dict) else None, n))
    s.has_tokens = bool(tokens)
    extra = [*s.x5c, *s.xvals]
    for name, tok_path, val, index in tokens:
        try:
            der = base64.b64decode(val, validate=True) if isinstance(val, str) else b""
        except ValueError:
            der = b""
        if not der:
            s.add(name, False, "the token is not base64", code="seal.timestamp_invalid",
                  path=tok_path)
            continue
        if name.startswith("SEAL.adoTst"):
            check = verify_token(der, data=s.payload_bytes, extra_certificates=extra)
            what = "the payload"
        elif name.startswith("SEAL.sigTst"):
            check = verify_token(der, data=s.parts.signature.encode("ascii"),
                                 extra_certificates=extra)
            what = "the signature value"
        else:
            raw = s.unprotected.get("etsiU")
            archived = archive_input(s.payload, s.parts.protected, s.parts.signature,
                                     raw[:index] if isinstance(raw, list) else [])
            if archived is None:
                check = verify_token(der, digest=_imprint_of(der), extra_certificates=extra)
                what = "the archive data (clear-JSON etsiU: imprint not recomputed)"
            else:
                check = verify_token(der, data=archived, extra_certificates=extra)
                what = "the payload, header, signature and earlier etsiU entries"
        if check.ok and check.info is not None and name.startswith("SEAL.sigTst"):
            s.sig_tst_times.append(check.info.gen_time)
        s.add(name, check.ok, f"over {what}: {check.message}",
              code="seal.timestamp_invalid", path=tok_path)


def _imprint_of(token: bytes) -> bytes | None:
    try:
        info = a_cms.ContentInfo.load(token)["content"]["encap_content_info"]["content"].parsed
        value = info["message_imprint"]["hashed_message"].native
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return value if isinstance(value, bytes) else None


# ---- 5. chain, trust, validity ---------------------------------------------------


def check_chain(s: SealChecks) -> None:
    """``SEAL.chain``, ``SEAL.trust`` (warning), ``SEAL.validity``."""
    prefix, leaf, trust = s.prefix, s.leaf, s.trust
    bundled = eu_samples_test_anchors() if (trust is None and s.test_anchors) else ()
    s.anchors = list(trust) if trust is not None else list(bundled)
    chain = build_chain(leaf, [*s.x5c[1:], *s.xvals], s.anchors)
    s.path = path = chain.path
    where = f"{prefix}.protected.x5c"
    if chain.problem:
        s.add("SEAL.chain", False, chain.problem, code="seal.chain_broken", path=where)
    elif chain.anchor is not None:
        names = " → ".join(f"'{describe(c)}'" for c in path)
        test_only = fingerprint(chain.anchor) in {fingerprint(a) for a in bundled}
        s.add("SEAL.chain", True, f"chain {names} ends at a trust anchor"
              + (" (bundled TEST-ONLY anchor)" if test_only else ""), path=where)
        if test_only:
            s.add("SEAL.trust", False,
                  f"the chain ends at '{describe(chain.anchor)}', bundled as a TEST-ONLY "
                  "anchor for the EU sample credentials; this is not a production trust "
                  "decision: pass trust anchors (trust=) to decide",
                  severity="warning", code="seal.test_anchor")
    elif trust:
        s.add("SEAL.chain", False,
              f"the chain ends at '{describe(path[-1])}', which is none of the "
              f"{len(trust)} trust anchor(s) given and is not issued by one",
              code="seal.chain_untrusted", path=where)
    else:
        s.add("SEAL.chain", False,
              f"not checked against a trust list: the chain ends at '{describe(path[-1])}'"
              f" ({len(path)} certificate(s)); pass trust anchors (trust=) to decide",
              severity="warning", code="seal.no_trust_anchor", path=where)

    sig_t = parse_datetime(s.header["sigT"])
    assert sig_t is not None  # checked in _header_problem
    times = [("sigT", sig_t)] + [("the signature time-stamp", t) for t in s.sig_tst_times[:1]]
    problem = None
    for label, when in times:
        problem = check_validity(path, when)
        if problem:
            problem = f"at {label}: {problem}"
            break
    s.add("SEAL.validity", problem is None,
          problem or f"the certificate chain was valid at sigT {s.header['sigT']}"
          + (f" and at the signature time-stamp {s.sig_tst_times[0]:%Y-%m-%dT%H:%M:%SZ}"
             if s.sig_tst_times else ""),
          code="seal.certificate_expired", path=f"{prefix}.protected.sigT")


# ---- 6. revocation (reported after all SEAL checks) ------------------------------


def check_revocation_data(s: SealChecks) -> None:
    """``REVOCATION``: the embedded OCSP responses / CRLs at the signature's time.

    The time is the signature time-stamp's (or ``sigT``). The signing certificate needs
    data (missing data is a warning); an issuing CA below the trust anchor is checked
    too when the envelope holds data for it (a revoked one fails).
    """
    leaf, path, anchors = s.leaf, s.path, s.anchors
    sig_t = parse_datetime(s.header["sigT"])
    assert sig_t is not None
    at = s.sig_tst_times[0] if s.sig_tst_times else sig_t
    pool = [*s.x5c, *s.xvals, *anchors]
    anchor_prints = {fingerprint(a) for a in anchors}

    def issuer_of(i: int, cert: x509.Certificate) -> x509.Certificate | None:
        if i + 1 < len(path):
            return path[i + 1]
        return next((c for c in pool if c.subject == cert.issuer), None)

    where = f"{s.prefix}.header.etsiU"
    first = check_revocation(leaf, issuer_of(0, leaf), ocsp_responses=s.ocsps,
                             crls=s.crls, pool=pool, at=at)
    results = [first]
    for i, cert in enumerate(path[1:], start=1):
        if cert.issuer == cert.subject or fingerprint(cert) in anchor_prints:
            break
        found = check_revocation(cert, issuer_of(i, cert), ocsp_responses=s.ocsps,
                                 crls=s.crls, pool=pool, at=at)
        if found.status != "unknown":
            results.append(found)
    revoked = [r for r in results if r.status == "revoked"]
    if revoked:
        s.revocation.append(Check("REVOCATION", False, revoked[0].message, path=where,
                                  code="seal.revoked"))
    elif first.status == "unknown":
        s.revocation.append(Check("REVOCATION", False,
                                  f"not checked: {first.message}; no OCSP or CRL is "
                                  "fetched (offline)", path=where, severity="warning",
                                  code="seal.revocation_unknown"))
    else:
        s.revocation.append(Check("REVOCATION", True, "; ".join(r.message for r in results),
                                  path=where))


#: The steps of one signature, in order.
STEPS: tuple[Callable[[SealChecks], None], ...] = (
    check_header,
    check_signature,
    check_unsigned_properties,
    check_timestamps,
    check_chain,
    check_revocation_data,
)
