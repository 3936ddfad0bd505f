"""Run settings as the command line builds them, for tests and benchmarks that call the library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from blender_addon.contract.spec import RenderSpec
from driver.config.loader import load_config, parse_config
from driver.config.settings import RunSettings, build_settings, render_spec_from


def settings_from(
    config: Path | None, judge: str | None = None, cache_dir: Path | None = None, **kw: Any
) -> RunSettings:
    """``build_settings`` for a config file (None: built-in defaults)."""
    return build_settings(load_config(config), judge_spec=judge, cache_dir=cache_dir, **kw)


def spec_from(render: dict[str, Any]) -> RenderSpec:
    """The RenderSpec a ``[render]`` table gives."""
    return render_spec_from(parse_config({"render": render}).render)
