"""Launching the headless renderer in its own process, under a timeout, with no orphans.

Blender is ``$VFSCORE_BLENDER`` (a Blender 4.2+ binary, run as ``blender -b --factory-startup -P
headless.py -- --job``) when set, else this Python with the ``bpy`` wheel. Each render gets its
own temporary folder (``TMPDIR``/``TEMP``/``TMP`` point there; removed afterwards) and runs in a
new process group (POSIX) or process group (Windows); a timeout, a cancelled run or any exception
in the caller kills Blender's whole process tree.

A caller that dies without running any of that (SIGKILL, the OOM killer) must not leave Blender
rendering with no limit: on Linux each Blender is started with a parent-death signal (prctl
``PR_SET_PDEATHSIG`` = SIGKILL), so the kernel kills it when the thread that launched it ends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import blender_addon.contract
from blender_addon.contract.owner import identity
from blender_addon.contract.render_job import RESULT_FILE, RenderJob
from driver.pipeline.process_tree import kill_tree

# The entry script sits next to the contract package; the driver imports nothing else of it.
HEADLESS = Path(blender_addon.contract.__file__).resolve().parent.parent / "headless.py"
BLENDER_ENV = "VFSCORE_BLENDER"
_POLL_S = 0.1


class RenderTimeout(Exception):
    """The render ran past its time limit and was killed."""


class RenderCancelled(Exception):
    """The run is shutting down; the render was killed."""


class RenderLaunchError(Exception):
    """Blender could not be started at all; the message is the job's one-line error."""


@dataclass(frozen=True)
class RenderOutcome:
    returncode: int
    result: dict[str, Any]  # render_result.json ({} if Blender died before writing it)
    seconds: float


def blender_binary(explicit: str | None = None) -> str | None:
    """The Blender binary to launch: ``explicit``, else ``$VFSCORE_BLENDER``, else None (the
    ``bpy`` wheel in this Python)."""
    return explicit or os.environ.get(BLENDER_ENV) or None


def _why_unusable(path: str) -> str | None:
    """Why ``path`` cannot be launched as a program, or None when it can."""
    target = Path(path)
    if not target.exists():
        return "does not exist"
    if target.is_dir():
        return "is a folder"
    if not os.access(target, os.X_OK):
        return "is not executable"
    return None


def _looks_like_windows(path: str) -> bool:
    return bool(re.match(r"^[A-Za-z]:[\\/]", path)) or "\\" in path


def usable_blender(explicit: str | None) -> tuple[str | None, str | None]:
    """(the Blender binary to pass on, a warning or None) for a caller's ``blender_exe``.

    A path that cannot be launched here is treated as not given, so the job still renders
    (with ``$VFSCORE_BLENDER``, else the ``bpy`` module): archi3D passes its ``global.yaml``
    default, a Windows path, on every OS. The warning names the path and what is used instead.
    """
    if not explicit:
        return None, None
    why = _why_unusable(explicit)
    if why is None:
        return explicit, None
    if os.name == "posix" and _looks_like_windows(explicit):
        why += " (a Windows path on this POSIX machine)"
    env = os.environ.get(BLENDER_ENV)
    instead = f"${BLENDER_ENV} ({env})" if env else "the bpy module"
    return None, f"blender_exe {explicit!r} {why}: using {instead} instead"


def _launch_error(command: list[str], blender: str | None, exc: OSError) -> RenderLaunchError:
    """The one line for a Blender that could not be started (no traceback, no errno noise)."""
    reason = exc.strerror or type(exc).__name__
    if blender_binary(blender) is None:
        return RenderLaunchError(f"cannot start the bpy renderer {command[0]!r}: {reason}")
    source = "blender_exe" if blender else f"${BLENDER_ENV}"
    return RenderLaunchError(f"cannot start Blender {command[0]!r} (from {source}): {reason}")


def render_command(job_path: Path, blender: str | None = None) -> list[str]:
    """The command line that renders ``job_path`` (see :func:`blender_binary`)."""
    blender = blender_binary(blender)
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


_PR_SET_PDEATHSIG = 1


def _die_with_parent_hook() -> Any:
    """A ``preexec_fn`` that makes the child die with the thread that starts it (Linux), or
    None where the kernel has no such signal. Resolved here, in the parent: the hook runs
    between fork and exec, where only async-signal-safe work belongs."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True).prctl
    parent = os.getpid()

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)

    return hook


def _popen_group_flags() -> dict[str, Any]:
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True, "preexec_fn": _die_with_parent_hook()}


def _wait(
    proc: subprocess.Popen[bytes],
    deadline: float | None,
    timeout_s: float | None,
    cancel: threading.Event | None,
) -> int:
    """Blender's exit code; kills its tree on timeout, cancellation or any exception."""
    try:
        while True:
            try:
                return proc.wait(timeout=_POLL_S)
            except subprocess.TimeoutExpired:
                if deadline is not None and time.perf_counter() >= deadline:
                    raise RenderTimeout(f"render exceeded {timeout_s:g}s and was killed") from None
                if cancel is not None and cancel.is_set():
                    raise RenderCancelled("render cancelled") from None
    except BaseException:
        kill_tree(proc)
        raise


def run_render(
    job: RenderJob,
    timeout_s: float | None = None,
    log_dir: Path | None = None,
    cancel: threading.Event | None = None,
    blender: str | None = None,
) -> RenderOutcome:
    """Write the job next to its outputs, run it, and return Blender's exit code and result.

    The job file holds paths relative to itself. stdout/stderr go to ``log_dir`` (default: the
    job's output folder). Raises :class:`RenderTimeout` past ``timeout_s`` and
    :class:`RenderCancelled` once ``cancel`` is set; Blender's process tree is killed either way.
    :class:`RenderLaunchError` when Blender cannot be started at all.
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
        job.match,
        identity(),  # the render ends itself if this process is gone (wrappers included)
    )
    stamped.write(job_path)
    (job.out_dir / RESULT_FILE).unlink(missing_ok=True)
    start = time.perf_counter()
    deadline = None if timeout_s is None else start + timeout_s
    scratch = Path(tempfile.mkdtemp(prefix="vfscore-render-"))
    env = {**os.environ, "TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch)}
    try:
        with (
            open(logs / "blender_stdout.txt", "wb") as out,
            open(logs / "blender_stderr.txt", "wb") as err,
        ):
            command = render_command(job_path, blender)
            try:
                proc = subprocess.Popen(
                    command, stdout=out, stderr=err, env=env, **_popen_group_flags()
                )
            except OSError as exc:  # missing file, permission, exec format error, ...
                raise _launch_error(command, blender, exc) from None
            returncode = _wait(proc, deadline, timeout_s, cancel)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result_path = job.out_dir / RESULT_FILE
    result = json.loads(result_path.read_text(encoding="utf-8")) if result_path.exists() else {}
    return RenderOutcome(returncode, result, time.perf_counter() - start)


def _relative(path: Path, start: Path) -> Path:
    """``path`` relative to ``start`` where possible (not across Windows drives)."""
    try:
        return Path(os.path.relpath(path.resolve(), start.resolve()))
    except ValueError:
        return path.resolve()
