"""``edc-issue issue --offer`` and the batch's ``OfferStep``: an OpenID4VCI credential offer
per row, instead of or beside the credential files.

- In-process (``IssuerOffers``): each row's offer link is in the report, its QR code decodes
  (zbarimg) to the link, and a wallet (the pre-authorized flow, in-process) collects a badge
  that verifies, bound to its key; the same offer a second time is refused.
- From the command line (``ServiceOffers``): every row's unsigned credential is posted to a
  real ``edc-issue serve`` on 127.0.0.1 (``POST /instance/default/offers`` with the tenant's
  bearer token); ``offers.csv`` joins each data row to its link, QR file and transaction
  code for a mail merge. A wallet (over HTTP: offer, token, nonce, proof, credential)
  collects one row's badge, which verifies with its status list fetched from the service;
  the same code a second time is refused, and the other rows' offers are still open.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edc_issue import generate_key, verify
from edc_issue.batch import OfferStep, SignStep, issue_batch
from edc_issue.cli import main
from edc_issue.oid4vci.errors import OID4VCIError
from edc_issue.oid4vci.issuance import CredentialIssuer
from edc_issue.oid4vci.metadata import PRE_AUTHORIZED_GRANT, CredentialConfiguration
from edc_issue.oid4vci.offers import IssuerOffers, parse_offer_link
from edc_issue.proofs.sd_jwt import sign_jws

from ..interop.edc_serve import Served, edc_serve
from .test_batch_cli import COLUMNS, KEY_FILE, _csv, _learner, workdir  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = json.loads((ROOT / "src" / "edc_issue" / "templates" / "ob3-badge.json").read_text())
ISSUER_URL = "https://badges.example.edu/instance/moodle"


def _issuer() -> tuple[CredentialIssuer, str]:
    key = generate_key("ed25519")
    issuer = CredentialIssuer(ISSUER_URL, [CredentialConfiguration("badge", "ldp_vc", key)])
    return issuer, key.controller


def _collect(issuer: CredentialIssuer, link: str, tx_code: str | None) -> dict[str, Any]:
    """What a wallet does with the link: offer, token, nonce, proof, credential."""
    uri, _ = parse_offer_link(link)
    assert uri is not None
    offer_id = uri.rsplit("/", 1)[1]
    grant = issuer.offer_document(offer_id)["grants"][PRE_AUTHORIZED_GRANT]
    form = {"grant_type": PRE_AUTHORIZED_GRANT,
            "pre-authorized_code": grant["pre-authorized_code"]}
    if tx_code:
        form["tx_code"] = tx_code
    token = issuer.token(form)["access_token"]
    holder = generate_key("p256")
    jwk = holder.public_only().to_jwk()
    jwk.pop("kid")
    proof = sign_jws({"typ": "openid4vci-proof+jwt", "jwk": jwk},
                     {"aud": issuer.issuer, "iat": int(time.time()),
                      "nonce": issuer.nonce()["c_nonce"]}, holder)
    body = {"credential_configuration_id": "badge", "proofs": {"jwt": [proof]}}
    answer = issuer.credential(f"Bearer {token}", body)
    credential: dict[str, Any] = answer["credentials"][0]["credential"]
    with pytest.raises(OID4VCIError) as refused:  # the same code again
        issuer.token(form)
    assert refused.value.to_json()["error"] == "invalid_grant"
    return credential


def _zbar(png: Path) -> list[str]:
    tool = shutil.which("zbarimg")
    if tool is None:
        pytest.skip("zbarimg is not installed (Debian: zbar-tools)")
    out = subprocess.run([tool, "-q", "--raw", str(png)], capture_output=True, check=True)
    return out.stdout.decode("utf-8").split()


def test_offers_instead_of_files(tmp_path: Path) -> None:
    issuer, did = _issuer()
    rows = [dict(zip(COLUMNS, _learner(i), strict=True)) for i in range(3)]
    step = OfferStep(IssuerOffers(issuer, "badge", tx_code=True), issuer_id=did)
    report = issue_batch(TEMPLATE, rows, step, tmp_path / "out", key_column="student_id")
    assert (report.issued, report.failed) == (3, 0)
    lines = json.loads((tmp_path / "out" / "report.json").read_text())["rows"]
    assert len(lines) == 3
    for line in lines:
        stem = line["files"][0].removesuffix(".offer.txt")
        assert line["files"] == [f"{stem}.offer.txt", f"{stem}.offer.png"]
        link = (tmp_path / "out" / line["files"][0]).read_text().strip()
        assert line["offer"] == link and link.startswith("openid-credential-offer://?")
        assert line["txCode"] and line["txCode"].isdigit() and len(line["txCode"]) == 6
        assert _zbar(tmp_path / "out" / line["files"][1]) == [link]
    assert not list((tmp_path / "out").glob("*.json"))[1:]  # only report.json
    credential = _collect(issuer, lines[0]["offer"], lines[0]["txCode"])
    assert verify(credential).ok
    assert credential["credentialSubject"]["id"].startswith("did:")
    assert credential["credentialSubject"]["identifier"]  # the row's values are in it
    with (tmp_path / "out" / "report.csv").open(encoding="utf-8", newline="") as fh:
        assert [r["offer"] for r in csv.DictReader(fh)] == [line["offer"] for line in lines]


def test_offers_beside_the_signed_files_and_a_rerun_keeps_them(tmp_path: Path) -> None:
    issuer, _ = _issuer()
    rows = [dict(zip(COLUMNS, _learner(i), strict=True)) for i in range(2)]
    step = OfferStep(IssuerOffers(issuer, "badge"), SignStep(KEY_FILE, issuer_from_key=True))
    report = issue_batch(TEMPLATE, rows, step, tmp_path / "out", key_column="student_id")
    assert report.issued == 2
    first = json.loads((tmp_path / "out" / "report.json").read_text())["rows"]
    for line in first:
        assert [Path(f).suffix for f in line["files"]] == [".json", ".txt", ".png"]
        assert verify(json.loads((tmp_path / "out" / line["files"][0]).read_text())).ok
        assert line["txCode"] is None
    again = issue_batch(TEMPLATE, rows, step, tmp_path / "out", key_column="student_id")
    assert (again.issued, again.skipped) == (0, 2)  # no second offer for an offered row
    assert len(issuer.offers._offers) == 2  # type: ignore[attr-defined]


def test_in_process_offers_refuse_worker_processes(tmp_path: Path) -> None:
    issuer, did = _issuer()
    rows = [dict(zip(COLUMNS, _learner(i), strict=True)) for i in range(2)]
    with pytest.raises(OID4VCIError, match="ServiceOffers"):
        issue_batch(TEMPLATE, rows, OfferStep(IssuerOffers(issuer, "badge"), issuer_id=did),
                    tmp_path / "out", jobs=2)


def _wallet(served: Served, link: str, tx_code: str | None) -> dict[str, Any]:
    """What a wallet does with the link, over HTTP against the service: the offer document,
    token (then the same code again: refused), nonce, proof, credential."""
    import httpx

    uri, _ = parse_offer_link(link)
    assert uri is not None and uri.startswith(served.issuer + "/credential-offer/")
    meta = httpx.get(f"{served.url}/.well-known/openid-credential-issuer/instance/default",
                     timeout=30).json()
    grant = httpx.get(uri, timeout=30).json()["grants"][PRE_AUTHORIZED_GRANT]
    form = {"grant_type": PRE_AUTHORIZED_GRANT,
            "pre-authorized_code": grant["pre-authorized_code"]}
    if tx_code:
        form["tx_code"] = tx_code
    answer = httpx.post(f"{served.issuer}/token", data=form, timeout=30)
    assert answer.status_code == 200, answer.text
    again = httpx.post(f"{served.issuer}/token", data=form, timeout=30)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    holder = generate_key("p256")
    jwk = holder.public_only().to_jwk()
    jwk.pop("kid")
    nonce = httpx.post(meta["nonce_endpoint"], timeout=30).json()["c_nonce"]
    proof = sign_jws({"typ": "openid4vci-proof+jwt", "jwk": jwk},
                     {"aud": served.issuer, "iat": int(time.time()), "nonce": nonce}, holder)
    issued = httpx.post(meta["credential_endpoint"], timeout=60,
                        headers={"Authorization": f"Bearer {answer.json()['access_token']}"},
                        json={"credential_configuration_id": "open-badge",
                              "proofs": {"jwt": [proof]}})
    assert issued.status_code == 200, issued.text
    credential: dict[str, Any] = issued.json()["credentials"][0]["credential"]
    return credential


def _entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    status = credential.get("credentialStatus")
    return status if isinstance(status, list) else [status] if status else []


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A real ``edc-issue serve`` on 127.0.0.1 (its default tenant, SQLite)."""
    with edc_serve(tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_issue_offer_from_the_command_line(workdir: Path, served: Served,  # noqa: F811
                                           monkeypatch: pytest.MonkeyPatch, jobs: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LMS_TOKEN", served.token)
    data = _csv(workdir / "learners.csv", [COLUMNS] + [_learner(i) for i in range(4)])
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", str(data),
                 "--offer", served.issuer, "--offer-token-env", "LMS_TOKEN", "--tx-code",
                 "--offer-issuer", served.key.controller,
                 "--key-column", "student_id", "--jobs", jobs, "-o", "out", "--quiet"]) == 0
    assert served.token not in capsys.readouterr().out
    with (workdir / "out" / "offers.csv").open(encoding="utf-8", newline="") as fh:
        merged = list(csv.DictReader(fh))
    assert [m["email"] for m in merged] == [f"learner{i}@example.org" for i in range(4)]
    for m in merged:
        assert (workdir / "out" / m["qr"]).is_file()
        assert m["offer"].startswith("openid-credential-offer://") and m["tx_code"].isdigit()
    ids = [parse_offer_link(m["offer"])[0].rsplit("/", 1)[1]  # type: ignore[union-attr]
           for m in merged]
    assert len(set(ids)) == 4 and {served.offer_state(i) for i in ids} == {"offered"}
    credential = _wallet(served, merged[2]["offer"], merged[2]["tx_code"])
    lists = [served.get_json(e["statusListCredential"])  # fetched from the service
             for e in _entries(credential)]
    assert lists, "the service allocates a status entry for what a wallet collects"
    result = verify(credential, status_lists=lists)
    assert result.ok, [c.to_json() for c in result.checks if not c.ok]
    assert credential["issuer"]["id"] == served.key.controller
    assert credential["credentialSubject"]["id"].startswith("did:")
    assert credential["credentialSubject"]["identifier"]  # the row's values are in it
    assert served.offer_state(ids[2]) == "issued"
    assert [served.offer_state(i) for i in ids[:2] + ids[3:]] == ["offered"] * 3
    assert served.token not in (served.data.parent / "server.log").read_text()


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_refused_token_fails_every_row_without_showing_it(
        workdir: Path, served: Served, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("EDC_ISSUE_TOKEN", "wrong-secret-token")
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--offer", served.issuer, "--offer-issuer", served.key.controller,
                 "-o", "out", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "HTTP 401" in captured.err and "[io.fetch_failed]" in captured.err
    assert "wrong-secret-token" not in captured.err + captured.out
    report = (workdir / "out" / "report.csv").read_text()
    assert "wrong-secret-token" not in report


def test_offer_needs_its_token(workdir: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("EDC_ISSUE_TOKEN", raising=False)
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--offer", "https://issuer.example/instance/x", "-o", "out"]) == 2
    assert "EDC_ISSUE_TOKEN" in capsys.readouterr().err
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--key", "key.json", "--tx-code", "-o", "out"]) == 2
