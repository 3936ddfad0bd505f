"""`vfscore evaluate`: the evaluator contract for one job, without a workspace."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from driver.cli.console import stderr_console
from driver.config.loader import ConfigError, load_config
from driver.config.settings import build_settings, job_limits
from driver.pipeline.evaluator import VFScoreRequest, evaluate
from driver.ssot.workspace import locate_workspace
from rubric import FatalJudgeError, JudgeConfigError, RubricError

EXIT_OK, EXIT_JOB_FAILED, EXIT_BAD_ARGS, EXIT_FATAL = 0, 1, 2, 3


@dataclass(frozen=True)
class EvaluateFlags:
    cand_glb: Path
    ref_images: list[Path]
    out_dir: Path
    repeats: int
    timeout_s: float | None
    judge: str | None
    preset: str | None
    config: Path | None
    cache_dir: Path | None
    redo: bool
    workspace: Path | None = None


def run_evaluate_command(flags: EvaluateFlags) -> int:
    """`vfscore evaluate`; prints the VFScoreResponse as JSON and returns the exit status."""
    err = stderr_console()
    workspace, found = locate_workspace(flags.workspace, flags.out_dir)
    try:
        settings = build_settings(
            load_config(flags.config, workspace),
            judge_spec=flags.judge,
            preset_name=flags.preset,
            cache_dir=flags.cache_dir,
            redo=flags.redo,
            extra=job_limits(flags.repeats, flags.timeout_s),
        )
    except (ConfigError, JudgeConfigError, RubricError) as exc:
        err.print(f"vfscore evaluate: {exc}", highlight=False)
        return EXIT_BAD_ARGS
    request = VFScoreRequest(
        flags.cand_glb.resolve(),
        tuple(p.resolve() for p in flags.ref_images),
        flags.out_dir.resolve(),
        flags.repeats,
        flags.timeout_s,
        workspace,
        workspace_from=found,
    )
    try:
        response = evaluate(request, settings)
    except FatalJudgeError as exc:
        err.print(f"vfscore evaluate: {exc}", highlight=False)
        return EXIT_FATAL
    print(json.dumps(asdict(response), indent=2, ensure_ascii=False))
    if not response.ok:
        err.print(f"vfscore evaluate: {response.error}", highlight=False)
        return EXIT_JOB_FAILED
    return EXIT_OK
