"""Per-provider rate limits shared by every job of a run: requests per minute and concurrency."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Spaces request starts at least ``60 / rpm`` seconds apart and caps requests in flight."""

    def __init__(
        self,
        requests_per_minute: float | None,
        max_concurrent: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / requests_per_minute if requests_per_minute else 0.0
        self._slots = threading.BoundedSemaphore(max(1, max_concurrent))
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._clock = clock
        self._sleep = sleep

    def acquire(self) -> None:
        self._slots.acquire()
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start)
            self._next_start = start + self.interval
        if start > now:
            self._sleep(start - now)

    def release(self) -> None:
        self._slots.release()


_SHARED: dict[tuple[str, float | None, int], RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(
    endpoint: str, requests_per_minute: float | None, max_concurrent: int
) -> RateLimiter:
    """The one limiter of this process for an endpoint and its limits."""
    key = (endpoint, requests_per_minute, max_concurrent)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = RateLimiter(requests_per_minute, max_concurrent)
        return _SHARED[key]
