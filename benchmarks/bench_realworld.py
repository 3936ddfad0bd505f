"""Benchmark: every real-world asset of ../shared/realworld rendered with the default preset.

    python -m benchmarks.bench_realworld [--out DIR] [--samples N] [--resolution PX]

For each asset: the headless entry (the bpy wheel, as the driver launches it), the wall time,
the frame coverage of each view (share of opaque pixels), the warnings and stats of the render,
and a contact sheet ``<out>/<Name>_sheet.png``: the asset's reference image, then its four views.
Prints one JSON line per asset and a summary line; look at the sheets.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from benchmarks.bench_render import headless
from blender_addon.contract.spec import preset

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "realworld"
TILE = 256


def reference_of(folder: Path) -> Path | None:
    """The asset's first reference image (screenshot or reference render)."""
    images = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    return images[0] if images else None


def contact_sheet(reference: Path | None, views: list[Path], title: str, out: Path) -> None:
    """Reference and views side by side on grey (so the transparent film shows)."""
    tiles = [reference, *views]
    sheet = Image.new("RGB", (TILE * len(tiles), TILE + 20), (128, 128, 128))
    for i, path in enumerate(tiles):
        if path is None:
            continue
        img = Image.open(path).convert("RGBA")
        img.thumbnail((TILE, TILE))
        backdrop = Image.new("RGBA", img.size, (128, 128, 128, 255))
        backdrop.alpha_composite(img)
        sheet.paste(backdrop.convert("RGB"), (i * TILE, 20))
    ImageDraw.Draw(sheet).text((4, 4), title, fill=(255, 255, 255))
    sheet.save(out)


def render_asset(
    glb: Path, out: Path, samples: int | None, resolution: int | None
) -> dict[str, object]:
    spec = preset()
    if samples:
        spec = spec.with_changes(samples=samples)
    if resolution:
        spec = spec.with_changes(resolution=(resolution, resolution))
    returncode, wall, result = headless(glb, out, glb.stem, spec)
    views = [out / glb.stem / v["file"] for v in result.get("views", [])]
    coverage = [round(float((np.asarray(Image.open(v))[..., 3] > 128).mean()), 3) for v in views]
    contact_sheet(reference_of(glb.parent), views, glb.stem, out / f"{glb.stem}_sheet.png")
    return {
        "asset": glb.stem,
        "exit": returncode,
        "wall_s": round(wall, 1),
        "coverage": coverage,
        "stats": result.get("stats"),
        "warnings": result.get("warnings"),
        "error": result.get("error"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench_realworld_out")
    parser.add_argument("--samples", type=int, help="override the preset's samples")
    parser.add_argument("--resolution", type=int, help="override the preset's resolution")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for glb in sorted(REALWORLD.glob("*/*.glb")):
        row = render_asset(glb, args.out, args.samples, args.resolution)
        rows.append(row)
        print(json.dumps(row), flush=True)
    walls = [float(r["wall_s"]) for r in rows]  # type: ignore[arg-type]
    print(json.dumps({"assets": len(rows), "total_s": round(sum(walls), 1), "failed": [
        r["asset"] for r in rows if r["exit"] != 0]}))  # fmt: skip


if __name__ == "__main__":
    main()
