"""The per-provider rate limiter: spacing of request starts and the concurrency cap."""

from __future__ import annotations

import threading
import time

from rubric.llm.ratelimit import RateLimiter, shared_limiter


def test_requests_per_minute_spaces_starts() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(
        requests_per_minute=120, max_concurrent=10, clock=lambda: now[0], sleep=sleep
    )
    for _ in range(4):
        limiter.acquire()
        limiter.release()
    assert slept == [0.5, 0.5, 0.5]  # 120/min = one start every 0.5 s


def test_concurrency_cap() -> None:
    limiter = RateLimiter(None, max_concurrent=2)
    inside = 0
    peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, peak
        limiter.acquire()
        with lock:
            inside += 1
            peak = max(peak, inside)
        time.sleep(0.02)
        with lock:
            inside -= 1
        limiter.release()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2


def test_one_limiter_per_endpoint_and_limits() -> None:
    a = shared_limiter("https://api.example/v1", 60, 4)
    assert shared_limiter("https://api.example/v1", 60, 4) is a
    assert shared_limiter("https://other.example/v1", 60, 4) is not a
