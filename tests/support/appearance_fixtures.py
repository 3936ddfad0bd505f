"""Rendered fixtures for the offline judge: a textured product, its photos, perturbed candidates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from blender_addon.contract.render_job import RenderJob
from blender_addon.contract.spec import CameraRig, CameraView, RenderSpec, preset
from driver.demo.assets import (
    PERTURBATIONS,
    STRENGTHS,
    label_texture,
    perturbed_material,
    perturbed_texture,
    photo_from_render,
    png_bytes,
)
from driver.demo.glb_writer import Material, cylinder_mesh, glb_bytes
from driver.pipeline.launcher import run_render

SIZE = 128
CANDIDATE_SPEC: RenderSpec = preset().with_changes(resolution=(SIZE, SIZE), samples=8)
# "Photos": other viewpoints, other light.
PHOTO_SPEC: RenderSpec = CANDIDATE_SPEC.with_changes(
    rig=CameraRig(
        (CameraView("p1", 15.0, 10.0), CameraView("p2", 110.0, 5.0), CameraView("p3", 200.0, 15.0))
    ),
    hdri_alias="blender_studio",
    hdri_strength=0.8,
)
BASE_MATERIAL = Material(roughness=0.5)


def write_product(path: Path, kind: str | None = None, strength: float = 0.0) -> Path:
    tex = label_texture()
    mat = BASE_MATERIAL
    if kind is not None:
        tex = perturbed_texture(tex, kind, strength)
        mat = perturbed_material(mat, kind, strength)
    mat = Material(mat.base_color, mat.metallic, mat.roughness, png_bytes(tex), None, mat.uv_scale)
    path.write_bytes(glb_bytes(cylinder_mesh(), mat))
    return path


def render(glb: Path, out: Path, spec: RenderSpec) -> list[Path]:
    outcome = run_render(RenderJob(glb, out, spec), timeout_s=300)
    assert outcome.returncode == 0, outcome.result.get("error")
    return [out / v["file"] for v in outcome.result["views"]]


@dataclass
class Ladder:
    photos: dict[str, Path]  # backdrop kind → photo
    identical: list[Path]
    perturbed: dict[tuple[str, float], list[Path]]


def build_ladder(root: Path) -> Ladder:
    root.mkdir(parents=True, exist_ok=True)
    gt = write_product(root / "gt.glb")
    shots = render(gt, root / "photos_raw", PHOTO_SPEC)
    photos = {
        "plain": root / "photo_plain.jpg",
        "textured": root / "photo_textured.jpg",
        "alpha": root / "photo_alpha.png",
    }
    photo_from_render(shots[0], "plain").save(photos["plain"], quality=92)
    photo_from_render(shots[1], "textured", seed=1).save(photos["textured"], quality=92)
    photos["alpha"].write_bytes(shots[2].read_bytes())
    identical = render(gt, root / "cand_identical", CANDIDATE_SPEC)
    perturbed = {}
    for kind in PERTURBATIONS:
        for strength in STRENGTHS[kind]:
            glb = write_product(root / f"{kind}_{strength}.glb", kind, strength)
            perturbed[(kind, strength)] = render(
                glb, root / f"cand_{kind}_{strength}", CANDIDATE_SPEC
            )
    return Ladder(photos, identical, perturbed)
