"""The installed console script."""

from __future__ import annotations

import shutil
import subprocess
import sys


def test_console_script_help_lists_commands() -> None:
    exe = shutil.which("vfscore", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe, "the vfscore console script is not installed next to this Python"
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    assert "Commands" in out
    assert "version" in out


def test_python_dash_m_driver_is_the_same_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "driver", "version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("vfscore ")
