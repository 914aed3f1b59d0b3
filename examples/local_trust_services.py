#!/usr/bin/env python3
"""TEST-ONLY trust services on 127.0.0.1, to try JAdES LT/LTA seals and remote sealing.

One HTTP server answers, for a TEST PKI made by ``edc-issue seal-cert --test``:

- ``POST /ocsp``: an OCSP responder (RFC 6960) signed by the TEST CA, built on
  ``cryptography``'s OCSP builder; it echoes the request's nonce;
- ``GET /crl``: the TEST CA's CRL (RFC 5280);
- ``POST /tsa``: a time-stamping authority (RFC 3161) with the TEST TSA certificate;
- ``/csc/v2/...`` and ``POST /oauth2/token``: a **stand-in** for a QTSP's remote signing
  service, following the request and response shapes of the Cloud Signature Consortium
  API v2.0 (OAuth 2.0 client credentials, ``info``, ``credentials/list``,
  ``credentials/info``, ``credentials/authorize`` with ``numSignatures`` and the
  ``hashes`` (SCAL2), ``signatures/signHash``). It is not a QTSP and holds the TEST
  e-seal key in memory; it counts the authorisations it grants.

Certificates can be marked revoked (``revoked={serial: when}``). The test suite starts it
in-process (:class:`TrustServices`); from a shell, run a command while it serves::

    python examples/local_trust_services.py demo-out/test-pki --port 8791 -- \\
        edc-issue seal ... --level LTA --tsa http://127.0.0.1:8791/tsa

The PKI folder's key files are read with the password in ``EDC_TEST_SEAL_PASSWORD``.
The CSC stand-in's client is ``edc-issue-demo`` with the secret in
``EDC_TEST_CSC_SECRET`` (default ``demo-secret``). Nothing here is for production.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
import threading
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from asn1crypto import cms, tsp
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import ocsp

_HASHES = {"2.16.840.1.101.3.4.2.1": hashes.SHA256(), "2.16.840.1.101.3.4.2.2": hashes.SHA384(),
           "2.16.840.1.101.3.4.2.3": hashes.SHA512()}
_SIGN_ALGOS = {"1.2.840.113549.1.1.11": "2.16.840.1.101.3.4.2.1",
               "1.2.840.113549.1.1.12": "2.16.840.1.101.3.4.2.2",
               "1.2.840.113549.1.1.13": "2.16.840.1.101.3.4.2.3",
               "1.2.840.113549.1.1.1": None,
               "1.2.840.10045.4.3.2": "2.16.840.1.101.3.4.2.1",
               "1.2.840.10045.4.3.3": "2.16.840.1.101.3.4.2.2"}


@dataclass
class CscAccount:
    """One credential of the CSC stand-in: its key and chain, client, PIN and limits."""

    key: Any
    chain: list[x509.Certificate]
    credential_id: str = "edc-seal-1"
    client_id: str = "edc-issue-demo"
    client_secret: str = "demo-secret"
    pin: str | None = None
    multisign: int = 1000


@dataclass
class TrustServices:
    """The TEST services; :meth:`start` serves them on 127.0.0.1 in a thread."""

    ca: x509.Certificate | None = None
    ca_key: Any = None
    tsa: x509.Certificate | None = None
    tsa_key: Any = None
    revoked: dict[int, datetime] = field(default_factory=dict)
    csc: CscAccount | None = None
    port: int = 0
    #: requests served, by service: ocsp, crl, tsa, token, authorize, signHash, ...
    counts: dict[str, int] = field(default_factory=dict)
    #: the hashes of every credentials/authorize call, in order
    authorized: list[list[str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _sads: dict[str, tuple[set[str], int]] = field(default_factory=dict)
    _tokens: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    #: certificates the responder answers for (the e-seal and TSA ones, and more)
    known: list[x509.Certificate] = field(default_factory=list)

    # ---- life cycle ------------------------------------------------------------

    def use(self, pki: Any, *, csc: bool = True, **account: Any) -> TrustServices:
        """Serve for *pki* (a ``SealTestPki``): its CA, TSA and e-seal certificate."""
        self.ca, self.ca_key, self.tsa, self.tsa_key = pki.ca, pki.ca_key, pki.tsa, pki.tsa_key
        self.known.append(pki.eseal)
        if csc:
            self.csc = CscAccount(pki.eseal_key, [pki.eseal, pki.ca], **account)
        return self

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        assert self._server is not None, "not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> TrustServices:
        """Serve on 127.0.0.1 (port 0: any free one) in a daemon thread."""
        services = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                services._dispatch(self, "GET")

            def do_POST(self) -> None:
                services._dispatch(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> TrustServices:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- HTTP ------------------------------------------------------------------

    def _count(self, name: str) -> None:
        with self._lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def _dispatch(self, request: BaseHTTPRequestHandler, method: str) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(request.path).path
        try:
            if method == "POST" and path == "/ocsp":
                status, kind, data = 200, "application/ocsp-response", self._ocsp(body)
            elif method == "GET" and path == "/crl":
                status, kind, data = 200, "application/pkix-crl", self._crl()
            elif method == "POST" and path == "/tsa":
                status, kind, data = 200, "application/timestamp-reply", self._tsa(body)
            elif method == "POST" and path == "/oauth2/token":
                status, kind, data = self._json(*self._oauth_token(body))
            elif method == "POST" and path.startswith("/csc/v2/"):
                auth = request.headers.get("Authorization", "")
                status, kind, data = self._json(*self._csc(path[len("/csc/v2/"):], body, auth))
            else:
                status, kind, data = 404, "text/plain", b"not found"
        except Exception as exc:  # a broken request: answer 400, never crash the server
            status, kind, data = 400, "text/plain", f"bad request: {exc}".encode()
        request.send_response(status)
        request.send_header("Content-Type", kind)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    @staticmethod
    def _json(status: int, value: Any) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(value).encode("utf-8")

    # ---- OCSP and CRL ----------------------------------------------------------

    def _ocsp(self, body: bytes) -> bytes:
        self._count("ocsp")
        req = ocsp.load_der_ocsp_request(body)
        now = datetime.now(timezone.utc)
        subject = self._certificate_by_serial(req.serial_number)
        if subject is None:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
        when = self.revoked.get(req.serial_number)
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=subject, issuer=self.ca, algorithm=hashes.SHA1(),
            cert_status=ocsp.OCSPCertStatus.REVOKED if when else ocsp.OCSPCertStatus.GOOD,
            this_update=now - timedelta(minutes=1), next_update=now + timedelta(days=1),
            revocation_time=when, revocation_reason=x509.ReasonFlags.key_compromise
            if when else None,
        ).responder_id(ocsp.OCSPResponderEncoding.HASH, self.ca)
        for ext in req.extensions:
            if isinstance(ext.value, x509.OCSPNonce):
                builder = builder.add_extension(ext.value, critical=False)
        return builder.sign(self.ca_key, hashes.SHA256()).public_bytes(
            serialization.Encoding.DER)

    def _certificate_by_serial(self, serial: int) -> x509.Certificate | None:
        assert self.ca is not None and self.tsa is not None
        for cert in [self.tsa, *self.known, *(self.csc.chain if self.csc else [])]:
            if cert.serial_number == serial and cert.issuer == self.ca.subject:
                return cert
        return None

    def _crl(self) -> bytes:
        self._count("crl")
        assert self.ca is not None
        now = datetime.now(timezone.utc)
        builder = (x509.CertificateRevocationListBuilder().issuer_name(self.ca.subject)
                   .last_update(now - timedelta(minutes=1)).next_update(now + timedelta(days=1)))
        for serial, when in self.revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
                .build())
        return builder.sign(self.ca_key, hashes.SHA256()).public_bytes(
            serialization.Encoding.DER)

    # ---- RFC 3161 --------------------------------------------------------------

    def _tsa(self, body: bytes) -> bytes:
        self._count("tsa")
        assert self.tsa is not None
        req = tsp.TimeStampReq.load(body)
        imprint = req["message_imprint"]
        info: dict[str, Any] = {
            "version": "v1", "policy": "1.2.3.4.1",
            "message_imprint": {"hash_algorithm": {"algorithm":
                                                   imprint["hash_algorithm"]["algorithm"].native},
                                "hashed_message": imprint["hashed_message"].native},
            "serial_number": secrets.randbits(63),
            "gen_time": datetime.now(timezone.utc).replace(microsecond=0),
        }
        if req["nonce"].native is not None:
            info["nonce"] = req["nonce"].native
        tst_info = tsp.TSTInfo(info)
        der = self.tsa.public_bytes(serialization.Encoding.DER)
        cert = a_x509.Certificate.load(der)
        attrs = cms.CMSAttributes([
            {"type": "content_type", "values": ["tst_info"]},
            {"type": "message_digest", "values": [hashlib.sha256(tst_info.dump()).digest()]},
            {"type": "signing_certificate_v2",
             "values": [{"certs": [{"cert_hash": hashlib.sha256(der).digest()}]}]},
        ])
        signature = self.tsa_key.sign(attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
        signed_data = cms.SignedData({
            "version": "v3", "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "tst_info", "content": tst_info},
            "certificates": [cert],
            "signer_infos": [{
                "version": "v1",
                "sid": cms.SignerIdentifier(name="issuer_and_serial_number", value={
                    "issuer": cert.issuer, "serial_number": cert.serial_number}),
                "digest_algorithm": {"algorithm": "sha256"}, "signed_attrs": attrs,
                "signature_algorithm": {"algorithm": "sha256_rsa"}, "signature": signature,
            }],
        })
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
        return bytes(tsp.TimeStampResp({"status": {"status": "granted"},
                                        "time_stamp_token": token}).dump())

    # ---- the CSC API v2 stand-in -------------------------------------------------

    def _oauth_token(self, body: bytes) -> tuple[int, Any]:
        self._count("token")
        form = dict(urllib.parse.parse_qsl(body.decode("ascii")))
        account = self.csc
        if account is None or form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("client_id") != account.client_id or \
                form.get("client_secret") != account.client_secret:
            return 401, {"error": "invalid_client"}
        token = secrets.token_urlsafe(24)
        self._tokens.add(token)
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def _csc(self, method: str, body: bytes, auth: str) -> tuple[int, Any]:
        account = self.csc
        if method == "info":
            self._count("info")
            return 200, {"specs": "2.0.0.0", "name": "edc-issue CSC stand-in (TEST ONLY)",
                         "logo": "", "region": "AL", "lang": "en",
                         "description": "A stand-in for tests; not a QTSP",
                         "authType": ["oauth2client"], "oauth2": self.url,
                         "methods": ["credentials/list", "credentials/info",
                                     "credentials/authorize", "signatures/signHash"]}
        if account is None:
            return 404, {"error": "invalid_request", "error_description": "no CSC account"}
        if not auth.startswith("Bearer ") or auth[7:] not in self._tokens:
            return 401, {"error": "invalid_token"}
        request = json.loads(body or b"{}")
        self._count(method.split("/")[-1])
        if method == "credentials/list":
            return 200, {"credentialIDs": [account.credential_id]}
        if request.get("credentialID") != account.credential_id:
            return 400, {"error": "invalid_request",
                         "error_description": "Invalid parameter credentialID"}
        if method == "credentials/info":
            return 200, self._credential_info(account)
        if method == "credentials/authorize":
            return self._authorize(account, request)
        if method == "signatures/signHash":
            return self._sign_hash(account, request)
        return 404, {"error": "invalid_request", "error_description": f"no method {method}"}

    @staticmethod
    def _credential_info(account: CscAccount) -> dict[str, Any]:
        leaf = account.chain[0]
        is_rsa = isinstance(account.key, rsa.RSAPrivateKey)
        auth: dict[str, Any] = {"mode": "explicit", "objects": [
            {"type": "Password", "id": "PIN", "format": "N", "label": "PIN"}]} \
            if account.pin else {"mode": "implicit"}
        return {
            "description": "TEST e-seal (stand-in)",
            "signatureQualifier": "eu_eidas_qeseal",
            "key": {"status": "enabled",
                    "algo": ["1.2.840.113549.1.1.1", "1.2.840.113549.1.1.11"] if is_rsa
                    else ["1.2.840.10045.2.1", "1.2.840.10045.4.3.2"],
                    "len": account.key.key_size},
            "cert": {"status": "valid",
                     "certificates": [base64.b64encode(c.public_bytes(
                         serialization.Encoding.DER)).decode() for c in account.chain],
                     "issuerDN": leaf.issuer.rfc4514_string(),
                     "serialNumber": format(leaf.serial_number, "x"),
                     "subjectDN": leaf.subject.rfc4514_string(),
                     "validFrom": leaf.not_valid_before_utc.strftime("%Y%m%d%H%M%SZ"),
                     "validTo": leaf.not_valid_after_utc.strftime("%Y%m%d%H%M%SZ")},
            "auth": auth, "SCAL": "2", "multisign": account.multisign, "lang": "en",
        }

    def _authorize(self, account: CscAccount, request: dict[str, Any]) -> tuple[int, Any]:
        hashes_b64 = request.get("hashes")
        count = request.get("numSignatures")
        if not isinstance(hashes_b64, list) or not isinstance(count, int) or \
                count != len(hashes_b64) or count < 1:
            return 400, {"error": "invalid_request",
                         "error_description": "numSignatures must equal the number of hashes"}
        if count > account.multisign:
            return 400, {"error": "invalid_request",
                         "error_description": f"numSignatures above multisign "
                                              f"{account.multisign}"}
        if account.pin is not None:
            given = {d.get("id"): d.get("value") for d in request.get("authData") or []}
            if given.get("PIN") != account.pin:
                return 400, {"error": "invalid_pin", "error_description": "Invalid PIN"}
        sad = secrets.token_urlsafe(24)
        with self._lock:
            self._sads[sad] = (set(hashes_b64), count)
            self.authorized.append(list(hashes_b64))
        return 200, {"SAD": sad, "expiresIn": 300}

    def _sign_hash(self, account: CscAccount, request: dict[str, Any]) -> tuple[int, Any]:
        sad = request.get("SAD")
        hashes_b64 = request.get("hashes") or []
        with self._lock:
            allowed, left = self._sads.get(sad, (set(), 0))
            if not set(hashes_b64) <= allowed or len(hashes_b64) > left:
                return 400, {"error": "invalid_request",
                             "error_description": "the SAD does not cover these hashes"}
            self._sads[sad] = (allowed, left - len(hashes_b64))
        sign_algo = request.get("signAlgo")
        hash_oid = request.get("hashAlgorithmOID") or _SIGN_ALGOS.get(sign_algo)
        if sign_algo not in _SIGN_ALGOS or hash_oid not in _HASHES:
            return 400, {"error": "invalid_request",
                         "error_description": "Invalid parameter signAlgo"}
        algorithm = _HASHES[hash_oid]
        prehashed = utils.Prehashed(algorithm)
        signatures = []
        for value in hashes_b64:
            digest = base64.b64decode(value)
            if isinstance(account.key, rsa.RSAPrivateKey):
                sig = account.key.sign(digest, padding.PKCS1v15(), prehashed)
            else:
                sig = account.key.sign(digest, ec.ECDSA(prehashed))  # DER, as CSC returns it
            signatures.append(base64.b64encode(sig).decode())
        return 200, {"signatures": signatures}


def from_folder(folder: Path, password: str, *, port: int = 0,
                csc_secret: str = "demo-secret") -> TrustServices:
    """The services for a folder written by ``edc-issue seal-cert --test``."""
    from edc_issue.seal.testpki import SealTestPki

    def key(name: str) -> Any:
        return serialization.load_pem_private_key((folder / name).read_bytes(),
                                                  password.encode())

    ca = x509.load_pem_x509_certificate((folder / "test-ca.pem").read_bytes())
    eseal_key, eseal, _ = pkcs12.load_key_and_certificates(
        (folder / "test-eseal.p12").read_bytes(), password.encode())
    tsa_key, tsa, _ = pkcs12.load_key_and_certificates(
        (folder / "test-tsa.p12").read_bytes(), password.encode())
    assert eseal is not None and tsa is not None
    pki = SealTestPki(ca, key("test-ca-key.pem"), eseal, eseal_key, tsa, tsa_key)
    return TrustServices(port=port).use(pki, client_secret=csc_secret)


def main() -> int:
    """Serve while a command runs (``-- CMD ...``), or until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     usage="%(prog)s PKI [--port N] [--revoke] [-- CMD ...]")
    parser.add_argument("pki", type=Path, help="a folder from `edc-issue seal-cert --test`")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--revoke", action="store_true",
                        help="answer that the TEST e-seal certificate is revoked")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    command = argv[split + 1:]
    password = os.environ.get("EDC_TEST_SEAL_PASSWORD")
    if not password:
        print("error: set EDC_TEST_SEAL_PASSWORD to the password of the TEST PKI",
              file=sys.stderr)
        return 2
    services = from_folder(args.pki, password, port=args.port,
                           csc_secret=os.environ.get("EDC_TEST_CSC_SECRET", "demo-secret"))
    if args.revoke:
        for cert in services.known:
            services.revoked[cert.serial_number] = datetime.now(timezone.utc) - timedelta(
                hours=1)
    with services:
        print(f"TEST trust services on {services.url} (ocsp, crl, tsa, csc/v2)",
              file=sys.stderr)
        if not command:
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                return 0
        return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
