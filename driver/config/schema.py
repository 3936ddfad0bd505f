"""The one typed schema of ``vfscore.toml`` (pydantic v2, strict).

[render]  preset and RenderSpec overrides (samples, resolution, seed, hdri_alias, ...)
[judge]   the LLM judge (rubric.llm.config.JudgeConfig); absent: the offline judge. Without
          provider it holds tuning keys only (JudgeTuning), for the judge --judge names
[compute] defaults of the `vfscore compute` flags (repeats, timeout_s, max_parallel, ...)

Why pydantic: its strict mode refuses ``samples = 4.7`` and ``max_parallel = "two"`` instead of
coercing them, every error carries the key's location, the value and the expected type, and the
judge's configuration (in ``rubric``) is the same kind of model, so one validator covers the
whole file. Every key is read: tests walk this schema and fail for a key no code path uses.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from blender_addon.contract.spec import PRESETS
from rubric import JudgeConfig, JudgeTuning

# Blender 4.5's view transforms; "Standard" keeps texture colours as authored.
ViewTransform = Literal[
    "Standard", "Khronos PBR Neutral", "AgX", "Filmic", "Filmic Log", "False Color", "Raw"
]
PositiveInt = Annotated[int, Field(ge=1)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
# Each repeat is an LLM call and a rationale file; medians over more than this gain nothing.
MAX_REPEATS = 20
Repeats = Annotated[int, Field(ge=1, le=MAX_REPEATS)]
# A limit must limit: 0, negative, NaN and infinity are refused, never read as "no limit".
Seconds = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class RenderTable(_Table):
    """``[render]``: the preset and what to change in it; an unset key keeps the preset's value."""

    preset: Literal[tuple(PRESETS)] | None = None  # type: ignore[valid-type]
    resolution: (
        Annotated[int, Field(ge=8, le=8192)]
        | Annotated[list[Annotated[int, Field(ge=8, le=8192)]], Field(min_length=2, max_length=2)]
        | None
    ) = None
    samples: Annotated[int, Field(ge=1, le=65536)] | None = None
    adaptive_threshold: Annotated[float, Field(ge=0.0, lt=1.0)] | None = None
    denoiser: Literal["OPENIMAGEDENOISE", "NONE"] | None = None
    seed: Annotated[int, Field(ge=0, lt=2**31)] | None = None
    device: Literal["CPU", "GPU"] | None = None
    view_transform: ViewTransform | None = None
    exposure: float | None = None
    gamma: Annotated[float, Field(gt=0.0)] | None = None
    background_rgb: Annotated[list[Unit], Field(min_length=3, max_length=3)] | None = None
    hdri_alias: str | None = None
    hdri_strength: Annotated[float, Field(ge=0.0)] | None = None
    hdri_rotation_deg: float | None = None
    color_depth: Literal["8", "16"] | None = None
    # A model whose texture is missing renders untextured, and the judge would blame the
    # generator; only allow it on purpose.
    allow_missing_textures: bool = False


class ComputeTable(_Table):
    """``[compute]``: defaults of the `vfscore compute` flags."""

    repeats: Repeats = 3
    timeout_s: Seconds | None = None
    max_parallel: PositiveInt = 1
    only_status: Annotated[list[str], Field(min_length=1)] = ["completed"]
    use_images_from: Literal["used", "source"] = "used"
    flush_rows: PositiveInt = 200
    # absolute: a score per job; pairwise: tournaments between the candidates of each product.
    mode: Literal["absolute", "pairwise"] = "absolute"
    max_pairs: PositiveInt = 28  # pairs asked per product (both orders) above round robin
    # A Dask scheduler (tcp://HOST:8786) or "local": renders run on its workers.
    scheduler: Annotated[str, Field(min_length=1)] | None = None
    flush_seconds: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = 30.0
    # Judge each product's ground truth and known-wrong copies of it beside the candidates.
    controls: bool = False


class JobLimits(_Table):
    """The limits of one job, however it is asked for (compute, evaluate, archi3D's call)."""

    repeats: Repeats = 3
    timeout_s: Seconds | None = None


def _judge_table_kind(value: Any) -> str:
    """Which model validates ``[judge]``: a table that names a provider is a whole judge."""
    if isinstance(value, dict):
        return "with-provider" if "provider" in value else "tuning-only"
    return "with-provider" if isinstance(value, JudgeConfig) else "tuning-only"


# The tags hold a "-" so that error messages leave them out (rubric.core.validation).
JudgeTable = Annotated[
    Annotated[JudgeConfig, Tag("with-provider")] | Annotated[JudgeTuning, Tag("tuning-only")],
    Discriminator(_judge_table_kind),
]


class ConfigFile(_Table):
    """The whole file."""

    render: RenderTable = RenderTable()
    judge: JudgeTable | None = None
    judges: list[JudgeConfig] = []  # [[judges]]: a panel (instead of [judge])
    compute: ComputeTable = ComputeTable()

    @model_validator(mode="after")
    def _one_way_to_name_the_judge(self) -> ConfigFile:
        if self.judge is not None and self.judges:
            raise ValueError("use either [judge] (one judge) or [[judges]] (a panel), not both")
        return self
