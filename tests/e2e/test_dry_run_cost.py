"""`vfscore compute --dry-run` with an LLM judge says what the run would cost, and sends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from driver.config.loader import load_config
from driver.config.settings import build_settings
from driver.pipeline.cost import estimate_run
from tests.support.compute_cli import use_fake_blender, vfscore
from tests.support.fast_workspace import build, log_records
from tests.support.llm_judge import KEY, KEY_ENV
from tests.support.llm_server import ScriptedServer

JUDGE = (
    "[render]\nresolution = 32\n\n[compute]\nrepeats = 2\n\n"
    "[judge]\nprovider = 'openai'\nmodel = 'gpt-x'\nbase_url = '{url}'\n"
    f"api_key_env = '{KEY_ENV}'\n"
    "[judge.prices.gpt-x]\ninput_per_mtok = 2.5\noutput_per_mtok = 10.0\n"
)


def test_dry_run_prints_calls_tokens_and_cost_and_sends_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = use_fake_blender(tmp_path, monkeypatch)
    monkeypatch.setenv(KEY_ENV, KEY)
    ws = build(tmp_path / "ws", n_jobs=3)
    with ScriptedServer() as server:
        (ws / "vfscore.toml").write_text(JUDGE.format(url=server.url + "/v1"))
        ran = vfscore(ws, "--dry-run")
        assert server.requests == [] and list(fake.iterdir()) == []
    assert ran.returncode == 0, ran.stderr
    settings = build_settings(load_config(None, ws))
    expected = log_records(ws)[-1]["estimate"]
    assert expected["calls"] == 6 and expected["jobs"] == 3
    assert expected["input_tokens"] > 0 and expected["cost_usd"] == pytest.approx(
        expected["input_tokens"] * 2.5e-6 + expected["output_tokens"] * 10e-6, abs=1e-6
    )
    line = " ".join(ran.stdout.split())
    assert "estimate for openai:gpt-x: 6 calls for 3 job(s), about" in line
    assert f"${expected['cost_usd']:.4f}" in line
    assert settings.judge.provenance == "openai:gpt-x"


def test_the_offline_judge_has_no_estimate(tmp_path: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    settings = build_settings(load_config(None, ws))
    assert estimate_run([], settings, 3, 0) is None


def _openai_rule(width: int, height: int) -> int:
    """OpenAI's published rule (detail high), written out again here so that the estimator is
    checked against the images actually sent, not against itself."""
    import math

    s = min(1.0, 2048 / max(width, height))
    w, h = width * s, height * s
    s = min(1.0, 768 / min(w, h))
    return 85 + 170 * math.ceil(w * s / 512) * math.ceil(h * s / 512)


def test_the_estimate_matches_the_usage_of_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64
    import io
    import json
    import math

    from PIL import Image

    from rubric.core.definition import load_rubric
    from tests.support.llm_server import Recorded, Reply, answer_json, ok_reply

    names = load_rubric().names

    def usage_by_the_rules(request: Recorded) -> Reply:
        images, chars = 0, 0
        for message in request.body["messages"]:
            parts = message["content"]
            if isinstance(parts, str):
                chars += len(parts)
                continue
            for part in parts:
                if part["type"] == "text":
                    chars += len(part["text"])
                else:
                    data = base64.b64decode(part["image_url"]["url"].split(",", 1)[1])
                    images += _openai_rule(*Image.open(io.BytesIO(data)).size)
        return ok_reply("openai", answer_json(names), usage=(images + math.ceil(chars / 4), 50))

    use_fake_blender(tmp_path, monkeypatch)
    monkeypatch.setenv(KEY_ENV, KEY)
    ws = build(tmp_path / "ws", n_jobs=2)
    with ScriptedServer() as server:
        (ws / "vfscore.toml").write_text(JUDGE.format(url=server.url + "/v1"))
        server.responder = usage_by_the_rules
        vfscore(ws, "--dry-run")
        estimate = log_records(ws)[-1]["estimate"]
        assert vfscore(ws, "--redo").returncode == 0  # --redo: every call made, none cached
        assert len(server.requests) == estimate["calls"] == 4
    billed = sum(
        json.loads(p.read_text())["tokens"]["input"]
        for p in (ws / "runs").rglob("vfscore_result.json")
    )
    assert billed == pytest.approx(estimate["input_tokens"], rel=0.02), (billed, estimate)
