"""The offline loader serves bundled contexts only, parsed once, and refuses the rest at once."""

from __future__ import annotations

import time

import pytest

from edc_issue import OfflineLoader, to_nquads
from edc_issue._net import UrllibFetcher
from edc_issue.errors import ContextError
from edc_issue.jsonld import bundled_contexts, default_loader


def test_serves_every_bundled_context() -> None:
    loader = OfflineLoader()
    for url in bundled_contexts():
        doc = loader(url, {})
        assert doc["documentUrl"] == url
        assert isinstance(doc["document"], dict)


def test_bundled_documents_are_parsed_once() -> None:
    loader = default_loader()
    first = loader.get("https://www.w3.org/ns/credentials/v2")
    assert OfflineLoader().get("https://www.w3.org/ns/credentials/v2") is first


def test_unknown_url_is_refused_at_once_naming_the_url() -> None:
    url = "https://example.com/contexts/unknown-v1.jsonld"
    start = time.perf_counter()
    with pytest.raises(ContextError) as info:
        OfflineLoader().get(url)
    assert time.perf_counter() - start < 1.0
    assert info.value.code == "jsonld.context_not_allowed"
    assert url in str(info.value)


def test_unknown_context_in_a_document_fails_fast_naming_the_url() -> None:
    url = "https://contexts.example.org/never-bundled.jsonld"
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2", url], "type": "Thing"}
    start = time.perf_counter()
    for strict in (True, False):
        with pytest.raises(ContextError) as info:
            to_nquads(doc, strict=strict)
        assert url in str(info.value)
    assert time.perf_counter() - start < 1.0


def test_added_documents_are_served() -> None:
    url = "https://example.org/private/v1"
    loader = OfflineLoader({url: {"@context": {"foo": "https://example.org/vocab#foo"}}})
    doc = {"@context": url, "@id": "urn:x", "foo": "bar"}
    assert to_nquads(doc, loader=loader) == '<urn:x> <https://example.org/vocab#foo> "bar" .\n'
    with pytest.raises(ContextError):
        to_nquads(doc)  # the default loader does not know it


def test_network_fetch_is_opt_in_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[str] = []

    class FakeResponse:
        def __init__(self, body: bytes) -> None:
            self.body = body

        def read(self, n: int) -> bytes:
            return self.body[:n]

        def __enter__(self) -> FakeResponse:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def fake_urlopen(request: object, timeout: float) -> FakeResponse:
        fetched.append(getattr(request, "full_url", ""))
        assert timeout == 3.0
        return FakeResponse(b'{"@context": {"x": "https://example.org/x"}}')

    # the loader fetches through the default Fetcher, which opens the connection here
    monkeypatch.setattr(UrllibFetcher, "_open",
                        lambda self, request, timeout: fake_urlopen(request, timeout))
    loader = OfflineLoader(allow_network=True, timeout=3.0)
    with pytest.warns(UserWarning, match="fetching JSON-LD context"):
        doc = loader.get("https://example.org/ctx")
    assert doc == {"@context": {"x": "https://example.org/x"}}
    assert fetched == ["https://example.org/ctx"]
    small = OfflineLoader(allow_network=True, timeout=3.0, max_bytes=10)
    with pytest.warns(UserWarning), pytest.raises(ContextError) as info:
        small.get("https://example.org/other")
    assert info.value.code == "jsonld.context_fetch_failed"
