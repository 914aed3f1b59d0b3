"""Loading seal keys: PKCS#12, PEM key + chain, the Signer protocol; no secret in errors."""

from __future__ import annotations

import pytest

from edc_issue.errors import KeyMaterialError
from edc_issue.seal import LocalSigner, Signer, load_pem_signer, load_pkcs12_signer

PASSWORD = "test-only-password-not-secret"


def test_pkcs12_loads_key_and_chain(pki, tmp_path) -> None:
    path = tmp_path / "seal.p12"
    path.write_bytes(pki.p12())
    signer = load_pkcs12_signer(path, PASSWORD)
    assert isinstance(signer, Signer)
    assert signer.algorithm == "RS256"
    assert [c.subject for c in signer.certificate_chain] == [pki.eseal.cert.subject,
                                                             pki.ca.cert.subject]


def test_pkcs12_wrong_password_names_the_file_not_the_password(pki, tmp_path) -> None:
    path = tmp_path / "seal.p12"
    path.write_bytes(pki.p12())
    with pytest.raises(KeyMaterialError) as info:
        load_pkcs12_signer(path, "wrong-guess-1234")
    assert info.value.code == "key.bad_password"
    assert str(path) in str(info.value)
    assert "wrong-guess-1234" not in str(info.value)
    assert PASSWORD not in str(info.value)


def test_pkcs12_missing_password(pki) -> None:
    with pytest.raises(KeyMaterialError) as info:
        load_pkcs12_signer(pki.p12(), None)
    assert info.value.code == "key.bad_password"


def test_not_a_pkcs12_file() -> None:
    with pytest.raises(KeyMaterialError) as info:
        load_pkcs12_signer(b"this is not DER at all", "x")
    assert info.value.code == "key.malformed"


def test_pem_key_and_chain_in_any_order(pki) -> None:
    chain = pki.ca.pem + pki.eseal.pem  # CA first: the loader puts the key's certificate first
    signer = load_pem_signer(pki.eseal.key_pem(), chain)
    assert signer.certificate_chain[0] == pki.eseal.cert
    assert signer.certificate_chain[1] == pki.ca.cert


def test_encrypted_pem_needs_the_right_password(pki) -> None:
    pem = pki.eseal.key_pem(PASSWORD)
    assert load_pem_signer(pem, pki.eseal.pem, PASSWORD).algorithm == "RS256"
    for wrong in (None, "nope-nope"):
        with pytest.raises(KeyMaterialError) as info:
            load_pem_signer(pem, pki.eseal.pem, wrong)
        assert info.value.code == "key.bad_password"
        assert "nope-nope" not in str(info.value)


def test_key_must_belong_to_the_first_certificate(pki) -> None:
    with pytest.raises(KeyMaterialError) as info:
        LocalSigner(pki.eseal.key, [pki.ca.cert])
    assert info.value.code == "key.mismatch"


def test_ec_key_gets_es256_and_algorithm_must_fit(pki) -> None:
    assert LocalSigner(pki.eseal_ec.key, [pki.eseal_ec.cert]).algorithm == "ES256"
    with pytest.raises(KeyMaterialError):
        LocalSigner(pki.eseal_ec.key, [pki.eseal_ec.cert], algorithm="RS256")
    assert LocalSigner(pki.eseal.key, [pki.eseal.cert], algorithm="PS256").algorithm == "PS256"


def test_repr_shows_no_key_material(pki) -> None:
    text = repr(LocalSigner(pki.eseal.key, [pki.eseal.cert]))
    assert "TEST SEAL" in text
    assert "PRIVATE" not in text and str(pki.eseal.key.private_numbers().d) not in text
