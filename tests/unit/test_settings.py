"""From configuration to run settings: which judge, which cache, what config.json records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from driver import __version__
from driver.config.loader import ConfigError, LoadedConfig, parse_config
from driver.config.settings import (
    build_settings,
    default_cache_dir,
    effective_config,
    judge_request,
    render_spec_from,
)
from hdri.registry import load_registry
from rubric.core.definition import load_rubric
from rubric.factory import make_judge
from rubric.llm.cache import ResponseCache
from rubric.llm.judge import LLMJudge
from rubric.offline.judge import OfflineJudge

RUBRIC = load_rubric()
LLM = {"judge": {"provider": "openai", "model": "gpt-4o-mini", "base_url": "https://gw/v1"}}


def loaded(tables: dict[str, Any]) -> LoadedConfig:
    return LoadedConfig(parse_config(tables), None, "test", tables)


def test_the_judge_asked_for(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    assert isinstance(make_judge(judge_request(None, loaded({})), RUBRIC, cache), OfflineJudge)
    from_table = make_judge(judge_request(None, loaded(LLM)), RUBRIC, cache)
    assert isinstance(from_table, LLMJudge) and from_table.cfg.base_url == "https://gw/v1"
    assert from_table.rubric is RUBRIC and from_table.cache is cache
    from_flag = make_judge(judge_request("openai:gpt-4.1", loaded(LLM)), RUBRIC, cache)
    assert isinstance(from_flag, LLMJudge) and from_flag.cfg.model == "gpt-4.1"
    assert from_flag.cfg.base_url == "https://gw/v1"  # the table's gateway is kept
    assert from_flag.rubric is RUBRIC and from_flag.cache is cache
    offline = make_judge(judge_request("offline", loaded(LLM)), RUBRIC, cache)
    assert isinstance(offline, OfflineJudge) and offline.rubric is RUBRIC


def test_default_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VFSCORE_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("VFSCORE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert default_cache_dir() == tmp_path / "x" / "vfscore" / "responses"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "vfscore" / "responses"


def test_effective_config_records_everything_but_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123456")
    cfg = loaded({**LLM, "render": {"samples": 3, "allow_missing_textures": True}})
    spec = render_spec_from(cfg.file.render)
    judge = make_judge(judge_request(None, cfg), RUBRIC, None)
    doc = effective_config(spec, judge, cfg, {"repeats": 5})
    assert doc["tool_version"] == __version__
    assert doc["render_spec"] == spec.to_dict() and doc["spec_hash"] == spec.spec_hash()
    assert doc["allow_missing_textures"] is True
    assert doc["hdri"] == {
        "alias": "vfscore_studio",
        "sha256": load_registry()["vfscore_studio"].sha256,
    }
    assert doc["rubric"]["hash"] == RUBRIC.rubric_hash() and doc["rubric"]["id"] == RUBRIC.id
    assert doc["judge"]["provenance"] == "openai:gpt-4o-mini"
    assert doc["judge"]["api_key_env"] == "OPENAI_API_KEY" and doc["judge"]["max_tokens"] == 1024
    assert doc["repeats"] == 5
    assert "sk-secret" not in str(doc)
    offline = effective_config(spec, OfflineJudge(RUBRIC), loaded({}), {})
    assert offline["judge"] == {"provenance": "offline:appearance-2.3"}


def test_build_settings(tmp_path: Path) -> None:
    settings = build_settings(
        loaded({"render": {"allow_missing_textures": True}}),
        preset_name="hero",
        cache_dir=tmp_path,
        redo=True,
        blender_exe="/opt/blender",
        extra={"x": 1},
    )
    assert settings.spec.preset == "hero" and settings.redo and settings.allow_missing_textures
    assert settings.blender == "/opt/blender" and settings.config["x"] == 1
    other = build_settings(loaded({}), extra={"x": 2})
    assert other.config_hash != settings.config_hash and len(other.config_hash) == 64
    assert build_settings(loaded({}), extra={"x": 2}).config_hash == other.config_hash


def test_render_spec_errors_name_the_table() -> None:
    with pytest.raises(ConfigError, match=r"known: .*blender_studio, .*vfscore_studio"):
        render_spec_from(parse_config({"render": {"hdri_alias": "x"}}).render)
    with pytest.raises(ConfigError, match=r"^\[render\]: unknown preset 'bogus'; choose one"):
        render_spec_from(parse_config({}).render, "bogus")
    with pytest.raises(ConfigError) as err:
        parse_config({"render": {"resolution": [8, 9000]}})
    assert "render.resolution.1 = 9000: Input should be less than or equal to 8192" in str(
        err.value
    )
    assert "constrained" not in str(err.value)


def test_judges_tables_make_a_panel_and_exclude_a_judge_table() -> None:
    from rubric.core.panel import PanelJudge

    two = [{"provider": "openai", "model": "a"}, {"provider": "gemini", "model": "b"}]
    settings = build_settings(LoadedConfig(parse_config({"judges": two})))
    assert isinstance(settings.judge, PanelJudge)
    assert settings.judge.provenance == "panel:openai:a+gemini:b"
    assert [j["model"] for j in settings.config["judge"]["panel"]] == ["a", "b"]
    one = build_settings(LoadedConfig(parse_config({"judges": two[:1]})))
    assert one.judge.provenance == "openai:a"
    with pytest.raises(ConfigError, match=r"either \[judge\] .* or \[\[judges\]\]"):
        parse_config({"judge": two[0], "judges": two})


def test_the_config_hash_covers_what_scores_not_when_a_job_gives_up() -> None:
    base = build_settings(loaded({}), extra={"repeats": 3, "timeout_s": None})
    archi3d_import = build_settings(loaded({}), extra={"repeats": 3, "timeout_s": 600.0})
    assert archi3d_import.config["timeout_s"] == 600.0  # still recorded in config.json
    assert archi3d_import.config_hash == base.config_hash
    sources = build_settings(loaded({}), extra={"repeats": 3, "use_images_from": "source"})
    assert sources.config_hash == build_settings(loaded({}), extra={"repeats": 3}).config_hash
    assert build_settings(loaded({}), extra={"repeats": 5}).config_hash != base.config_hash
    samples = build_settings(loaded({"render": {"samples": 3}}), extra={"repeats": 3})
    assert samples.config_hash != base.config_hash


def test_a_tuning_only_judge_table_alone_means_the_offline_judge() -> None:
    tuning = loaded({"judge": {"max_retries": 1}})
    assert isinstance(make_judge(judge_request(None, tuning), RUBRIC, None), OfflineJudge)
    named = make_judge(judge_request("openai:gpt-4o-mini", tuning), RUBRIC, None)
    assert isinstance(named, LLMJudge) and named.cfg.max_retries == 1


def test_a_spec_without_a_table_and_a_table_of_another_provider() -> None:
    from rubric.factory import JudgeRequest

    alone = make_judge(JudgeRequest(("openai:gpt-4.1",)), RUBRIC, None)
    assert isinstance(alone, LLMJudge) and alone.cfg.model == "gpt-4.1"
    # A table naming another provider, without a base_url of its own: nothing to refuse.
    other = loaded({"judge": {"provider": "openai", "model": "a", "temperature": 0.3}})
    named = make_judge(judge_request("gemini:g", other), RUBRIC, None)
    assert isinstance(named, LLMJudge) and named.cfg.provider == "gemini"
    assert named.cfg.base_url.startswith("https://generativelanguage")
    assert named.cfg.temperature == 0.3  # the table's tuning still applies
