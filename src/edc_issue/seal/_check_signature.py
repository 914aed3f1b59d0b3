"""Steps 1 and 2 of a signature's validation: the header; the certificate, signature,
certificate digest and kid (ETSI TS 119 182-1 §5.1, §5.2; RFC 7515, RFC 7797)."""

from __future__ import annotations

import base64
import json
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

from ..errors import EdcIssueError
from ._checks import SealChecks
from ._jades_headers import JADES_HEADER_REGISTRY, JADES_UNPROTECTED_PARAMETERS, jades_registry
from ._jws import SUPPORTED_ALGORITHMS, b64url_decode, verify_jws_signature, x5t_s256
from .chain import check_key_usage, describe

__all__ = ["check_header", "check_signature"]

#: digest URIs JAdES uses in x5t#o (TS 119 182-1 §5.1.7 refers to RFC 6931 / XML-DSig)
_DIG_URIS: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2001/04/xmlenc#sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmlenc#sha512": hashes.SHA512,
    "S256": hashes.SHA256, "S384": hashes.SHA384, "S512": hashes.SHA512,
}


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
