"""One provider over HTTP: a requests.Session, a deadline per call, retries with backoff, typed
errors.

One retry policy for every transport fault: a refused or dropped connection, a body cut short, a
body that is not UTF-8 or not JSON (an HTML error page, a nesting bomb), 429 and 5xx all count as
"try again" until ``max_retries`` is spent. ``timeout_s`` bounds the whole call (connect, headers
and body), so a server that trickles its answer a byte at a time cannot hold a job.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
import urllib3

from rubric.core.errors import FatalJudgeError, JudgeError, redact, register_secret
from rubric.llm.config import JudgeConfig
from rubric.llm.prompt import Prompt
from rubric.llm.providers import WIRES
from rubric.llm.providers.common import Completion
from rubric.llm.ratelimit import RateLimiter, shared_limiter

# No provider answers a scoring request with more than a few hundred KiB.
MAX_BODY_BYTES = 16 * 2**20
_CHUNK = 64 * 1024
_UNSENDABLE = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidHeader,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)


class _Transient(Exception):
    """A fault worth another attempt; the message is safe to show (it never holds the key)."""


def header_safe(value: str) -> bool:
    """Whether ``value`` can be sent as an HTTP header value as it is (printable ASCII, no
    surrounding whitespace): a key with a trailing newline cannot, and requests would put it in
    its error message."""
    return value == value.strip() and all(" " <= c <= "~" for c in value)


def _read_body(resp: requests.Response, deadline: float, timeout_s: float) -> bytes:
    """The whole body, read chunk by chunk so the deadline and the size cap are checked as it
    arrives."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise _Transient(f"no complete answer within {timeout_s:g}s")
        chunk = resp.raw.read1(_CHUNK, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Transient(f"response body larger than {MAX_BODY_BYTES // 2**20} MiB")
        chunks.append(chunk)


def _decode_json(raw: bytes) -> Any:
    """The body as JSON, or :class:`_Transient` naming why it is not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Transient("response body is not valid UTF-8") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise _Transient("response body is JSON nested too deeply to read") from None
    except ValueError:
        start = " ".join(text[:60].split())
        raise _Transient(f"response body is not JSON (starts with {start!r})") from None


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
        """The key from its variable; refused (without showing it) when it cannot be sent."""
        env = self.cfg.api_key_env
        if not env:
            return None
        key = os.environ.get(env)
        if not key:
            raise FatalJudgeError(
                "auth", f"environment variable {env} is not set (it should hold the API key)"
            )
        register_secret(key)
        if not header_safe(key):
            raise FatalJudgeError(
                "auth",
                f"environment variable {env} holds a value that cannot be sent as an HTTP "
                "header (a line break, surrounding whitespace or a non-ASCII character): "
                "set it to the bare key",
            )
        return key

    def _backoff(self, attempt: int) -> float:
        # Full jitter: uniform in [0, base * 2^attempt], capped.
        return self._rng.uniform(
            0, min(self.cfg.backoff_max_s, self.cfg.backoff_base_s * 2**attempt)
        )

    def _exchange(
        self, url: str, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, str], bytes]:
        """One POST within ``timeout_s``: (status, lower-cased headers, body bytes)."""
        timeout_s = self.cfg.timeout_s
        deadline = time.monotonic() + timeout_s
        try:
            resp = self.session.post(
                url, headers=headers, json=body, timeout=timeout_s, stream=True
            )
            with resp:
                raw = _read_body(resp, deadline, timeout_s)
        except requests.Timeout:
            raise _Transient(f"no answer within {timeout_s:g}s") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Transient(f"connection failed: {exc.__class__.__name__}") from None
        except _UNSENDABLE as exc:
            # Not a transport fault: retrying cannot help. Its text may quote the URL or a header.
            raise JudgeError(
                redact(f"{self.cfg.provenance}: request not sent: {exc.__class__.__name__}: {exc}")
            ) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _Transient(f"connection broke while reading: {exc.__class__.__name__}") from None
        lowered = {k.lower(): v for k, v in resp.headers.items()}
        return resp.status_code, lowered, raw

    def _attempt(
        self, url: str, headers: dict[str, str], body: dict[str, Any], key: str | None
    ) -> Completion | tuple[str, float | None]:
        """One try: the completion, or (why it failed, the delay the server asked for)."""
        try:
            status, resp_headers, raw = self._exchange(url, headers, body)
            if status == 200:
                try:
                    return self._parse(_decode_json(raw))
                except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                    return "HTTP 200 with a body that is not the provider's response format", None
            try:
                payload: Any = _decode_json(raw)
            except _Transient:
                payload = raw[:300].decode("utf-8", "replace")
        except _Transient as exc:
            return str(exc), None
        verdict = self._classify(status, resp_headers, payload)
        message = redact(verdict.message, key)
        if verdict.kind in ("auth", "quota"):
            raise FatalJudgeError(verdict.kind, f"{self.cfg.provenance}: {message}")
        if verdict.kind == "fatal_request":
            raise JudgeError(f"{self.cfg.provenance}: request refused: {message}")
        return message, verdict.delay_s

    def complete(self, prompt: Prompt, schema: dict[str, Any]) -> Completion:
        """One answer, retrying transport faults, 429s and 5xx up to ``max_retries`` times."""
        key = self._api_key()
        url, headers, body = self._build(self.cfg, prompt, schema, key)
        last = ""
        for attempt in range(self.cfg.max_retries + 1):
            self.limiter.acquire()
            try:
                with self._lock:
                    self.calls += 1
                outcome = self._attempt(url, headers, body, key)
            finally:
                self.limiter.release()
            if isinstance(outcome, Completion):
                return outcome
            last, delay = outcome
            if attempt < self.cfg.max_retries:
                wait = delay if delay is not None else self._backoff(attempt)
                self._sleep(min(wait, self.cfg.backoff_max_s))
        raise JudgeError(
            f"{self.cfg.provenance}: gave up after {self.cfg.max_retries + 1} attempts: {last}"
        )
