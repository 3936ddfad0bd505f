"""`vfscore judge` end to end: the console script against a loopback OpenAI-compatible server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from rubric.core.definition import load_rubric
from tests.support.llm_server import ScriptedServer, answer_json, ok_reply, quota_exhausted

NAMES = load_rubric().names


def vfscore(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "driver", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_judge_command_prints_aggregate_and_uses_cache(tmp_path: Path) -> None:
    ref, render = tmp_path / "ref.jpg", tmp_path / "r.png"
    Image.new("RGB", (32, 32), (10, 20, 30)).save(ref)
    Image.new("RGBA", (32, 32), (10, 20, 30, 255)).save(render)
    with ScriptedServer() as server:
        server.script = [ok_reply("openai", answer_json(NAMES, s)) for s in (50, 60)]
        args = [
            "judge",
            "--refs",
            str(ref),
            "--renders",
            str(render),
            str(render),
            "--repeats",
            "2",
            "--judge",
            f"openai-compatible:{server.url}/v1#llava",
            "--cache-dir",
            str(tmp_path / "cache"),
        ]
        first = vfscore(*args)
        assert first.returncode == 0, first.stderr
        out = json.loads(first.stdout)
        assert out["scores_all"] == [50, 60] and out["vfscore_overall_median"] == 55
        assert out["llm_model"] == "openai-compatible:llava"
        second = vfscore(*args)
        assert json.loads(second.stdout)["judge"]["http_calls"] == 0
        assert len(server.requests) == 2


def test_quota_exhausted_exit_status_and_config_file(tmp_path: Path) -> None:
    ref = tmp_path / "ref.jpg"
    Image.new("RGB", (16, 16)).save(ref)
    with ScriptedServer() as server:
        server.script = [quota_exhausted("anthropic")]
        config = tmp_path / "vfscore.toml"
        config.write_text(
            f'[judge]\nprovider = "anthropic"\nmodel = "claude-x"\n'
            f'base_url = "{server.url}"\napi_key_env = "MY_KEY"\n'
        )
        env = dict(os.environ, MY_KEY="sk-ant-supersecret-000111222333")
        proc = vfscore(
            "judge",
            "--refs",
            str(ref),
            "--renders",
            str(ref),
            "--config",
            str(config),
            "--no-cache",
            env=env,
        )
        assert proc.returncode == 3
        assert "quota exhausted" in proc.stderr and "supersecret" not in proc.stderr
        assert len(server.requests) == 1


def test_offline_by_default_and_bad_config_is_clear(tmp_path: Path) -> None:
    ref = tmp_path / "ref.jpg"
    Image.new("RGB", (16, 16)).save(ref)
    proc = vfscore("judge", "--refs", str(ref), "--renders", str(ref))
    assert proc.returncode == 0, proc.stderr
    assert "using the offline judge (offline:appearance-2.3)" in proc.stderr
    assert json.loads(proc.stdout)["llm_model"] == "offline:appearance-2.3"
    bad = tmp_path / "vfscore.toml"
    bad.write_text("[judgez]\n")
    proc = vfscore("judge", "--refs", str(ref), "--renders", str(ref), "--config", str(bad))
    assert proc.returncode == 2 and "unknown key 'judgez'" in proc.stderr


def test_no_valid_answer_exits_1_not_0(tmp_path: Path) -> None:
    ref, render = tmp_path / "ref.jpg", tmp_path / "r.png"
    Image.new("RGB", (32, 32), (10, 20, 30)).save(ref)
    Image.new("RGBA", (32, 32), (10, 20, 30, 255)).save(render)
    with ScriptedServer() as server:
        # Every repeat and every re-ask answers prose with no scores.
        server.script = [ok_reply("openai", "I cannot tell.") for _ in range(3)]
        proc = vfscore(
            "judge", "--refs", str(ref), "--renders", str(render), "--repeats", "1",
            "--judge", f"openai-compatible:{server.url}/v1#llava", "--no-cache",
        )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["vfscore_overall_median"] is None
    assert "no valid answer in 1 repeat(s) (3 invalid answers" in proc.stderr
