"""vfscore.toml: one typed schema, errors that name key/value/type, discovery, every key read."""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel

from driver.cli.options import merged
from driver.config.loader import CONFIG_ENV, ConfigError, load_config, parse_config
from driver.config.schema import ComputeRequest, ComputeTable, ConfigFile, RenderTable
from driver.config.settings import render_spec_from
from rubric.llm.config import JudgeConfig, JudgeConfigError, parse_judge_spec
from tests.support.render_values import NOT_IN_SCENE, SCENE_VALUES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ({"render": {"background_rgb": 1}}, "render.background_rgb = 1"),
        ({"render": {"samples": 4.7}}, "render.samples = 4.7: Input should be a valid integer"),
        ({"render": {"output_format": "JPEG"}}, "unknown key 'render.output_format'"),
        ({"render": {"engine": "BLENDER_EEVEE"}}, "unknown key 'render.engine'"),
        ({"render": {"view_transform": "Filmic2"}}, "render.view_transform = 'Filmic2'"),
        ({"compute": {"max_parallel": "two"}}, "compute.max_parallel = 'two'"),
        ({"compute": {"repeats": 0}}, "compute.repeats = 0: Input should be greater than"),
        ({"judge": {"provider": "openai", "model": "m", "structured": "bogus"}}, "bogus"),
        ({"judge": {"provider": "openai", "model": "m", "temprature": 0.1}}, "temprature"),
        ({"reder": {}}, "unknown key 'reder'"),
    ],
)
def test_type_holes_are_errors_naming_key_value_and_type(
    toml: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(toml, "vfscore.toml")
    assert expected in str(err.value)
    assert str(err.value).startswith("vfscore.toml:")


def test_render_table_becomes_the_spec() -> None:
    table = parse_config(
        {"render": {"resolution": [320, 240], "samples": 8, "background_rgb": [0.5, 0.5, 0.5]}}
    ).render
    spec = render_spec_from(table)
    assert spec.resolution == (320, 240) and spec.samples == 8
    assert spec.background_rgb == (0.5, 0.5, 0.5)
    assert render_spec_from(parse_config({"render": {"resolution": 96}}).render).resolution == (
        96,
        96,
    )
    assert render_spec_from(table, "hero").preset == "hero"


def test_unknown_hdri_alias_fails_at_start() -> None:
    with pytest.raises(ConfigError, match="hdri_alias = 'nope' is not a known HDRI"):
        render_spec_from(parse_config({"render": {"hdri_alias": "nope"}}).render)


def test_discovery_order_and_what_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "vfscore.toml").write_text("[compute]\nrepeats = 5\n")
    env_file = tmp_path / "env.toml"
    env_file.write_text("[compute]\nrepeats = 7\n")
    flag_file = tmp_path / "flag.toml"
    flag_file.write_text("[compute]\nrepeats = 9\n")
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert load_config(None, None).path is None
    assert "built-in defaults" in load_config(None, None).describe()
    loaded = load_config(None, ws)
    assert loaded.file.compute.repeats == 5 and "workspace" in loaded.describe()
    monkeypatch.setenv(CONFIG_ENV, str(env_file))
    loaded = load_config(None, ws)
    assert loaded.file.compute.repeats == 7 and f"${CONFIG_ENV}" in loaded.describe()
    loaded = load_config(flag_file, ws)
    assert loaded.file.compute.repeats == 9 and str(flag_file) in loaded.describe()
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml", ws)


def test_compute_flags_override_the_table() -> None:
    table = ComputeTable(repeats=5, max_parallel=2, only_status=["completed", "failed"])
    opts = merged(ComputeRequest, {"run_id": "R", "repeats": None, "limit": 3, "redo": True}, table)
    assert (opts.repeats, opts.max_parallel, opts.limit, opts.redo) == (5, 2, 3, True)
    assert opts.only_status == ["completed", "failed"]
    assert merged(ComputeRequest, {"run_id": "R", "repeats": 1}, table).repeats == 1
    given = {"run_id": "R", "only_status": " x, ,y "}  # one comma-separated flag
    assert merged(ComputeRequest, given, table).only_status == ["x", "y"]
    with pytest.raises(ConfigError, match="option repeats = 0"):
        merged(ComputeRequest, {"run_id": "R", "repeats": 0}, table)


def test_judge_flag_keeps_the_configured_gateway_or_refuses() -> None:
    table = {"provider": "openai", "model": "a", "base_url": "https://gw.example/v1"}
    cfg = parse_judge_spec("openai:gpt-4o-mini", table)
    assert cfg.base_url == "https://gw.example/v1" and cfg.model == "gpt-4o-mini"
    with pytest.raises(JudgeConfigError, match="base_url"):
        parse_judge_spec("gemini:gemini-2.5-flash", table)
    assert parse_judge_spec("gemini:x", {"temperature": 0.5}).temperature == 0.5


