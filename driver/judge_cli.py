"""``vfscore judge``: score renders against reference photos and print the aggregated JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from driver.config_file import ConfigFileError, read_config_file
from rubric.cache import ResponseCache
from rubric.config import JudgeConfigError, config_from_dict, parse_judge_spec
from rubric.definition import DEFAULT_RUBRIC, Rubric, RubricError, load_rubric
from rubric.errors import FatalJudgeError, JudgeError
from rubric.judge import Judge, LLMJudge
from rubric.offline import OfflineJudge
from rubric.prompt import ImageInputError

EXIT_FATAL = 3


def default_cache_dir() -> Path:
    """``$VFSCORE_CACHE_DIR``, else ``$XDG_CACHE_HOME/vfscore/responses`` (``~/.cache/...``)."""
    if os.environ.get("VFSCORE_CACHE_DIR"):
        return Path(os.environ["VFSCORE_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "vfscore" / "responses"


def make_judge(
    spec: str | None, table: dict[str, Any], rubric: Rubric, cache: ResponseCache | None
) -> Judge:
    """The judge asked for: a ``--judge`` spec, else ``[judge]`` of the config, else offline."""
    if spec:
        base = {k: v for k, v in table.items() if k not in ("provider", "model", "base_url")}
        return LLMJudge(parse_judge_spec(spec, base), rubric, cache)
    if table:
        return LLMJudge(config_from_dict(table), rubric, cache)
    return OfflineJudge(rubric)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="vfscore judge",
        description="Score candidate renders against reference photos of the product, on the "
        "rubric's appearance dimensions, and print the aggregated result as JSON.",
        epilog="Judge specs: openai:gpt-4o-mini, gemini:gemini-2.5-flash, "
        "anthropic:claude-sonnet-4-5, "
        "openai-compatible:http://localhost:11434/v1#llava. API keys are read from OPENAI_API_KEY, "
        "GEMINI_API_KEY, ANTHROPIC_API_KEY (or the api_key_env of [judge] in --config). "
        "Exit status: 0 scored, 1 the judge failed for this input, 2 bad arguments or input, "
        "3 credentials rejected or quota exhausted.",
    )
    p.add_argument(
        "--refs", nargs="+", type=Path, required=True, help="reference photos of the real product"
    )
    p.add_argument(
        "--renders", nargs="+", type=Path, required=True, help="renders of the candidate model"
    )
    p.add_argument(
        "--judge",
        dest="spec",
        help="PROVIDER:MODEL (overrides [judge] provider/model of --config); "
        "with neither, the offline judge scores without any network",
    )
    p.add_argument(
        "--repeats", type=int, default=3, help="independent judgements to aggregate (default 3)"
    )
    p.add_argument("--config", type=Path, help="vfscore.toml with a [judge] table")
    p.add_argument(
        "--rubric",
        type=Path,
        default=DEFAULT_RUBRIC,
        help="rubric TOML (default: the built-in one)",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="response cache (default: ~/.cache/vfscore/responses)",
    )
    p.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the response cache"
    )
    return p


def run_judge_command(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.repeats < 1:
        print("vfscore judge: --repeats must be at least 1", file=sys.stderr)
        return 2
    try:
        table = read_config_file(args.config).get("judge", {})
        rubric = load_rubric(args.rubric)
        cache = None if args.no_cache else ResponseCache(args.cache_dir or default_cache_dir())
        judge = make_judge(args.spec, table, rubric, cache)
    except (ConfigFileError, JudgeConfigError, RubricError, ValueError) as exc:
        print(f"vfscore judge: {exc}", file=sys.stderr)
        return 2
    if isinstance(judge, OfflineJudge):
        print(
            f"vfscore judge: no LLM judge configured: using the offline judge ({judge.provenance})",
            file=sys.stderr,
        )
    try:
        result = judge.judge(args.refs, args.renders, args.repeats)
    except ImageInputError as exc:
        print(f"vfscore judge: {exc}", file=sys.stderr)
        return 2
    except FatalJudgeError as exc:
        print(
            f"vfscore judge: {exc} "
            "(not retried; fix the credentials or wait for the quota, then rerun)",
            file=sys.stderr,
        )
        return EXIT_FATAL
    except JudgeError as exc:
        print(f"vfscore judge: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result.payload(), indent=2, ensure_ascii=False))
    return 0
