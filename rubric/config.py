"""Judge configuration: provider, model, endpoint, sampling, limits, prices. No secrets stored.

The API key itself is never part of the configuration: only the *name* of the environment
variable that holds it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Provider = Literal["openai", "openai-compatible", "gemini", "anthropic"]
PROVIDERS: tuple[str, ...] = ("openai", "openai-compatible", "gemini", "anthropic")
DEFAULTS: dict[str, tuple[str, str | None]] = {
    "openai": ("https://api.openai.com/v1", "OPENAI_API_KEY"),
    "openai-compatible": ("http://localhost:11434/v1", None),
    "gemini": ("https://generativelanguage.googleapis.com", "GEMINI_API_KEY"),
    "anthropic": ("https://api.anthropic.com", "ANTHROPIC_API_KEY"),
}


class JudgeConfigError(ValueError):
    """The judge configuration or spec string is not valid."""


@dataclass(frozen=True)
class JudgeConfig:
    """Everything that decides how the LLM judge is asked (see README, "Configuration")."""

    provider: Provider
    model: str
    base_url: str
    api_key_env: str | None
    temperature: float = 0.2
    top_p: float | None = None
    max_tokens: int = 1024
    timeout_s: float = 120.0
    max_retries: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 60.0
    requests_per_minute: float | None = None
    max_concurrent: int = 4
    # auto: json_schema (OpenAI), responseSchema (Gemini), tool use (Anthropic), none for
    # openai-compatible servers, many of which ignore or reject response_format.
    structured: Literal["auto", "json_schema", "json_object", "none"] = "auto"
    max_invalid_retries: int = 2
    image_max_side: int = 768
    tile_renders: bool = False
    azure_api_version: str | None = None  # set for Azure OpenAI: api-key header + api-version
    prices: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def provenance(self) -> str:
        """``provider:model``, the value of ``vf_llm_model``."""
        return f"{self.provider}:{self.model}"

    def sampling_params(self) -> dict[str, Any]:
        """The parameters that change answers: part of the response-cache key."""
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "structured": self.structured,
            "image_max_side": self.image_max_side,
            "tile_renders": self.tile_renders,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def config_from_dict(data: dict[str, Any]) -> JudgeConfig:
    """A config from a ``[judge]`` table; unknown keys are rejected by name."""
    known = {f.name for f in fields(JudgeConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise JudgeConfigError(f"unknown key(s) in [judge]: {', '.join(unknown)}")
    provider = data.get("provider")
    if provider not in PROVIDERS:
        raise JudgeConfigError(
            f"judge provider must be one of {', '.join(PROVIDERS)}, got {provider!r}"
        )
    if not data.get("model"):
        raise JudgeConfigError("judge model is missing")
    base_url, key_env = DEFAULTS[provider]
    merged = {"base_url": base_url, "api_key_env": key_env, **data}
    merged["base_url"] = str(merged["base_url"]).rstrip("/")
    try:
        return JudgeConfig(**merged)
    except TypeError as exc:
        raise JudgeConfigError(str(exc)) from None


def parse_judge_spec(spec: str, base: dict[str, Any] | None = None) -> JudgeConfig:
    """``openai:gpt-4o-mini``, ``gemini:gemini-2.5-flash``, ``anthropic:claude-…``,
    ``openai-compatible:http://localhost:11434/v1#llava`` → a config (``base`` adds settings)."""
    provider, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise JudgeConfigError(
            f"judge spec {spec!r} is not PROVIDER:MODEL (e.g. openai:gpt-4o-mini)"
        )
    data: dict[str, Any] = dict(base or {})
    data["provider"] = provider
    if provider == "openai-compatible":
        url, hash_, model = rest.rpartition("#")
        if not hash_ or not url or not model:
            raise JudgeConfigError(f"judge spec {spec!r}: use openai-compatible:BASE_URL#MODEL")
        data.update(base_url=url, model=model)
    else:
        data["model"] = rest
    return config_from_dict(data)
