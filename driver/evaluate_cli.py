"""`vfscore evaluate` / `python -m driver evaluate`: the evaluator contract for one job."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from driver.config_file import ConfigFileError
from driver.evaluator import VFScoreRequest, evaluate
from driver.run_settings import build_settings
from rubric.config import JudgeConfigError
from rubric.definition import RubricError
from rubric.errors import FatalJudgeError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vfscore evaluate",
        description="Render one generated model in the standard scene, judge it against reference "
        "photos, write the job's artifacts into --out-dir and print the VFScoreResponse as JSON.",
        epilog="Exit status: 0 scored, 1 the job failed (the response says why), 2 bad arguments, "
        "3 the judge's credentials were rejected or its quota is exhausted.",
    )
    p.add_argument("--cand-glb", type=Path, required=True, help="the generated model (.glb)")
    p.add_argument("--ref-images", type=Path, nargs="+", required=True, help="reference photos")
    p.add_argument("--out-dir", type=Path, required=True, help="folder for the job's artifacts")
    p.add_argument("--repeats", type=int, default=3, help="judge repeats (default 3)")
    p.add_argument("--timeout-s", type=float, default=None, help="limit for the job, in seconds")
    p.add_argument("--judge", dest="spec", help="LLM judge PROVIDER:MODEL (default: offline)")
    p.add_argument("--preset", help="render preset (turntable4, hero)")
    p.add_argument("--config", type=Path, help="vfscore.toml with [render] and [judge]")
    p.add_argument("--cache-dir", type=Path, help="response cache folder (default: none)")
    p.add_argument("--redo", action="store_true", help="re-render even if the renders are current")
    return p


def run_evaluate_command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        settings, _ = build_settings(
            args.config,
            args.spec,
            args.preset,
            args.cache_dir,
            args.redo,
            extra={"repeats": args.repeats, "timeout_s": args.timeout_s},
        )
    except (ConfigFileError, JudgeConfigError, RubricError, ValueError, TypeError) as exc:
        print(f"vfscore evaluate: {exc}", file=sys.stderr)
        return 2
    request = VFScoreRequest(
        args.cand_glb.resolve(),
        tuple(p.resolve() for p in args.ref_images),
        args.out_dir.resolve(),
        args.repeats,
        args.timeout_s,
    )
    try:
        response = evaluate(request, settings)
    except FatalJudgeError as exc:
        print(f"vfscore evaluate: {exc}", file=sys.stderr)
        return 3
    print(json.dumps(asdict(response), indent=2, ensure_ascii=False))
    return 0 if response.ok else 1
