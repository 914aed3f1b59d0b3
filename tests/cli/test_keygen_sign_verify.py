"""``edc-issue keygen``, ``sign`` and ``verify``: exit codes, output, the JSON shape."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from edc_issue.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ED_VECTOR_KEY = FIXTURES / "vc-di" / "eddsa" / "keyPair.json"
P384_VECTOR_KEY = FIXTURES / "vc-di" / "ecdsa" / "p384KeyPair.json"
OB_UNSIGNED = FIXTURES / "ob3-vectors" / "obv3p0-eddsa-rdfc-2022" / "unsigned.json"
SPEC_SIGNED = FIXTURES / "openbadges" / "spec-signed"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("kind", ["ed25519", "p256", "p384"])
def test_keygen_sign_verify_round_trip(kind: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "key.json"
    code, out, err = run(capsys, "keygen", "--type", kind, "-o", key)
    assert code == 0, err
    doc = json.loads(key.read_text())
    assert doc["type"] == "Multikey"
    assert f"issuer: {doc['controller']}" in out
    assert f"verification method: {doc['id']}" in out
    assert doc["secretKeyMultibase"] not in out + err
    signed = tmp_path / "signed.json"
    code, _, err = run(capsys, "sign", "--key", key, "--issuer-from-key", OB_UNSIGNED,
                       "-o", signed)
    assert code == 0, err
    code, out, err = run(capsys, "verify", signed)
    assert code == 0, out + err
    assert "verified" in out and "NOT" not in out


def test_keygen_did_web_writes_did_json(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "key.json"
    code, out, _ = run(capsys, "keygen", "--type", "p256", "--did-web", "example.edu",
                       "-o", key, "--format", "json")
    assert code == 0
    info = json.loads(out)
    assert info["issuer"] == "did:web:example.edu"
    assert info["publishAt"] == "https://example.edu/.well-known/did.json"
    did_doc = json.loads((tmp_path / "did.json").read_text())
    assert did_doc["assertionMethod"] == [info["verificationMethod"]]
    assert "secretKeyMultibase" not in json.dumps(did_doc)
    signed = tmp_path / "signed.json"
    assert run(capsys, "sign", "--key", key, "--issuer-from-key", OB_UNSIGNED,
               "-o", signed)[0] == 0
    # offline: the key is in the fragment, its binding unconfirmed -> warning, exit 0
    code, out, _ = run(capsys, "verify", signed)
    assert code == 0 and "WARN" in out
    assert run(capsys, "verify", signed, "--require-key-binding")[0] == 1
    code, out, _ = run(capsys, "verify", signed, "--require-key-binding",
                       "--controller", tmp_path / "did.json")
    assert code == 0 and "WARN" not in out


def test_keygen_rsa_and_refusal_to_overwrite(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "rsa.json"
    code, out, _ = run(capsys, "keygen", "--type", "rsa", "-o", key)
    assert code == 0 and "issuer: none" in out
    jwk = json.loads(key.read_text())
    assert jwk["kty"] == "RSA" and jwk["kid"] and "d" in jwk
    code, _, err = run(capsys, "keygen", "--type", "rsa", "-o", key)
    assert code == 2 and "--force" in err
    # an RSA key cannot make a Data Integrity proof: a usage error
    code, _, err = run(capsys, "sign", "--key", key, OB_UNSIGNED)
    assert code == 2 and "vc-jwt" in err and "Traceback" not in err


def test_sign_with_vector_key_files(tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sign", "--key", ED_VECTOR_KEY, "--created",
                       "2023-02-24T23:36:38Z", FIXTURES / "vc-di" / "eddsa" / "unsigned.json")
    assert code == 0
    expected = json.loads((FIXTURES / "vc-di" / "eddsa" / "eddsa-rdfc-2022" /
                           "signedDataInt.json").read_text())
    assert json.loads(out) == expected
    code, out, _ = run(capsys, "sign", "--key", P384_VECTOR_KEY, "--suite", "ecdsa-rdfc-2019",
                       FIXTURES / "vc-di" / "ecdsa" / "unsigned.json")
    assert code == 0 and json.loads(out)["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"


@pytest.mark.parametrize("args,needle", [
    (["--suite", "ecdsa-rdfc-2019"], "proof.algorithm_mismatch"),
    (["--created", "yesterday"], "proof.malformed"),
])
def test_sign_bad_options(args: list[str], needle: str,
                          capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sign", "--key", ED_VECTOR_KEY, *args, OB_UNSIGNED)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_sign_bad_key_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sign", "--key", tmp_path / "missing.json", OB_UNSIGNED)
    assert code == 2 and "missing.json" in err
    bad = tmp_path / "bad.json"
    doc = json.loads(ED_VECTOR_KEY.read_text())
    doc["privateKeyMultibase"] = "z0OIl"
    bad.write_text(json.dumps(doc))
    code, _, err = run(capsys, "sign", "--key", bad, OB_UNSIGNED)
    assert code == 2 and "bad.json: privateKeyMultibase" in err and "Traceback" not in err


def test_sign_undefined_term_names_the_path(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(OB_UNSIGNED.read_text())
    doc["credentialSubject"]["nmae"] = "x"
    path = tmp_path / "in.json"
    path.write_text(json.dumps(doc))
    code, _, err = run(capsys, "sign", "--key", ED_VECTOR_KEY, path)
    assert code == 2 and "credentialSubject.nmae" in err and "jsonld.undefined_term" in err


def test_verify_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    files = [SPEC_SIGNED / "02-sample-openbadgecredential.eddsa-rdfc-2022.json",
             FIXTURES / "openbadges" / "ob30" / "simple-err-proof-value.json"]
    code, out, _ = run(capsys, "verify", "--format", "json", *files)
    assert code == 1
    data = json.loads(out)
    assert [r["ok"] for r in data["results"]] == [True, False]
    for entry in data["results"]:
        assert set(entry) >= {"file", "ok", "checks"}
        for check in entry["checks"]:
            assert set(check) >= {"check", "ok", "message", "path"}


def test_verify_unreadable_and_missing_proof(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    ok_file = SPEC_SIGNED / "02-sample-openbadgecredential.eddsa-rdfc-2022.json"
    code, out, err = run(capsys, "verify", ok_file, broken)
    assert code == 2 and "broken.json" in err and "Traceback" not in err
    code, out, _ = run(capsys, "verify", FIXTURES / "openbadges" / "ob30" / "simple-noproof.json")
    assert code == 1 and "no proof" in out


def test_verify_did_web_without_network(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    signed = json.loads((SPEC_SIGNED / "02-sample-openbadgecredential.eddsa-rdfc-2022.json")
                        .read_text())
    signed["proof"][0]["verificationMethod"] = "did:web:example.com#key-1"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(signed))
    code, out, err = run(capsys, "verify", path)
    assert code == 1 and "--allow-network" in out and "Traceback" not in err


def test_every_spec_example_verifies_from_the_command_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files: list[Any] = sorted(SPEC_SIGNED.glob("*.eddsa-rdfc-2022.json"))
    for f in files:
        shutil.copy(f, tmp_path / f.name)
    code, out, err = run(capsys, "verify", *[tmp_path / f.name for f in files])
    assert code == 0, out + err
    # one warning each (the https key's binding to the issuer), and one more where a
    # credentialStatus names a list that was not given
    with_status = sum("credentialStatus" in f.read_text() for f in files)
    assert out.count(": verified, with 1 warning(s)") == len(files) - with_status
    assert out.count(": verified, with 2 warning(s)") == with_status


def test_sign_vc_jwt_and_verify_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "rsa.json"
    assert run(capsys, "keygen", "--type", "rsa", "-o", key)[0] == 0
    jwt_file = tmp_path / "badge.jwt"
    code, _, err = run(capsys, "sign", "--key", key, "--suite", "vc-jwt", OB_UNSIGNED,
                       "-o", jwt_file)
    assert code == 0, err
    assert jwt_file.read_text().count(".") == 2
    code, out, _ = run(capsys, "verify", "--format", "json", jwt_file,
                       SPEC_SIGNED / "02-sample-openbadgecredential.vc-jwt.txt")
    assert code == 0
    results = json.loads(out)["results"]
    assert all(r["ok"] and r["format"] == "vc-jwt" for r in results)
