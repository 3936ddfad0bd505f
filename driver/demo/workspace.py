"""`vfscore demo`: a small archi3D workspace made from assets VFScore generates, then scored.

Three products, each with a textured ground-truth model (``gt_object_path``), three reference
"photos" rendered from it under other light on a backdrop, and three generated candidates:
faithful, subtly off, badly off. Everything is deterministic; nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from blender_addon.contract.render_job import RenderJob
from blender_addon.contract.spec import CameraRig, CameraView, RenderSpec, preset
from driver.demo.assets import (
    label_texture,
    perturbed_material,
    perturbed_texture,
    photo_from_render,
    png_bytes,
)
from driver.demo.glb_writer import Material, Mesh, box_mesh, cylinder_mesh, glb_bytes
from driver.pipeline.launcher import run_render

DEMO_RUN_ID = "2025-11-22T21-25-08Z"
DEMO_CONFIG = """\
# The demo renders at 256 px to stay within a few minutes on 2 CPU cores.
[render]
resolution = 256
samples = 16

[compute]
# The demo judges offline, which is deterministic: one repeat says it all (use 3 or more with
# an LLM judge).
repeats = 1
max_parallel = 2
"""


@dataclass(frozen=True)
class DemoProduct:
    product_id: str
    name: str
    shape: str  # box | cylinder
    palette: tuple[tuple[int, int, int], ...]
    material: Material


PRODUCTS = (
    DemoProduct(
        "000123",
        "Striped tin",
        "cylinder",
        ((200, 40, 40), (240, 220, 60), (30, 90, 170), (245, 245, 240)),
        Material(roughness=0.35),
    ),
    DemoProduct(
        "004200",
        "Gift box",
        "box",
        ((40, 140, 70), (230, 230, 230), (180, 30, 90), (250, 240, 220)),
        Material(roughness=0.6),
    ),
    DemoProduct(
        "010007",
        "Label jar",
        "cylinder",
        ((20, 20, 20), (230, 120, 20), (90, 170, 200), (235, 235, 235)),
        Material(roughness=0.25, metallic=0.2),
    ),
)
# candidate (its algo in the table) → list of (perturbation, strength)
CANDIDATES: dict[str, tuple[tuple[str, float], ...]] = {
    "faithful": (),
    "subtly_off": (("hue_shift", 15.0), ("blur", 5.0)),
    "badly_off": (("mean_colour", 1.0), ("scale", 2.5)),
}
PHOTO_RIG = CameraRig(
    (
        CameraView("front", 10.0, 8.0),
        CameraView("side", 100.0, 12.0),
        CameraView("back", 200.0, 20.0),
    )
)
BACKDROPS = ("plain", "textured", "plain")


def _mesh(shape: str) -> Mesh:
    return box_mesh((0.8, 0.6, 0.5)) if shape == "box" else cylinder_mesh()


def product_glb(
    path: Path, product: DemoProduct, perturbations: tuple[tuple[str, float], ...] = ()
) -> Path:
    tex = label_texture(palette=product.palette)
    mat = product.material
    for kind, strength in perturbations:
        tex = perturbed_texture(tex, kind, strength)
        mat = perturbed_material(mat, kind, strength)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(glb_bytes(_mesh(product.shape), replace(mat, texture_png=png_bytes(tex))))
    return path


def job_id_for(product: DemoProduct, variant: str) -> str:
    """12 lowercase hex characters, like archi3D's; one of them all digits on purpose."""
    if (product.product_id, variant) == ("004200", "faithful"):
        return "123456789012"
    return hashlib.sha256(f"{product.product_id}/{variant}".encode()).hexdigest()[:12]


def build_demo_workspace(
    root: Path, spec: RenderSpec | None = None, products: tuple[DemoProduct, ...] = PRODUCTS
) -> Path:
    """Create the workspace at ``root`` (tables, dataset, runs) and return ``root``."""
    photo_spec = (spec or preset()).with_changes(
        rig=PHOTO_RIG, hdri_alias="blender_studio", hdri_strength=0.8
    )
    with tempfile.TemporaryDirectory(prefix="vfscore-demo-") as tmp:
        rows, items = _build(root, Path(tmp), photo_spec, products)
    (root / "tables").mkdir(parents=True, exist_ok=True)
    # Written the way archi3D writes its tables.
    pd.DataFrame(rows).to_csv(
        root / "tables" / "generations.csv", index=False, encoding="utf-8-sig"
    )
    pd.DataFrame(items).to_csv(root / "tables" / "items.csv", index=False, encoding="utf-8-sig")
    (root / "logs").mkdir(exist_ok=True)
    return root


def _build(
    root: Path, scratch: Path, photo_spec: RenderSpec, products: tuple[DemoProduct, ...]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    rows: list[dict[str, str]] = []
    items: list[dict[str, str]] = []
    for product in products:
        folder = f"{product.product_id}_{product.name.lower().replace(' ', '_')}"
        # The ground truth stays in the dataset, as archi3D keeps it: the run's controls use it.
        gt = product_glb(root / "dataset" / folder / "gt" / "model.glb", product)
        outcome = run_render(
            RenderJob(gt, scratch / f"{product.product_id}_photos", photo_spec), timeout_s=600
        )
        if outcome.returncode != 0:
            raise RuntimeError(f"demo photo render failed: {outcome.result.get('error')}")
        images = root / "dataset" / folder / "images"
        images.mkdir(parents=True, exist_ok=True)
        photo_paths = []
        for i, (view, backdrop) in enumerate(zip(outcome.result["views"], BACKDROPS, strict=True)):
            photo = images / f"photo_{i + 1}.jpg"
            photo_from_render(
                scratch / f"{product.product_id}_photos" / view["file"], backdrop, seed=i
            ).save(photo, quality=92)
            photo_paths.append(photo.relative_to(root).as_posix())
        items.append(
            {"product_id": product.product_id, "product_name": product.name, "category_l1": "Home"}
        )
        for variant, perturbations in CANDIDATES.items():
            job_id = job_id_for(product, variant)
            glb = product_glb(
                root / "runs" / DEMO_RUN_ID / "outputs" / job_id / "generated.glb",
                product,
                perturbations,
            )
            row = {
                "run_id": DEMO_RUN_ID,
                "job_id": job_id,
                "status": "completed",
                "product_id": product.product_id,
                # The three candidates stand for three generators of the same product, so the
                # report compares them as algorithms and the inspector offers them as pairs.
                "variant": "",
                "algo": variant,
                "product_name": product.name,
                "category_l1": "Home",
                "category_l2": "Storage",
                "category_l3": "",
                "gen_object_path": glb.relative_to(root).as_posix(),
                "gt_object_path": gt.relative_to(root).as_posix(),
            }
            for k in range(1, 7):
                row[f"used_image_{k}_path"] = photo_paths[k - 1] if k <= len(photo_paths) else ""
                row[f"source_image_{k}_path"] = ""
            rows.append(row)
    return rows, items
