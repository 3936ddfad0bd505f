"""Launching the headless renderer in its own process, under a timeout, with no orphans.

Blender is ``$VFSCORE_BLENDER`` (a Blender 4.2+ binary, run as ``blender -b --factory-startup -P
headless.py -- --job``) when set, else this Python with the ``bpy`` wheel. Each render runs in a
new process group, so a timeout kills Blender and anything it started.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blender_addon.render_job import RESULT_FILE, RenderJob

HEADLESS = Path(__file__).resolve().parent.parent / "blender_addon" / "headless.py"
BLENDER_ENV = "VFSCORE_BLENDER"


class RenderTimeout(Exception):
    """The render ran past its time limit and was killed."""


@dataclass(frozen=True)
class RenderOutcome:
    returncode: int
    result: dict[str, Any]  # render_result.json ({} if Blender died before writing it)
    seconds: float


def render_command(job_path: Path) -> list[str]:
    blender = os.environ.get(BLENDER_ENV)
    if blender:
        return [
            blender,
            "-b",
            "--factory-startup",
            "--python-exit-code",
            "1",
            "-P",
            str(HEADLESS),
            "--",
            "--job",
            str(job_path),
        ]
    return [sys.executable, str(HEADLESS), "--job", str(job_path)]


def run_render(
    job: RenderJob, timeout_s: float | None = None, log_dir: Path | None = None
) -> RenderOutcome:
    """Write the job next to its outputs, run it, and return Blender's exit code and result.

    stdout/stderr go to ``log_dir/blender_stdout.txt`` and ``blender_stderr.txt`` (default: the
    job's output folder). Raises :class:`RenderTimeout` after killing the process group.
    """
    job.out_dir.mkdir(parents=True, exist_ok=True)
    logs = log_dir or job.out_dir
    logs.mkdir(parents=True, exist_ok=True)
    job_path = job.out_dir / "render_job.json"
    stamped = RenderJob(
        job.glb, job.out_dir, job.spec, job.allow_missing_textures, launched_at=time.time()
    )
    stamped.write(job_path)
    (job.out_dir / RESULT_FILE).unlink(missing_ok=True)
    start = time.perf_counter()
    with (
        open(logs / "blender_stdout.txt", "w") as out,
        open(logs / "blender_stderr.txt", "w") as err,
    ):
        proc = subprocess.Popen(
            render_command(job_path), stdout=out, stderr=err, start_new_session=True
        )
        try:
            returncode = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            kill_group(proc)
            raise RenderTimeout(f"render exceeded {timeout_s:g}s and was killed") from None
        except BaseException:
            kill_group(proc)
            raise
    result_path = job.out_dir / RESULT_FILE
    result = json.loads(result_path.read_text(encoding="utf-8")) if result_path.exists() else {}
    return RenderOutcome(returncode, result, time.perf_counter() - start)


def kill_group(proc: subprocess.Popen[Any]) -> None:
    """SIGKILL the process group of ``proc`` and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
