"""Shared pieces of the OpenID4VCI tests: an issuer with the three formats, a wallet."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from edc_issue.keys import Key, generate_key
from edc_issue.oid4vci.issuance import CredentialIssuer
from edc_issue.oid4vci.metadata import (
    PRE_AUTHORIZED_GRANT,
    CredentialConfiguration,
    learning_credential,
)
from edc_issue.proofs.sd_jwt import sign_jws

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ISSUER = "https://issuer.example/instance/uni"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def badge() -> dict[str, Any]:
    """An unsigned Open Badge 3.0 (the vc-di-eddsa-style OB3 vector)."""
    path = FIXTURES / "ob3-vectors" / "obv3p0-eddsa-rdfc-2022" / "unsigned.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


@dataclass
class Wallet:
    """Does what a wallet does: token, nonce, proof, credential request."""

    issuer: CredentialIssuer
    key: Key
    clock: Clock

    def code(self, offer_id: str) -> str:
        grant = self.issuer.offer_document(offer_id)["grants"][PRE_AUTHORIZED_GRANT]
        return grant["pre-authorized_code"]  # type: ignore[no-any-return]

    def token(self, code: str, tx_code: str | None = None) -> str:
        form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
        if tx_code is not None:
            form["tx_code"] = tx_code
        return self.issuer.token(form)["access_token"]  # type: ignore[no-any-return]

    def proof(self, *, nonce: str | None = None, aud: str = ISSUER, iat: float | None = None,
              key: Key | None = None, header: dict[str, Any] | None = None,
              signer: Key | None = None) -> str:
        key = key or self.key
        if nonce is None:
            nonce = self.issuer.nonce()["c_nonce"]
        jwk = key.public_only().to_jwk()
        jwk.pop("kid", None)
        head = {"typ": "openid4vci-proof+jwt", "jwk": jwk} if header is None else header
        payload: dict[str, Any] = {"aud": aud, "nonce": nonce,
                                   "iat": int(self.clock().timestamp()) if iat is None else iat}
        return sign_jws(head, payload, signer or key)

    def credential(self, token: str, configuration_id: str, proof: str | None = None) -> Any:
        body = {"credential_configuration_id": configuration_id,
                "proofs": {"jwt": [proof or self.proof()]}}
        return self.issuer.credential(f"Bearer {token}", body)["credentials"][0]["credential"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def issuer_keys() -> dict[str, Key]:
    return {"ed25519": generate_key("ed25519"), "p256": generate_key("p256")}


@pytest.fixture
def issuer(clock: Clock, issuer_keys: dict[str, Key]) -> CredentialIssuer:
    return CredentialIssuer(ISSUER, [
        CredentialConfiguration("badge", "ldp_vc", issuer_keys["ed25519"], name="Open Badge"),
        CredentialConfiguration("badge-jwt", "jwt_vc_json", issuer_keys["p256"]),
        learning_credential(issuer_keys["p256"]),
    ], clock=clock)


@pytest.fixture
def wallet(issuer: CredentialIssuer, clock: Clock) -> Wallet:
    return Wallet(issuer, generate_key("p256"), clock)

