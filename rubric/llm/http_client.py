"""One provider over HTTP: a requests.Session, timeouts, retries with backoff, typed errors."""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

from rubric.core.errors import FatalJudgeError, JudgeError, redact
from rubric.llm.config import JudgeConfig
from rubric.llm.prompt import Prompt
from rubric.llm.providers import WIRES
from rubric.llm.providers.common import Completion
from rubric.llm.ratelimit import RateLimiter, shared_limiter


class ProviderClient:
    """Sends prompts to one provider; counts every HTTP call it makes."""

    def __init__(
        self,
        cfg: JudgeConfig,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.cfg = cfg
        self.session = requests.Session()
        self.limiter = limiter or shared_limiter(
            cfg.base_url, cfg.requests_per_minute, cfg.max_concurrent
        )
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self.calls = 0
        self._build, self._parse, self._classify = WIRES[cfg.provider]

    def _api_key(self) -> str | None:
        if not self.cfg.api_key_env:
            return None
        key = os.environ.get(self.cfg.api_key_env)
        if not key:
            raise FatalJudgeError(
                "auth",
                f"environment variable {self.cfg.api_key_env} is not set "
                "(it should hold the API key)",
            )
        return key

    def _backoff(self, attempt: int) -> float:
        # Full jitter: uniform in [0, base * 2^attempt], capped.
        return self._rng.uniform(
            0, min(self.cfg.backoff_max_s, self.cfg.backoff_base_s * 2**attempt)
        )

    def complete(self, prompt: Prompt, schema: dict[str, Any]) -> Completion:
        """One answer, retrying 429s, 5xx, timeouts and connection errors up to ``max_retries``."""
        key = self._api_key()
        url, headers, body = self._build(self.cfg, prompt, schema, key)
        last = ""
        for attempt in range(self.cfg.max_retries + 1):
            delay: float | None = None
            self.limiter.acquire()
            try:
                with self._lock:
                    self.calls += 1
                resp = self.session.post(
                    url, headers=headers, json=body, timeout=self.cfg.timeout_s
                )
            except requests.Timeout:
                last = f"no answer within {self.cfg.timeout_s:g}s"
            except requests.ConnectionError as exc:
                last = redact(f"connection failed: {exc.__class__.__name__}", key)
            else:
                if resp.status_code == 200:
                    try:
                        return self._parse(resp.json())
                    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                        # An unparsable 200 is treated like a server hiccup.
                        last = "HTTP 200 with a body that is not the provider's response format"
                else:
                    try:
                        payload = resp.json()
                    except ValueError:
                        payload = resp.text[:300]
                    lowered = {k.lower(): v for k, v in resp.headers.items()}
                    verdict = self._classify(resp.status_code, lowered, payload)
                    message = redact(verdict.message, key)
                    if verdict.kind in ("auth", "quota"):
                        raise FatalJudgeError(verdict.kind, f"{self.cfg.provenance}: {message}")
                    if verdict.kind == "fatal_request":
                        raise JudgeError(f"{self.cfg.provenance}: request refused: {message}")
                    last, delay = message, verdict.delay_s
            finally:
                self.limiter.release()
            if attempt < self.cfg.max_retries:
                wait = delay if delay is not None else self._backoff(attempt)
                self._sleep(min(wait, self.cfg.backoff_max_s))
        raise JudgeError(
            f"{self.cfg.provenance}: gave up after {self.cfg.max_retries + 1} attempts: {last}"
        )
