"""Benchmark: the offline judge on real assets — pose-matched ladder, cross-asset ranking, size.

    python -m benchmarks.bench_judge_v2 [--out DIR] [--assets A,B] [--render-only]

For every asset of ../shared/realworld (and the reference images listed in ASSETS):
1. renders the original and each perturbation of ``driver.pipeline.perturb`` (hue 60°, blurred
   base colour, flat mean colour, matte) at the default settings, with the photos' poses matched;
2. renders the original matched to every *other* asset's photos (cross-asset ranking);
3. renders the original at 256² and 512² (size independence, whatever the default size);
then scores each with the offline judge and prints the tables of the issue: per asset the scores
of the ladder, the share of cross-asset pairs where the matching photos win, the 256/512 gap, and
the time per job with and without pose matching. Renders are cached in ``--out`` (keyed by the
model's bytes, the spec and the pose targets), so re-scoring after a judge change is quick.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from skimage.color import deltaE_ciede2000, rgb2lab

from blender_addon.contract.digest import sha256_file
from blender_addon.contract.pose_match import targets_key
from blender_addon.contract.render_job import RESULT_FILE, RenderJob
from blender_addon.contract.spec import RenderSpec, preset
from driver.config.settings import RunSettings
from driver.pipeline.launcher import run_render
from driver.pipeline.perturb import PERTURBATIONS, write_perturbed
from driver.pipeline.stages import matched_views, pose_targets
from rubric.core.definition import load_rubric
from rubric.core.judge import MatchedView
from rubric.offline.judge import OfflineJudge

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "realworld"
# The reference images that stand in for each product's photos (MANIFEST.md says what they are;
# SheenChair's composites and duplicate screenshot sizes are left out).
ASSETS: dict[str, tuple[str, ...]] = {
    "GlamVelvetSofa": ("screenshot.jpg",),
    "Mixer": ("rr-Mixer-0.png",),
    "SheenChair": ("screenshot-large.jpg",),
    "TennisRacquet": ("rr-TennisRacquet-0.png", "rr-TennisRacquet-1.png", "rr-TennisRacquet-2.png"),
    "ToyCar": ("screenshot.jpg",),
    "WickerChair": ("rr-WickerChair-0.png",),
}


def refs_of(asset: str) -> list[Path]:
    return [REALWORLD / asset / name for name in ASSETS[asset]]


def render(
    glb: Path, refs: list[Path], spec: RenderSpec, out: Path, judge: OfflineJudge
) -> tuple[list[Path], tuple[MatchedView, ...], dict[str, Any]]:
    """Render (or reuse) ``glb`` with the poses of ``refs`` matched; (views, matched, result)."""
    targets = pose_targets(refs, RunSettings(spec, judge, {}))
    key = {"glb": sha256_file(glb), "spec": spec.spec_hash(), "match": targets_key(targets)}
    try:
        result = json.loads((out / RESULT_FILE).read_text())
        cached = result.get("bench_key") == key and result.get("ok")
    except (OSError, ValueError):
        cached = False
    if not cached:
        start = time.perf_counter()
        outcome = run_render(RenderJob(glb, out, spec, match=targets), timeout_s=900)
        result = outcome.result
        if not result.get("ok"):
            raise RuntimeError(f"{glb}: {result.get('error')}")
        result["bench_key"] = key
        result["bench_wall_s"] = round(time.perf_counter() - start, 2)
        (out / RESULT_FILE).write_text(json.dumps(result))
    views = [out / v["file"] for v in result["views"]]
    return views, matched_views(result, refs, out), result


def candidates(asset: str, out: Path) -> dict[str, Path]:
    source = REALWORLD / asset / f"{asset}.glb"
    made = {"original": source}
    for kind in PERTURBATIONS:
        target = out / "models" / f"{asset}_{kind}.glb"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            write_perturbed(source, kind, target)
        made[kind] = target
    return made


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench_judge_out")
    ap.add_argument("--assets", help="comma-separated subset of the assets")
    ap.add_argument("--render-only", action="store_true", help="render, do not score")
    args = ap.parse_args()
    assets = args.assets.split(",") if args.assets else list(ASSETS)
    judge = OfflineJudge(load_rubric())
    spec = preset()
    rows: dict[str, dict[str, Any]] = {}
    for asset in assets:
        refs = refs_of(asset)
        models = candidates(asset, args.out)
        jobs: dict[str, Any] = {}
        for kind, glb in models.items():
            jobs[kind] = render(glb, refs, spec, args.out / asset / kind, judge)
        for side in SIZES:
            jobs[f"size{side}"] = render(
                models["original"], refs, spec.with_changes(resolution=(side, side)),
                args.out / asset / f"size{side}", judge,
            )  # fmt: skip
        for other in ASSETS:
            if other != asset:
                jobs[f"vs:{other}"] = render(
                    models["original"],
                    refs_of(other),
                    spec,
                    args.out / asset / f"vs_{other}",
                    judge,
                )
        rows[asset] = jobs
        print(f"rendered {asset}", flush=True)
    if not args.render_only:
        report(rows, judge)


# The size-independence target compares 256² with 512², whatever the default's resolution.
SIZES = (256, 512)
SPEC_SIDE = preset().resolution[0]
TARGET = {"hue60": "color_palette", "blur2": "texture_identity", "flat": "texture_identity",
          "matte": "finish"}  # fmt: skip


def score(judge: OfflineJudge, refs: list[Path], job: Any, pose_matched: bool = True) -> Any:
    """(subscores, overall, seconds) of one job; without ``pose_matched``, version 1's way."""
    views, matched, _ = job
    start = time.perf_counter()
    sub, _, _ = judge.score(refs, views, matched if pose_matched else ())
    return sub, judge.rubric.overall(sub), time.perf_counter() - start


