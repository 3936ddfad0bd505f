"""Benchmark: the offline judge — time per job at 512 px, and the perturbation ladder table.

    python -m benchmarks.bench_offline [--out DIR]

1. Renders a textured product (4 standard views) and three "photos" at 512 px, then times
   OfflineJudge.judge on them (target: at most 2 s per job on 2 cores).
2. Builds the test suite's ladder (128 px renders) and prints, for every perturbation and
   strength, each dimension's score and the overall score.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from driver.demo.assets import photo_from_render
from rubric.core.definition import load_rubric
from rubric.offline.judge import OfflineJudge
from tests.support.appearance_fixtures import (
    CANDIDATE_SPEC,
    PHOTO_SPEC,
    build_ladder,
    render,
    write_product,
)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", type=Path, default=Path("bench_offline_out"))
    args = ap.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rubric = load_rubric()
    judge = OfflineJudge(rubric)

    gt = write_product(out / "gt.glb")
    renders = render(gt, out / "renders512", CANDIDATE_SPEC.with_changes(resolution=(512, 512)))
    shots = render(gt, out / "photos512", PHOTO_SPEC.with_changes(resolution=(512, 512)))
    photos = []
    for i, (shot, backdrop) in enumerate(zip(shots, ["plain", "textured", "plain"], strict=True)):
        path = out / f"photo{i}.jpg"
        photo_from_render(shot, backdrop, seed=i).save(path, quality=92)
        photos.append(path)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        judge.judge(photos, renders, repeats=3)
        times.append(time.perf_counter() - start)
    print(
        f"offline judge, 4 views + 3 photos at 512 px: median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s (5 runs)"
    )

    ladder = build_ladder(out / "ladder")
    refs = list(ladder.photos.values())
    names = rubric.names
    print("| candidate | strength | " + " | ".join(names) + " | overall |")
    print("|---|---|" + "---|" * (len(names) + 1))
    for (kind, strength), cands in [
        (("identical", 0.0), ladder.identical),
        *ladder.perturbed.items(),
    ]:
        sub, _, _ = judge.score(refs, cands)
        cells = " | ".join(str(sub[n]) for n in names)
        print(f"| {kind} | {strength:g} | {cells} | {rubric.overall(sub)} |")


if __name__ == "__main__":
    main()
