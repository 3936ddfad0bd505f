"""The cost estimate: each provider's published image-token rule, and a job's calls and cost."""

from __future__ import annotations

import pytest

from rubric.llm.config import config_from_dict
from rubric.llm.estimate import estimate_job, fitted, image_tokens


@pytest.mark.parametrize(
    ("provider", "size", "tokens"),
    [
        # OpenAI's documented examples (detail high): 1024² → 4 tiles; 2048x4096 → 768x1536, 6.
        ("openai", (1024, 1024), 765),
        ("openai", (2048, 4096), 1105),
        ("openai", (512, 512), 255),
        # Anthropic: w*h/750 (1000x1000 ≈ 1334 in its documentation).
        ("anthropic", (1000, 1000), 1334),
        ("anthropic", (768, 768), 787),
        # Gemini: 258 within 384x384, else 258 per 768x768 tile.
        ("gemini", (384, 384), 258),
        ("gemini", (768, 768), 258),
        ("gemini", (1000, 768), 516),
    ],
)
def test_image_tokens_follow_the_published_rules(
    provider: str, size: tuple[int, int], tokens: int
) -> None:
    assert image_tokens(provider, *size) == tokens


def test_images_are_counted_at_the_size_they_are_sent() -> None:
    assert fitted((4000, 3000), 768) == (768, 576)
    assert fitted((500, 300), 768) == (500, 300)


def test_a_job_estimate() -> None:
    cfg = config_from_dict(
        {
            "provider": "openai",
            "model": "m",
            "image_max_side": 512,
            "prices": {"m": {"input_per_mtok": 2.0, "output_per_mtok": 8.0}},
        }
    )
    est = estimate_job(cfg, [(1024, 768)], [(512, 512)] * 4, 4000, 4, repeats=3)
    # Photo sent at 512x384 (1 tile: 255), four views at 512x512 (1 tile each), 1000 of text.
    per_call = 255 + 4 * 255 + 1000
    assert (est.calls, est.input_tokens, est.output_tokens) == (3, 3 * per_call, 3 * 160)
    assert est.cost_usd == pytest.approx(3 * per_call * 2e-6 + 3 * 160 * 8e-6)
    tiled = estimate_job(
        cfg.model_copy(update={"tile_renders": True}), [(1024, 768)], [(512, 512)] * 4, 4000, 4, 1
    )
    assert tiled.input_tokens == 255 + image_tokens("openai", 1024, 1024) + 1000
    free = estimate_job(cfg.model_copy(update={"prices": {}}), [(8, 8)], [(8, 8)], 4, 1, 1)
    assert free.cost_usd is None


@pytest.mark.parametrize(
    ("provider", "size", "tokens"),
    [
        ("gemini", (300, 800), 516),  # one side over 384: tiles, not the small-image price
        ("gemini", (769, 100), 516),
        ("gemini", (100, 769), 516),
        ("gemini", (1537, 800), 1548),  # 3 x 2 tiles
        ("openai", (4096, 1000), 765),  # fit in 2048 first: 2048 x 500, 4 x 1 tiles
        ("openai", (4098, 1000), 765),
        ("openai", (513, 300), 425),
        ("openai", (300, 513), 425),
    ],
)
def test_image_token_rules_at_their_edges(
    provider: str, size: tuple[int, int], tokens: int
) -> None:
    assert image_tokens(provider, *size) == tokens


@pytest.mark.parametrize(
    ("views", "max_side", "tiles_tokens"),
    [
        ([(512, 512)], 768, 255),  # one view is never tiled
        ([(512, 512)] * 2, 768, 425),  # a 1024 x 512 grid
        ([(512, 512)] * 5, 768, 1105),  # 2 columns, 3 rows: 1024 x 1536 → 768 x 1152
        ([(512, 512)] * 4, 256, 255),  # the grid is fitted within twice the side
        ([(512, 512), (100, 100)], 768, 425),  # cells are the first view's size
    ],
)
def test_tiled_views_are_one_grid_image(
    views: list[tuple[int, int]], max_side: int, tiles_tokens: int
) -> None:
    cfg = config_from_dict(
        {"provider": "openai", "model": "m", "tile_renders": True, "image_max_side": max_side}
    )
    assert estimate_job(cfg, [], views, 0, 1, 1).input_tokens == tiles_tokens


def test_the_estimate_uses_the_providers_rule() -> None:
    cfg = config_from_dict({"provider": "anthropic", "model": "m"})
    assert estimate_job(cfg, [(750, 100)], [], 0, 1, 1).input_tokens == 100
