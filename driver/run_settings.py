"""From config file and flags to the settings of a run: RenderSpec, judge, effective config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from driver.config_file import read_config_file, render_spec_from
from driver.evaluator import EvaluatorSettings, effective_config
from driver.judge_cli import make_judge
from driver.workspace import Workspace
from rubric.cache import ResponseCache
from rubric.definition import load_rubric


def response_cache_dir(ws: Workspace, run_id: str) -> Path:
    """Per-run response cache; a leading dot keeps it apart from job folders (ids are alnum)."""
    return ws.run_dir(run_id) / "metrics" / "vfscore" / ".cache" / "responses"


def build_settings(
    config_path: Path | None,
    judge_spec: str | None,
    preset_name: str | None,
    cache_dir: Path | None,
    redo: bool,
    extra: dict[str, Any],
) -> tuple[EvaluatorSettings, dict[str, Any]]:
    """(settings, the config file's tables). With --redo the response cache is not read."""
    tables = read_config_file(config_path)
    spec = render_spec_from(tables.get("render", {}), preset_name)
    rubric = load_rubric()
    cache = ResponseCache(cache_dir) if cache_dir is not None and not redo else None
    judge = make_judge(judge_spec, tables.get("judge", {}), rubric, cache)
    config = effective_config(spec, judge, extra)
    return EvaluatorSettings(spec, judge, config, redo), tables
