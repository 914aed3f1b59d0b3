"""The npm packages the wallet interop tests drive, installed once into
``tests/interop/.node_modules_cache`` (git-ignored), as the vc-js tests do.

Tests do not use the network unless asked: when a package is missing, the install runs
only with ``EDC_ISSUE_INTEROP_INSTALL=1``; otherwise, and where ``node``/``npm`` are
missing, the tests are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".node_modules_cache"

#: The SD-JWT VC reference library of the OpenWallet Foundation (0.20 asks for a
#: prerelease of @owf/token-status-list that the registry does not serve).
SD_JWT = ["@sd-jwt/sd-jwt-vc@0.19", "@sd-jwt/crypto-nodejs@0.19"]
#: The OpenID4VCI client library (openwallet-foundation-labs/oid4vc-ts).
OID4VCI = ["@openid4vc/openid4vci@0.4", "@openid4vc/oauth2@0.4", "@openid4vc/utils@0.4"]
#: vc-js and its cryptosuites, as tests/interop/test_vcjs.py installs them.
VCJS = [
    "@digitalbazaar/vc@7", "@digitalbazaar/data-integrity@2",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite@1", "@digitalbazaar/ecdsa-rdfc-2019-cryptosuite@1",
    "@digitalbazaar/ed25519-multikey@1", "@digitalbazaar/ecdsa-multikey@1",
]


def _name(spec: str) -> str:
    return spec.rsplit("@", 1)[0] if spec.count("@") > 1 or not spec.startswith("@") else spec


def ready(packages: list[str]) -> str | None:
    """Return None when *packages* can be imported by node from the cache, else why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "node and npm are not installed"
    missing = [p for p in packages if not (CACHE / "node_modules" / _name(p)).is_dir()]
    if not missing:
        return None
    if os.environ.get("EDC_ISSUE_INTEROP_INSTALL") != "1":
        return (f"{', '.join(_name(p) for p in missing)} not installed in {CACHE}; set "
                "EDC_ISSUE_INTEROP_INSTALL=1 to npm-install (needs the network)")
    CACHE.mkdir(exist_ok=True)
    if not (CACHE / "package.json").exists():
        (CACHE / "package.json").write_text(
            '{"name": "edc-issue-interop", "private": true, "type": "module"}\n')
    try:
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                        *missing], cwd=CACHE, check=True, capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"npm install of {', '.join(missing)} failed: {exc}"
    return None


def run_node(script_name: str, source: str, payload: Any, *, timeout: float = 120) -> Any:
    """Write *source* as CACHE/script_name, run it with *payload* as JSON on stdin, and
    return the JSON object its last output line holds."""
    script = CACHE / script_name
    script.write_text(source)
    done = subprocess.run(["node", str(script)], input=json.dumps(payload), cwd=CACHE,
                          capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    return json.loads(lines[-1])


def loader_documents(*keys: Any) -> dict[str, Any]:
    """What a vc-js document loader needs offline: every bundled context, and the did:key
    documents (and their verification methods) of *keys*."""
    from edc_issue.jsonld.loader import bundled_contexts, context_file
    from edc_issue.keys import did_key_document

    documents = {url: json.loads(context_file(url).read_text()) for url in bundled_contexts()}
    for key in keys:
        did_doc = did_key_document(key.to_did_key())
        documents[did_doc["id"]] = did_doc
        for method in did_doc["verificationMethod"]:
            documents[method["id"]] = {"@context": "https://w3id.org/security/multikey/v1",
                                       **method}
    return documents
