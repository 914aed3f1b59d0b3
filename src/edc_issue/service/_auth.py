"""Who may call what: OAuth2 client credentials, static bearer tokens, HTTP Basic.

- ``POST /oauth2/token`` (RFC 6749 §4.4) takes ``client_id`` / ``client_secret`` in the
  form body or in ``Authorization: Basic``, and returns a short-lived JWT access token
  (HS256) whose ``aud`` is the client's tenant and whose ``scope`` lists VCALM scopes
  (``write:/credentials/issue`` ...). Secrets are stored as scrypt hashes.
- Static bearer tokens (the DCC issuer coordinator's ``TENANT_TOKEN_*``) are stored as
  ``sha256:<hex>``: they are long random strings, so one fast hash is enough.
- The EU-issuer routes take HTTP Basic (the EU issuer's ``user.properties``), with
  scrypt-hashed passwords.

A token for tenant A is refused on tenant B's routes (403); a missing or unknown token
is 401 with ``WWW-Authenticate``. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from ._errors import ServiceError

__all__ = [
    "Principal",
    "TokenIssuer",
    "hash_secret",
    "hash_token",
    "parse_basic",
    "verify_secret",
]

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_secret(secret: str) -> str:
    """Hash a client secret or password for the configuration (scrypt, random salt)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R,
                            p=_SCRYPT_P, dklen=32)
    return (f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}$"
            f"{base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}")


def verify_secret(secret: str, stored: str) -> bool:
    """True if *secret* matches *stored* (a :func:`hash_secret` value)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(secret.encode("utf-8"), salt=base64.b64decode(salt),
                                n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected)


def hash_token(token: str) -> str:
    """The stored form of a static bearer token: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """``(username, password)`` from an ``Authorization: Basic`` header, or None."""
    if not header or not header[:6].lower() == "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant the credentials belong to, their scopes, and a label
    for the audit log (``client:moodle``, ``token:1``, ``basic:moodle``)."""

    tenant: str
    scopes: frozenset[str]
    actor: str


def unauthorized(message: str, *, scheme: str = "Bearer") -> ServiceError:
    """A 401 problem with the challenge header."""
    return ServiceError(message, code="service.unauthorized", status=401,
                        headers={"WWW-Authenticate": f'{scheme} realm="edc-issue"'})


class TokenIssuer:
    """Issues and checks the JWT access tokens of ``/oauth2/token``.

    :param secret: the HMAC key (shared by every process through the database).
    :param ttl: lifetime of a token, in seconds.
    :param issuer: the ``iss`` claim (the service's base URL).
    """

    def __init__(self, secret: bytes, *, ttl: int, issuer: str) -> None:
        self._key = OctKey.import_key(secret)
        self.ttl = ttl
        self.issuer = issuer

    def issue(self, *, tenant: str, client_id: str, scopes: list[str]) -> str:
        """A signed access token for *client_id*, bound to *tenant*."""
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": client_id, "aud": tenant, "iat": now,
                  "exp": now + self.ttl, "jti": secrets.token_urlsafe(12),
                  "scope": " ".join(scopes)}
        return jwt.encode({"alg": "HS256", "typ": "at+jwt"}, claims, self._key,
                          algorithms=["HS256"])

    def check(self, token: str) -> Principal:
        """The principal of a valid token.

        :raises ServiceError: ``service.unauthorized`` for a bad, expired or foreign token.
        """
        try:
            decoded = jwt.decode(token, self._key, algorithms=["HS256"])
        except (JoseError, ValueError):
            raise unauthorized("the access token is not valid") from None
        claims = decoded.claims
        now = int(time.time())
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= now:
            raise unauthorized("the access token has expired; request a new one")
        if claims.get("iss") != self.issuer:
            raise unauthorized("the access token was not issued by this service")
        tenant, scope = claims.get("aud"), claims.get("scope", "")
        if not isinstance(tenant, str) or not isinstance(scope, str):
            raise unauthorized("the access token is not valid")
        return Principal(tenant=tenant, scopes=frozenset(scope.split()),
                         actor=f"client:{claims.get('sub')}")
