"""JWS pieces the seal code shares: base64url, the seal algorithms, signature verification.

RFC 7515 §2 (base64url without padding), RFC 7518 §3.3-3.5 (RSASSA-PKCS1-v1_5,
RSASSA-PSS with salt length = hash size, ECDSA with raw ``r || s``).
"""

from __future__ import annotations

import base64
import hashlib

from asn1crypto import cms as a_cms
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ..errors import KeyMaterialError

__all__ = [
    "EC_ALGORITHMS",
    "EC_SIZES",
    "SUPPORTED_ALGORITHMS",
    "b64url_decode",
    "b64url_encode",
    "der_to_raw",
    "hash_for",
    "issuer_serial_kid",
    "raw_to_der",
    "rsa_padding",
    "verify_jws_signature",
    "x5t_s256",
]

#: JWS algorithms a seal may use (RFC 7518 §3.1), in order of preference per key type.
SUPPORTED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                        "ES256", "ES384", "ES512")
#: the JWS algorithm of each curve
EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
#: bytes of r (and of s) in a raw ECDSA signature
EC_SIZES = {"ES256": 32, "ES384": 48, "ES512": 66}
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512,
}


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; raise ``ValueError`` on other characters."""
    if not isinstance(text, str) or any(c in text for c in "+/= \n\r\t"):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def x5t_s256(cert: x509.Certificate) -> str:
    """The ``x5t#S256`` value: base64url SHA-256 of the certificate's DER (RFC 7515 §4.1.8)."""
    return b64url_encode(hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest())


def issuer_serial_kid(cert: x509.Certificate) -> str:
    """The ``kid`` the EU issuer writes: base64 of the DER ``IssuerSerial`` (RFC 5035)."""
    issuer = a_x509.Name.load(cert.issuer.public_bytes())
    value = a_cms.IssuerSerial({
        "issuer": [a_x509.GeneralName(name="directory_name", value=issuer)],
        "serial": cert.serial_number,
    })
    return base64.b64encode(value.dump()).decode("ascii")


def hash_for(algorithm: str) -> hashes.HashAlgorithm:
    """The hash of a seal algorithm (``RS256`` → SHA-256)."""
    if algorithm not in SUPPORTED_ALGORITHMS:
        raise KeyMaterialError(f"{algorithm!r} is not a seal algorithm", code="key.unsupported")
    return _HASHES[algorithm[2:]]()


def rsa_padding(algorithm: str) -> padding.AsymmetricPadding:
    """PKCS#1 v1.5 for ``RS*``, PSS with MGF1 and salt length = hash size for ``PS*``."""
    digest = hash_for(algorithm)
    if algorithm.startswith("PS"):
        return padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
    return padding.PKCS1v15()


def raw_to_der(signature: bytes, algorithm: str) -> bytes | None:
    """A raw ``r || s`` ECDSA signature as DER, or ``None`` if its length is wrong."""
    size = EC_SIZES[algorithm]
    if len(signature) != 2 * size:
        return None
    return encode_dss_signature(int.from_bytes(signature[:size], "big"),
                                int.from_bytes(signature[size:], "big"))


def der_to_raw(signature: bytes, algorithm: str) -> bytes:
    """A DER ECDSA signature as raw ``r || s`` (RFC 7518 §3.4).

    :raises ValueError: not a DER ECDSA signature.
    """
    r, s = decode_dss_signature(signature)
    size = EC_SIZES[algorithm]
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def verify_jws_signature(algorithm: str, public_key: object, data: bytes,
                         signature: bytes) -> bool:
    """Return True if *signature* is a valid JWS *algorithm* signature of *data*.

    :raises KeyMaterialError: ``key.unsupported`` if *algorithm* is not a seal algorithm
        or does not fit the key.
    """
    digest = hash_for(algorithm)
    try:
        if algorithm.startswith(("RS", "PS")):
            if not isinstance(public_key, rsa.RSAPublicKey):
                raise KeyMaterialError(f"{algorithm} needs an RSA key", code="key.unsupported")
            public_key.verify(signature, data, rsa_padding(algorithm), digest)
            return True
        if not isinstance(public_key, ec.EllipticCurvePublicKey) or \
                EC_ALGORITHMS.get(public_key.curve.name) != algorithm:
            raise KeyMaterialError(f"{algorithm} needs an EC key on its curve",
                                   code="key.unsupported")
        der = raw_to_der(signature, algorithm)
        if der is None:
            return False
        public_key.verify(der, data, ec.ECDSA(digest))
        return True
    except InvalidSignature:
        return False
