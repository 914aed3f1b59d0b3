"""The HTML page: self-contained (no script, no request to any other host, checked in
headless Chromium's network log), accessible (lang, alt, landmarks), the same content as
the PDF; and the pictures of the pages, compared with the reference images.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from edc_issue import render, verify

# what the machine notes say headless Chromium needs here (no sandbox as root, no
# background traffic); the resolver rule makes any other host unreachable as well
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--force-device-scale-factor=1",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


class _Log(SimpleHTTPRequestHandler):
    paths: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        self.paths.append(self.path)


@pytest.fixture
def server(tmp_path: Path, socket_enabled: Any) -> Iterator[tuple[str, list[str], Path]]:
    """An HTTP server on 127.0.0.1 serving tmp_path/site, and the paths it was asked for."""
    site = tmp_path / "site"
    site.mkdir()
    paths: list[str] = []
    handler = type("Handler", (_Log,), {"paths": paths})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", paths, site
    finally:
        httpd.shutdown()
        httpd.server_close()


def _open_in_chromium(kit: SimpleNamespace, url: str, tmp_path: Path,
                      screenshot: Path) -> list[dict[str, Any]]:
    """Load *url* headless, take a screenshot; return the network log's request starts."""
    netlog = tmp_path / "netlog.json"
    subprocess.run([kit.tool("chromium", "chromium"), *CHROMIUM_FLAGS,
                    f"--user-data-dir={tmp_path / 'profile'}", f"--log-net-log={netlog}",
                    "--window-size=1000,1500", f"--screenshot={screenshot}", url],
                   capture_output=True, timeout=120, check=True)
    log = json.loads(netlog.read_text())
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    return [e["params"] for e in log["events"]
            if names.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in e.get("params", {})]


def _page_requests(requests: list[dict[str, Any]]) -> list[str]:
    """The URLs the page itself asked for (Chromium's own traffic has no origin)."""
    return [r["url"] for r in requests
            if r.get("initiator", "not an origin") != "not an origin"
            or "127.0.0.1" in r.get("network_isolation_key", "")]


