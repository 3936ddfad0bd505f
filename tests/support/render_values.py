"""A non-default value for every [render] key that shapes the scene (one table for all tests)."""

from __future__ import annotations

from typing import Any

SCENE_VALUES: dict[str, Any] = {
    "preset": "hero",
    "resolution": 96,
    "samples": 3,
    "adaptive_threshold": 0.2,
    "denoiser": "NONE",
    "denoise_passes": "RGB_ALBEDO",
    "denoise_prefilter": "ACCURATE",
    "denoise_quality": "BALANCED",
    "max_bounces": 3,
    "diffuse_bounces": 1,
    "glossy_bounces": 2,
    "transmission_bounces": 5,
    "transparent_bounces": 6,
    "caustics": False,
    "clamp_indirect": 2.5,
    "texture_limit": 256,
    "seed": 5,
    "device": "GPU",
    "fill": 0.7,
    "view_transform": "AgX",
    "exposure": 0.5,
    "gamma": 1.2,
    "hdri_alias": "blender_studio",
    "hdri_strength": 0.9,
    "hdri_rotation_deg": 45.0,
    "color_depth": "16",
}
# Not scene settings: background_rgb is what the judge composites onto; allow_missing_textures is
# the texture policy of the render job.
NOT_IN_SCENE = {"background_rgb": [0.1, 0.2, 0.3], "allow_missing_textures": True}
