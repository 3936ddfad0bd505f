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

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from blender_addon.contract.spec import PRESETS, TEXTURE_LIMITS
from rubric import JudgeConfig, JudgeTuning

# Blender 4.5's view transforms; "Standard" keeps texture colours as authored.
ViewTransform = Literal[
    "Standard", "Khronos PBR Neutral", "AgX", "Filmic", "Filmic Log", "False Color", "Raw"
]
PositiveInt = Annotated[int, Field(ge=1)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Bounces = Annotated[int, Field(ge=0, le=1024)]
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
    denoise_passes: Literal["RGB_ALBEDO_NORMAL", "RGB_ALBEDO", "RGB"] | None = None
    denoise_prefilter: Literal["ACCURATE", "FAST", "NONE"] | None = None
    denoise_quality: Literal["HIGH", "BALANCED", "FAST"] | None = None
    max_bounces: Bounces | None = None
    diffuse_bounces: Bounces | None = None
    glossy_bounces: Bounces | None = None
    transmission_bounces: Bounces | None = None
    transparent_bounces: Bounces | None = None
    caustics: bool | None = None
    # 0 turns clamping off.
    clamp_indirect: Annotated[float, Field(ge=0.0)] | None = None
    # 0 keeps each texture's own size.
    texture_limit: Literal[tuple(TEXTURE_LIMITS)] | None = None  # type: ignore[valid-type]
    seed: Annotated[int, Field(ge=0, lt=2**31)] | None = None
    device: Literal["AUTO", "CPU", "GPU"] | None = None
    # The share of the frame's side the model's projected extent spans in every view.
    fill: Annotated[float, Field(ge=0.1, le=1.0)] | None = None
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


# A list option given on the command line as one comma-separated value.
COMMA_SEPARATED: dict[str, Any] = {"separator": ","}


class ComputeTable(_Table):
    """``[compute]``: the keys of a run that a file may set; each is also a `vfscore compute`
    flag (``--max-parallel`` for ``max_parallel``) whose help is the key's description. A flag
    that is given wins over the file."""

    repeats: Repeats = Field(default=3, description=f"Judge repeats per job, 1 to {MAX_REPEATS}.")
    timeout_s: Seconds | None = Field(
        default=None, description="Per-job limit in seconds; the job's Blender is killed past it."
    )
    max_parallel: PositiveInt = Field(default=1, description="Blender processes at once.")
    only_status: Annotated[list[str], Field(min_length=1)] = Field(
        default=["completed"],
        description="Job statuses to score (comma-separated on the command line).",
        json_schema_extra=COMMA_SEPARATED,
    )
    use_images_from: Literal["used", "source"] = Field(
        default="used", description="Reference images: 'used' (used_image_*) or 'source'."
    )
    flush_rows: PositiveInt = Field(
        default=200, description="Rows buffered before tables/generations.csv is rewritten."
    )
    flush_seconds: Annotated[float, Field(ge=0.0, allow_inf_nan=False)] = Field(
        default=30.0, description="Seconds between rewrites of tables/generations.csv at most."
    )
    mode: Literal["absolute", "pairwise"] = Field(
        default="absolute",
        description="absolute (a score per job) or pairwise (tournaments between the "
        "candidates of each product_id/variant, asked in both orders; vf_pairwise_* columns).",
    )
    max_pairs: PositiveInt = Field(
        default=28,
        description="Pairs asked per product in pairwise mode, above a round robin of 8.",
    )
    scheduler: Annotated[str, Field(min_length=1)] | None = Field(
        default=None,
        description="Render on a Dask cluster: its scheduler (tcp://HOST:8786), or 'local' for "
        "a LocalCluster of --max-parallel worker processes. Workers need VFScore and Blender; "
        "each renders one job per 'render' resource (dask worker ... --resources render=1).",
    )
    controls: bool = Field(
        default=False,
        description="Also judge, per product, its ground-truth model (gt_object_path) and "
        "known-wrong copies of it (hue, flat, matte, blur, another product's gt), written to "
        "tables/vfscore_controls.csv, never to generations.csv: the report's Judge checks say "
        "whether this judge tells right from wrong here.",
    )


class ComputeRequest(ComputeTable):
    """One `vfscore compute` run: the ``[compute]`` keys (the file's, with the given flags on
    top) and the flags that only a command line gives. Validated once, here."""

    run_id: str = Field(description="The archi3D run whose rows to score.")
    workspace: Path | None = Field(
        default=None, description="archi3D workspace root (default: $ARCHI3D_WORKSPACE)."
    )
    config: Path | None = Field(
        default=None,
        description="vfscore.toml with [render], [judge], [compute] (default: $VFSCORE_CONFIG, "
        "else <workspace>/vfscore.toml).",
    )
    jobs: str | None = Field(
        default=None, description="Only job_ids matching: a substring, a glob (*, ?) or re:REGEX."
    )
    limit: PositiveInt | None = Field(default=None, description="Score at most N rows.")
    redo: bool = Field(
        default=False,
        description="Score rows that already have a score again: re-render (no render reuse), "
        "re-judge (the response cache is not read, only refreshed) and ignore result.json.",
    )
    dry_run: bool = Field(
        default=False, description="Select and log only: no renders, no artifacts, no table change."
    )
    judge: list[str] | None = Field(
        default=None,
        description="LLM judge PROVIDER:MODEL (default: [judge] or [[judges]] of the config, "
        "else offline); give it several times for a panel (the median of the judges' medians).",
    )
    preset: str | None = Field(default=None, description="Render preset (turntable4, hero).")
    no_report: bool = Field(
        default=False,
        description="Do not write the run report (runs/<run>/metrics/vfscore/report/) at the end.",
    )
    fail_under: Annotated[float, Field(ge=0.0, le=100.0)] | None = Field(
        default=None,
        description="A scored job whose overall score is under this (0-100) fails: the "
        "report's aggregate status is 'fail' and the exit status 3, for CI to gate on.",
    )
    fail_under_controls: Unit | None = Field(
        default=None,
        description="Exit 3 when the judge's overall control accuracy (0-1) is under this.",
    )


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
