"""``edc-issue sign`` refuses a credential that is not the VC Data Model: exit 2, one line per
problem naming the file and the field, ending in its ``[code]``; ``--no-data-model-check``
signs it anyway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edc_issue.cli import main

V2 = "https://www.w3.org/ns/credentials/v2"
EX2 = "https://www.w3.org/ns/credentials/examples/v2"


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_sign_refuses_with_one_line_per_problem(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "key.json"
    assert run(capsys, "keygen", "--type", "ed25519", "-o", key)[0] == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "@context": [EX2, V2], "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer", "validFrom": "2024-01-01T00:00:00",
        "credentialSubject": {},
    }))
    code, out, err = run(capsys, "sign", "--key", key, bad)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 3, err
    expected = [("@context", "vcdm.base_context_not_first"),
                ("credentialSubject", "vcdm.empty_subject"),
                ("validFrom", "vcdm.date_without_timezone")]
    for line, (path, code_) in zip(lines, expected, strict=True):
        assert line.startswith(f"error: {bad}: {path}: ") and line.endswith(f"[{code_}]"), line
    assert "--no-data-model-check" in lines[0] and "check_data_model" not in err
    assert "Traceback" not in err
    signed = tmp_path / "signed.json"
    code, _, err = run(capsys, "sign", "--key", key, "--no-data-model-check", bad,
                       "-o", signed)
    assert code == 0, err
    assert "proof" in json.loads(signed.read_text())
    code, out, _ = run(capsys, "verify", signed)
    assert code == 1 and "NOT verified" in out
    assert "FAIL  vcdm.context: the first @context must be" in out
