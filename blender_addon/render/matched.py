"""Matched views: the model rendered from the pose that matches each reference photo.

Runs after the standard views, in the same scene and with the same RenderSpec (samples, seed,
HDRI, colour management): only the camera differs. The camera is a rig camera (same distance and
field of view) at the matched pose; the render is cropped to the product (a render border), so the
pixels go to the product whatever its size in the frame. A framed match (a photo cropped by its
frame) renders the window of the view that the photo shows instead.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import bpy

from ..contract.digest import sha256_file
from ..contract.png_meta import strip_png_file
from ..contract.pose_match import (
    MATCH_MARGIN,
    MATCH_SIDE,
    POSE_SEARCH_VERSION,
    PoseMatch,
    PoseTarget,
    search,
)
from ..contract.render_job import RenderFailure
from ..contract.spec import RenderSpec
from ..scene.build import camera_pose
from ..scene.silhouette import model_bvh, silhouette

MATCH_CAMERA = "VFScore_MatchCamera"


POSE_MARGIN = 1.1


def matched_filename(index: int, name: str) -> str:
    """``m00_<photo>.png``: after the standard views in a sorted listing (``index`` counts the
    matched views, so a photo's alternative pose gets its own file)."""
    return f"m{index:02d}_{name}.png"


def _camera(scene: bpy.types.Scene, spec: RenderSpec, distance: float) -> bpy.types.Object:
    data = bpy.data.cameras.new(MATCH_CAMERA)
    data.lens_unit = "FOV"
    data.sensor_fit = "VERTICAL"  # the full frame is square: the FOV holds both ways
    data.angle_y = math.radians(spec.rig.fov_deg)
    data.clip_start = distance * 0.01
    data.clip_end = distance * 4
    cam = bpy.data.objects.new(MATCH_CAMERA, data)
    scene.collection.objects.link(cam)
    cam.rotation_mode = "QUATERNION"
    return cam


def _frame(render: Any, match: PoseMatch, side: int) -> None:
    """A square full frame sized so the cropped product (or, framed, the photo's window) has
    ``side`` pixels on its longer side."""
    top, bottom, left, right = match.bbox
    margin = 0.0 if match.framed else MATCH_MARGIN  # a window is the photo's frame, exactly
    top, left = max(0.0, top - margin), max(0.0, left - margin)
    bottom, right = min(1.0, bottom + margin), min(1.0, right + margin)
    full = math.ceil(side / max(bottom - top, right - left))
    render.resolution_x = render.resolution_y = full
    render.use_border = True
    render.use_crop_to_border = True
    # Blender's border runs bottom-up; the silhouette's rows run top-down.
    render.border_min_x, render.border_max_x = left, right
    render.border_min_y, render.border_max_y = 1.0 - bottom, 1.0 - top


def pose_distance(radius: float, fov_deg: float) -> float:
    """The distance of every pose the search tries: the model's bounding sphere (``radius``)
    fits the frame from any direction with :data:`POSE_MARGIN` to spare, so silhouettes of all
    poses are comparable (each matched render is then cropped to its window)."""
    return radius * POSE_MARGIN / math.sin(math.radians(fov_deg) / 2.0)


def render_matched(
    scene: bpy.types.Scene,
    meshes: list[bpy.types.Object],
    spec: RenderSpec,
    radius: float,
    targets: tuple[PoseTarget, ...],
    out_dir: Path,
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Search each target's pose and render the matched ones; (entries, timings)."""
    start = time.perf_counter()
    distance = pose_distance(radius, spec.rig.fov_deg)
    model = model_bvh(meshes)
    matches = search(
        list(targets),
        lambda az, el, rays: silhouette(model, az, el, distance, spec.rig.fov_deg, rays),
    )
    searched = time.perf_counter()
    render = scene.render
    saved = (render.resolution_x, render.resolution_y, render.use_border, render.use_crop_to_border)
    cam = _camera(scene, spec, distance)
    entries = []
    try:
        for index, match in enumerate(matches):
            entries.append(_render_one(scene, cam, match, spec, distance, (index, out_dir)))
    finally:
        render.resolution_x, render.resolution_y, render.use_border, render.use_crop_to_border = (
            saved
        )
        scene.camera = None
        data = cam.data
        bpy.data.objects.remove(cam)
        bpy.data.cameras.remove(data)
    timings = {
        "pose_search_s": round(searched - start, 4),
        "matched_render_s": round(time.perf_counter() - searched, 4),
    }
    return entries, timings


def _render_one(
    scene: bpy.types.Scene,
    cam: bpy.types.Object,
    match: PoseMatch,
    spec: RenderSpec,
    distance: float,
    where: tuple[int, Path],
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": match.name,
        "azimuth_deg": match.azimuth_deg,
        "elevation_deg": match.elevation_deg,
        "iou": match.iou,
        "rank": match.rank,
        "reading": match.reading,
        "framed": match.framed,
        "share": match.share,
        "poses_compared": match.evaluated,
        "search_version": POSE_SEARCH_VERSION,
        "file": None,
        "sha256": None,
    }
    if not match.matched:
        return entry
    cam.location, cam.rotation_quaternion = camera_pose(
        match.azimuth_deg, match.elevation_deg, distance
    )
    scene.camera = cam
    _frame(scene.render, match, min(max(spec.resolution), MATCH_SIDE))
    path = where[1] / matched_filename(where[0], match.name)
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True, scene=scene.name)
    if not path.is_file():
        raise RenderFailure(
            "render_failed", f"Blender wrote no image for matched view {match.name!r}"
        )
    strip_png_file(path)
    entry.update(file=path.name, sha256=sha256_file(path))
    return entry
