"""Which Blender a caller's ``blender_exe`` leads to, and what is said about it."""

from __future__ import annotations

from pathlib import Path

import pytest

from driver.pipeline.launcher import BLENDER_ENV, usable_blender

ARCHI3D_DEFAULT = "C:/Program Files/Blender Foundation/Blender 4.5/blender.exe"


def test_a_launchable_blender_exe_is_used_as_given(tmp_path: Path) -> None:
    exe = tmp_path / "blender"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert usable_blender(str(exe)) == (str(exe), None)
    assert usable_blender(None) == (None, None)
    assert usable_blender("") == (None, None)


def test_an_unusable_blender_exe_is_not_given_and_the_warning_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BLENDER_ENV, raising=False)
    plain = tmp_path / "blender"
    plain.write_text("#!/bin/sh\n")
    plain.chmod(0o644)
    cases = {
        ARCHI3D_DEFAULT: "does not exist (a Windows path on this POSIX machine)",
        "D:\\Blender\\blender.exe": "does not exist (a Windows path on this POSIX machine)",
        str(tmp_path / "gone"): "does not exist",
        str(tmp_path): "is a folder",
        str(plain): "is not executable",
    }
    for given, why in cases.items():
        assert usable_blender(given) == (
            None,
            f"blender_exe {given!r} {why}: using the bpy module instead",
        )
    monkeypatch.setenv(BLENDER_ENV, "/opt/blender/blender")
    assert usable_blender(ARCHI3D_DEFAULT)[1] == (
        f"blender_exe {ARCHI3D_DEFAULT!r} does not exist (a Windows path on this POSIX machine): "
        "using $VFSCORE_BLENDER (/opt/blender/blender) instead"
    )
