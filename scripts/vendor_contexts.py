"""Refresh the bundled JSON-LD contexts in ``schemas/contexts/`` from a reference folder.

Maintainer tool, never run by the library or its tests. Usage::

    python scripts/vendor_contexts.py PATH/TO/reference

It copies every context named in ``contexts/index.json`` of the reference folder
and writes ``schemas/contexts/index.json`` mapping each URL to its file, sha256,
source (repository, path, commit) and licence, looked up by sha256 in the
reference manifests.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "schemas" / "contexts"

EDC_SOURCE = {
    "edc-ap-context-elm3.2.jsonld": (
        "european-commission-empl/European-Learning-Model@22dcce7b414ff13b5e653e1935321c30dc6a6a42"
        " (branch EDC-3.2-(LTS)): rdf/ap/edc/edc-ap-context.jsonld"
    ),
    "edc-ap-context-elm3.1.jsonld": (
        "european-commission-empl/European-Learning-Model@9d7c5d22002237c3afeb1750b7038e6fe2cdd371"
        ": rdf/ap/edc/edc-ap-context.jsonld"
    ),
}


def main(reference: Path) -> None:
    """Copy the contexts and write the manifest."""
    index = json.loads((reference / "contexts" / "index.json").read_text())
    manifest = json.loads((reference / "MANIFEST-openbadges-w3c.json").read_text())
    by_sha = {}
    for entry in manifest:
        by_sha.setdefault(entry["sha256"], entry)
    DEST.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict[str, str]] = {}
    files = {url: e["file"] for url, e in index.items()}
    files["urn:edc-issue:context:edc-ap:elm-3.1"] = "edc-ap-context-elm3.1.jsonld"
    for url, name in files.items():
        src = reference / "contexts" / name
        data = src.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        shutil.copyfile(src, DEST / name)
        if name in EDC_SOURCE:
            source, licence = EDC_SOURCE[name], "EUPL-1.2"
        else:
            m = by_sha[sha]
            source = f"{m['repo']}@{m['commit']}: {m['path']}"
            licence = m["license"]
        out[url] = {"file": name, "sha256": sha, "source": source, "licence": licence}
    (DEST / "index.json").write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(out)} contexts to {DEST}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
