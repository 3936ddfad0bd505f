"""The providers' wire formats, one module each; ``WIRES`` maps a provider to its functions."""

from __future__ import annotations

from rubric.llm.providers import anthropic, gemini, openai

WIRES = {
    "openai": (openai.openai_request, openai.openai_parse, openai.openai_error),
    "openai-compatible": (openai.openai_request, openai.openai_parse, openai.openai_error),
    "gemini": (gemini.gemini_request, gemini.gemini_parse, gemini.gemini_error),
    "anthropic": (
        anthropic.anthropic_request,
        anthropic.anthropic_parse,
        anthropic.anthropic_error,
    ),
}
