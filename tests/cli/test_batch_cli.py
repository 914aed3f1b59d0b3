"""``edc-issue template init``, ``issue`` and ``status``: the batch issue's "what it must show".

- 1,000 learners from a CSV: 1,000 credentials that verify; a second run issues nothing
  new; revoking 3 makes exactly those 3 fail the status check.
- A CSV with broken rows: the good rows are issued, every bad row is reported with its
  row number and reason, exit status 1, no traceback.
- The starter templates work as they are: a signed and baked badge, a sealed EDC.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from edc_issue._api import verify
from edc_issue.cli import cli, main
from edc_issue.results import VerificationResult
from edc_issue.status import check_status

ROOT = Path(__file__).resolve().parents[2]
KEY_FILE = ROOT / "tests" / "fixtures" / "vc-di" / "eddsa" / "keyPair.json"
COLUMNS = ["student_id", "given_name", "family_name", "email", "date_of_birth",
           "completion_date", "grade"]
LIST_URL = "https://example.edu/status/1"


def _learner(i: int) -> list[str]:
    return [f"UT-{i:05d}", f"Learner{i}", "Hoxha", f"learner{i}@example.org", "1988-03-14",
            "2025-06-27", "9/10"]


def _csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def _report(out: Path) -> list[dict[str, str]]:
    with (out / "report.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the spec vectors' Ed25519 key and both starter templates."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "key.json").write_text(KEY_FILE.read_text())
    assert main(["template", "init", "--ob3", "-o", "ob3"]) == 0
    assert main(["template", "init", "--edc", "-o", "edc"]) == 0
    return tmp_path


def _with_status(document: Any, status_list: dict[str, Any]) -> VerificationResult:
    result = verify(document)
    for check in check_status(document, lists=[status_list]):
        result.add(check)
    return result


@pytest.mark.slow
def test_a_thousand_learners_end_to_end(workdir: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    data = _csv(workdir / "learners.csv", [COLUMNS] + [_learner(i) for i in range(1000)])
    assert main(["status", "create", "--purpose", "revocation", "--key", "key.json",
                 "--id", LIST_URL, "-o", "list.json"]) == 0
    args = ["issue", "--template", "ob3/ob3-badge.json", "--data", str(data), "--key",
            "key.json", "--status-list", "list.json", "-o", "out", "--jobs", "2",
            "--key-column", "student_id"]
    assert main(args) == 0
    rows = _report(workdir / "out")
    assert len(rows) == 1000 and {r["status"] for r in rows} == {"issued"}
    files = sorted((workdir / "out").glob("*.json"))
    credentials = [p for p in files if p.name != "report.json"]
    assert len(credentials) == 1000
    assert len({r["status_index"] for r in rows}) == 1000
    status_list = json.loads((workdir / "list.json").read_text())
    assert verify(status_list).ok
    documents = {r["id"]: json.loads((workdir / "out" / r["file"]).read_text()) for r in rows}
    for document in documents.values():
        result = _with_status(document, status_list)
        assert result.ok, [c for c in result.checks if not c.ok]

    # a second run issues nothing new
    capsys.readouterr()
    assert main(args) == 0
    assert "0 issued, 1000 already issued" in capsys.readouterr().out
    assert len(list((workdir / "out").glob("*.json"))) == 1001

    # revoke 3: exactly those 3 fail the status check
    chosen = [rows[10], rows[500], rows[999]]
    assert main(["status", "revoke", "list.json", "--key", "key.json",
                 *[r["status_index"] for r in chosen]]) == 0
    status_list = json.loads((workdir / "list.json").read_text())
    assert verify(status_list).ok  # re-signed
    failed = set()
    for credential_id, document in documents.items():
        checks = check_status(document, lists=[status_list])
        if not all(c.ok for c in checks):
            failed.add(credential_id)
            assert checks[0].code == "status.revoked"
    assert failed == {r["id"] for r in chosen}
    for row in chosen + rows[:3]:
        result = _with_status(documents[row["id"]], status_list)
        assert result.ok == (row not in chosen)


def test_verify_command_checks_status_when_wired(workdir: Path) -> None:
    """``verify --status-list`` (wired by the lead): skipped until the option exists."""
    verify_command = cli.commands.get("verify")
    if verify_command is None or not any("--status-list" in p.opts for p in verify_command.params):
        pytest.skip("verify --status-list is not wired yet")
    data = _csv(workdir / "learners.csv", [COLUMNS, _learner(1), _learner(2)])
    assert main(["status", "create", "--purpose", "revocation", "--key", "key.json",
                 "--id", LIST_URL, "-o", "list.json"]) == 0
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", str(data), "--key",
                 "key.json", "--status-list", "list.json", "-o", "out"]) == 0
    rows = _report(workdir / "out")
    files = [str(workdir / "out" / r["file"]) for r in rows]
    assert main(["verify", "--status-list", "list.json", *files]) == 0
    assert main(["status", "revoke", "list.json", "--key", "key.json",
                 rows[0]["status_index"]]) == 0
    assert main(["verify", "--status-list", "list.json", files[1]]) == 0
    assert main(["verify", "--status-list", "list.json", files[0]]) == 1


def test_broken_rows(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _csv(workdir / "broken.csv", [
        COLUMNS,
        _learner(1),
        ["UT-2", "Bad", "Date", "b@example.org", "1988-03-14", "2025-13-45", "8"],
        ["UT-3", "", "Noname", "c@example.org", "1988-03-14", "2025-06-27", "8"],
        ["UT-4", "Too", "Many", "d@example.org", "1988-03-14", "2025-06-27", "8", "extra"],
        ["UT-5", "=cmd|' /C calc'!A0", "Evil", "e@example.org", "1988-03-14", "2025-06-27", "8"],
        _learner(6),
    ], delimiter=";")
    code = main(["issue", "--template", "ob3/ob3-badge.json", "--data", str(data), "--key",
                 "key.json", "-o", "out"])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    assert "2 issued, 0 already issued (skipped), 4 failed, of 6 rows" in captured.out
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert "row 3, column 'completion_date'" in errors[0]
    assert "row 4, column 'given_name'" in errors[1] and "empty" in errors[1]
    assert "row 5:" in errors[2] and "8 values but the header has 7 columns" in errors[2]
    assert "row 6, column 'given_name'" in errors[3] and "formula" in errors[3]
    rows = _report(workdir / "out")
    assert [(r["row"], r["status"]) for r in rows] == [
        ("2", "issued"), ("3", "failed"), ("4", "failed"), ("5", "failed"), ("6", "failed"),
        ("7", "issued")]
    assert all(r["reason"] for r in rows if r["status"] == "failed")
    assert "=cmd" not in (workdir / "out" / "report.csv").read_text()
    for r in rows:
        if r["status"] == "issued":
            assert verify(json.loads((workdir / "out" / r["file"]).read_text())).ok
    report = json.loads((workdir / "out" / "report.json").read_text())
    assert report["summary"]["failed"] == 4


def test_json_summary(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _csv(workdir / "one.csv", [COLUMNS, _learner(1)])
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", str(data), "--key",
                 "key.json", "-o", "out", "--format", "json", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["issued"] == 1 and out["failures"] == []


def test_starter_badge_signed_and_baked(workdir: Path) -> None:
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--key", "key.json", "--bake", "ob3/badge.png", "-o", "out"]) == 0
    [row] = _report(workdir / "out")
    document = json.loads((workdir / "out" / row["file"]).read_text())
    assert verify(document).ok
    from edc_issue.baking import unbake

    png = (workdir / "out" / row["file"]).with_suffix(".png").read_bytes()
    assert unbake(png) == document


def test_starter_badge_passes_the_ob3_schema(workdir: Path) -> None:
    validate = pytest.importorskip("edc_issue.validate").validate
    assert main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--key", "key.json", "-o", "out"]) == 0
    [row] = _report(workdir / "out")
    report = validate(json.loads((workdir / "out" / row["file"]).read_text()))
    assert report.ok, [f.message for f in report.findings if f.severity == "error"]


def _eseal_p12(folder: Path, password: str) -> tuple[Path, Any]:
    """A TEST-ONLY e-seal certificate (P-256) under a TEST-ONLY CA, as PKCS#12."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    def name(cn: str, org_id: str | None = None) -> x509.Name:
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "AL"),
                 x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edc-issue TEST university"),
                 x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if org_id:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id))
        return x509.Name(attrs)

    def usage(ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=not ca, content_commitment=not ca,
                             key_encipherment=False, data_encipherment=False,
                             key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                             encipher_only=False, decipher_only=False)

    start, end = datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2031, 1, 1,
                                                                     tzinfo=timezone.utc)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("TEST CA")).issuer_name(name("TEST CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(start)
          .not_valid_after(end)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(usage(True), critical=True).sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(name("TEST seal", "VATAL-TEST00001"))
            .issuer_name(ca.subject).public_key(leaf_key.public_key()).serial_number(2)
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(False), critical=True).sign(ca_key, hashes.SHA256()))
    p12 = folder / "seal.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"test", leaf_key, leaf, [ca], BestAvailableEncryption(password.encode())))
    return p12, ca


