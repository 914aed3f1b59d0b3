"""A seal :class:`~edc_issue.seal.Signer` whose key stays in an HSM or QSCD: PKCS#11.

The signing input is hashed here and only the digest goes to the token, signed with a
raw mechanism: ``CKM_RSA_PKCS`` over the DER ``DigestInfo`` (RS256/384/512),
``CKM_RSA_PKCS_PSS`` (PS*), ``CKM_ECDSA`` (ES*, which returns ``r || s`` as JWS wants).
The certificate chain comes from the token (the certificate with the key's ``CKA_ID``
or label, and the CA certificates stored beside it) or from the caller.

Needs the ``pkcs11`` extra (``pip install 'edc-issue[pkcs11]'``, python-pkcs11).
Tested against SoftHSM2.

See: <https://docs.oasis-open.org/pkcs11/pkcs11-curr/v3.0/pkcs11-curr-v3.0.html>
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from cryptography import x509

from ..errors import ConfigError, KeyMaterialError, SignerError
from ._jws import EC_ALGORITHMS, SUPPORTED_ALGORITHMS, hash_for, issuer_serial_kid
from .chain import describe
from .signer import _order_chain

__all__ = ["Pkcs11Signer"]

#: DER DigestInfo prefixes (RFC 8017 §9.2, note 1)
_DIGEST_INFO = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


def _pkcs11() -> Any:
    try:
        import pkcs11
    except ImportError as exc:
        raise ConfigError("PKCS#11 signing needs python-pkcs11: pip install "
                          "'edc-issue[pkcs11]'", code="config.extra_missing") from exc
    return pkcs11


class Pkcs11Signer:
    """Seals with a private key on a PKCS#11 token (HSM, QSCD, smart card, SoftHSM).

    :param module: the PKCS#11 library (``/usr/lib/softhsm/libsofthsm2.so``, a vendor's).
    :param token: the token label.
    :param key_label: the private key's ``CKA_LABEL``.
    :param pin: the user PIN (kept in memory only, never shown).
    :param certificates: the e-seal certificate first, then its CAs; default: read from
        the token.
    :param algorithm: the JWS ``alg``; default ``RS256`` for RSA, by curve for EC.
    :raises ConfigError: ``config.extra_missing`` without python-pkcs11.
    :raises KeyMaterialError: ``key.not_found`` (module, token, key or certificate),
        ``key.bad_pin``, ``key.unsupported``.
    """

    def __init__(
        self,
        module: str,
        *,
        token: str,
        key_label: str,
        pin: str | None,
        certificates: Sequence[x509.Certificate] | None = None,
        algorithm: str | None = None,
    ) -> None:
        self.module = module
        self.token = token
        self.key_label = key_label
        self._pin = pin
        self._lock = threading.Lock()
        self._session: Any = None
        self._key: Any = None
        self._open()
        chain = list(certificates) if certificates else self._token_certificates()
        if not chain:
            raise KeyMaterialError(
                f"no certificate for the key {key_label!r} on token {token!r}; store it "
                "on the token or pass certificates=", code="key.not_found")
        self._chain = _order_chain(chain)
        self._alg = algorithm or self._default_algorithm()
        if self._alg not in SUPPORTED_ALGORITHMS:
            raise KeyMaterialError(f"algorithm {self._alg!r} is not supported for seals",
                                   code="key.unsupported")

    def __repr__(self) -> str:  # never the PIN
        return (f"Pkcs11Signer(module={self.module!r}, token={self.token!r}, "
                f"key_label={self.key_label!r}, algorithm={self._alg!r})")

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_session=None, _key=None, _lock=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # ---- the token -------------------------------------------------------------

    def _open(self) -> None:
        pkcs11 = _pkcs11()
        from pkcs11 import exceptions as p11

        try:
            lib = pkcs11.lib(self.module)
        except (RuntimeError, OSError, p11.PKCS11Error) as exc:
            raise KeyMaterialError(f"cannot load the PKCS#11 module {self.module}: {exc}",
                                   pointer=self.module, code="key.not_found") from exc
        try:
            token = lib.get_token(token_label=self.token)
        except p11.NoSuchToken as exc:
            raise KeyMaterialError(f"no token labelled {self.token!r} in {self.module}",
                                   pointer=self.module, code="key.not_found") from exc
        except p11.PKCS11Error as exc:
            raise KeyMaterialError(f"cannot read the tokens of {self.module}: "
                                   f"{type(exc).__name__}", pointer=self.module,
                                   code="key.not_found") from exc
        try:
            try:
                session = token.open(user_pin=self._pin)
            except p11.UserAlreadyLoggedIn:
                # PKCS#11 logs in per application: another session of this process is in
                session = token.open()
        except (p11.PinIncorrect, p11.PinLenRange, p11.PinLocked, p11.PinExpired,
                p11.PinInvalid) as exc:
            raise KeyMaterialError(f"the PIN of token {self.token!r} is wrong or locked "
                                   f"({type(exc).__name__})", pointer=self.token,
                                   code="key.bad_pin") from exc
        except p11.PKCS11Error as exc:
            raise SignerError(f"cannot log in to token {self.token!r}: "
                              f"{type(exc).__name__}") from exc
        try:
            key = session.get_key(object_class=pkcs11.ObjectClass.PRIVATE_KEY,
                                  label=self.key_label)
        except p11.NoSuchKey as exc:
            session.close()
            raise KeyMaterialError(f"no private key labelled {self.key_label!r} on token "
                                   f"{self.token!r}", pointer=self.token,
                                   code="key.not_found") from exc
        except p11.MultipleObjectsReturned as exc:
            session.close()
            raise KeyMaterialError(f"several private keys are labelled {self.key_label!r} "
                                   f"on token {self.token!r}", pointer=self.token,
                                   code="key.not_found") from exc
        self._session, self._key = session, key

    def _token_certificates(self) -> list[x509.Certificate]:
        pkcs11 = _pkcs11()
        attr = pkcs11.Attribute
        key_id = self._attribute(self._key, attr.ID)
        mine: list[x509.Certificate] = []
        others: list[x509.Certificate] = []
        for obj in self._session.get_objects({attr.CLASS: pkcs11.ObjectClass.CERTIFICATE}):
            try:
                cert = x509.load_der_x509_certificate(bytes(obj[attr.VALUE]))
            except (ValueError, KeyError):
                continue
            same = (key_id and self._attribute(obj, attr.ID) == key_id) or \
                self._attribute(obj, attr.LABEL) == self.key_label
            (mine if same else others).append(cert)
        return [*mine[:1], *others] if mine else []

    @staticmethod
    def _attribute(obj: Any, name: Any) -> Any:
        try:
            return obj[name]
        except Exception:  # an attribute the token does not have
            return None

    def _default_algorithm(self) -> str:
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        public = self._chain[0].public_key()
        if isinstance(public, rsa.RSAPublicKey):
            return "RS256"
        if isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name in EC_ALGORITHMS:
            return EC_ALGORITHMS[public.curve.name]
        raise KeyMaterialError(f"the certificate '{describe(self._chain[0])}' has a key this "
                               "signer cannot use", code="key.unsupported")

    # ---- the Signer protocol ---------------------------------------------------

    @property
    def id(self) -> str:
        """The ``kid`` the seal carries: base64 of the certificate's DER ``IssuerSerial``."""
        return issuer_serial_kid(self._chain[0])

    @property
    def algorithm(self) -> str:
        """The JWS ``alg`` this signer produces."""
        return self._alg

    @property
    def certificate_chain(self) -> list[x509.Certificate]:
        """The signing certificate first, then the intermediates."""
        return list(self._chain)

    def sign(self, data: bytes) -> bytes:
        """Hash *data* here and sign the digest on the token.

        :raises SignerError: ``signer.failed`` if the token refuses.
        """
        pkcs11 = _pkcs11()
        from cryptography.hazmat.primitives import hashes

        digest_algorithm = hash_for(self._alg)
        hasher = hashes.Hash(digest_algorithm)
        hasher.update(data)
        digest = hasher.finalize()
        mech = pkcs11.Mechanism
        with self._lock:
            if self._session is None:
                self._open()
            try:
                if self._alg.startswith("RS"):
                    return bytes(self._key.sign(_DIGEST_INFO[digest_algorithm.name] + digest,
                                                mechanism=mech.RSA_PKCS))
                if self._alg.startswith("PS"):
                    name = digest_algorithm.name.upper()
                    param = (getattr(mech, name), getattr(pkcs11.MGF, name),
                             digest_algorithm.digest_size)
                    return bytes(self._key.sign(digest, mechanism=mech.RSA_PKCS_PSS,
                                                mechanism_param=param))
                return bytes(self._key.sign(digest, mechanism=mech.ECDSA))
            except pkcs11.exceptions.PKCS11Error as exc:
                raise SignerError(f"token {self.token!r} refused to sign: "
                                  f"{type(exc).__name__}") from exc

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session (a new one opens on the next :meth:`sign`); PKCS#11 logs the
        process out when its last session closes."""
        with self._lock:
            if self._session is not None:
                self._session.close()
            self._session = self._key = None
