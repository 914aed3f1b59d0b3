"""The errors of wallet delivery, each with the OAuth / OpenID4VCI error code it answers.

A wallet's request that must be refused raises :class:`OID4VCIError`; its ``code`` is
``oid4vci.`` followed by the wire code the specification names (``invalid_grant``,
``invalid_proof``, ``invalid_nonce`` ...), :attr:`OID4VCIError.error` is that wire code,
and :attr:`OID4VCIError.status` the HTTP status to answer with. :meth:`to_json` is the
error response body (RFC 6749 §5.2, OpenID4VCI 1.0 §8.3.1.2).

A VC-API exchange that must be refused raises :class:`ExchangeError` (``exchange.*``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..errors import InputError

__all__ = ["ExchangeError", "OID4VCIError"]

#: wire code -> HTTP status
_STATUS = {
    "invalid_request": 400, "invalid_grant": 400, "unsupported_grant_type": 400,
    "invalid_client": 401, "invalid_token": 401, "insufficient_scope": 403,
    "invalid_credential_request": 400, "unknown_credential_configuration": 400,
    "unknown_credential_identifier": 400, "invalid_proof": 400, "invalid_nonce": 400,
    "credential_request_denied": 400, "offer_not_found": 404, "not_mappable": 422,
    "bad_configuration": 500,
}


class OID4VCIError(InputError):
    """An OpenID4VCI request refused (or a credential that cannot be offered).

    :attr error: the wire error code (``invalid_grant``); :attr status: the HTTP status.
    """

    code: ClassVar[str] = "oid4vci.invalid_request"
    codes: ClassVar[frozenset[str]] = frozenset(f"oid4vci.{name}" for name in _STATUS)

    @property
    def error(self) -> str:
        """The OAuth / OpenID4VCI error code of the response body."""
        return self.code.split(".", 1)[1]

    @property
    def status(self) -> int:
        """The HTTP status of the response."""
        return _STATUS.get(self.error, 400)

    def to_json(self) -> dict[str, Any]:
        """The error response: ``{"error": ..., "error_description": ...}``."""
        description = f"{self.pointer}: {self.message}" if self.pointer else self.message
        return {"error": self.error, "error_description": description}


#: exchange code -> HTTP status (VC-API exchanges)
_EXCHANGE_STATUS = {
    "exchange.not_found": 404, "exchange.expired": 410, "exchange.completed": 409,
    "exchange.invalid_presentation": 400, "exchange.bad_request": 400,
    "exchange.unknown_workflow": 404,
}


class ExchangeError(InputError):
    """A VC-API exchange step refused: unknown or expired exchange, a presentation whose
    challenge, domain or signature does not check, a second use of a single-use one."""

    code: ClassVar[str] = "exchange.bad_request"
    codes: ClassVar[frozenset[str]] = frozenset(_EXCHANGE_STATUS)

    @property
    def status(self) -> int:
        """The HTTP status of the response."""
        return _EXCHANGE_STATUS.get(self.code, 400)
