"""``vfscore.toml``: the one configuration file. Unknown sections and keys are errors.

[render]  preset and RenderSpec overrides (samples, resolution, seed, hdri_alias, ...)
[judge]   the LLM judge (rubric/config.py); absent: the offline judge
[compute] defaults of `vfscore compute` flags (repeats, timeout_s, max_parallel, ...)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from blender_addon.spec import RenderSpec, SpecError, preset

KNOWN_SECTIONS = {"render", "judge", "compute"}


class ConfigFileError(ValueError):
    """The configuration file cannot be read or has unknown content."""


def read_config_file(path: Path | None) -> dict[str, Any]:
    """The file's tables (empty when ``path`` is None)."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigFileError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"config file {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - KNOWN_SECTIONS)
    if unknown:
        raise ConfigFileError(
            f"{path}: unknown section(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(KNOWN_SECTIONS))}"
        )
    return data


def render_spec_from(table: dict[str, Any], preset_name: str | None = None) -> RenderSpec:
    """The preset (``--preset`` over ``[render] preset``) with the table's overrides."""
    overrides = {k: v for k, v in table.items() if k != "preset"}
    known = {f.name for f in fields(RenderSpec)} - {"preset", "rig", "spec_version"}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ConfigFileError(f"unknown key(s) in [render]: {', '.join(unknown)}")
    for key in ("resolution", "background_rgb"):
        if key in overrides:
            value = overrides[key]
            overrides[key] = (value, value) if isinstance(value, int) else tuple(value)
    try:
        return preset(preset_name or table.get("preset", "turntable4")).with_changes(**overrides)
    except SpecError as exc:
        raise ConfigFileError(f"[render]: {exc}") from None


@dataclass(frozen=True)
class ComputeDefaults:
    """``[compute]``: defaults for the flags of `vfscore compute`."""

    repeats: int = 3
    timeout_s: float | None = None
    max_parallel: int = 1
    only_status: str = "completed"
    use_images_from: str = "used"
    flush_rows: int = 200
    flush_seconds: float = 30.0


def compute_defaults(table: dict[str, Any]) -> ComputeDefaults:
    known = {f.name for f in fields(ComputeDefaults)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigFileError(f"unknown key(s) in [compute]: {', '.join(unknown)}")
    return ComputeDefaults(**table)
