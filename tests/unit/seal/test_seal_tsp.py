"""RFC 3161: requests, responses and token verification (offline)."""

from __future__ import annotations

import hashlib

import pytest
from asn1crypto import tsp

from edc_issue.errors import SignerError
from edc_issue.seal.tsp import HttpTimeStampClient, build_request, parse_response, verify_token


def test_request_carries_the_imprint_and_nonce() -> None:
    digest = hashlib.sha256(b"signature value").digest()
    req = tsp.TimeStampReq.load(build_request(digest, nonce=42))
    assert req["message_imprint"]["hashed_message"].native == digest
    assert req["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert req["nonce"].native == 42 and req["cert_req"].native is True


def test_response_granted_and_refused(pki, token_maker) -> None:
    from asn1crypto import cms

    digest = hashlib.sha256(b"x").digest()
    token = token_maker(digest, pki.tsa, nonce=7)
    granted = tsp.TimeStampResp({"status": {"status": "granted"},
                                 "time_stamp_token": cms.ContentInfo.load(token)}).dump()
    assert parse_response(granted, nonce=7) == token
    with pytest.raises(SignerError, match="nonce"):
        parse_response(granted, nonce=8)
    status = tsp.PKIStatusInfo({"status": "rejection", "status_string": ["bad alg"]}).dump()
    refused = b"\x30" + bytes([len(status)]) + status  # TimeStampResp without a token
    with pytest.raises(SignerError) as info:
        parse_response(refused)
    assert info.value.code == "seal.tsa_failed"
    with pytest.raises(SignerError):
        parse_response(b"garbage")


def test_token_verification(pki, token_maker) -> None:
    token = token_maker(hashlib.sha256(b"data").digest(), pki.tsa)
    good = verify_token(token, data=b"data")
    assert good.ok and good.info is not None and good.info.tsa == pki.tsa.cert
    assert not verify_token(token, data=b"other").ok
    broken = bytearray(token)
    broken[-10] ^= 0xFF
    assert not verify_token(bytes(broken), data=b"data").ok
    assert not verify_token(b"\x30\x03\x02\x01\x01", data=b"data").ok


def test_tsa_certificate_must_be_for_time_stamping(pki, token_maker) -> None:
    token = token_maker(hashlib.sha256(b"data").digest(), pki.eseal)  # not a TSA cert
    check = verify_token(token, data=b"data")
    assert not check.ok and "time-stamping" in check.message


def test_http_client_needs_an_http_url() -> None:
    with pytest.raises(SignerError):
        HttpTimeStampClient("file:///etc/passwd")
