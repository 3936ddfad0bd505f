"""Benchmark: the fast standard render against the code before it, in the same run.

    python -m benchmarks.bench_fast_render [--baseline REV] [--assets A,B] [--sweep-assets A,B]
                                           [--no-sweep] [--variants JSON] [--out DIR]

The baseline is a git worktree of REV (default: the commit before framing by projected extent),
run exactly as this tree is: the same harness writes each tree's own render job and launches its
own ``blender_addon/headless.py`` and ``python -m vfscore`` in a subprocess.

1. Per asset of ../shared/realworld, today's default (the baseline's) and this tree's: per view
   the bounding-box fill and the pixel coverage; the product's pixels; the render job's wall time;
   the whole ``python -m vfscore`` job with the offline judge (pose search included) and with a
   loopback LLM judge that answers at once; each as a ratio to the baseline.
2. The sweep (``--sweep-assets``, one view each): resolution x samples on this tree's framing,
   then one knob at a time (bounces, caustics, clamping, texture limit, the denoiser's prefilter
   and passes, the adaptive threshold) and this tree's default. The error is the mean absolute
   difference (0-255, on white) over the product's pixels against a 1024², 256 spp render with
   Cycles' full light paths of the same framing; the baseline's default is measured the same way
   against its own reference. References are reused from an earlier run in the same ``--out``
   when they were rendered from the same spec.
Prints Markdown tables and writes ``--out/bench_fast_render.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from benchmarks.bench_judge_v2 import ASSETS as PHOTOS
from benchmarks.bench_judge_v2 import REALWORLD
from rubric.core.definition import load_rubric
from tests.support.llm_server import ScriptedServer, answer_json, ok_reply

ROOT = Path(__file__).resolve().parents[1]
# Written into each tree's own process: the tree's preset with the changes asked for.
WRITE_JOB = """
import dataclasses, json, sys
from pathlib import Path
from blender_addon.contract.render_job import RenderJob
from blender_addon.contract.spec import preset
args = json.loads(sys.argv[1])
spec = preset()
if args["one_view"]:
    spec = spec.with_changes(rig=dataclasses.replace(spec.rig, views=spec.rig.views[:1]))
changes = {k: tuple(v) if isinstance(v, list) else v for k, v in args["changes"].items()}
spec = spec.with_changes(**changes)
RenderJob(Path(args["glb"]), Path(args["out"]), spec).write(Path(args["job"]))
"""


def baseline_rev() -> str:
    """The parent of the commit that added framing by projected extent."""
    added = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", "blender_addon/contract/framing.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return f"{added[-1]}^"


def worktree(rev: str) -> Path:
    """A checkout of ``rev`` beside this tree's temporary files (made once)."""
    sha = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()  # fmt: skip
    path = Path("/tmp") / f"vfscore-baseline-{sha[:12]}"
    if not (path / "blender_addon").is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), sha], cwd=ROOT,
                       check=True, capture_output=True)  # fmt: skip
    return path


def _env(tree: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), **extra}


def render(
    tree: Path, glb: Path, out: Path, changes: dict[str, Any], one_view: bool, reuse: bool = False
) -> dict[str, Any]:
    """One render job of ``tree``: its result, the wall time and each view's alpha and RGB.
    With ``reuse``, a result already in ``out`` rendered from the same spec is read, not redone
    (``wall_s`` is then None)."""
    out.mkdir(parents=True, exist_ok=True)
    job = out / "job.json"
    args = {"glb": str(glb), "out": str(out / "renders"), "job": str(job), "changes": changes,
            "one_view": one_view}  # fmt: skip
    subprocess.run([sys.executable, "-c", WRITE_JOB, json.dumps(args)], cwd=tree, env=_env(tree),
                   check=True)  # fmt: skip
    done = out / "renders" / "render_result.json"
    if reuse and done.is_file():
        result = json.loads(done.read_text())
        if result.get("ok") and result["spec"] == json.loads(job.read_text())["spec"]:
            return {"wall_s": None, "result": result, "images": _images(out, result)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(tree / "blender_addon" / "headless.py"), "--job",
                           str(job)], env=_env(tree), capture_output=True, text=True)  # fmt: skip
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{tree.name} render of {glb.name} failed: {proc.stderr[-800:]}")
    result = json.loads(done.read_text())
    return {"wall_s": wall, "result": result, "images": _images(out, result)}


