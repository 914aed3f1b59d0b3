"""Every ``sh`` and ``python`` block of the task guides in docs/ runs, in order, and succeeds.

Each guide runs in a fresh folder holding a copy of ``examples/``, with this
environment's ``edc-issue`` and ``python`` first on the PATH. Blocks meant to
show output only use other fence languages (``console``, ``text``, ``yaml``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDES = ["issue-an-edc.md", "seal-an-edc.md", "open-badges.md", "validate-in-ci.md",
          "batch-from-a-spreadsheet.md", "serve.md", "render.md", "wallets.md",
          "presentations.md", "verify.md"]
FENCE = re.compile(r"^```(sh|python)\n(.*?)^```", re.S | re.M)


def _blocks(guide: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(guide.read_text())]


@pytest.mark.parametrize("name", GUIDES)
def test_guide_commands_run(name: str, tmp_path: Path) -> None:
    blocks = _blocks(ROOT / "docs" / name)
    assert blocks, f"{name} has no runnable blocks"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "demo-out").mkdir()
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    env.pop("EDC_TEST_SEAL_PASSWORD", None)
    prelude = ""
    for lang, code in blocks:
        if "openssl " in code and shutil.which("openssl") is None:
            pytest.skip(f"{name} makes its test certificate with openssl, not installed here")
        if "softhsm2-util " in code and shutil.which("softhsm2-util") is None:
            pytest.skip(f"{name} uses SoftHSM2 (apt-get install softhsm2), not installed here")
        if lang == "sh":
            # exports carry over from one block to the next, as in one terminal
            prelude += "".join(line + "\n" for line in code.splitlines()
                               if line.startswith("export "))
            cmd = ["bash", "-e", "-o", "pipefail", "-c", prelude + code]
        else:
            cmd = [sys.executable, "-c", code]
        proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert proc.returncode == 0, (
            f"{name}: this {lang} block failed (exit {proc.returncode}):\n{code}\n"
            f"--- stdout\n{proc.stdout[-2000:]}\n--- stderr\n{proc.stderr[-2000:]}"
        )
        assert "Traceback" not in proc.stderr, proc.stderr