def test_a_judge_table_without_provider_holds_tuning_for_the_judge_flag() -> None:
    table = {"max_retries": 1, "timeout_s": 5.0, "api_key_env": "GATEWAY_KEY"}
    file = parse_config({"judge": table})
    assert file.judge is not None and not isinstance(file.judge, JudgeConfig)
    cfg = parse_judge_spec("openai-compatible:http://h:1/v1#m", table)
    assert (cfg.provider, cfg.model, cfg.base_url) == ("openai-compatible", "m", "http://h:1/v1")
    assert (cfg.max_retries, cfg.timeout_s) == (1, 5.0)
    assert cfg.api_key_env == "GATEWAY_KEY"  # written for whichever judge the run names
    # A table that names a provider drops its key variable for another provider's flag.
    named = {"provider": "gemini", "model": "g", "api_key_env": "GEMINI_KEY"}
    assert parse_judge_spec("openai:gpt-4o", named).api_key_env == "OPENAI_API_KEY"
    with pytest.raises(ConfigError, match="base_url without provider: add provider"):
        parse_config({"judge": {"base_url": "https://gw.example/v1", "max_retries": 1}})
    with pytest.raises(ConfigError, match=r"judge\.max_retries = -1"):
        parse_config({"judge": {"max_retries": -1}})
    with pytest.raises(ConfigError, match=r"unknown key 'judge\.bogus'"):
        parse_config({"judge": {"bogus": 1}})
    with pytest.raises(ConfigError, match=r"judge\.model is missing"):
        parse_config({"judge": {"provider": "openai"}})


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The models inside an annotation, through unions, Optional and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models(arg)]


def _schema_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, info in model.model_fields.items():
        models = _models(info.annotation)
        if models:
            # A union of tables ([judge] with or without provider): walk the widest.
            widest = max(models, key=lambda m: len(m.model_fields))
            keys += _schema_keys(widest, f"{prefix}{name}.")
        else:
            keys.append(f"{prefix}{name}")
    return keys


def _attributes_read(folders: tuple[str, ...], skip: set[Path]) -> set[str]:
    """Every ``x.name`` read in production code (not the schema modules themselves)."""
    names: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            if path in skip:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                    names.add(node.attr)
    return names


def test_every_schema_key_is_read_by_some_code_path() -> None:
    """Walks the schema: a key that no code outside the schema reads would be silently ignored.

    Render keys become RenderSpec fields of the same name (read by the scene builder), compute
    keys ComputeRequest fields (read by the coordinator), judge keys JudgeConfig fields (read by
    the providers, the client and the judge).
    """
    schema_files = {ROOT / "driver/config/schema.py", ROOT / "rubric/llm/config.py"}
    read = _attributes_read(("driver", "rubric", "blender_addon"), schema_files)
    keys = _schema_keys(ConfigFile)
    assert {"render.samples", "compute.repeats", "judge.timeout_s"} <= set(keys)
    unread = [k for k in keys if k.split(".")[-1] not in read and k.split(".")[-1] != "preset"]
    assert unread == []


def test_every_render_key_reaches_the_spec_or_the_job() -> None:
    """Changing any [render] key changes the RenderSpec (or the texture policy)."""
    base = render_spec_from(RenderTable())
    values = {**SCENE_VALUES, "background_rgb": NOT_IN_SCENE["background_rgb"]}
    assert set(values) | {"allow_missing_textures"} == set(RenderTable.model_fields)
    for key, value in values.items():
        spec = render_spec_from(RenderTable.model_validate({key: value}))
        assert spec != base and spec.spec_hash() != base.spec_hash(), key
    assert RenderTable(allow_missing_textures=True).allow_missing_textures


def test_judge_config_fields_have_defaults_per_provider() -> None:
    cfg = JudgeConfig.model_validate({"provider": "gemini", "model": "g"})
    assert cfg.base_url.startswith("https://generativelanguage") and cfg.api_key_env
    assert (
        JudgeConfig.model_validate(
            {"provider": "openai", "model": "m", "base_url": "http://x/v1/"}
        ).base_url
        == "http://x/v1"
    )


def test_where_the_config_came_from_is_said_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert load_config(None).describe() == "config: none found, built-in defaults"
    assert load_config(None).source == "built-in defaults"
    (tmp_path / "vfscore.toml").write_text("")
    assert load_config(None, tmp_path).source == "the workspace"
    flag = tmp_path / "f.toml"
    flag.write_text('[judge]\nprovider = "openai"\nmodel = "m"\n')
    loaded = load_config(flag)
    assert loaded.source == "--config"
    assert loaded.describe() == f"config: {flag} (from --config)"
    assert loaded.raw == {"judge": {"provider": "openai", "model": "m"}}


def test_unreadable_config_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\(from --config\) is not a regular file \(a folder\)$"):
        load_config(tmp_path)
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match=r"fifo\.toml \(from --config\) is not a regular file"):
        load_config(fifo)  # would block forever in open()
    latin = tmp_path / "latin.toml"
    latin.write_bytes("[render]\nhdri_alias = 'caf\u00e9'\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin\.toml is not UTF-8 text"):
        load_config(latin)
    bad = tmp_path / "bad.toml"
    bad.write_text("[render\n")
    with pytest.raises(ConfigError, match=r"bad\.toml is not valid TOML"):
        load_config(bad)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[render]\nsamples = 'x'\n")
    with pytest.raises(ConfigError) as err:
        load_config(wrong)
    assert str(err.value).startswith(f"{wrong}: render.samples = 'x'")