def _images(out: Path, result: dict[str, Any]) -> list[np.ndarray]:  # type: ignore[type-arg]
    return [np.asarray(Image.open(out / "renders" / v["file"]).convert("RGBA"), np.float64)
            for v in result["views"]]  # fmt: skip


def view_figures(image: np.ndarray) -> dict[str, float]:  # type: ignore[type-arg]
    """Bounding-box fill (the larger share of width and height) and pixel coverage."""
    alpha = image[..., 3] > 127
    h, w = alpha.shape
    if not alpha.any():
        return {"fill": 0.0, "coverage": 0.0, "pixels": 0}
    rows, cols = np.nonzero(alpha)
    fill = max((cols.max() - cols.min() + 1) / w, (rows.max() - rows.min() + 1) / h)
    return {"fill": float(fill), "coverage": float(alpha.mean()), "pixels": int(alpha.sum())}


def whole_job(tree: Path, glb: Path, photos: list[Path], out: Path, config: str) -> float:
    """Wall seconds of ``python -m vfscore --cand-glb …`` (archi3D's command path), one repeat,
    from an empty folder (a finished job there would be reused, not run)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    (out / "vfscore.toml").write_text(config)
    cmd = [sys.executable, "-m", "vfscore", "--cand-glb", str(glb), "--ref-images",
           *map(str, photos), "--out-dir", str(out / "job"), "--repeats", "1"]  # fmt: skip
    env = _env(tree, VFSCORE_CONFIG=str(out / "vfscore.toml"), VFSCORE_CACHE_DIR=str(out / "c"))
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{tree.name} job of {glb.name} failed: {proc.stderr[-800:]}")
    return time.perf_counter() - start


def outside_cycles(job: Path, wall: float) -> dict[str, float]:
    """Where a whole job's seconds went, from its result.json: Cycles (the standard and matched
    views), the rest of the render process (Python and bpy start, import, set-up, PNG writes),
    and the rest of ``python -m vfscore`` (start, checks, judge, thumbnails, writes)."""
    record = json.loads((job / "result.json").read_text())
    t = record["render_timings"]
    cycles = sum(t["views_s"]) + t.get("matched_render_s", 0.0)
    render = record["render_runtime_s"]
    return {"cycles_s": round(cycles, 2), "render_process_other_s": round(render - cycles, 2),
            "vfscore_other_s": round(wall - render, 2)}  # fmt: skip


def on_white(image: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    a = image[..., 3:4] / 255.0
    return image[..., :3] * a + 255.0 * (1.0 - a)  # type: ignore[no-any-return]


def product_error(image: np.ndarray, reference: np.ndarray) -> float:  # type: ignore[type-arg]
    """Mean absolute difference over the product's pixels, the reference downsampled (box)."""
    h, w = image.shape[:2]
    ref = np.asarray(Image.fromarray(reference.astype(np.uint8), "RGBA").resize((w, h),
                     Image.Resampling.BOX), np.float64)  # fmt: skip
    product = (ref[..., 3] > 127) | (image[..., 3] > 127)
    return float(np.abs(on_white(image) - on_white(ref))[product].mean())


def per_asset(tree: Path, base: Path, asset: str, out: Path, llm_config: str) -> dict[str, Any]:
    glb = REALWORLD / asset / f"{asset}.glb"
    photos = [REALWORLD / asset / p for p in PHOTOS[asset]]
    row: dict[str, Any] = {"asset": asset}
    for name, t in (("today", base), ("new", tree)):
        folder = out / asset / name
        r = render(t, glb, folder / "render", {}, one_view=False)
        figures = [view_figures(i) for i in r["images"]]
        row[name] = {
            "render_job_s": round(r["wall_s"], 2),
            "views_s": r["result"]["timings"].get("views_s"),
            "fill": [round(f["fill"], 3) for f in figures],
            "coverage": [round(f["coverage"], 3) for f in figures],
            "product_pixels": sum(f["pixels"] for f in figures),
            "offline_job_s": round(whole_job(t, glb, photos, folder / "offline", ""), 2),
            "llm_job_s": round(whole_job(t, glb, photos, folder / "llm", llm_config), 2),
            "device": r["result"].get("device"),
        }  # fmt: skip
        row[name]["llm_job_parts"] = outside_cycles(folder / "llm" / "job", row[name]["llm_job_s"])
    for key in ("render_job_s", "offline_job_s", "llm_job_s", "product_pixels"):
        row[f"{key}_ratio"] = round(row["new"][key] / row["today"][key], 3)
    return row


