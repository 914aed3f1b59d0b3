"""An installed wheel carries the bundled data and works without the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("edc_issue-*.whl")
    return built


def test_wheel_contains_every_bundled_context(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        index = json.loads(zf.read("edc_issue/schemas/contexts/index.json"))
    for entry in index.values():
        assert f"edc_issue/schemas/contexts/{entry['file']}" in names
    assert "edc_issue/py.typed" in names
    # the other bundled data: shapes, schemas, vocabularies, starter templates
    for folder in ("schemas/shacl/elm-3.2/", "schemas/shacl/elm-3.1/", "schemas/jsonschema/",
                   "schemas/vocabularies/", "templates/"):
        assert any(n.startswith(f"edc_issue/{folder}") for n in names), folder
    assert "edc_issue/schemas/shacl/elm-3.2/EDC-generic-full.ttl" in names
    assert "edc_issue/templates/ob3-badge.json" in names


def test_installed_wheel_works_without_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    code = (
        "import edc_issue, json, sys\n"
        "from edc_issue._resources import schemas_dir\n"
        "assert str(schemas_dir()).startswith(sys.argv[1]), schemas_dir()\n"
        "doc = {'@context': 'https://www.w3.org/ns/credentials/v2', 'id': 'urn:x',"
        " 'type': 'VerifiableCredential'}\n"
        "print(edc_issue.canonicalize_nquads(edc_issue.to_nquads(doc)), end='')\n"
        "badge = json.load(open(sys.argv[2]))\n"
        "report = edc_issue.validate(badge)\n"
        "assert report.ok and report.profile, report.to_json()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(site),
         str(ROOT / "examples" / "data" / "ob3-sample-unsigned.json")],
        capture_output=True, text=True, env=env,
        cwd=tmp_path, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "<urn:x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://www.w3.org/2018/credentials#VerifiableCredential> .\n"
    )


#: The import name of each distribution edc_issue imports (where they differ).
_IMPORT_NAMES = {"pyld": "pyld", "pydantic-core": "pydantic_core",
                 "typing-extensions": "typing_extensions", "pyoxigraph": "pyoxigraph",
                 "python-pkcs11": "pkcs11"}


def test_every_third_party_import_is_a_declared_dependency() -> None:
    import ast
    import re

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the 3.10 run skips this one

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"],
                *(d for extra in project.get("optional-dependencies", {}).values()
                  for d in extra)]
    names = {re.split(r"[<>=!\[; ]", d, maxsplit=1)[0].lower() for d in declared}
    importable = {_IMPORT_NAMES.get(n, n.replace("-", "_")) for n in names}
    stdlib = set(sys.stdlib_module_names)
    imported: dict[str, str] = {}
    for path in (ROOT / "src" / "edc_issue").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top not in stdlib and top != "edc_issue":
                    imported.setdefault(top, str(path.relative_to(ROOT)))
    undeclared = {m: where for m, where in imported.items() if m not in importable}
    assert not undeclared, f"declare these in pyproject.toml: {undeclared}"
