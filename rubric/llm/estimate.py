"""What judging will cost before anything is sent: calls, tokens and dollars. Pure functions.

Image tokens follow each provider's published rules (as of 2026):
- OpenAI (high detail): fit within 2048 x 2048, scale the shorter side to 768, then
  85 + 170 tokens per 512 px tile;
- Anthropic: width x height / 750;
- Gemini: 258 tokens for an image within 384 x 384, else 258 per 768 x 768 tile.
Text is counted at four characters per token; an answer at about 40 tokens per rubric dimension.
"""

from __future__ import annotations

import math

from rubric.core.judge import Estimate
from rubric.llm.config import JudgeConfig
from rubric.llm.prompt import Prompt

CHARS_PER_TOKEN = 4
ANSWER_TOKENS_PER_DIMENSION = 40
LABEL_CHARS = 30  # "Candidate render 3 of 4:" and the like, per image


def prompt_chars(prompt: Prompt, images: int) -> int:
    """Characters of a prompt's text once ``images`` images, each with its label, are in it."""
    text = len(prompt.system) + sum(len(p) for p in prompt.parts if isinstance(p, str))
    return text + LABEL_CHARS * images


def image_tokens(provider: str, width: int, height: int) -> int:
    """Input tokens one image costs with ``provider``."""
    if provider == "anthropic":
        return math.ceil(width * height / 750)
    if provider == "gemini":
        if width <= 384 and height <= 384:
            return 258
        return 258 * math.ceil(width / 768) * math.ceil(height / 768)
    # OpenAI and OpenAI-compatible servers (the GPT-4o rule, detail "high").
    scale = min(1.0, 2048 / max(width, height))
    w, h = width * scale, height * scale
    scale = min(1.0, 768 / min(w, h))
    w, h = w * scale, h * scale
    return 85 + 170 * math.ceil(w / 512) * math.ceil(h / 512)


def fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The size an image is sent at (the judge downscales to ``max_side``)."""
    w, h = size
    if max(w, h) <= max_side:
        return w, h
    scale = max_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def cost(cfg: JudgeConfig, tokens_in: int, tokens_out: int) -> float | None:
    """US dollars for these tokens at the model's price; None when no price is given."""
    price = cfg.prices.get(cfg.model)
    if price is None:
        return None
    return round(
        tokens_in / 1e6 * price.input_per_mtok + tokens_out / 1e6 * price.output_per_mtok, 6
    )


def estimate_job(
    cfg: JudgeConfig,
    photo_sizes: list[tuple[int, int]],
    render_sizes: list[tuple[int, int]],
    prompt_chars: int,
    dimensions: int,
    repeats: int,
) -> Estimate:
    """Calls and tokens of one job judged ``repeats`` times (no re-asks counted)."""
    sizes = [fitted(s, cfg.image_max_side) for s in photo_sizes]
    if cfg.tile_renders and len(render_sizes) > 1:
        w, h = render_sizes[0]
        rows = math.ceil(len(render_sizes) / 2)
        sizes.append(fitted((2 * w, rows * h), cfg.image_max_side * 2))
    else:
        sizes += [fitted(s, cfg.image_max_side) for s in render_sizes]
    per_call_in = sum(image_tokens(cfg.provider, w, h) for w, h in sizes)
    per_call_in += math.ceil(prompt_chars / CHARS_PER_TOKEN)
    per_call_out = ANSWER_TOKENS_PER_DIMENSION * dimensions
    tokens_in, tokens_out = per_call_in * repeats, per_call_out * repeats
    return Estimate(repeats, tokens_in, tokens_out, cost(cfg, tokens_in, tokens_out))
