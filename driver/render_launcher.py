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
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blender_addon.render_job import RESULT_FILE, RenderJob

HEADLESS = Path(__file__).resolve().parent.parent / "blender_addon" / "headless.py"
BLENDER_ENV = "VFSCORE_BLENDER"
_POLL_S = 0.1


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


class RenderCancelled(Exception):
    """The run is shutting down; the render was killed."""


def run_render(
    job: RenderJob,
    timeout_s: float | None = None,
    log_dir: Path | None = None,
    cancel: threading.Event | None = None,
) -> RenderOutcome:
    """Write the job next to its outputs, run it, and return Blender's exit code and result.

    The job file holds paths relative to itself. stdout/stderr go to ``log_dir`` (default: the
    job's output folder). The process group is killed on timeout (:class:`RenderTimeout`), when
    ``cancel`` is set (:class:`RenderCancelled`), and on any exception in the caller.
    """
    job.out_dir.mkdir(parents=True, exist_ok=True)
    logs = log_dir or job.out_dir
    logs.mkdir(parents=True, exist_ok=True)
    job_path = job.out_dir / "render_job.json"
    stamped = RenderJob(
        _relative(job.glb, job.out_dir),
        Path("."),
        job.spec,
        job.allow_missing_textures,
        time.time(),
    )
    stamped.write(job_path)
    (job.out_dir / RESULT_FILE).unlink(missing_ok=True)
    start = time.perf_counter()
    deadline = None if timeout_s is None else start + timeout_s
    with (
        open(logs / "blender_stdout.txt", "w") as out,
        open(logs / "blender_stderr.txt", "w") as err,
    ):
        proc = subprocess.Popen(
            render_command(job_path), stdout=out, stderr=err, start_new_session=True
        )
        try:
            while True:
                try:
                    returncode = proc.wait(timeout=_POLL_S)
                    break
                except subprocess.TimeoutExpired:
                    if deadline is not None and time.perf_counter() >= deadline:
                        kill_group(proc)
                        raise RenderTimeout(
                            f"render exceeded {timeout_s:g}s and was killed"
                        ) from None
                    if cancel is not None and cancel.is_set():
                        kill_group(proc)
                        raise RenderCancelled("render cancelled") from None
        except BaseException:
            kill_group(proc)
            raise
    result_path = job.out_dir / RESULT_FILE
    result = json.loads(result_path.read_text(encoding="utf-8")) if result_path.exists() else {}
    return RenderOutcome(returncode, result, time.perf_counter() - start)


def _relative(path: Path, start: Path) -> Path:
    """``path`` relative to ``start`` where possible (not across Windows drives)."""
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve()))
    except ValueError:
        return path.resolve()


def kill_group(proc: subprocess.Popen[Any]) -> None:
    """SIGKILL the process group of ``proc`` and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
