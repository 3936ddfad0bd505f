"""Render the standard views and run one render job. Shared by the add-on and the headless entry."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import bpy
import numpy as np

from ..contract.atomic import write_json_atomic
from ..contract.digest import sha256_file
from ..contract.png_meta import strip_png_file
from ..contract.render_job import (
    DOC_VERSION,
    RESULT_FILE,
    RESULT_SCHEMA,
    RenderFailure,
    RenderJob,
    check_glb,
    error_line,
)
from ..contract.spec import CameraView, RenderSpec
from ..scene.build import (
    BORDER_PROP,
    build_standard_scene,
    import_model,
    mesh_objects,
    unloadable_images,
)
from ..scene.dump import scene_dump
from ..scene.hdri_access import (
    HdriError,
    ResolvedHdri,
    blender_world_dir,
    resolve_hdri,
)
from .matched import render_matched


def view_filename(index: int, name: str) -> str:
    """``00_az000.png``: view order first, so a sorted listing is the rig's order."""
    return f"{index:02d}_{name}.png"


def alpha_coverage(path: Path) -> float:
    """The share of a rendered view's pixels that show the model (alpha over one half)."""
    image = bpy.data.images.load(str(path), check_existing=False)
    try:
        pixels = np.empty(image.size[0] * image.size[1] * 4, dtype=np.float32)
        image.pixels.foreach_get(pixels)
    finally:
        bpy.data.images.remove(image)
    return float((pixels[3::4] > 0.5).mean()) if pixels.size else 0.0


def use_border(render: bpy.types.RenderSettings, camera: bpy.types.Object) -> None:
    """Render only inside the camera's recorded border (the model's extent); the full frame is
    still written, transparent outside. A camera without one renders the whole frame."""
    border = camera.get(BORDER_PROP)
    render.use_border = border is not None
    render.use_crop_to_border = False
    if border is not None:
        (render.border_min_x, render.border_max_x,
         render.border_min_y, render.border_max_y) = border  # fmt: skip


def render_views(
    scene: bpy.types.Scene, cameras: list[bpy.types.Object], spec: RenderSpec, out_dir: Path
) -> list[dict[str, Any]]:
    """Render every standard camera to ``out_dir``; per view: file, sha256, the share of the
    frame the model covers, seconds."""
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        return [
            _render_view(scene, camera, view, out_dir / view_filename(index, view.name))
            for index, (camera, view) in enumerate(zip(cameras, spec.rig.views, strict=True))
        ]
    finally:
        scene.render.use_border = False


def _render_view(
    scene: bpy.types.Scene, camera: bpy.types.Object, view: CameraView, path: Path
) -> dict[str, Any]:
    scene.camera = camera
    scene.render.filepath = str(path)
    use_border(scene.render, camera)
    start = time.perf_counter()
    bpy.ops.render.render(write_still=True, scene=scene.name)
    rendered = time.perf_counter()
    if not path.is_file():
        raise RenderFailure("render_failed", f"Blender wrote no image for view {view.name!r}")
    strip_png_file(path)
    digest = sha256_file(path)
    coverage = alpha_coverage(path)
    return {
        "name": view.name,
        "azimuth_deg": view.azimuth_deg,
        "elevation_deg": view.elevation_deg,
        "file": path.name,
        "sha256": digest,
        "coverage": round(coverage, 4),
        "render_s": round(rendered - start, 4),
        "write_s": round(time.perf_counter() - rendered, 4),
    }


def base_result(spec: RenderSpec, glb: Path | None) -> dict[str, Any]:
    """A render result with nothing done yet."""
    return {
        "schema": RESULT_SCHEMA,
        "version": DOC_VERSION,
        "ok": False,
        "error": None,
        "blender_version": bpy.app.version_string,
        "glb": {"name": glb.name if glb is not None else None, "sha256": None},
        "spec": spec.to_dict(),
        "spec_hash": spec.spec_hash(),
        "device": None,
        "hdri": None,
        "normalization": None,
        "views": [],
        "timings": {},
        "warnings": [],
        "stats": {},
    }