def test_starter_edc_sealed_with_status(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from edc_issue.seal import verify_envelope

    p12, ca = _eseal_p12(workdir, "test-only-password")
    monkeypatch.setenv("SEAL_PW", "test-only-password")
    rows = [COLUMNS] + [_learner(i) for i in range(5)]
    data = _csv(workdir / "learners.csv", rows)
    assert main(["status", "create", "--purpose", "revocation", "--key", "key.json",
                 "--id", LIST_URL, "-o", "list.json"]) == 0
    assert main(["issue", "--template", "edc/edc-microcredential.json", "--data", str(data),
                 "--p12", str(p12), "--password-env", "SEAL_PW", "--status-list", "list.json",
                 "-o", "sealed", "--jobs", "2"]) == 0
    report = _report(workdir / "sealed")
    assert len(report) == 5
    status_list = json.loads((workdir / "list.json").read_text())
    for row in report:
        envelope = json.loads((workdir / "sealed" / row["file"]).read_text())
        result = verify_envelope(envelope, trust=[ca])
        assert result.ok, [c for c in result.checks if not c.ok]
        [status] = check_status(envelope, lists=[status_list])
        assert status.ok
        payload = json.loads(envelope["payload"])
        assert payload["issuer"]["legalName"] == {"en": "University of Tirana",
                                                  "sq": "Universiteti i Tiranës"}
    assert main(["status", "revoke", "list.json", "--key", "key.json", "--credential",
                 str(workdir / "sealed" / report[0]["file"])]) == 0
    status_list = json.loads((workdir / "list.json").read_text())
    revoked = [json.loads((workdir / "sealed" / r["file"]).read_text()) for r in report]
    assert [check_status(e, lists=[status_list])[0].ok for e in revoked] == [
        False, True, True, True, True]


def test_starter_edc_sample_passes_the_edc_shapes_when_sealed(workdir: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    from edc_issue import verify

    p12, ca = _eseal_p12(workdir, "pw")
    monkeypatch.setenv("SEAL_PW", "pw")
    assert main(["issue", "--template", "edc/edc-microcredential.json", "--data",
                 "edc/learners.csv", "--p12", str(p12), "--password-env", "SEAL_PW",
                 "-o", "sealed"]) == 0
    [row] = _report(workdir / "sealed")
    envelope = json.loads((workdir / "sealed" / row["file"]).read_text())
    result = verify(envelope, trust=[ca])  # the seal and the EDC SHACL shapes
    assert result.ok, [c for c in result.checks if not c.ok]


@pytest.mark.parametrize(("args", "fragment"), [
    (["--key", "key.json", "--p12", "x.p12"], "exactly one of --key"),
    ([], "exactly one of --key"),
    (["--key", "key.json", "--bake", "x.png", "--p12", "y"], "exactly one"),
])
def test_usage_errors(workdir: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                      fragment: str) -> None:
    code = main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "-o", "out", *args])
    assert code == 2 and fragment in capsys.readouterr().err