# The reference: many samples, many pixels and Cycles' full light paths (today's), whatever this
# tree's defaults are.
REFERENCE = {"resolution": [1024, 1024], "samples": 256, "max_bounces": 12, "diffuse_bounces": 4,
             "glossy_bounces": 4, "transmission_bounces": 12, "transparent_bounces": 8,
             "caustics": True, "clamp_indirect": 10.0, "texture_limit": 0,
             "denoise_passes": "RGB_ALBEDO_NORMAL", "denoise_prefilter": "ACCURATE"}  # fmt: skip
GRID: list[dict[str, Any]] = [{"resolution": [side, side], "samples": spp}
        for side in (256, 320, 384, 448, 512) for spp in (4, 8, 16)]  # fmt: skip
# One knob at a time, at a point of the grid; then all of them together.
KNOB_BASE: dict[str, Any] = {"resolution": [384, 384], "samples": 8}
KNOBS: dict[str, dict[str, Any]] = {
    "bounces 4/2/2/4/4": {"max_bounces": 4, "diffuse_bounces": 2, "glossy_bounces": 2,
                          "transmission_bounces": 4, "transparent_bounces": 4},
    "bounces 2/1/1/2/4": {"max_bounces": 2, "diffuse_bounces": 1, "glossy_bounces": 1,
                          "transmission_bounces": 2, "transparent_bounces": 4},
    "no caustics": {"caustics": False},
    "clamp 3": {"clamp_indirect": 3.0},
    "texture limit 1024": {"texture_limit": 1024},
    "prefilter FAST": {"denoise_prefilter": "FAST"},
    "passes RGB_ALBEDO": {"denoise_passes": "RGB_ALBEDO"},
    "quality BALANCED": {"denoise_quality": "BALANCED"},
    "quality FAST": {"denoise_quality": "FAST"},
    "adaptive 0.05": {"adaptive_threshold": 0.05},
    "adaptive off": {"adaptive_threshold": 0.0},
}  # fmt: skip


def _knob_rows() -> list[tuple[str, dict[str, Any]]]:
    rows = [(f"{c['resolution'][0]}/{c['samples']}", c) for c in GRID]
    rows += [(name, {**KNOB_BASE, **knob}) for name, knob in KNOBS.items()]
    together = {k: v for knob in ("bounces 4/2/2/4/4", "no caustics", "prefilter FAST")
                for k, v in KNOBS[knob].items()}  # fmt: skip
    rows.append(("384/8 + bounces 4 + no caustics + FAST", {**KNOB_BASE, **together}))
    rows.append(("this tree's default", {}))
    return rows


def _reference(tree: Path, glb: Path, out: Path, changes: dict[str, Any]) -> np.ndarray:  # type: ignore[type-arg]
    """A reference render, reused from an earlier run of the benchmark made from the same spec
    (a reference of another framing or default would skew every error against it)."""
    return render(tree, glb, out, changes, one_view=True, reuse=True)["images"][0]  # type: ignore[no-any-return]


def _sweep_row(asset: str, label: str, r: dict[str, Any], ref: np.ndarray) -> dict[str, Any]:  # type: ignore[type-arg]
    spec = r["result"]["spec"]
    return {"asset": asset, "variant": label, "resolution": spec["resolution"][0],
            "samples": spec["samples"], "error": round(product_error(r["images"][0], ref), 3),
            "pixels": view_figures(r["images"][0])["pixels"],
            "view_s": r["result"]["timings"]["views_s"][0],
            "job_s": round(r["wall_s"], 2)}  # fmt: skip


