"""``edc-issue present`` and ``edc-issue verify --challenge/--domain`` on presentations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edc_issue.cli import main

CREDENTIAL = {"@context": ["https://www.w3.org/ns/credentials/v2"],
              "type": ["VerifiableCredential"], "issuer": "did:example:replaced",
              "credentialSubject": {"id": "did:example:holder"}}


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Path]:
    paths = {name: tmp_path / f"{name}.json" for name in ("issuer", "holder")}
    for path in paths.values():
        assert run(capsys, "keygen", "--type", "ed25519", "-o", path)[0] == 0
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(CREDENTIAL))
    paths["vc"] = tmp_path / "vc.json"
    paths["jwt"] = tmp_path / "vc.jwt"
    assert run(capsys, "sign", "--key", paths["issuer"], "--issuer-from-key", unsigned,
               "-o", paths["vc"])[0] == 0
    assert run(capsys, "sign", "--key", paths["issuer"], "--issuer-from-key", "--suite",
               "vc-jwt", unsigned, "-o", paths["jwt"])[0] == 0
    return paths


@pytest.mark.parametrize("suite", [None, "vc-jwt"])
def test_present_then_verify(files: dict[str, Path], tmp_path: Path, suite: str | None,
                             capsys: pytest.CaptureFixture[str]) -> None:
    vp = tmp_path / "vp.json"
    extra = ["--suite", suite] if suite else []
    code, _, err = run(capsys, "present", "--key", files["holder"], "--challenge", "c-123",
                       "--domain", "verifier.example", *extra, files["vc"], files["jwt"],
                       "-o", vp)
    assert code == 0, err
    holder = json.loads(files["holder"].read_text())["controller"]
    if suite is None:
        doc = json.loads(vp.read_text())
        assert doc["holder"] == holder
        assert doc["proof"]["proofPurpose"] == "authentication"
        assert doc["verifiableCredential"][1]["type"] == "EnvelopedVerifiableCredential"
    code, out, err = run(capsys, "verify", "--challenge", "c-123", "--domain",
                         "verifier.example", "--format", "json", vp)
    assert code == 0, out + err
    [entry] = json.loads(out)["results"]
    assert entry["ok"] and len(entry["credentials"]) == 2
    assert all(c["ok"] for c in entry["credentials"])
    # the wrong challenge, none, or the wrong domain: not verified (exit 1)
    for args in (["--challenge", "c-456"], [], ["--challenge", "c-123", "--domain", "x.example"]):
        code, out, _ = run(capsys, "verify", *args, vp)
        assert code == 1, args
        assert "NOT verified" in out


def test_present_refuses_what_is_no_credential(files: dict[str, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "list.json"
    bad.write_text("[1, 2]")
    code, _, err = run(capsys, "present", "--key", files["holder"], "--challenge", "c", bad)
    assert code == 2
    assert str(bad) in err and "[input.invalid]" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "present", "--key", files["holder"], "--challenge", "c",
                       "--holder", "not a url", files["vc"])
    assert code == 2
    assert "holder" in err and "Traceback" not in err


def test_present_needs_a_challenge(files: dict[str, Path],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "present", "--key", files["holder"], files["vc"])
    assert code == 2 and "--challenge" in err
