"""Steps 3 to 6 of a signature's validation: the unsigned properties, the time-stamps,
the chain, trust and validity, and revocation (ETSI TS 119 182-1 §5.3; EN 319 102-1)."""

from __future__ import annotations

import base64
from typing import Any

from asn1crypto import cms as a_cms
from cryptography import x509

from .._dates import parse_datetime
from ..results import Check
from ._checks import SealChecks
from ._etsi_u import archive_input, decode_etsi_u, der_values
from ._test_anchors import eu_samples_test_anchors
from .chain import build_chain, check_validity, describe, fingerprint
from .revocation import check_revocation
from .tsp import verify_token

__all__ = ["check_chain", "check_revocation_data", "check_timestamps",
           "check_unsigned_properties"]


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