def sweep(
    tree: Path, base: Path, asset: str, out: Path, variants: dict[str, dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """One view of ``asset``: today's default against its reference, then every variant of this
    tree (``variants``, else the grid, the knobs and this tree's default) against this tree's
    reference."""
    glb = REALWORLD / asset / f"{asset}.glb"
    ref_new = _reference(tree, glb, out / asset / "ref-new", REFERENCE)
    ref_old = _reference(base, glb, out / asset / "ref-old",
                         {"resolution": [1024, 1024], "samples": 256})  # fmt: skip
    today = render(base, glb, out / asset / "today", {}, one_view=True)
    rows = [_sweep_row(asset, "today's default", today, ref_old)]
    print(json.dumps(rows[-1]), flush=True)
    for i, (label, changes) in enumerate(variants.items() if variants else _knob_rows()):
        r = render(tree, glb, out / asset / f"v{i:02d}", changes, one_view=True)
        rows.append(_sweep_row(asset, label, r, ref_new))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--baseline", default=None, help="git revision of today's default")
    ap.add_argument("--assets", default=",".join(PHOTOS))
    ap.add_argument("--sweep-assets", default="ToyCar,WickerChair,TennisRacquet,SheenChair")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument(
        "--variants",
        type=json.loads,
        default=None,
        help='JSON {"label": {spec changes}}: sweep these instead of the built-in list',
    )
    ap.add_argument("--out", type=Path, default=Path("bench_fast_render_out"))
    args = ap.parse_args()
    args.out = args.out.resolve()
    base = worktree(args.baseline or baseline_rev())
    names = load_rubric().names
    report: dict[str, Any] = {"baseline": base.name, "assets": [], "sweep": []}
    with ScriptedServer() as server:
        server.responder = lambda r: ok_reply("openai", answer_json(names, 70))
        llm = (f"[judge]\nprovider = 'openai-compatible'\nmodel = 'loopback'\n"
               f"base_url = '{server.url}/v1'\n")  # fmt: skip
        for asset in filter(None, args.assets.split(",")):
            report["assets"].append(per_asset(ROOT, base, asset, args.out, llm))
            print(json.dumps(report["assets"][-1]), flush=True)
    if not args.no_sweep:
        for asset in args.sweep_assets.split(","):
            report["sweep"] += sweep(ROOT, base, asset, args.out / "sweep", args.variants)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_fast_render.json").write_text(json.dumps(report, indent=1))
    _print_tables(report)


def _print_tables(report: dict[str, Any]) -> None:
    print("\n| asset | fill per view (today → new) | coverage (today → new) | product pixels | "
          "render job | offline job | LLM job |\n|---|---|---|---|---|---|---|")  # fmt: skip
    for r in report["assets"]:
        t, n = r["today"], r["new"]
        print(f"| {r['asset']} | {t['fill']} → {n['fill']} | {t['coverage']} → {n['coverage']} | "
              f"{r['product_pixels_ratio']}x | {t['render_job_s']} → {n['render_job_s']} s "
              f"({r['render_job_s_ratio']}x) | {t['offline_job_s']} → {n['offline_job_s']} s "
              f"({r['offline_job_s_ratio']}x) | {t['llm_job_s']} → {n['llm_job_s']} s "
              f"({r['llm_job_s_ratio']}x) |")  # fmt: skip
    if report["assets"]:
        fills = [f for r in report["assets"] for f in r["new"]["fill"]]
        print(f"\nmedian fill per view: {statistics.median(fills):.3f}")
    print("\n| asset | variant | resolution | samples | error | product pixels | view s | job s |"
          "\n|---|---|---|---|---|---|---|---|")  # fmt: skip
    for s in report["sweep"]:
        print(f"| {s['asset']} | {s['variant']} | {s['resolution']} | {s['samples']} | "
              f"{s['error']} | {s['pixels']} | {s['view_s']} | {s['job_s']} |")  # fmt: skip


if __name__ == "__main__":
    main()
