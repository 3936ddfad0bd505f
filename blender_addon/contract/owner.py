"""The render process ends when the driver that launched it is gone, whatever sits between them.

The driver kills Blender's process tree on a timeout or a stop, and on Linux the kernel's
parent-death signal reaches the process the driver started. But a Blender started through a
wrapper (a distribution launcher, snap, flatpak: a script that runs the real binary as its
child) gets neither once the driver is SIGKILLed: the signal reaches the wrapper only. So the job
document names its owner (the driver's pid and that process's start time, which tells it apart
from a later process given the same pid) and the render process watches it from a thread, exiting
at once when the owner is gone.

Owner identity uses ``/proc/<pid>/stat`` (Linux) or ``os.kill(pid, 0)`` (other POSIX). On
Windows the watch is off: ``os.kill`` would terminate the process it is asked about, and the
driver's tree kill is the protection there. Pure stdlib: it runs inside Blender.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

POLL_S = 0.5


def _start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), else None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count from the last ")".
    fields = text[text.rfind(")") + 2 :].split()
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None


def identity(pid: int | None = None) -> dict[str, Any]:
    """``{"pid": …, "start": …}`` of a process (default: this one), for the job document."""
    pid = os.getpid() if pid is None else pid
    return {"pid": pid, "start": _start_ticks(pid)}


def is_alive(owner: dict[str, Any]) -> bool:
    """Whether the process ``owner`` names is still the one running (True where unknowable)."""
    pid = owner.get("pid")
    if not isinstance(pid, int) or sys.platform == "win32":
        return True
    if os.path.isdir("/proc/self"):
        start = _start_ticks(pid)
        return start is not None and (owner.get("start") in (None, start))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user's process
    return True


def watch(owner: dict[str, Any], on_gone: Callable[[], None], poll_s: float = POLL_S) -> None:
    """Call ``on_gone`` (which should end the process) from a daemon thread once the owner is
    gone; returns at once."""

    def loop() -> None:
        while is_alive(owner):
            time.sleep(poll_s)
        on_gone()

    threading.Thread(target=loop, name="vfscore-owner-watch", daemon=True).start()
