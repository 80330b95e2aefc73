"""The page cache keeps a rendered page for its key a few minutes, within a bound on its total size."""

from __future__ import annotations

import pytest

from vitnemal.web import pagecache
from vitnemal.web.pagecache import PageCache


def test_a_page_is_found_by_its_own_key_only() -> None:
    cache = PageCache()
    cache.put(("share", 1, "nb", ""), b"<p>bokmal</p>")
    assert cache.get(("share", 1, "nb", "")) == b"<p>bokmal</p>"
    assert cache.get(("share", 1, "en", "")) is None and cache.get(("share", 2, "nb", "")) is None


def test_the_oldest_used_pages_go_first_when_the_bound_is_reached() -> None:
    cache = PageCache(max_bytes=8 * 100)
    for n in range(8):
        cache.put(n, bytes(100))
    assert cache.get(0) is not None  # used: now the newest
    cache.put(8, bytes(100))
    assert cache.get(1) is None and cache.get(0) is not None and cache.get(8) is not None
    cache.put("huge", bytes(101))  # more than an eighth of the bound: never kept
    assert cache.get("huge") is None and cache.get(2) is not None


def test_a_page_older_than_its_time_is_rendered_again(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    cache = PageCache(ttl_s=300)
    cache.put("k", b"page")
    clock[0] += 299
    assert cache.get("k") == b"page"
    clock[0] += 2
    assert cache.get("k") is None
    cache.put("k", b"new")  # what was dropped is not counted any more
    assert cache.get("k") == b"new" and cache._bytes == 3
