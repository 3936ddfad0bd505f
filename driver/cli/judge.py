"""``vfscore judge``: score renders against reference photos and print the aggregated JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from driver.cli.console import stderr_console
from driver.config.loader import ConfigError, load_config
from driver.config.settings import build_settings, default_cache_dir
from rubric import FatalJudgeError, ImageInputError, JudgeConfigError, JudgeError, RubricError

EXIT_OK, EXIT_JUDGE_FAILED, EXIT_BAD_INPUT, EXIT_FATAL = 0, 1, 2, 3


@dataclass(frozen=True)
class JudgeFlags:
    refs: list[Path]
    renders: list[Path]
    judge: str | None
    repeats: int
    config: Path | None
    rubric: Path
    cache_dir: Path | None
    no_cache: bool


def run_judge_command(flags: JudgeFlags) -> int:
    """`vfscore judge`; returns the exit status."""
    err = stderr_console()
    try:
        loaded = load_config(flags.config)
        cache_dir = None if flags.no_cache else (flags.cache_dir or default_cache_dir())
        settings = build_settings(
            loaded, judge_spec=flags.judge, cache_dir=cache_dir, rubric_path=flags.rubric
        )
    except (ConfigError, JudgeConfigError, RubricError) as exc:
        err.print(f"vfscore judge: {exc}", highlight=False)
        return EXIT_BAD_INPUT
    if settings.judge.provenance.startswith("offline:"):
        err.print(
            "vfscore judge: no LLM judge configured: using the offline judge "
            f"({settings.judge.provenance})",
            highlight=False,
        )
    try:
        result = settings.judge.judge(flags.refs, flags.renders, flags.repeats)
    except ImageInputError as exc:
        err.print(f"vfscore judge: {exc}", highlight=False)
        return EXIT_BAD_INPUT
    except FatalJudgeError as exc:
        err.print(
            f"vfscore judge: {exc} "
            "(not retried; fix the credentials or wait for the quota, then rerun)",
            highlight=False,
        )
        return EXIT_FATAL
    except JudgeError as exc:
        err.print(f"vfscore judge: {exc}", highlight=False)
        return EXIT_JUDGE_FAILED
    payload = result.payload()
    print(json.dumps(payload, indent=2, ensure_ascii=False))
    if payload["vfscore_overall_median"] is None:
        err.print(
            f"vfscore judge: no valid answer in {payload['repeats_requested']} repeat(s) "
            f"({payload['invalid_answers']} invalid answers; their reasons are in the JSON)",
            highlight=False,
        )
        return EXIT_JUDGE_FAILED
    return EXIT_OK
