"""Gemini generateContent: the wire format."""

from __future__ import annotations

import re
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


def _gemini_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Gemini's responseSchema is an OpenAPI subset: no additionalProperties."""
    out = {k: v for k, v in schema.items() if k != "additionalProperties"}
    if "properties" in out:
        out["properties"] = {k: _gemini_schema(v) for k, v in out["properties"].items()}
    return out


def gemini_request(
    cfg: JudgeConfig, prompt: Prompt, schema: dict[str, Any], api_key: str | None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    parts = content_parts(
        prompt,
        lambda text: {"text": text},
        lambda img: {"inline_data": {"mime_type": img.mime, "data": img.b64}},
    )
    # Thinking models spend the output budget on thoughts too: the answer keeps its own.
    budget = cfg.max_tokens + (cfg.thinking_budget or 0)
    generation: dict[str, Any] = {"maxOutputTokens": budget}
    if cfg.temperature is not None:
        generation["temperature"] = cfg.temperature
    if cfg.top_p is not None:
        generation["topP"] = cfg.top_p
    if cfg.thinking_budget is not None:
        generation["thinkingConfig"] = {"thinkingBudget": cfg.thinking_budget}
    if structured_mode(cfg) != "none":
        generation["responseMimeType"] = "application/json"
        if structured_mode(cfg) == "json_schema":
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
            None, None, "refusal", usage.get("promptTokenCount"), _billed_output(usage)
        )
    cand = candidates[0]
    reason = cand.get("finishReason")
    finish = _GEMINI_FINISH.get(reason or "", "other")
    parts = (cand.get("content") or {}).get("parts") or []
    # Thinking models put their thoughts first, marked "thought": true; they are not the answer.
    text = "".join(p.get("text", "") for p in parts if not p.get("thought")) or None
    return Completion(text, None, finish, usage.get("promptTokenCount"), _billed_output(usage))


def _billed_output(usage: dict[str, Any]) -> int | None:
    """Output tokens as billed: the answer's plus the thoughts' (``thoughtsTokenCount``)."""
    answer, thoughts = usage.get("candidatesTokenCount"), usage.get("thoughtsTokenCount")
    if answer is None and thoughts is None:
        return None
    return int(answer or 0) + int(thoughts or 0)


_DURATION = re.compile(r"^([0-9.]+)s$")


_PER_DAY = re.compile(r"per[_ ]?day", re.IGNORECASE)


def gemini_error(status: int, headers: dict[str, str], body: Any) -> ErrorVerdict:
    err = body.get("error", {}) if isinstance(body, dict) else {}
    err = err if isinstance(err, dict) else {}
    message = error_message(body)
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
    # A per-day quota answered without its QuotaFailure detail still names itself in the message
    # ("... generate_content_requests_per_day ..."): not transient, so not retried.
    per_day = per_day or bool(_PER_DAY.search(message))
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
