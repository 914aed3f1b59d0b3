"""``edc-issue serve`` at the command line: the missing extra, hashing secrets, config errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from edc_issue.cli import cli
from edc_issue.service import load_config
from edc_issue.service._auth import verify_secret


def test_missing_extra_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "edc_issue.service" or
                 m.startswith("edc_issue.service.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fastapi", None)  # import fastapi -> ImportError
    result = CliRunner().invoke(cli, ["serve", "--dev"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert "pip install 'edc-issue[service]'" in lines[0] and "Traceback" not in result.output


def test_hash_secret_and_token() -> None:
    hashed = CliRunner().invoke(cli, ["serve", "--hash-secret"], input="s3cret\n")
    assert hashed.exit_code == 0 and verify_secret("s3cret", hashed.output.strip())
    token = CliRunner().invoke(cli, ["serve", "--hash-token"], input="abc\n")
    assert token.output.strip() == ("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb"
                                    "410ff61f20015ad")


def test_config_errors_name_the_field(tmp_path: Path) -> None:
    config = tmp_path / "edc-issue.toml"
    config.write_text('[tenants."Bad Name"]\n[limits]\nmax_body_bytes = "lots"\n')
    result = CliRunner().invoke(cli, ["serve", "--config", str(config)])
    assert result.exit_code == 1
    assert "edc-issue.toml" in result.output and "max_body_bytes" in result.output
    assert "Traceback" not in result.output
    config.write_text("not = [toml")
    result = CliRunner().invoke(cli, ["serve", "--config", str(config)])
    assert "not valid TOML" in result.output


def test_load_config_resolves_paths(tmp_path: Path) -> None:
    config = tmp_path / "edc-issue.toml"
    config.write_text('database = "sqlite:///x.db"\n[tenants.uni]\nkey = "keys/uni.json"\n'
                      '[tenants.uni.seal]\np12 = "seal.p12"\npassword_env = "PW"\n')
    loaded = load_config(config)
    assert loaded.tenants["uni"].key == tmp_path / "keys" / "uni.json"
    seal = loaded.tenants["uni"].seal
    assert seal is not None and seal.p12 == tmp_path / "seal.p12"
