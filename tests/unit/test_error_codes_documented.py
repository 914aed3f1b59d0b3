"""Every error and finding code used in src/ is listed in docs/errors.md."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_code_is_documented() -> None:
    script = ROOT / "scripts" / "error_codes.py"
    spec = importlib.util.spec_from_file_location("error_codes", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    codes = module.codes()
    assert len(codes) > 100
    text = (ROOT / "docs" / "errors.md").read_text()
    missing = {code: places[0] for code, places in codes.items() if f"`{code}`" not in text}
    assert not missing, f"document these codes in docs/errors.md: {missing}"
