"""Killing a process and everything it started, on POSIX and on Windows."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from typing import Any

import psutil


def kill_tree(proc: subprocess.Popen[Any]) -> None:
    """Kill ``proc``, its descendants and (POSIX) its process group, then reap ``proc``.

    Descendants are listed before anything is killed: once the parent dies, its children are
    re-parented and can no longer be found from it. The process group catches children that
    were started after the listing; psutil catches children that left the group (``setsid``)
    and is the only mechanism on Windows.
    """
    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    for child in descendants:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(descendants, timeout=5)
    proc.wait()