class _Audit(HTMLParser):
    """What an accessibility and self-containment review looks at."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _audit(page: bytes) -> _Audit:
    audit = _Audit()
    audit.feed(page.decode("utf-8"))
    return audit


def test_the_html_page_loads_nothing_from_anywhere(kit: SimpleNamespace, sealed_sq: Any,
                                                  server: Any, tmp_path: Path) -> None:
    base, paths, site = server
    result = verify(render.read_source(sealed_sq.data).document, trust=[sealed_sq.anchor])
    page = render.render(sealed_sq.data, media_type="text/html", lang="sq",
                         verify_url=kit.VERIFY_URL, verification=result, now=kit.NOW)
    (site / "page.html").write_bytes(page)
    (kit.artifacts() / "microcredential-sq.html").write_bytes(page)
    shot = tmp_path / "html-sq.png"
    requests = _open_in_chromium(kit, f"{base}/page.html", tmp_path, shot)
    page_requests = _page_requests(requests)
    assert page_requests, "the network log shows no request of the page: the check is broken"
    assert all(url.startswith(base + "/") for url in page_requests), page_requests
    assert [p for p in paths if p != "/favicon.ico"] == ["/page.html"]
    kit.compare(shot, "html-sq.png")


def test_the_request_detector_sees_a_page_that_loads_from_elsewhere(
    kit: SimpleNamespace, server: Any, tmp_path: Path
) -> None:
    # the negative control: without our CSP, an external image is a request we must see
    base, _paths, site = server
    (site / "bad.html").write_text('<!DOCTYPE html><html lang="en"><body>'
                                   '<img src="https://cdn.example.org/logo.png" alt="x">'
                                   "</body></html>")
    requests = _open_in_chromium(kit, f"{base}/bad.html", tmp_path, tmp_path / "bad.png")
    assert "https://cdn.example.org/logo.png" in _page_requests(requests)


def test_html_is_self_contained_and_accessible(kit: SimpleNamespace, sealed_uk: Any) -> None:
    result = verify(render.read_source(sealed_uk.data).document, trust=[sealed_uk.anchor])
    page = render.render(sealed_uk.data, media_type="text/html", lang="uk",
                         verify_url=kit.VERIFY_URL, verification=result, now=kit.NOW)
    audit = _audit(page)
    tags = dict.fromkeys(tag for tag, _ in audit.tags)
    assert "script" not in tags and "link" not in tags and "iframe" not in tags
    html = next(attrs for tag, attrs in audit.tags if tag == "html")
    assert html["lang"] == "uk"
    csp = next(a for t, a in audit.tags if t == "meta" and a.get("http-equiv")
               == "Content-Security-Policy")
    assert (csp["content"] or "").startswith("default-src 'none'")
    for tag, attrs in audit.tags:
        if tag == "img":
            assert (attrs.get("src") or "").startswith("data:image/")
            assert attrs.get("alt"), attrs
        for name in ("src", "srcset", "poster", "data"):
            assert not (attrs.get(name) or "").startswith(("http:", "https:", "//")), attrs
        if tag == "a":
            assert attrs["href"] == kit.VERIFY_URL  # a link: nothing loads until followed
    assert "url(" not in page.decode("utf-8").split("<style>", 1)[1].split("</style>")[0]
    for landmark in ("header", "main", "footer", "h1"):
        assert landmark in tags
    qr = [a for t, a in audit.tags if t == "div" and a.get("role") == "img"]
    assert qr and kit.VERIFY_URL in (qr[0].get("aria-label") or "")
    text = " ".join(" ".join(audit.text).split())
    course = sealed_uk.course
    for expected in (course.learner, course.title, course.awarding_body, *course.outcomes,
                     kit.VERIFY_URL):
        assert expected in text
    # the ISCED-F label has no Ukrainian text: it is marked as English for screen readers
    assert any(t == "span" and a.get("lang") == "en" for t, a in audit.tags)


def test_html_failed_seal_says_not_verified(kit: SimpleNamespace, sealed_uk: Any) -> None:
    data = kit.tamper(sealed_uk.data, sealed_uk.course.learner_family, "Ґалаґан")
    result = verify(render.read_source(data).document, trust=[sealed_uk.anchor])
    page = render.render(data, media_type="text/html", lang="uk", verification=result,
                         now=kit.NOW).decode("utf-8")
    assert "НЕ перевірено" in page and 'class="verification state-failed"' in page
    assert 'class="verification state-verified"' not in page


@pytest.mark.parametrize("course", ["sq", "uk"])
def test_pdf_first_page_matches_its_reference(kit: SimpleNamespace, course: str,
                                              request: pytest.FixtureRequest,
                                              tmp_path: Path) -> None:
    sealed = request.getfixturevalue(f"sealed_{course}")
    result = verify(render.read_source(sealed.data).document, trust=[sealed.anchor])
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(render.render(sealed.data, lang=course, verify_url=kit.VERIFY_URL,
                                  verification=result, now=kit.NOW))
    subprocess.run([kit.tool("pdftoppm", "poppler-utils"), "-r", "72", "-png", "-f", "1",
                    "-l", "1", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    kit.compare(tmp_path / "page.png", f"pdf-{course}-page1.png")


def test_badge_pdf_first_page_matches_its_reference(kit: SimpleNamespace, badge_lt: Any,
                                                    tmp_path: Path) -> None:
    badge, data = badge_lt
    result = verify(badge)
    pdf = tmp_path / "badge.pdf"
    pdf.write_bytes(render.render(data, lang="lt", verify_url=kit.VERIFY_URL,
                                  verification=result, now=kit.NOW))
    subprocess.run([kit.tool("pdftoppm", "poppler-utils"), "-r", "72", "-png", "-f", "1",
                    "-l", "1", "-singlefile", str(pdf), str(tmp_path / "badge")], check=True)
    kit.compare(tmp_path / "badge.png", "pdf-badge-page1.png")


def test_a_different_page_does_not_match_a_reference(kit: SimpleNamespace, sealed_sq: Any,
                                                     tmp_path: Path) -> None:
    # the comparison can fail: the Ukrainian page is not the Albanian reference
    if not (kit.FIXTURES / "render" / "pdf-sq-page1.png").exists():
        pytest.skip("no reference images yet")
    pdf = tmp_path / "other.pdf"
    pdf.write_bytes(render.render(sealed_sq.data, lang="en", now=kit.NOW))
    subprocess.run([kit.tool("pdftoppm", "poppler-utils"), "-r", "72", "-png", "-f", "1",
                    "-l", "1", "-singlefile", str(pdf), str(tmp_path / "other")], check=True)
    with pytest.raises(AssertionError, match="differs from its reference"):
        kit.compare(tmp_path / "other.png", "pdf-sq-page1.png", may_update=False)


def test_the_html_page_prints_on_a4(kit: SimpleNamespace, sealed_uk: Any, server: Any,
                                    tmp_path: Path) -> None:
    base, _paths, site = server
    result = verify(render.read_source(sealed_uk.data).document, trust=[sealed_uk.anchor])
    (site / "page.html").write_bytes(render.render(
        sealed_uk.data, media_type="text/html", lang="uk", verify_url=kit.VERIFY_URL,
        verification=result, now=kit.NOW))
    printed = tmp_path / "printed.pdf"
    subprocess.run([kit.tool("chromium", "chromium"), *CHROMIUM_FLAGS,
                    f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={printed}", f"{base}/page.html"],
                   capture_output=True, timeout=120, check=True)
    info = subprocess.run([kit.tool("pdfinfo", "poppler-utils"), str(printed)],
                          capture_output=True, text=True, check=True).stdout
    assert "pts (A4)" in info, info
    assert "Pages:           1" in info, info
    text = " ".join(subprocess.run(["pdftotext", str(printed), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    for expected in (sealed_uk.course.learner, sealed_uk.course.title, "Перевірено"):
        assert expected in text
