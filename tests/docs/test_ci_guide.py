"""docs/validate-in-ci.md: the blocks that tests/docs/test_guides.py does not run.

- the GitHub Actions workflow (``yaml``): every ``run:`` step but the install, in a folder of
  credentials of every kind the guide lists (.json, .jsonld, .jwt, .png, .svg);
- the pre-commit configuration (``yaml``) and the ``shell`` block: a temporary git repository,
  a real ``pre-commit run`` of the hooks in ``.pre-commit-hooks.yaml`` (as a ``repo: local``
  hook with this environment's ``edc-issue``, so no network), and ``git ls-remote`` on this
  clone for the SHA to pin.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "validate-in-ci.md"
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
FIX = ROOT / "tests" / "fixtures" / "validate"
FENCE = re.compile(r"^```(yaml|shell)\n(.*?)^```", re.S | re.M)
SHA = re.compile(r"^[0-9a-f]{40}$")
BIN = Path(sys.executable).parent


def _blocks(lang: str, marker: str) -> list[str]:
    return [m.group(2) for m in FENCE.finditer(GUIDE.read_text(encoding="utf-8"))
            if m.group(1) == lang and marker in m.group(2)]


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", ""), **extra}
    env.pop("PRE_COMMIT", None)
    return env


def _sh(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def _credentials(folder: Path) -> dict[str, Path]:
    """A signed badge as JSON, JWT, baked PNG and SVG, and a sealed EDC (.jsonld)."""
    from edc_issue import generate_key, sign
    from edc_issue.baking import bake

    folder.mkdir(parents=True)
    badge = json.loads((FIX / "ob3" / "spec" / "02-sample-openbadgecredential.unsigned.json")
                       .read_text(encoding="utf-8"))
    key = generate_key("ed25519")
    signed = sign(badge, key, issuer_from_key=True)
    token = sign(badge, key, suite="vc-jwt", issuer_from_key=True)
    assert isinstance(signed, dict) and isinstance(token, str)
    files = {"json": folder / "badge.json", "jwt": folder / "badge.jwt",
             "png": folder / "badges" / "badge.png", "svg": folder / "badges" / "badge.svg",
             "jsonld": folder / "edc" / "sealed.jsonld"}
    files["png"].parent.mkdir()
    files["jsonld"].parent.mkdir()
    files["json"].write_text(json.dumps(signed), encoding="utf-8")
    files["jwt"].write_text(token + "\n", encoding="ascii")
    from PIL import Image

    image = folder / "plain.png"
    Image.new("RGB", (8, 8), "navy").save(image)
    files["png"].write_bytes(bake(image.read_bytes(), signed))
    image.unlink()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>'
    files["svg"].write_bytes(bake(svg, signed))
    shutil.copy(FIX / "edc" / "eu-elm-support" / "AA-Annex1-MC-signed.jsonld", files["jsonld"])
    return files


# ---- GitHub Actions ---------------------------------------------------------------------


def test_the_github_actions_workflow_runs(tmp_path: Path) -> None:
    (block,) = _blocks("yaml", "jobs:")
    workflow = yaml.safe_load(block)
    steps = workflow["jobs"]["validate"]["steps"]
    runs = [s["run"] for s in steps if "run" in s]
    install = [r for r in runs if r.startswith("pip install")]
    assert len(install) == 1, runs
    # the install names a git repository and a full commit SHA (nothing is on PyPI yet)
    pinned = re.fullmatch(r'pip install "edc-issue @ git\+\S+\.git@([0-9a-f]{40})"',
                          install[0])
    assert pinned, install[0]
    repo = tmp_path / "repo"
    files = _credentials(repo / "credentials")
    for script in (r for r in runs if r not in install):
        # the folder, not a pattern: every kind of credential file is found
        assert "credentials/" in script and "*" not in script, script
        proc = _sh(script, repo, _env())
        assert proc.returncode == 0, f"{script}\n{proc.stdout}\n{proc.stderr}"
    junit = ET.parse(repo / "validate.xml").getroot()
    cases = junit.findall(".//testcase")
    named = {c.get("name") for c in cases}
    assert len(cases) == len(files), named
    for kind, path in files.items():
        assert any(str(path.relative_to(repo)) in (n or "") for n in named), (kind, named)
    assert not junit.findall(".//failure")
    # a broken credential fails the job
    (repo / "credentials" / "broken.jwt").write_text("eyJhbGciOiJFZERTQSJ9.e30.AAAA\n")
    failed = [_sh(s, repo, _env()).returncode for s in runs if s not in install]
    assert all(code != 0 for code in failed), failed


# ---- pre-commit -------------------------------------------------------------------------


def _pre_commit() -> Path:
    exe = BIN / "pre-commit"
    if not exe.exists():
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return exe


def _local_config(config: dict[str, Any]) -> dict[str, Any]:
    """The guide's configuration with its edc-issue entry as a ``repo: local`` hook made of
    ``.pre-commit-hooks.yaml`` (this environment's edc-issue; nothing is fetched)."""
    try:  # pre-commit 4.4 renamed `system` to `unsupported` (the old name warns)
        from pre_commit.all_languages import languages
    except ImportError:  # older pre-commit
        languages = {}
    system = "unsupported" if "unsupported" in languages else "system"
    manifest = {h["id"]: h for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}
    (entry,) = config["repos"]
    assert SHA.match(str(entry["rev"])), "rev must be a full commit SHA"
    hooks = []
    for wanted in entry["hooks"]:
        hook = {**manifest[wanted["id"]], **wanted, "language": system}
        hook["entry"] = str(BIN / hook["entry"])  # edc-issue of this environment
        hooks.append(hook)
    return {"repos": [{"repo": "local", "hooks": hooks}]}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True,
                   capture_output=True, timeout=60)


