"""The standard render as data: RenderSpec, its presets and its hash. Pure Python, no bpy.

The driver and the add-on read the same RenderSpec; its hash keys the render cache and is recorded
in every result, so any change to a value here is a change of the standard render.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal, get_args

from .digest import canonical_sha256
from .keys import reject_unknown_keys

# 2: `engine` removed (the standard render is Cycles; nothing else was ever used).
# 3: each view framed by the model's projected extent (rig.fill) instead of its bounding sphere
#    (rig.margin); device AUTO (a GPU when there is one) by default.
# 4: light paths (bounces per kind, caustics, clamping), texture limit and the denoiser's passes,
#    prefilter and quality are in the spec; 384² with the FAST prefilter; Cycles renders only the
#    model's extent in each view (a render border).
SPEC_VERSION = 4

Device = Literal["AUTO", "CPU", "GPU"]
Denoiser = Literal["OPENIMAGEDENOISE", "NONE"]
DenoisePasses = Literal["RGB_ALBEDO_NORMAL", "RGB_ALBEDO", "RGB"]
DenoisePrefilter = Literal["ACCURATE", "FAST", "NONE"]
DenoiseQuality = Literal["HIGH", "BALANCED", "FAST"]
# Cycles' texture size limit: 0 keeps the textures' own size.
TEXTURE_LIMITS = (0, 128, 256, 512, 1024, 2048, 4096, 8192)
Normalization = Literal["bounds_center_unit"]


class SpecError(ValueError):
    """A RenderSpec document or value is not valid."""


@dataclass(frozen=True)
class CameraView:
    """One standard view: where the camera sits on a sphere around the normalised object."""

    name: str
    azimuth_deg: float
    elevation_deg: float


@dataclass(frozen=True)
class CameraRig:
    """Views plus the framing rule shared by all of them.

    Framing rule (``contract/framing.py``): each camera keeps its view's direction and the rig's
    field of view (across the frame's shorter side) and sits at the distance where the model's
    projected extent spans ``fill`` of the frame along the tighter axis, its lens shifted so that
    the extent is centred.
    """

    views: tuple[CameraView, ...]
    fov_deg: float = 39.6
    fill: float = 0.9


@dataclass(frozen=True)
class RenderSpec:
    """Everything that determines the standard renders of one model (always Cycles)."""

    preset: str
    rig: CameraRig
    device: Device = "AUTO"
    # 384², 16 spp and the FAST prefilter: the cheapest point of the sweep on ../shared/realworld
    # whose error on the product's pixels is no worse than the 512² default of spec 2 (mean over
    # the assets), with at least 0.9x its product pixels (docs/benchmarks.md).
    resolution: tuple[int, int] = (384, 384)
    samples: int = 16
    adaptive_threshold: float = 0.01
    denoiser: Denoiser = "OPENIMAGEDENOISE"
    denoise_passes: DenoisePasses = "RGB_ALBEDO_NORMAL"
    denoise_prefilter: DenoisePrefilter = "FAST"
    denoise_quality: DenoiseQuality = "HIGH"
    max_bounces: int = 12
    diffuse_bounces: int = 4
    glossy_bounces: int = 4
    transmission_bounces: int = 12
    transparent_bounces: int = 8
    caustics: bool = True
    clamp_indirect: float = 10.0
    texture_limit: int = 0
    seed: int = 0
    view_transform: str = "Standard"
    look: str = "None"
    exposure: float = 0.0
    gamma: float = 1.0
    film_transparent: bool = True
    background_rgb: tuple[float, float, float] = (1.0, 1.0, 1.0)
    normalization: Normalization = "bounds_center_unit"
    hdri_alias: str = "vfscore_studio"
    hdri_strength: float = 0.5
    hdri_rotation_deg: float = 0.0
    output_format: Literal["PNG"] = "PNG"
    color_depth: Literal["8", "16"] = "8"
    spec_version: int = field(default=SPEC_VERSION)

    def __post_init__(self) -> None:
        problems = validate(self)
        if problems:
            raise SpecError("; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (tuples become lists)."""
        return json.loads(json.dumps(asdict(self)))  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RenderSpec:
        """The inverse of :meth:`to_dict`; unknown keys are rejected by name."""
        return spec_from_dict(data)

    def spec_hash(self) -> str:
        """sha256 of the canonical JSON of the spec: stable across runs and machines."""
        return canonical_sha256(self.to_dict())

    def with_changes(self, **changes: Any) -> RenderSpec:
        """A copy with some fields changed (validated like any spec)."""
        return replace(self, **changes)


def validate(spec: RenderSpec) -> list[str]:
    """The problems with a spec, one sentence each; empty when it is valid."""
    p: list[str] = []
    if spec.spec_version != SPEC_VERSION:
        p.append(f"spec_version {spec.spec_version} is not supported (this is {SPEC_VERSION})")
    if spec.device not in get_args(Device):
        p.append(f"device must be one of {get_args(Device)}, got {spec.device!r}")
    if spec.denoiser not in get_args(Denoiser):
        p.append(f"denoiser must be one of {get_args(Denoiser)}, got {spec.denoiser!r}")
    if spec.denoise_passes not in get_args(DenoisePasses):
        p.append(f"denoise_passes must be one of {get_args(DenoisePasses)}")
    if spec.denoise_prefilter not in get_args(DenoisePrefilter):
        p.append(f"denoise_prefilter must be one of {get_args(DenoisePrefilter)}")
    if spec.denoise_quality not in get_args(DenoiseQuality):
        p.append(f"denoise_quality must be one of {get_args(DenoiseQuality)}")
    for kind in ("max", "diffuse", "glossy", "transmission", "transparent"):
        bounces = getattr(spec, f"{kind}_bounces")
        if not 0 <= bounces <= 1024:
            p.append(f"{kind}_bounces must be 0..1024, got {bounces}")
    if spec.clamp_indirect < 0:
        p.append(f"clamp_indirect must be >= 0 (0 = no clamping), got {spec.clamp_indirect}")
    if spec.texture_limit not in TEXTURE_LIMITS:
        p.append(f"texture_limit must be one of {TEXTURE_LIMITS}, got {spec.texture_limit}")
    if spec.normalization not in get_args(Normalization):
        p.append(f"normalization must be one of {get_args(Normalization)}")
    w, h = spec.resolution
    if not (8 <= w <= 8192 and 8 <= h <= 8192):
        p.append(f"resolution must be between 8 and 8192 pixels a side, got {w}x{h}")
    if not 1 <= spec.samples <= 65536:
        p.append(f"samples must be 1..65536, got {spec.samples}")
    if not 0 <= spec.adaptive_threshold < 1:
        p.append(f"adaptive_threshold must be in [0, 1), got {spec.adaptive_threshold}")
    if not 0 <= spec.seed < 2**31:
        p.append(f"seed must be in [0, 2^31), got {spec.seed}")
    if not spec.rig.views:
        p.append("the camera rig has no views")
    names = [v.name for v in spec.rig.views]
    if len(set(names)) != len(names):
        p.append(f"view names must be unique, got {names}")
    if not 1 <= spec.rig.fov_deg <= 170:
        p.append(f"fov_deg must be in [1, 170], got {spec.rig.fov_deg}")
    if not 0.1 <= spec.rig.fill <= 1:
        p.append(f"fill must be in [0.1, 1], got {spec.rig.fill}")
    for v in spec.rig.views:
        if not -90 < v.elevation_deg < 90:
            p.append(f"view {v.name!r}: elevation must be in (-90, 90), got {v.elevation_deg}")
    if any(not 0 <= c <= 1 for c in spec.background_rgb):
        p.append(f"background_rgb components must be in [0, 1], got {spec.background_rgb}")
    if spec.hdri_strength < 0:
        p.append(f"hdri_strength must be >= 0, got {spec.hdri_strength}")
    return p


def _check_keys(data: dict[str, Any], allowed: set[str], where: str) -> None:
    reject_unknown_keys(data, allowed, where, SpecError)


def spec_from_dict(data: dict[str, Any]) -> RenderSpec:
    """Build a RenderSpec from :meth:`RenderSpec.to_dict` data, rejecting unknown keys by name."""
    top = {f.name for f in fields(RenderSpec)}
    _check_keys(data, top, "render spec")
    missing = sorted({"preset", "rig"} - set(data))
    if missing:
        raise SpecError(f"render spec is missing {', '.join(missing)}")
    rig_data = data["rig"]
    _check_keys(rig_data, {f.name for f in fields(CameraRig)}, "render spec.rig")
    views = []
    for i, v in enumerate(rig_data.get("views", [])):
        _check_keys(v, {f.name for f in fields(CameraView)}, f"render spec.rig.views[{i}]")
        views.append(CameraView(str(v["name"]), float(v["azimuth_deg"]), float(v["elevation_deg"])))
    rig = CameraRig(tuple(views), **{k: float(x) for k, x in rig_data.items() if k != "views"})
    rest = {k: v for k, v in data.items() if k != "rig"}
    for key in ("resolution", "background_rgb"):
        if key in rest:
            rest[key] = tuple(rest[key])
    try:
        return RenderSpec(rig=rig, **rest)
    except TypeError as exc:
        raise SpecError(f"render spec: {exc}") from None


def _turntable(n: int, elevation: float) -> tuple[CameraView, ...]:
    return tuple(
        CameraView(f"az{round(360 * i / n):03d}", 360.0 * i / n, elevation) for i in range(n)
    )


PRESETS: dict[str, RenderSpec] = {
    # Four views around the object at a slight elevation: front, left, back, right.
    "turntable4": RenderSpec(preset="turntable4", rig=CameraRig(_turntable(4, 20.0))),
    # A single three-quarter view, the classic product shot.
    "hero": RenderSpec(preset="hero", rig=CameraRig((CameraView("hero", 35.0, 25.0),))),
}
DEFAULT_PRESET = "turntable4"


def preset(name: str = DEFAULT_PRESET) -> RenderSpec:
    """A named preset; the error lists the ones that exist."""
    try:
        return PRESETS[name]
    except KeyError:
        raise SpecError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
