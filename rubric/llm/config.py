"""Judge configuration: provider, model, endpoint, sampling, limits, prices. No secrets stored.

The API key itself is never part of the configuration: only the *name* of the environment
variable that holds it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rubric.core.validation import describe_validation_error

Provider = Literal["openai", "openai-compatible", "gemini", "anthropic"]
DEFAULTS: dict[str, tuple[str, str | None]] = {
    "openai": ("https://api.openai.com/v1", "OPENAI_API_KEY"),
    "openai-compatible": ("http://localhost:11434/v1", None),
    "gemini": ("https://generativelanguage.googleapis.com", "GEMINI_API_KEY"),
    "anthropic": ("https://api.anthropic.com", "ANTHROPIC_API_KEY"),
}
NonNegative = Annotated[float, Field(ge=0.0)]


class JudgeConfigError(ValueError):
    """The judge configuration or spec string is not valid."""


class Price(BaseModel):
    """US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    input_per_mtok: NonNegative
    output_per_mtok: NonNegative


class JudgeTuning(BaseModel):
    """How an LLM judge is asked, whichever it is: a ``[judge]`` table without ``provider`` holds
    these only, and ``--judge PROVIDER:MODEL`` names the judge per run."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    api_key_env: str | None = None
    # Sampling parameters are sent only when set: OpenAI's reasoning models and current
    # Anthropic models refuse them, and the providers' defaults suit the others.
    temperature: Annotated[float, Field(ge=0.0, le=2.0)] | None = None
    top_p: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    max_tokens: Annotated[int, Field(ge=1)] = 1024  # the answer's budget (thinking excluded)
    # Gemini thinking models: tokens they may think before answering (0 turns thinking off
    # where the model allows it); unset, the model decides.
    thinking_budget: Annotated[int, Field(ge=0)] | None = None
    # OpenAI reasoning models (o-series, gpt-5): minimal | low | medium | high; unset: default.
    reasoning_effort: Literal["minimal", "low", "medium", "high"] | None = None
    timeout_s: Annotated[float, Field(gt=0.0)] = 120.0
    max_retries: Annotated[int, Field(ge=0)] = 4
    backoff_base_s: NonNegative = 1.0
    backoff_max_s: NonNegative = 60.0
    requests_per_minute: Annotated[float, Field(gt=0.0)] | None = None
    max_concurrent: Annotated[int, Field(ge=1)] = 4
    # auto: json_schema (OpenAI), responseSchema (Gemini), tool use (Anthropic), none for
    # openai-compatible servers, many of which ignore or reject response_format.
    structured: Literal["auto", "json_schema", "json_object", "none"] = "auto"
    max_invalid_retries: Annotated[int, Field(ge=0)] = 2
    image_max_side: Annotated[int, Field(ge=64, le=4096)] = 768
    tile_renders: bool = False
    # Photos and views in a repeat-dependent order (seed recorded per repeat): see prompt.shuffled.
    shuffle_images: bool = True
    azure_api_version: str | None = None  # set for Azure OpenAI: api-key header + api-version
    prices: dict[str, Price] = {}

    @model_validator(mode="before")
    @classmethod
    def _names_no_judge(cls, data: Any) -> Any:
        """Without a provider, a model or a base URL has nothing to belong to: say so, by name,
        instead of calling the key unknown."""
        if cls is JudgeTuning and isinstance(data, dict):
            named = [k for k in ("model", "base_url") if k in data]
            if named:
                raise ValueError(
                    f"{' and '.join(named)} without provider: add provider (and model), or name "
                    "the judge with --judge PROVIDER:MODEL and keep only tuning keys here"
                )
        return data


class JudgeConfig(JudgeTuning):
    """Everything that decides how the LLM judge is asked (see README, "Configuration")."""

    provider: Provider
    model: Annotated[str, Field(min_length=1)]
    base_url: Annotated[str, Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _provider_defaults(cls, data: Any) -> Any:
        """Fill base_url and api_key_env from the provider; drop a trailing slash of the URL."""
        if not isinstance(data, dict) or data.get("provider") not in DEFAULTS:
            return data
        base_url, key_env = DEFAULTS[data["provider"]]
        merged = {"base_url": base_url, "api_key_env": key_env, **data}
        if isinstance(merged["base_url"], str):
            merged["base_url"] = merged["base_url"].rstrip("/")
        return merged

    @model_validator(mode="after")
    def _sampling_the_api_takes(self) -> JudgeConfig:
        """Anthropic's current Messages API (and its SDK's request type) has no temperature or
        top_p; a strict server answers 400, so refuse them here, by name."""
        if self.provider == "anthropic":
            given = [k for k in ("temperature", "top_p") if getattr(self, k) is not None]
            if given:
                raise ValueError(
                    f"provider anthropic: the Messages API takes no {' or '.join(given)}; "
                    "remove it from [judge]"
                )
        return self

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
            "thinking_budget": self.thinking_budget,
            "reasoning_effort": self.reasoning_effort,
            "structured": self.structured,
            "image_max_side": self.image_max_side,
            "tile_renders": self.tile_renders,
            "shuffle_images": self.shuffle_images,
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain data (holds the NAME of the key variable, never the key)."""
        return self.model_dump()


def config_from_dict(data: dict[str, Any]) -> JudgeConfig:
    """A config from a ``[judge]`` table; unknown keys and wrong types are refused by name."""
    try:
        return JudgeConfig.model_validate(data)
    except ValidationError as exc:
        raise JudgeConfigError(describe_validation_error(exc, "[judge]")) from None


def parse_judge_spec(spec: str, base: dict[str, Any] | None = None) -> JudgeConfig:
    """``openai:gpt-4o-mini``, ``gemini:gemini-2.5-flash``, ``anthropic:claude-…``,
    ``openai-compatible:http://localhost:11434/v1#llava`` → a config.

    ``base`` is a ``[judge]`` table whose other settings apply; it may name no provider (tuning
    keys only). Its ``base_url`` and ``api_key_env`` are kept when its provider is the spec's (a
    gateway the user chose); with another provider a ``base_url`` is refused: the key and the
    images must never go to a host the user did not choose. A table without provider keeps its
    ``api_key_env``: it was written for whichever judge the run names.
    """
    provider, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise JudgeConfigError(
            f"judge spec {spec!r} is not PROVIDER:MODEL (e.g. openai:gpt-4o-mini)"
        )
    data: dict[str, Any] = dict(base or {})
    table_provider = data.pop("provider", None)
    data.pop("model", None)
    if table_provider != provider:
        if "base_url" in data:
            raise JudgeConfigError(
                f"--judge {spec!r} names provider {provider!r} but [judge] sets base_url "
                f"{data['base_url']!r} for provider {table_provider!r}: remove one of them"
            )
        if table_provider is not None:
            data.pop("api_key_env", None)
    data["provider"] = provider
    if provider == "openai-compatible":
        url, hash_, model = rest.rpartition("#")
        if not hash_ or not url or not model:
            raise JudgeConfigError(f"judge spec {spec!r}: use openai-compatible:BASE_URL#MODEL")
        data.update(base_url=url, model=model)
    else:
        data["model"] = rest
    return config_from_dict(data)