def test_a_missing_column_is_exit_2_before_issuing(workdir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    data = _csv(workdir / "typo.csv", [[c if c != "email" else "e-mail" for c in COLUMNS],
                                       _learner(1)])
    code = main(["issue", "--template", "ob3/ob3-badge.json", "--data", str(data), "--key",
                 "key.json", "-o", "out"])
    err = capsys.readouterr().err
    assert code == 2 and "{{email}}" in err and "did you mean 'e-mail'" in err
    assert "Traceback" not in err
    assert not (workdir / "out").exists()


def test_unreadable_inputs_are_exit_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--data", "missing.csv", "--key", "key.json"],
                 ["--data", "ob3/learners.csv", "--key", "missing.json"],
                 ["--data", "ob3/learners.csv", "--key", "key.json", "--status-list", "no.json"]):
        code = main(["issue", "--template", "ob3/ob3-badge.json", "-o", "out", *args])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error:") and "Traceback" not in err, err


def test_a_list_without_allocation_record_is_refused(workdir: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "create", "--purpose", "revocation", "--key", "key.json",
                 "-o", "list.json"]) == 0
    (workdir / "list.allocations.json").unlink()
    code = main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--key", "key.json", "--status-list", "list.json", "-o", "out"])
    assert code == 2 and "no allocation record" in capsys.readouterr().err