def test_pre_commit_runs_the_hooks_on_every_credential_kind(tmp_path: Path) -> None:
    exe = _pre_commit()
    (config_block,) = _blocks("yaml", "repos:")
    (shell_block,) = _blocks("shell", "pre-commit run")
    repo = tmp_path / "repo"
    _credentials(repo / "credentials")
    (repo / "notes.json").write_text("not a credential, outside credentials/")
    (repo / "credentials" / "README.md").write_text("# not a credential file type\n")
    _git(repo, "init", "-q")
    config = _local_config(yaml.safe_load(config_block))
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _git(repo, "add", "-A")
    env = _env(EDC_ISSUE_REPO=str(ROOT), PRE_COMMIT_HOME=str(tmp_path / "cache"))
    env["PATH"] = str(exe.parent) + os.pathsep + env["PATH"]
    proc = _sh(shell_block, repo, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sha = proc.stdout.split()[0]
    assert SHA.match(sha), proc.stdout  # what to put in rev: this clone's HEAD
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    assert sha == head
    assert "Passed" in proc.stdout, proc.stdout
    assert (repo / ".git" / "hooks" / "pre-commit").exists()

    # every kind the guide names is checked: a broken .jwt fails, and so the commit
    (repo / "credentials" / "broken.jwt").write_text("eyJhbGciOiJFZERTQSJ9.e30.AAAA\n")
    _git(repo, "add", "-A")
    run = subprocess.run([str(exe), "run", "--all-files", "-v"], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "broken.jwt" in run.stdout and "Failed" in run.stdout
    for name in ("badge.json", "badge.jwt", "badge.png", "badge.svg", "sealed.jsonld"):
        assert name in run.stdout, (name, run.stdout)
    assert "notes.json" not in run.stdout  # files: ^credentials/
    assert "README.md" not in run.stdout  # the hook's suffixes hold under a files: of one's own
    commit = subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=t@example.org",
                             "commit", "-qm", "broken"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    assert commit.returncode != 0, commit.stdout + commit.stderr


def test_the_hooks_match_every_credential_suffix() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    for hook in manifest:
        pattern = re.compile(hook["files"])
        for name in ("a.json", "a.jsonld", "a.jwt", "a.png", "a.svg"):
            assert pattern.search(name), (hook["id"], name)
        assert "types_or" not in hook  # identify has no tag for .jwt: the suffixes decide
        exclude = re.compile(hook["exclude"])
        for name in ("credentials/a.json", "a.JSONLD", "b/a.jwt", "a.png", "a.svg"):
            assert not exclude.search(name), (hook["id"], name)
        for name in ("credentials/README.md", "report.csv", "a.json.bak", "jwt"):
            assert exclude.search(name), (hook["id"], name)
        assert hook["entry"].startswith("edc-issue validate")