def run_job(job: RenderJob, script_start: float) -> dict[str, Any]:
    """Render one job into ``job.out_dir``; returns the render result (also written to disk).

    ``script_start`` is ``time.time()`` when the entry script began. Failures become a result with
    ``ok: false`` and a one-line ``error``; they are raised as :class:`RenderFailure` only to the
    caller that wants the exit code.
    """
    result = base_result(job.spec, job.glb)
    timings = result["timings"]
    if job.launched_at is not None:
        timings["start_s"] = round(script_start - job.launched_at, 4)
    t0 = time.perf_counter()
    try:
        _run(job, result)
        result["ok"] = True
    except RenderFailure as failure:
        result["error"] = failure.document()
    timings["total_s"] = round(time.perf_counter() - t0, 4)
    write_json_atomic(job.out_dir / RESULT_FILE, result)
    return result


def _texture_problem(job: RenderJob, result: dict[str, Any], message: str) -> None:
    """A missing texture fails the job, unless the job allows it (then it is a warning)."""
    if not job.allow_missing_textures:
        raise RenderFailure("missing_texture", message)
    result["warnings"].append(f"missing texture: {message}")


def _check_inputs(job: RenderJob, result: dict[str, Any]) -> ResolvedHdri:
    """The GLB's container and references, and the HDRI, before Blender imports anything."""
    info = check_glb(job.glb)
    result["glb"]["sha256"] = sha256_file(job.glb)
    if info.missing_textures:
        _texture_problem(
            job, result, ", ".join(info.missing_textures) + " not found next to the GLB"
        )
    try:
        hdri = resolve_hdri(job.spec.hdri_alias, blender_world_dir())
    except HdriError as exc:
        raise RenderFailure("hdri", str(exc)) from None
    result["hdri"] = {
        "alias": hdri.entry.alias,
        "file": hdri.entry.file,
        "sha256": hdri.entry.sha256,
    }
    return hdri


def _import(job: RenderJob, result: dict[str, Any]) -> list[bpy.types.Object]:
    """Import the GLB into an empty factory scene; its images must have loaded."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    start = time.perf_counter()
    try:
        objects = import_model(job.glb)
    except Exception as exc:  # the importer raises bare RuntimeErrors with its traceback as text
        raise RenderFailure("glb_import_failed", error_line(str(exc))) from None
    result["timings"]["import_s"] = round(time.perf_counter() - start, 4)
    if not mesh_objects(objects):
        raise RenderFailure("no_mesh", "no mesh in GLB")
    broken = unloadable_images(objects)
    if broken:
        _texture_problem(job, result, f"image(s) {', '.join(broken)} could not be loaded")
    return objects


def _run(job: RenderJob, result: dict[str, Any]) -> None:
    timings, spec = result["timings"], job.spec
    hdri = _check_inputs(job, result)
    objects = _import(job, result)
    start = time.perf_counter()
    scene = bpy.context.scene
    built = build_standard_scene(scene, objects, spec, hdri.path)
    timings["setup_s"] = round(time.perf_counter() - start, 4)
    result["device"] = built.device
    result["warnings"] += built.warnings
    result["stats"] = built.stats
    result["normalization"] = {
        "rule": spec.normalization,
        "scale": built.scale,
        "offset": list(built.offset),
        "bounds_min": list(built.bounds_min),
        "bounds_max": list(built.bounds_max),
        "radius": built.radius,
    }
    result["scene"] = scene_dump(scene)
    try:
        result["views"] = render_views(scene, built.cameras, spec, job.out_dir)
        for view, framing in zip(result["views"], built.framings, strict=True):
            view["framing"] = {
                "distance": round(framing.distance, 6),
                "shift": [round(framing.shift_x, 6), round(framing.shift_y, 6)],
                "fill": round(framing.fill, 4),
            }
    except RenderFailure:
        raise
    except Exception as exc:
        raise RenderFailure("render_failed", error_line(str(exc))) from None
    timings["views_s"] = [v["render_s"] for v in result["views"]]
    # Blender writes each PNG inside the render call; this is the metadata stripping and hashing.
    timings["write_s"] = round(sum(v["write_s"] for v in result["views"]), 4)
    if job.match:
        try:
            result["matched"], match_timings = render_matched(
                scene, mesh_objects(objects), spec, built.radius, job.match, job.out_dir
            )
        except RenderFailure:
            raise
        except Exception as exc:
            raise RenderFailure("render_failed", error_line(str(exc))) from None
        timings.update(match_timings)
