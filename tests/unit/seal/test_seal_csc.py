"""CscSigner against the CSC API v2.0 stand-in on 127.0.0.1 (examples/local_trust_services.py).

A seal made through it verifies like any other, also with the plain-cryptography check
of the RFC 7797 signing input; 200 hashes cost one credentials/authorize; a failed
remote call fails only the seals of its group; refused credentials are clear errors.
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from edc_issue._net import UrllibFetcher
from edc_issue.errors import ReadError, SignerError
from edc_issue.seal import CscSigner, seal, seal_many, verify_envelope

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


def _csc(services, **kw) -> CscSigner:
    account = services.csc
    kw.setdefault("client_id", account.client_id)
    kw.setdefault("client_secret", account.client_secret)
    return CscSigner(f"{services.url}/csc/v2", **kw)


def _credential(i: int) -> dict:
    return {"@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"], "credentialSubject": {"name": f"Learner {i} Ë"}}


def test_a_csc_seal_verifies_independently_and_with_our_verifier(trust_services,
                                                                 first_principles) -> None:
    signer = _csc(trust_services)
    assert signer.credential_id == "edc-seal-1"  # the only one listed
    assert signer.certificate_chain[0] == trust_services.pki.eseal
    envelope = seal(_credential(0), signer)
    header = first_principles(envelope)
    assert header["alg"] == "RS256" and len(header["x5c"]) == 2
    result = verify_envelope(envelope, trust=[trust_services.pki.ca])
    assert result.ok, [c for c in result.checks if not c.ok]
    assert trust_services.counts["authorize"] == 1 == trust_services.counts["signHash"]
    assert "client_secret" not in repr(signer) and "demo-secret" not in repr(signer)


def test_two_hundred_seals_cost_one_authorisation(trust_services, first_principles) -> None:
    signer = _csc(trust_services)
    credentials = [_credential(i) for i in range(200)]
    outcomes = seal_many(credentials, signer)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]
    assert trust_services.counts["authorize"] == 1
    assert trust_services.counts["signHash"] == 1
    assert len(trust_services.authorized) == 1 and len(trust_services.authorized[0]) == 200
    assert signer.authorizations == 1
    # the hashes authorised are those of the 200 signing inputs
    inputs = []
    for outcome in outcomes:
        entry = outcome.envelope["signatures"][0]
        inputs.append(base64.b64encode(hashlib.sha256(
            entry["protected"].encode() + b"." + outcome.envelope["payload"].encode()
        ).digest()).decode())
    assert inputs == trust_services.authorized[0]
    for outcome in outcomes:
        first_principles(outcome.envelope)
    ca = trust_services.pki.ca
    assert all(verify_envelope(o.envelope, trust=[ca]).ok for o in outcomes)


def test_groups_follow_multisign(trust_services) -> None:
    trust_services.csc.multisign = 50
    signer = _csc(trust_services)
    assert signer.multisign == 50
    outcomes = seal_many([_credential(i) for i in range(120)], signer)
    assert all(o.ok for o in outcomes)
    assert [len(h) for h in trust_services.authorized] == [50, 50, 20]


def test_a_failed_remote_call_fails_only_its_group(trust_services) -> None:
    class FailSecondSignHash(UrllibFetcher):
        calls = 0

        def fetch(self, url, **kw):
            if url.endswith("/signatures/signHash"):
                FailSecondSignHash.calls += 1
                if FailSecondSignHash.calls == 2:
                    raise ReadError(f"HTTP 503 from {url}", pointer=url, code="io.fetch_failed")
            return super().fetch(url, **kw)

    trust_services.csc.multisign = 3
    signer = _csc(trust_services, fetcher=FailSecondSignHash())
    outcomes = seal_many([_credential(i) for i in range(8)], signer)
    assert [o.ok for o in outcomes] == [True, True, True, False, False, False, True, True]
    assert all(o.error.code == "signer.failed" for o in outcomes if not o.ok)


def test_a_pin_goes_to_authorize(trust_services) -> None:
    trust_services.csc.pin = "2468"
    envelope = seal(_credential(1), _csc(trust_services, pin="2468"))
    assert verify_envelope(envelope, trust=[trust_services.pki.ca]).ok
    with pytest.raises(SignerError) as info:
        seal(_credential(1), _csc(trust_services, pin="0000"))
    assert info.value.code == "signer.auth_failed"
    assert "0000" not in str(info.value)


def test_a_wrong_client_secret_is_refused(trust_services) -> None:
    with pytest.raises(SignerError) as info:
        _csc(trust_services, client_secret="not-the-secret")
    assert info.value.code == "signer.auth_failed"
    assert "not-the-secret" not in str(info.value)


def test_an_unknown_credential_is_refused(trust_services) -> None:
    with pytest.raises(SignerError) as info:
        _csc(trust_services, credential_id="no-such-credential")
    assert "credentialID" in str(info.value)


def test_an_ec_credential(trust_services, first_principles) -> None:
    from edc_issue.seal.testpki import make_test_pki

    pki = make_test_pki(key_type="p256")
    trust_services.use(pki)
    signer = _csc(trust_services)
    assert signer.algorithm == "ES256"
    envelope = seal(_credential(2), signer)
    assert first_principles(envelope)["alg"] == "ES256"
    assert verify_envelope(envelope, trust=[pki.ca]).ok
