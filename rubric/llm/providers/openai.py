"""OpenAI Chat Completions (and OpenAI-compatible servers, Azure OpenAI): the wire format."""

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


def openai_request(
    cfg: JudgeConfig, prompt: Prompt, schema: dict[str, Any], api_key: str | None
) -> tuple[str, dict[str, str], dict[str, Any]]:
    content = content_parts(
        prompt,
        lambda text: {"type": "text", "text": text},
        lambda img: {
            "type": "image_url",
            "image_url": {"url": f"data:{img.mime};base64,{img.b64}"},
        },
    )
    body: dict[str, Any] = {
        "model": cfg.model,
        "messages": [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": content},
        ],
    }
    # OpenAI deprecated max_tokens (its reasoning models refuse it); servers that only speak
    # the older dialect (Ollama, vLLM, Azure's older api-versions) still expect max_tokens.
    if cfg.provider == "openai" and not cfg.azure_api_version:
        body["max_completion_tokens"] = cfg.max_tokens
    else:
        body["max_tokens"] = cfg.max_tokens
    if cfg.temperature is not None:
        body["temperature"] = cfg.temperature
    if cfg.top_p is not None:
        body["top_p"] = cfg.top_p
    if cfg.reasoning_effort is not None:
        body["reasoning_effort"] = cfg.reasoning_effort
    mode = structured_mode(cfg)
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
    message = error_message(body)
    if status == 429 and code == "insufficient_quota":
        return ErrorVerdict("quota", f"quota exhausted: {message}")
    if status in (401, 403):
        return ErrorVerdict("auth", f"authentication failed (HTTP {status}): {message}")
    if status == 429 or status >= 500 or status == 408:
        return ErrorVerdict(
            "retry", f"HTTP {status}: {message}", retry_after_seconds(headers.get("retry-after"))
        )
    return ErrorVerdict("fatal_request", f"HTTP {status}: {message}")