def render_change(original: Any, perturbed: Any) -> float:
    """Mean CIEDE2000 between the two models' first standard view (same camera): how visible
    the perturbation is at all, before any photo comes in."""
    a, b = (
        np.asarray(Image.open(job[0][0]).convert("RGBA"), dtype=np.float64) / 255
        for job in (original, perturbed)
    )
    both = (a[..., 3] > 0.5) & (b[..., 3] > 0.5)
    de = deltaE_ciede2000(rgb2lab(a[..., :3]), rgb2lab(b[..., :3]))  # type: ignore[no-untyped-call]
    return float(de[both].mean())


def same_renders(original: Any, perturbed: Any) -> bool:
    """Whether the two jobs wrote byte-identical images (every view and matched view): the
    perturbation changed nothing the renderer uses (a blur of a base colour the model takes from
    a factor, not a texture), and no judge can rank identical images apart."""

    def digests(job: Any) -> list[str]:
        result = job[2]
        return [e["sha256"] for e in (*result["views"], *result["matched"]) if e.get("sha256")]

    return digests(original) == digests(perturbed)


def report(rows: dict[str, dict[str, Any]], judge: OfflineJudge) -> None:
    names = judge.rubric.names
    print(
        "| asset | candidate | render change ΔE | " + " | ".join(names) + " | overall | verdict |"
    )
    print("|---|---|---|" + "---|" * (len(names) + 2))
    wins, pairs, gaps, walls = 0, 0, [], []
    times: dict[str, list[float]] = {"v1": [], "v2": []}
    for asset, jobs in rows.items():
        refs = refs_of(asset)
        own_sub, own, _ = score(judge, refs, jobs["original"])
        _, at512, _ = score(judge, refs, jobs["size512"])
        for kind in ("original", *PERTURBATIONS, *(f"size{side}" for side in SIZES)):
            sub, overall, seconds = score(judge, refs, jobs[kind])
            times["v2"].append(seconds)
            times["v1"].append(score(judge, refs, jobs[kind], pose_matched=False)[2])
            change = (
                ""
                if kind == "original" or kind.startswith("size")
                else f"{render_change(jobs['original'], jobs[kind]):.2f}"
            )
            verdict = ""
            if kind in TARGET and same_renders(jobs["original"], jobs[kind]):
                verdict = "n/a (renders identical to the original's: a no-op on this model)"
            elif kind in TARGET:
                dim = TARGET[kind]
                ok = own - overall >= 5 and own_sub[dim] - sub[dim] >= 5
                drops = f"{own - overall:+d} overall, {own_sub[dim] - sub[dim]:+d} {dim}"
                verdict = f"{'pass' if ok else 'FAIL'} ({drops})"
            elif kind == "original":
                verdict = "pass" if own >= 90 else "FAIL (< 90)"
            elif kind == "size256":
                gaps.append(abs(overall - at512))
                verdict = f"{'pass' if gaps[-1] <= 5 else 'FAIL'} (gap to 512²: {gaps[-1]})"
            else:
                verdict = f"gap to the default's {SPEC_SIDE}²: {abs(overall - own)}"
            cells = " | ".join(str(sub[n]) for n in names)
            print(f"| {asset} | {kind} | {change} | {cells} | {overall} | {verdict} |")
        result = jobs["original"][2]
        t = result["timings"]
        walls.append(
            (
                asset,
                result["bench_wall_s"],
                t.get("pose_search_s", 0) + t.get("matched_render_s", 0),
            )
        )
        for other in ASSETS:
            if other != asset and f"vs:{other}" in jobs:
                _, cross, _ = score(judge, refs_of(other), jobs[f"vs:{other}"])
                pairs += 1
                wins += own > cross
                if own <= cross:
                    print(
                        f"cross-asset miss: {asset} model: {cross} on {other}'s photos, {own} own"
                    )
    print(f"matching photos win {wins}/{pairs} ({wins / max(1, pairs):.0%})")
    print(f"256 vs 512 gap: max {max(gaps)}, median {statistics.median(gaps)}")
    print(
        f"judge time per job: v2 median {statistics.median(times['v2']):.2f} s, "
        f"v1 (statistics only) median {statistics.median(times['v1']):.2f} s"
    )
    for asset, wall, extra in walls:
        print(
            f"render job {asset}: {wall:.1f} s, of which {extra:.1f} s pose search + matched views"
        )


if __name__ == "__main__":
    main()
