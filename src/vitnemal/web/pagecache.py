"""Rendered pages kept for a short while in this process, for pages that depend only on what their key names.

A shared results page is the same for every anonymous visitor of the share in one language: the snapshot is frozen
when the share is made. Rendering it (the institutions, their courses, the translations) was most of a view's cost
under many recipients; a page found here is sent as it was rendered. The caller checks, on every request, that the
visitor may see the page before it asks for it here (a share ended is refused before its page is looked up), so a
kept page is never a reason to show one. Entries are bounded in total size and live a few minutes: what the process
keeps of a share's data is what it showed a moment ago. Nothing here is state: an empty cache renders again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable

MAX_BYTES = 16 * 1024 * 1024
TTL_S = 300.0


class PageCache:
    """``get(key)`` the page kept for ``key`` (None when there is none or it is older than ``ttl_s``); ``put``."""

    def __init__(self, max_bytes: int = MAX_BYTES, ttl_s: float = TTL_S) -> None:
        self.max_bytes, self.ttl_s = max_bytes, ttl_s
        self._pages: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0] > self.ttl_s:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, page: bytes) -> None:
        if len(page) > self.max_bytes // 8:  # one huge page must not push out everyone else's
            return
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = (time.monotonic(), page)
            self._bytes += len(page)
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def _drop(self, key: Hashable) -> None:
        self._bytes -= len(self._pages.pop(key)[1])