def test_status_create_and_show(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "create", "--purpose", "suspension", "--size", "200000", "--key",
                 "key.json", "--id", LIST_URL, "-o", "list.json"]) == 0
    document = json.loads((workdir / "list.json").read_text())
    assert document["credentialSubject"]["statusPurpose"] == "suspension"
    assert document["issuer"] == "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert verify(document).ok
    capsys.readouterr()
    assert main(["status", "show", "list.json", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["size"] == 200000 and shown["allocated"] == 0 and shown["set"] == 0
    # never replaced: old indexes would be handed out again
    assert main(["status", "create", "--purpose", "suspension", "--key", "key.json",
                 "-o", "list.json"]) == 2
    assert main(["status", "create", "--purpose", "revocation", "--size", "1000", "--key",
                 "key.json", "-o", "small.json"]) == 2
    assert "at least 131,072" in capsys.readouterr().err


def test_status_suspend_and_unsuspend(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "create", "--purpose", "suspension", "--key", "key.json",
                 "--id", LIST_URL, "-o", "list.json"]) == 0
    # an index never handed out: refused unless --force
    assert main(["status", "suspend", "list.json", "--key", "key.json", "7"]) == 2
    assert "never given" in capsys.readouterr().err
    assert main(["status", "suspend", "list.json", "--key", "key.json", "--force", "7"]) == 0
    assert main(["status", "show", "list.json", "7"]) == 0
    assert "7: set" in capsys.readouterr().out
    assert main(["status", "unsuspend", "list.json", "--key", "key.json", "--force", "7"]) == 0
    assert main(["status", "show", "list.json", "7"]) == 0
    assert "7: not set" in capsys.readouterr().out
    assert verify(json.loads((workdir / "list.json").read_text())).ok
    # a revocation cannot be undone, and a suspension list cannot be "unsuspended" in revoke
    assert main(["status", "revoke", "list.json", "--key", "key.json", "--force",
                 "131072"]) == 2


def test_template_init_refuses_to_overwrite(workdir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "init", "--ob3", "-o", "ob3"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["template", "init", "--ob3", "-o", "ob3", "--force"]) == 0
    assert main(["template", "init", "-o", "x"]) == 2


def test_template_init_takes_one_kind(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["template", "init", "--edc", "--ob3", "-o", "both"]) == 2
    assert "--edc or --ob3" in capsys.readouterr().err
    assert not (workdir / "both").exists()


UPLOAD_SAMPLE = ROOT / "tests" / "fixtures" / "edc-samples" / "eu-elm-support" / \
    "AA-Annex1-MC-unsigned.json"


def test_the_eu_upload_format_as_a_template(workdir: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The EU issuer's ``{"credential", "deliveryDetails"}`` upload: sealed without the wrapper."""
    p12, ca = _eseal_p12(workdir, "pw")
    monkeypatch.setenv("SEAL_PW", "pw")
    upload = json.loads(UPLOAD_SAMPLE.read_text(encoding="utf-8"))
    upload["deliveryDetails"]["deliveryAddress"] = ["{{email}}"]
    (workdir / "upload.json").write_text(json.dumps(upload), encoding="utf-8")
    data = _csv(workdir / "learners.csv", [COLUMNS, _learner(1), _learner(2)])
    assert main(["issue", "--template", "upload.json", "--data", str(data), "--p12", str(p12),
                 "--password-env", "SEAL_PW", "--name-from", "student_id", "-o", "sealed",
                 "--quiet"]) == 0
    rows = _report(workdir / "sealed")
    assert [r["status"] for r in rows] == ["issued", "issued"]
    for i, row in zip((1, 2), rows, strict=True):
        envelope = json.loads((workdir / "sealed" / row["file"]).read_text())
        result = verify(envelope, trust=[ca])  # the seal and the EDC SHACL shapes
        assert result.ok, [c for c in result.checks if not c.ok]
        payload = json.loads(envelope["payload"])
        assert "deliveryDetails" not in payload and "credential" not in payload
        assert payload["@context"] == ["https://www.w3.org/2018/credentials/v1",
                                       "http://data.europa.eu/snb/model/context/edc-ap"]
        assert payload["type"] == upload["credential"]["type"]
        beside = workdir / "sealed" / f"UT-{i:05d}.deliveryDetails.json"
        delivery = json.loads(beside.read_text(encoding="utf-8"))
        assert delivery["deliveryAddress"] == [f"learner{i}@example.org"]
        assert delivery["displayDetails"] == upload["deliveryDetails"]["displayDetails"]


def test_a_name_from_column_that_is_missing_is_exit_2(workdir: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(["issue", "--template", "ob3/ob3-badge.json", "--data", "ob3/learners.csv",
                 "--key", "key.json", "--name-from", "studentid", "-o", "out"])
    err = capsys.readouterr().err
    assert code == 2 and "--name-from 'studentid'" in err and "student_id" in err
    assert err.count("\n") == 1 and not (workdir / "out").exists()
