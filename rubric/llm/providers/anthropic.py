"""Anthropic Messages: the wire format (structured answers through forced tool use)."""

from __future__ import annotations

from typing import Any

from rubric.llm.config import JudgeConfig
from rubric.llm.prompt import Prompt
from rubric.llm.providers.common import (
    Completion,
    ErrorVerdict,
    Finish,
    content_parts,
    error_message,
    retry_after_seconds,
    structured_mode,
)

TOOL_NAME = "record_scores"
ANTHROPIC_VERSION = "2023-06-01"


def anthropic_request(
    cfg: JudgeConfig, prompt: Prompt, schema: dict[str, Any], api_key: str | None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    content = content_parts(
        prompt,
        lambda text: {"type": "text", "text": text},
        lambda img: {
            "type": "image",
            "source": {"type": "base64", "media_type": img.mime, "data": img.b64},
        },
    )
    body: dict[str, Any] = {
        "model": cfg.model,
        "max_tokens": cfg.max_tokens,
        "system": prompt.system,
        "messages": [{"role": "user", "content": content}],
    }
    # Only when configured: current models deprecate sampling parameters.
    if cfg.temperature is not None:
        body["temperature"] = cfg.temperature
    if cfg.top_p is not None:
        body["top_p"] = cfg.top_p
    if structured_mode(cfg) != "none":
        body["tools"] = [
            {
                "name": TOOL_NAME,
                "description": "Record the appearance scores.",
                "input_schema": schema,
            }
        ]
        body["tool_choice"] = {"type": "tool", "name": TOOL_NAME}
    headers = {"Content-Type": "application/json", "anthropic-version": ANTHROPIC_VERSION}
    if api_key:
        headers["x-api-key"] = api_key
    return f"{cfg.base_url}/v1/messages", headers, body


_ANTHROPIC_FINISH: dict[str, Finish] = {
    "end_turn": "stop",
    "tool_use": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "refusal": "refusal",
}


def anthropic_parse(body: Any) -> Completion:
    usage = body.get("usage") or {}
    reason = body.get("stop_reason")
    finish = _ANTHROPIC_FINISH.get(reason or "", "other")
    data = None
    texts = []
    for block in body.get("content") or []:
        if block.get("type") == "tool_use" and block.get("name") == TOOL_NAME:
            data = block.get("input")
        elif block.get("type") == "text":
            texts.append(block.get("text", ""))
    return Completion(
        "".join(texts) or None, data, finish, _billed_input(usage), usage.get("output_tokens")
    )


def _billed_input(usage: dict[str, Any]) -> int | None:
    """Input tokens as billed: uncached plus those written to and read from the prompt cache."""
    keys = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    counts = [usage.get(k) for k in keys]
    if all(c is None for c in counts):
        return None
    return sum(int(c or 0) for c in counts)


def anthropic_error(status: int, headers: dict[str, str], body: Any) -> ErrorVerdict:
    err = body.get("error", {}) if isinstance(body, dict) else {}
    err = err if isinstance(err, dict) else {}
    kind = str(err.get("type", ""))
    message = error_message(body)
    if status in (401, 403) or kind in ("authentication_error", "permission_error"):
        return ErrorVerdict("auth", f"authentication failed (HTTP {status}): {message}")
    if kind == "billing_error" or (status == 400 and "credit balance" in message.lower()):
        return ErrorVerdict("quota", f"quota exhausted: {message}")
    if status in (429, 529) or status >= 500:
        return ErrorVerdict(
            "retry", f"HTTP {status}: {message}", retry_after_seconds(headers.get("retry-after"))
        )
    return ErrorVerdict("fatal_request", f"HTTP {status}: {message}")
