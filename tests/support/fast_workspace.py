"""A small archi3D workspace built without Blender, and the fake renderer that serves it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd
from PIL import Image, ImageDraw

from driver.demo.assets import write_textured_glb

RUN_ID = "2025-11-22T21-25-08Z"
FAKE_BLENDER = Path(__file__).resolve().parent / "fake_blender.py"
CONFIG = "[render]\nresolution = 32\n\n[compute]\nrepeats = 2\n"


def job_id(i: int) -> str:
    return f"{i:012x}"


def build(root: Path, n_jobs: int = 3, statuses: list[str] | None = None) -> Path:
    """``root`` with n jobs of one product: GLBs, one reference photo, the table, a config."""
    photo = root / "dataset" / "000123_tin" / "images" / "photo_1.png"
    photo.parent.mkdir(parents=True)
    img = Image.new("RGB", (64, 64), (240, 240, 240))
    ImageDraw.Draw(img).ellipse([16, 16, 48, 48], (190, 70, 40))
    img.save(photo)
    rows = []
    for i in range(n_jobs):
        glb = root / "runs" / RUN_ID / "outputs" / job_id(i) / "generated.glb"
        glb.parent.mkdir(parents=True)
        write_textured_glb(glb)
        rows.append(
            {
                "run_id": RUN_ID,
                "job_id": job_id(i),
                "status": (statuses or ["completed"] * n_jobs)[i],
                "product_id": "000123",
                "gen_object_path": glb.relative_to(root).as_posix(),
                "used_image_1_path": photo.relative_to(root).as_posix(),
                "source_image_1_path": photo.relative_to(root).as_posix(),
            }
        )
    (root / "tables").mkdir()
    pd.DataFrame(rows).to_csv(
        root / "tables" / "generations.csv", index=False, encoding="utf-8-sig"
    )
    (root / "vfscore.toml").write_text(CONFIG)
    return root


def fake_blender(folder: Path) -> Path:
    """An executable that runs the fake renderer with this Python."""
    exe = folder / "fake-blender"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_BLENDER}" "$@"\n')
    exe.chmod(0o755)
    return exe


def fake_runs(log: Path) -> list[dict[str, Any]]:
    """What each fake Blender run recorded, by start time."""
    runs = [json.loads(p.read_text()) for p in log.glob("*.json")]
    return sorted(runs, key=lambda r: r["start"])


def table(root: Path) -> pd.DataFrame:
    return pd.read_csv(
        root / "tables" / "generations.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )


def log_records(root: Path) -> list[dict[str, Any]]:
    lines = (root / "logs" / "metrics.log").read_text().splitlines()
    return [json.loads(line.split(" ", 1)[1]) for line in lines]
