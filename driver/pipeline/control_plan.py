"""Which controls a run judges: per product of the run, its ground-truth model (``gt``), the
known-wrong copies of it, and the ground truth of the most different other product.

A product is ``product_id[/variant]`` (the candidates a tournament compares). Its photos are the
union of its rows' photos (the column set the run reads); its ground truth is ``gt_object_path``.
Rows are those of the run that pass ``--only-status`` and ``--jobs``, scored or not: the controls
describe the run's judge on the run's products, and a rerun reuses what is finished.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from driver.pipeline.perturb import CONTROL_PERTURBATIONS
from driver.pipeline.selection import product_group, resolve_model, resolve_refs
from driver.results.layout import CONTROLS, results_dir
from driver.ssot.workspace import Workspace
from rubric import POSITIVE, ImageInputError, load_image

OTHER = "other_product"
GT_COLUMN = "gt_object_path"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Product:
    key: str  # product_id[/variant]
    product_id: str
    variant: str
    photos: tuple[Path, ...]
    gt: Path | None
    missing: str | None = None  # why there is no usable ground truth


@dataclass(frozen=True)
class ControlJob:
    """One control to judge against ``product``'s photos: ``model`` is the product's gt, a copy
    of it made by ``perturbation``, or (``other_product``) the gt of ``source``."""

    product: Product
    control: str
    model: Path
    out_dir: Path
    perturbation: str | None = None
    source: str | None = None
    reuse: Path | None = None  # a folder whose renders of the same model may serve (other_product)


@dataclass
class ControlPlan:
    jobs: list[ControlJob] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    skipped: list[tuple[Product, str, str]] = field(default_factory=list)  # product, control, why
    skip_reasons: Counter[str] = field(default_factory=Counter)

    def skip(self, product: Product, control: str, why: str) -> None:
        self.skipped.append((product, control, why))
        self.skip_reasons[why if control == POSITIVE else f"{control}: {why}"] += 1


def folder_name(key: str) -> str:
    """A product key as one folder name: readable, and distinct for distinct keys."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    return f"{_UNSAFE.sub('_', key)[:80]}-{digest}"


def control_dir(ws: Workspace, run_id: str, product: Product, control: str) -> Path:
    """``runs/<run>/metrics/vfscore/_controls/<product>/<control>/``."""
    return (
        results_dir(ws, run_id) / CONTROLS / folder_name(product.key) / control
    )


def plan_products(
    ws: Workspace,
    table: pd.DataFrame,
    run_id: str,
    use_images_from: str,
    keep: Callable[[pd.Series], bool],
) -> list[Product]:
    """The run's products (rows that ``keep``), each with its photos and its ground truth."""
    photos: dict[str, list[Path]] = {}
    rows: dict[str, pd.Series] = {}
    for _, row in table.iterrows():
        if row.get("run_id") != run_id or not keep(row):
            continue
        key = product_group(row)
        if not key:
            continue
        rows.setdefault(key, row)
        refs, _ = resolve_refs(ws, row, use_images_from)
        mine = photos.setdefault(key, [])
        mine += [p for p in refs if p not in mine]
    products = []
    for key, row in rows.items():
        gt = resolve_model(ws, row.get(GT_COLUMN), GT_COLUMN, "ground-truth model")
        products.append(
            Product(
                key,
                str(row.get("product_id") or ""),
                str(row.get("variant") or ""),
                tuple(photos[key]),
                gt if isinstance(gt, Path) else None,
                gt if isinstance(gt, str) else None,
            )
        )
    return products


def mean_colour(photos: tuple[Path, ...]) -> npt.NDArray[np.float64] | None:
    """The mean RGB of a product's photos (each seen at 32 px), None when none can be read."""
    means = []
    for path in photos:
        try:
            img = load_image(path, "reference photo").convert("RGB").resize((32, 32))
        except ImageInputError:
            continue
        means.append(np.asarray(img, dtype=np.float64).reshape(-1, 3).mean(axis=0))
    return np.mean(means, axis=0) if means else None


def choose_others(products: list[Product]) -> dict[str, Product]:
    """For each product, the product with a ground truth whose photos differ most from its own in
    mean colour (ties: the first by key); none when no other product has one."""
    colours = {p.key: mean_colour(p.photos) for p in products}
    donors = sorted((p for p in products if p.gt is not None), key=lambda p: p.key)
    chosen = {}
    for p in products:
        own = colours[p.key]
        best: tuple[float, Product] | None = None
        for d in donors:
            if d.key == p.key or (d.gt is not None and d.gt == p.gt):
                continue
            other = colours[d.key]
            dist = 0.0 if own is None or other is None else float(np.linalg.norm(own - other))
            if best is None or dist > best[0]:
                best = (dist, d)
        if best is not None:
            chosen[p.key] = best[1]
    return chosen


def plan_controls(ws: Workspace, run_id: str, products: list[Product]) -> ControlPlan:
    """Every control job of the run, and what is skipped and why."""
    plan = ControlPlan(products=products)
    others = choose_others(products)
    for p in products:
        if not p.photos:
            plan.skip(p, POSITIVE, "the product has no usable photo")
            continue
        if p.gt is None:
            plan.skip(p, POSITIVE, p.missing or "no ground-truth model")
        else:
            plan.jobs.append(ControlJob(p, POSITIVE, p.gt, control_dir(ws, run_id, p, POSITIVE)))
            for control, kind in CONTROL_PERTURBATIONS.items():
                out = control_dir(ws, run_id, p, control)
                plan.jobs.append(ControlJob(p, control, out / "model.glb", out, kind))
        donor = others.get(p.key)
        if donor is None or donor.gt is None:
            plan.skip(p, OTHER, "no other product of the run has a ground truth")
        else:
            out = control_dir(ws, run_id, p, OTHER)
            own = control_dir(ws, run_id, donor, POSITIVE)
            plan.jobs.append(ControlJob(p, OTHER, donor.gt, out, source=donor.key, reuse=own))
    return plan
