"""The wire formats of the LLM providers: request bodies, response parsing, error classes.

Pure functions, no I/O: each provider turns a Prompt into (url, headers, body) and a response
(status, headers, JSON) into a Completion or an error verdict. rubric/http_client.py does the I/O.
"""

from __future__ import annotations

import email.utils
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

from rubric.config import JudgeConfig
from rubric.prompt import PreparedImage, Prompt

TOOL_NAME = "record_scores"
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


def _structured(cfg: JudgeConfig) -> str:
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


def _error_message(body: Any) -> str:
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            return str(err.get("message") or err.get("type") or err.get("status") or "")[:300]
        return str(err)[:300]
    return str(body)[:300]


# ---------------------------------------------------------------- OpenAI and OpenAI-compatible


def openai_request(
    cfg: JudgeConfig, prompt: Prompt, schema: dict[str, Any], api_key: str | None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    content: list[dict[str, Any]] = []
    for part in prompt.parts:
        if isinstance(part, PreparedImage):
            content.append(
                {"type": "image_url", "image_url": {"url": f"data:{part.mime};base64,{part.b64}"}}
            )
        else:
            content.append({"type": "text", "text": part})
    body: dict[str, Any] = {
        "model": cfg.model,
        "messages": [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": content},
        ],
        "temperature": cfg.temperature,
        "max_tokens": cfg.max_tokens,
    }
    if cfg.top_p is not None:
        body["top_p"] = cfg.top_p
    mode = _structured(cfg)
    if mode == "json_schema":
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "vfscore_answer", "schema": schema, "strict": True},
        }
    elif mode == "json_object":
        body["response_format"] = {"type": "json_object"}
    headers = {"Content-Type": "application/json"}
    url = f"{cfg.base_url}/chat/completions"
    if cfg.azure_api_version:
        url += f"?api-version={cfg.azure_api_version}"
        if api_key:
            headers["api-key"] = api_key
    elif api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return url, headers, body


def openai_parse(body: Any) -> Completion:
    choice = body["choices"][0]
    message = choice.get("message") or {}
    usage = body.get("usage") or {}
    reason = choice.get("finish_reason")
    finish: Finish = "stop" if reason == "stop" else "length" if reason == "length" else "other"
    if message.get("refusal"):
        finish = "refusal"
    if reason == "content_filter":
        finish = "refusal"
    return Completion(
        message.get("content"),
        None,
        finish,
        usage.get("prompt_tokens"),
        usage.get("completion_tokens"),
    )


def openai_error(status: int, headers: dict[str, str], body: Any) -> ErrorVerdict:
    err = body.get("error", {}) if isinstance(body, dict) else {}
    err = err if isinstance(err, dict) else {}
    code = str(err.get("code") or err.get("type") or "")
    message = _error_message(body)
    if status == 429 and code == "insufficient_quota":
        return ErrorVerdict("quota", f"quota exhausted: {message}")
    if status in (401, 403):
        return ErrorVerdict("auth", f"authentication failed (HTTP {status}): {message}")
    if status == 429 or status >= 500 or status == 408:
        return ErrorVerdict(
            "retry", f"HTTP {status}: {message}", retry_after_seconds(headers.get("retry-after"))
        )
    return ErrorVerdict("fatal_request", f"HTTP {status}: {message}")


# ---------------------------------------------------------------- Gemini


def _gemini_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Gemini's responseSchema is an OpenAPI subset: no additionalProperties."""
    out = {k: v for k, v in schema.items() if k != "additionalProperties"}
    if "properties" in out:
        out["properties"] = {k: _gemini_schema(v) for k, v in out["properties"].items()}
    return out


def gemini_request(
    cfg: JudgeConfig, prompt: Prompt, schema: dict[str, Any], api_key: str | None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for part in prompt.parts:
        if isinstance(part, PreparedImage):
            parts.append({"inline_data": {"mime_type": part.mime, "data": part.b64}})
        else:
            parts.append({"text": part})
    generation: dict[str, Any] = {"temperature": cfg.temperature, "maxOutputTokens": cfg.max_tokens}
    if cfg.top_p is not None:
        generation["topP"] = cfg.top_p
    if _structured(cfg) != "none":
        generation["responseMimeType"] = "application/json"
        if _structured(cfg) == "json_schema":
            generation["responseSchema"] = _gemini_schema(schema)
    body = {
        "systemInstruction": {"parts": [{"text": prompt.system}]},
        "contents": [{"role": "user", "parts": parts}],
        "generationConfig": generation,
    }
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["x-goog-api-key"] = api_key
    return f"{cfg.base_url}/v1beta/models/{cfg.model}:generateContent", headers, body


_GEMINI_FINISH: dict[str, Finish] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "refusal",
    "RECITATION": "refusal",
}


