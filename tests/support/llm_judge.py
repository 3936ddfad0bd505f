"""An LLM judge wired to a loopback server, its test key, and the check that the key leaked
nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from rubric.core.definition import load_rubric
from rubric.llm.cache import ResponseCache
from rubric.llm.config import JudgeConfig, config_from_dict
from rubric.llm.http_client import ProviderClient
from rubric.llm.judge import LLMJudge
from rubric.llm.ratelimit import RateLimiter

KEY = "sk-test-SECRET0123456789abcdefXYZ"
KEY_ENV = "VFSCORE_TEST_KEY"
RUBRIC = load_rubric()
NAMES = RUBRIC.names


def write_images(folder: Path) -> tuple[list[Path], list[Path]]:
    """Two reference photos and two RGBA renders."""
    refs, renders = [], []
    for i, colour in enumerate([(200, 30, 30), (30, 200, 30)]):
        p = folder / f"ref{i}.jpg"
        Image.new("RGB", (900, 600), colour).save(p)
        refs.append(p)
    for i in range(2):
        p = folder / f"render{i}.png"
        Image.new("RGBA", (64, 64), (200, 30, 30, 255 if i else 128)).save(p)
        renders.append(p)
    return refs, renders


def make_judge(
    provider: str, url: str, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, **extra: object
) -> tuple[LLMJudge, list[float]]:
    """A judge for ``provider`` at ``url`` whose backoff sleeps are recorded, not slept."""
    monkeypatch.setenv(KEY_ENV, KEY)
    cfg: JudgeConfig = config_from_dict(
        {
            "provider": provider,
            "model": "test-model",
            "base_url": url,
            "api_key_env": KEY_ENV,
            "timeout_s": 2.0,
            "max_retries": 3,
            "backoff_base_s": 0.01,
            "prices": {"test-model": {"input_per_mtok": 1.0, "output_per_mtok": 2.0}},
            **extra,
        }
    )
    sleeps: list[float] = []
    client = ProviderClient(cfg, limiter=RateLimiter(None, 4), sleep=sleeps.append)
    return LLMJudge(cfg, RUBRIC, ResponseCache(cache_dir), client), sleeps


def no_key_in(folder: Path, key: str = KEY) -> None:
    """Fail if any file under ``folder`` holds the key or its first 12 characters."""
    for f in folder.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert key.encode() not in data and key[:12].encode() not in data, f
