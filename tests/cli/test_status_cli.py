"""``edc-issue status``: a list changes only with its own key; files a publisher can serve;
``--credential`` reads any container; an index already set says so."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import edc_issue
from edc_issue import Key, baking, sign, verify
from edc_issue.cli import main
from edc_issue.keys import generate_key, load_key

LIST_URL = "https://example.edu/status/1"
SRC = Path(edc_issue.__file__).parent


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _key(path: Path, kind: str = "ed25519") -> Key:
    key = generate_key(kind)
    path.write_text(json.dumps(key.to_multikey(include_secret=True)))
    return key


@pytest.fixture
def listdir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    _key(tmp_path / "key.json")
    code, _, err = run(capsys, "status", "create", "--purpose", "revocation", "--key",
                       tmp_path / "key.json", "--id", LIST_URL, "-o", tmp_path / "list.json")
    assert code == 0, err
    return tmp_path


def _credential(tmp_path: Path, index: int, name: str = "cred.json") -> Path:
    key = load_key(tmp_path / "key.json")
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": key.controller,
        "credentialSubject": {"id": "did:example:learner"},
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                             "statusListIndex": str(index), "statusListCredential": LIST_URL},
    }
    path = tmp_path / name
    path.write_text(json.dumps(sign(credential, key)))
    return path


@pytest.mark.parametrize("action", ["revoke", "suspend"])
@pytest.mark.parametrize("other", ["new-key", "same-did-other-vm"])
def test_a_change_with_another_key_is_refused(listdir: Path, action: str, other: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    if action == "suspend":
        assert run(capsys, "status", "create", "--purpose", "suspension", "--key",
                   listdir / "key.json", "--id", LIST_URL + "s", "-o",
                   listdir / "susp.json")[0] == 0
    target = listdir / ("list.json" if action == "revoke" else "susp.json")
    if other == "new-key":
        _key(listdir / "other.json")
    else:
        # the list's own controller, but a key the list was never signed with
        mine = json.loads((listdir / "key.json").read_text())
        fresh = generate_key("ed25519", id=mine["controller"] + "#other",
                             controller=mine["controller"])
        (listdir / "other.json").write_text(json.dumps(fresh.to_multikey(include_secret=True)))
    before = target.read_bytes()
    code, out, err = run(capsys, "status", action, target, "--key", listdir / "other.json",
                         "--force", "5")
    assert code == 2, out + err
    assert "[status.wrong_key]" in err and str(target) in err
    assert "Traceback" not in err
    assert target.read_bytes() == before


def test_the_list_s_own_key_still_works(listdir: Path, capsys: pytest.CaptureFixture[str]
                                        ) -> None:
    code, _, err = run(capsys, "status", "revoke", listdir / "list.json", "--key",
                       listdir / "key.json", "--force", "5")
    assert code == 0, err
    assert verify(json.loads((listdir / "list.json").read_text())).ok


def test_list_files_are_public_and_leave_no_lock_file(listdir: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    old = os.umask(0o022)
    try:
        assert run(capsys, "status", "revoke", listdir / "list.json", "--key",
                   listdir / "key.json", "--force", "7")[0] == 0
    finally:
        os.umask(old)
    mode = stat.S_IMODE((listdir / "list.json").stat().st_mode)
    assert mode == 0o644, oct(mode)
    assert sorted(p.name for p in listdir.iterdir()) == [
        "key.json", "list.allocations.json", "list.json"]


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_revoke_by_credential_reads_a_baked_badge(listdir: Path, kind: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    credential = json.loads(_credential(listdir, 42).read_text())
    image = (b"<svg xmlns='http://www.w3.org/2000/svg'/>" if kind == "svg"
             else (SRC / "templates" / "ob3-badge.png").read_bytes())
    baked = listdir / f"badge.{kind}"
    baked.write_bytes(baking.bake(image, credential))
    code, _, err = run(capsys, "status", "revoke", listdir / "list.json", "--key",
                       listdir / "key.json", "--force", "--credential", baked)
    assert code == 0, err
    result = verify(json.loads(_credential(listdir, 42).read_text()),
                    status_lists=[json.loads((listdir / "list.json").read_text())])
    assert not result.ok and any(c.code == "status.revoked" for c in result.checks)


def test_revoking_again_says_so_and_leaves_the_list(listdir: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "status", "revoke", listdir / "list.json", "--key",
               listdir / "key.json", "--force", "9")[0] == 0
    before = (listdir / "list.json").read_bytes()
    code, _, err = run(capsys, "status", "revoke", listdir / "list.json", "--key",
                       listdir / "key.json", "--force", "9")
    assert code == 0, err
    assert "already revoked" in err and "9" in err
    assert (listdir / "list.json").read_bytes() == before


# ---- verify --status-list: a list that cannot be used, --require-status -------------------


@pytest.mark.parametrize("content", ["", '{"@context": ["https://www.w3.org/ns/cre',
                                     "[1, 2]", "key"])
def test_verify_with_an_unusable_list_file_exits_2_naming_it(
        listdir: Path, content: str, capsys: pytest.CaptureFixture[str]) -> None:
    credential = _credential(listdir, 3)
    bad = listdir / "bad-list.json"
    bad.write_text((listdir / "key.json").read_text() if content == "key" else content)
    code, out, err = run(capsys, "verify", "--status-list", bad, credential)
    assert code == 2, out + err
    assert str(bad) in err and "Traceback" not in err
    assert err.rstrip().endswith("]")


def test_verify_with_another_issuer_s_list_fails(listdir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    credential = _credential(listdir, 3)
    _key(listdir / "other.json")
    assert run(capsys, "status", "create", "--purpose", "revocation", "--key",
               listdir / "other.json", "--id", "https://other.example/s/1", "-o",
               listdir / "other-list.json")[0] == 0
    code, out, err = run(capsys, "verify", "--status-list", listdir / "other-list.json",
                         credential)
    assert code == 1, out + err
    assert "NOT verified" in out and "status.list_mismatch" not in err


def test_require_status(listdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    credential = _credential(listdir, 3)
    code, out, _ = run(capsys, "verify", credential)
    assert code == 0 and "warning" in out
    code, out, _ = run(capsys, "verify", "--require-status", credential)
    assert code == 1 and "NOT verified" in out
    code, out, err = run(capsys, "verify", "--require-status", "--status-list",
                         listdir / "list.json", credential)
    assert code == 0, out + err
    assert run(capsys, "status", "revoke", listdir / "list.json", "--key",
               listdir / "key.json", "--force", "3")[0] == 0
    code, out, _ = run(capsys, "verify", "--require-status", "--status-list",
                       listdir / "list.json", credential)
    assert code == 1 and "revoked" in out


def test_render_names_a_status_list_file_that_is_no_list(listdir: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    credential = _credential(listdir, 3)
    code, out, err = run(capsys, "render", credential, "--status-list", listdir / "key.json",
                         "-o", listdir / "page.html")
    assert code == 2, out + err
    assert err.startswith(f"error: {listdir / 'key.json'}: not a status list")
    assert "[status.unreadable_list]" in err
    assert not (listdir / "page.html").exists()
