"""What every wire format shares: the parsed completion, error verdicts, Retry-After, content parts.

Pure functions, no I/O: each provider module turns a Prompt into (url, headers, body) and a
response (status, headers, JSON) into a Completion or an error verdict; rubric/llm/http_client.py
does the I/O.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from rubric.llm.config import JudgeConfig
from rubric.llm.prompt import PreparedImage, Prompt

Finish = Literal["stop", "length", "refusal", "other"]


@dataclass(frozen=True)
class Completion:
    """What one successful call returned."""

    text: str | None  # the answer as text (OpenAI, Gemini)
    data: Any  # or already-parsed JSON (Anthropic tool input)
    finish: Finish
    input_tokens: int | None
    output_tokens: int | None


@dataclass(frozen=True)
class ErrorVerdict:
    """How to treat a failed call: retry after ``delay_s`` (None: use backoff), or stop."""

    kind: Literal["retry", "auth", "quota", "fatal_request"]
    message: str
    delay_s: float | None = None


def structured_mode(cfg: JudgeConfig) -> str:
    if cfg.structured != "auto":
        return cfg.structured
    return "none" if cfg.provider == "openai-compatible" else "json_schema"


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


def error_message(body: Any) -> str:
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message") or err.get("type") or err.get("status") or "")[:300]
        return str(err)[:300]
    return str(body)[:300]


def content_parts(
    prompt: Prompt,
    text: Callable[[str], dict[str, Any]],
    image: Callable[[PreparedImage], dict[str, Any]],
) -> list[dict[str, Any]]:
    """The prompt's parts in order, each as the provider's text or image block."""
    return [image(p) if isinstance(p, PreparedImage) else text(p) for p in prompt.parts]
