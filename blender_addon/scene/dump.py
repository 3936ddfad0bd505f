"""The standard scene as plain data: what parity checks compare and render results record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from .build import BORDER_PROP, renderable, standard_cameras


def _r(values: Any) -> list[float]:
    return [round(float(v), 6) for v in values]


def _world(scene: bpy.types.Scene) -> dict[str, Any]:
    """The world's nodes: the HDRI's file, its strength and rotation."""
    world: dict[str, Any] = {}
    if scene.world is None or not scene.world.use_nodes:
        return world
    for node in sorted(scene.world.node_tree.nodes, key=lambda n: n.bl_idname):
        entry: dict[str, Any] = {}
        if node.bl_idname == "ShaderNodeTexEnvironment" and node.image is not None:
            entry["image"] = Path(node.image.filepath).name
        if node.bl_idname == "ShaderNodeBackground":
            entry["strength"] = round(node.inputs["Strength"].default_value, 6)
        if node.bl_idname == "ShaderNodeMapping":
            entry["rotation"] = _r(node.inputs["Rotation"].default_value)
        world[node.bl_idname] = entry
    return world


def _cycles(c: Any) -> dict[str, Any]:
    """Sampling, denoiser and light paths as Cycles holds them."""
    return {
        "device": c.device,
        "samples": c.samples,
        "adaptive": [c.use_adaptive_sampling, round(c.adaptive_threshold, 6)],
        "denoise": [
            c.use_denoising,
            c.denoiser,
            c.denoising_input_passes,
            c.denoising_prefilter,
            c.denoising_quality,
        ],
        "bounces": {
            "max": c.max_bounces,
            "diffuse": c.diffuse_bounces,
            "glossy": c.glossy_bounces,
            "transmission": c.transmission_bounces,
            "transparent": c.transparent_max_bounces,
            "volume": c.volume_bounces,
        },
        "caustics": [c.caustics_reflective, c.caustics_refractive],
        "clamp": [round(c.sample_clamp_direct, 6), round(c.sample_clamp_indirect, 6)],
        "texture_limit": c.texture_limit_render,
        "seed": c.seed,
    }


def scene_dump(scene: bpy.types.Scene) -> dict[str, Any]:
    """Everything that makes the standard scene, as plain data (for parity checks and records)."""
    # What renders: objects hidden from render (an artist's own, left in the file) are not part
    # of the standard scene.
    objects = {
        o.name: {"type": o.type, "matrix_world": [_r(row) for row in o.matrix_world]}
        for o in sorted(scene.objects, key=lambda o: o.name)
        if renderable(o)
    }
    cameras = {
        o.name: {
            "angle": round(o.data.angle, 6),
            "sensor_fit": o.data.sensor_fit,
            "clip": _r((o.data.clip_start, o.data.clip_end)),
            "shift": _r((o.data.shift_x, o.data.shift_y)),
            "border": _r(o.get(BORDER_PROP, ())),
        }
        for o in standard_cameras(scene)
    }
    world = _world(scene)
    r, v = scene.render, scene.view_settings
    return {
        "objects": objects,
        "cameras": cameras,
        "world": world,
        "cycles": _cycles(scene.cycles),
        "render": {
            "engine": r.engine,
            "resolution": [r.resolution_x, r.resolution_y, r.resolution_percentage],
            "film_transparent": r.film_transparent,
            "stamps": sorted(
                p.identifier
                for p in r.bl_rna.properties
                if p.identifier.startswith("use_stamp") and getattr(r, p.identifier)
            ),
            "image": [
                r.image_settings.file_format,
                r.image_settings.color_mode,
                r.image_settings.color_depth,
            ],
        },
        "colour": {
            "display": scene.display_settings.display_device,
            "view_transform": v.view_transform,
            "look": v.look,
            "exposure": round(v.exposure, 6),
            "gamma": round(v.gamma, 6),
        },
    }
