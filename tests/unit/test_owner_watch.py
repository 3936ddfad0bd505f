"""The render process watches the driver that launched it, and knows it by pid and start time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from blender_addon.contract.owner import identity, is_alive, watch


def test_a_running_process_is_alive_and_a_finished_one_is_not() -> None:
    me = identity()
    assert me["pid"] == os.getpid() and isinstance(me["start"], int)
    assert is_alive(me)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    gone = identity(child.pid)
    child.wait()
    assert not is_alive(gone)


def test_a_reused_pid_is_not_the_owner() -> None:
    me = identity()
    assert not is_alive({**me, "start": me["start"] + 1})
    assert is_alive({"pid": os.getpid(), "start": None})  # start unknown: the pid decides
    assert is_alive({"pid": "x"})  # nothing to watch: never call the owner gone


def test_the_watch_calls_back_once_the_owner_is_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"])
    called = threading.Event()
    watch(identity(child.pid), called.set, poll_s=0.05)
    assert not called.wait(0.1)
    child.wait()
    assert called.wait(5)
