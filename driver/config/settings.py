"""From the configuration and the flags to the settings of a run: RenderSpec, judge, effective
configuration (config.json) and its hash."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from blender_addon.contract.digest import canonical_sha256
from blender_addon.contract.spec import RenderSpec, SpecError, preset
from driver import __version__
from driver.config.loader import ConfigError, LoadedConfig
from driver.config.schema import ComputeTable, RenderTable
from hdri.registry import load_registry
from rubric import (
    DEFAULT_RUBRIC,
    Judge,
    JudgeRequest,
    ResponseCache,
    describe_validation_error,
    load_rubric,
    make_judge,
)

CACHE_ENV = "VFSCORE_CACHE_DIR"
# Recorded in config.json but not hashed: they decide when a job gives up and which photo columns
# a run reads, never how a job is scored. archi3D's import path passes its timeout and its command
# path does not; the same settings must give the same vf_config_hash either way.
UNHASHED = frozenset({"timeout_s", "use_images_from"})


@dataclass(frozen=True)
class RunSettings:
    """What is the same for every job of a run."""

    spec: RenderSpec
    judge: Judge
    config: dict[str, Any]  # the effective configuration, as written to config.json
    redo: bool = False
    allow_missing_textures: bool = False
    blender: str | None = None  # the Blender binary to launch; None: $VFSCORE_BLENDER or bpy
    warnings: tuple[str, ...] = ()  # about the run's settings, copied into every job's payload

    def input_hashes(self) -> dict[str, Any]:
        """What a finished result must have been made with, besides the model and the photos:
        the render spec, the judge (provider, model, sampling), the rubric and the number of
        repeats (a median of 1 answer is not a median of 5)."""
        return {
            "spec_hash": self.spec.spec_hash(),
            "judge_hash": canonical_sha256(self.config.get("judge")),
            "rubric_hash": self.judge.rubric.rubric_hash(),
            "repeats": self.config.get("repeats"),
        }

    @property
    def config_hash(self) -> str:
        """sha256 of the canonical JSON of the settings that decide a score (``vf_config_hash``):
        the effective configuration less :data:`UNHASHED`."""
        scoring = {k: v for k, v in self.config.items() if k not in UNHASHED}
        return canonical_sha256(scoring)


def render_spec_from(table: RenderTable, preset_name: str | None = None) -> RenderSpec:
    """The preset (``--preset`` over ``[render] preset``) with the table's overrides."""
    overrides = table.model_dump(exclude={"preset", "allow_missing_textures"}, exclude_none=True)
    if isinstance(overrides.get("resolution"), int):
        overrides["resolution"] = (overrides["resolution"],) * 2
    for key in ("resolution", "background_rgb"):
        if key in overrides:
            overrides[key] = tuple(overrides[key])
    alias = overrides.get("hdri_alias")
    if alias is not None and alias not in load_registry():
        known = ", ".join(sorted(load_registry()))
        raise ConfigError(f"[render] hdri_alias = {alias!r} is not a known HDRI; known: {known}")
    try:
        base = preset(preset_name or table.preset or "turntable4")
        if "fill" in overrides:  # a key of the camera rig
            overrides["rig"] = replace(base.rig, fill=overrides.pop("fill"))
        return base.with_changes(**overrides)
    except SpecError as exc:
        raise ConfigError(f"[render]: {exc}") from None


def judge_request(judge_spec: str | Sequence[str] | None, loaded: LoadedConfig) -> JudgeRequest:
    """What the flags and the files ask of the judge (``rubric.make_judge`` decides which)."""
    specs = (judge_spec,) if isinstance(judge_spec, str) else tuple(judge_spec or ())
    written = loaded.raw.get("judge")
    return JudgeRequest(
        specs,
        loaded.file.judge,
        tuple(loaded.file.judges),
        written if isinstance(written, dict) else None,
    )


def default_cache_dir() -> Path:
    """``$VFSCORE_CACHE_DIR``, else ``$XDG_CACHE_HOME/vfscore/responses`` (``~/.cache/...``)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "vfscore" / "responses"


def effective_config(
    spec: RenderSpec, judge: Judge, loaded: LoadedConfig, extra: dict[str, Any]
) -> dict[str, Any]:
    """config.json: RenderSpec and hash, HDRI and sha256, rubric, judge, run settings."""
    entry = load_registry().get(spec.hdri_alias)
    judge_cfg: dict[str, Any] = {"provenance": judge.provenance, **judge.describe()}
    rubric = judge.rubric
    return {
        "tool_version": __version__,
        "render_spec": spec.to_dict(),
        "spec_hash": spec.spec_hash(),
        "allow_missing_textures": loaded.file.render.allow_missing_textures,
        "hdri": {"alias": spec.hdri_alias, "sha256": entry.sha256 if entry else None},
        "rubric": {**rubric.to_dict(), "hash": rubric.rubric_hash()},
        "judge": judge_cfg,
        **extra,
    }


def job_limits(repeats: Any, timeout_s: Any) -> dict[str, Any]:
    """``repeats`` and ``timeout_s`` of one job asked for outside `compute` (`evaluate`,
    archi3D's call), checked against the ``[compute]`` keys of the same names; a ConfigError
    names what is wrong."""
    given = {"repeats": repeats, "timeout_s": timeout_s}
    try:
        ComputeTable.model_validate(given)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, "option")) from None
    return given


def build_settings(
    loaded: LoadedConfig,
    *,
    judge_spec: str | Sequence[str] | None = None,
    preset_name: str | None = None,
    cache_dir: Path | None = None,
    redo: bool = False,
    rubric_path: Path = DEFAULT_RUBRIC,
    extra: dict[str, Any] | None = None,
    blender_exe: str | None = None,
    warnings: tuple[str, ...] = (),
) -> RunSettings:
    """Everything a run needs, validated before the first job. With ``redo`` the response cache
    is not read (every repeat is asked again) but refreshed."""
    spec = render_spec_from(loaded.file.render, preset_name)
    rubric = load_rubric(rubric_path)
    cache = ResponseCache(cache_dir, read=not redo) if cache_dir is not None else None
    judge = make_judge(judge_request(judge_spec, loaded), rubric, cache)
    config = effective_config(spec, judge, loaded, extra or {})
    return RunSettings(
        spec, judge, config, redo, loaded.file.render.allow_missing_textures, blender_exe, warnings
    )
