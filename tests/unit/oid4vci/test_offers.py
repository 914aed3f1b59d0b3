"""Offer links, transaction codes and QR codes (read back with zbarimg where installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from edc_issue.oid4vci.errors import OID4VCIError
from edc_issue.oid4vci.offers import new_tx_code, offer_link, parse_offer_link, qr_code

LINK = offer_link("https://issuer.example/instance/uni/credential-offer/42")


def test_links() -> None:
    assert LINK == ("openid-credential-offer://?credential_offer_uri="
                    "https%3A%2F%2Fissuer.example%2Finstance%2Funi%2Fcredential-offer%2F42")
    assert parse_offer_link(LINK) == (
        "https://issuer.example/instance/uni/credential-offer/42", None)
    inline = offer_link(offer={"credential_issuer": "https://i", "a": "é"})
    assert parse_offer_link(inline) == (None, {"credential_issuer": "https://i", "a": "é"})
    assert offer_link("https://x", scheme="https://wallet.example/offer").startswith(
        "https://wallet.example/offer?credential_offer_uri=")
    with pytest.raises(OID4VCIError):
        offer_link()
    with pytest.raises(OID4VCIError):
        parse_offer_link("openid-credential-offer://?nothing=1")


def test_tx_codes() -> None:
    codes = {new_tx_code() for _ in range(50)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 40
    assert len(new_tx_code(8)) == 8
    with pytest.raises(OID4VCIError):
        new_tx_code(3)


def test_qr_png_and_svg(tmp_path: Path) -> None:
    png = qr_code(LINK)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = qr_code(LINK, "svg", title="Your badge")
    assert svg.startswith(b"<svg") and b"<title>Your badge</title>" in svg
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg (zbar-tools) is not installed")
    (tmp_path / "offer.png").write_bytes(png)
    done = subprocess.run([zbarimg, "-q", "--raw", str(tmp_path / "offer.png")],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == LINK