def gemini_parse(body: Any) -> Completion:
    usage = body.get("usageMetadata") or {}
    candidates = body.get("candidates") or []
    if not candidates:
        # A prompt blocked before generation: promptFeedback.blockReason.
        return Completion(
            None, None, "refusal", usage.get("promptTokenCount"), usage.get("candidatesTokenCount")
        )
    cand = candidates[0]
    reason = cand.get("finishReason")
    finish = _GEMINI_FINISH.get(reason or "", "other")
    parts = (cand.get("content") or {}).get("parts") or []
    text = "".join(p.get("text", "") for p in parts) or None
    return Completion(
        text, None, finish, usage.get("promptTokenCount"), usage.get("candidatesTokenCount")
    )


_DURATION = re.compile(r"^([0-9.]+)s$")


def gemini_error(status: int, headers: dict[str, str], body: Any) -> ErrorVerdict:
    err = body.get("error", {}) if isinstance(body, dict) else {}
    err = err if isinstance(err, dict) else {}
    message = _error_message(body)
    details = err.get("details") or []
    reasons = {d.get("reason") for d in details if isinstance(d, dict)}
    delay = None
    per_day = False
    for d in details:
        if not isinstance(d, dict):
            continue
        if str(d.get("@type", "")).endswith("RetryInfo"):
            m = _DURATION.match(str(d.get("retryDelay", "")))
            delay = float(m.group(1)) if m else None
        if str(d.get("@type", "")).endswith("QuotaFailure"):
            per_day = any(
                "PerDay" in str(v.get("quotaId", ""))
                for v in d.get("violations", [])
                if isinstance(v, dict)
            )
    if "API_KEY_INVALID" in reasons or status in (401, 403):
        return ErrorVerdict("auth", f"authentication failed (HTTP {status}): {message}")
    if status == 429 and per_day:
        return ErrorVerdict("quota", f"quota exhausted: {message}")
    if status == 429 or status >= 500:
        return ErrorVerdict(
            "retry",
            f"HTTP {status}: {message}",
            delay if delay is not None else retry_after_seconds(headers.get("retry-after")),
        )
    return ErrorVerdict("fatal_request", f"HTTP {status}: {message}")


# ---------------------------------------------------------------- Anthropic


ANTHROPIC_VERSION = "2023-06-01"


def anthropic_request(
    cfg: JudgeConfig, prompt: Prompt, schema: dict[str, Any], api_key: str | None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    content: list[dict[str, Any]] = []
    for part in prompt.parts:
        if isinstance(part, PreparedImage):
            content.append(
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": part.mime, "data": part.b64},
                }
            )
        else:
            content.append({"type": "text", "text": part})
    body: dict[str, Any] = {
        "model": cfg.model,
        "max_tokens": cfg.max_tokens,
        "system": prompt.system,
        "messages": [{"role": "user", "content": content}],
        "temperature": cfg.temperature,
    }
    if cfg.top_p is not None:
        body["top_p"] = cfg.top_p
    if _structured(cfg) != "none":
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
        "".join(texts) or None, data, finish, usage.get("input_tokens"), usage.get("output_tokens")
    )


def anthropic_error(status: int, headers: dict[str, str], body: Any) -> ErrorVerdict:
    err = body.get("error", {}) if isinstance(body, dict) else {}
    err = err if isinstance(err, dict) else {}
    kind = str(err.get("type", ""))
    message = _error_message(body)
    if status in (401, 403) or kind in ("authentication_error", "permission_error"):
        return ErrorVerdict("auth", f"authentication failed (HTTP {status}): {message}")
    if kind == "billing_error" or (status == 400 and "credit balance" in message.lower()):
        return ErrorVerdict("quota", f"quota exhausted: {message}")
    if status in (429, 529) or status >= 500:
        return ErrorVerdict(
            "retry", f"HTTP {status}: {message}", retry_after_seconds(headers.get("retry-after"))
        )
    return ErrorVerdict("fatal_request", f"HTTP {status}: {message}")


WIRES = {
    "openai": (openai_request, openai_parse, openai_error),
    "openai-compatible": (openai_request, openai_parse, openai_error),
    "gemini": (gemini_request, gemini_parse, gemini_error),
    "anthropic": (anthropic_request, anthropic_parse, anthropic_error),
}
