"""Workspace discovery and path safety."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from driver.ssot.workspace import (
    WORKSPACE_ENV,
    UnsafePathError,
    Workspace,
    WorkspaceError,
    check_id,
    open_workspace,
    rel_to_workspace,
    resolve_in_workspace,
)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "dataset" / "p1" / "images").mkdir(parents=True)
    (root / "dataset" / "p1" / "images" / "a.jpg").write_bytes(b"x")
    return root


def test_workspace_from_flag_then_env(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    with pytest.raises(WorkspaceError, match="--workspace PATH or set ARCHI3D_WORKSPACE"):
        open_workspace(None)
    monkeypatch.setenv(WORKSPACE_ENV, str(ws))
    assert open_workspace(None).root == ws.resolve()
    assert open_workspace(ws).root == ws.resolve()


def test_workspace_must_be_an_existing_directory(ws: Path) -> None:
    with pytest.raises(WorkspaceError, match="does not exist"):
        open_workspace(ws / "nope")
    f = ws / "file"
    f.write_text("")
    with pytest.raises(WorkspaceError, match="not a directory"):
        open_workspace(f)


def test_layout_helpers(ws: Path) -> None:
    w = open_workspace(ws)
    assert w.rel(w.generations_csv) == "tables/generations.csv"
    assert (
        w.rel(w.job_metrics_dir("20251122", "123456789012"))
        == "runs/20251122/metrics/vfscore/123456789012"
    )
    assert w.rel(w.job_outputs_dir("r", "j")) == "runs/r/outputs/j"
    assert w.rel(w.metrics_log) == "logs/metrics.log"
    with pytest.raises(UnsafePathError, match=r"job_id '\.\./x'"):
        w.job_metrics_dir("r", "../x")


@pytest.mark.parametrize("bad", ["../etc", "a/../../b", ".", "a/b", "", "r\\j", ".."])
def test_ids_must_be_single_safe_names(bad: str) -> None:
    with pytest.raises(UnsafePathError):
        check_id(bad, "run_id")


def test_rel_to_workspace_is_posix_relative(ws: Path) -> None:
    assert (
        rel_to_workspace(ws, ws / "dataset" / "p1" / "images" / "a.jpg")
        == "dataset/p1/images/a.jpg"
    )
    assert rel_to_workspace(ws, "dataset/p1") == "dataset/p1"
    with pytest.raises(UnsafePathError, match="outside the workspace"):
        rel_to_workspace(ws, ws.parent / "elsewhere.txt")


def test_resolve_accepts_paths_inside(ws: Path) -> None:
    assert (
        resolve_in_workspace(ws, "dataset/p1/images/a.jpg")
        == (ws / "dataset/p1/images/a.jpg").resolve()
    )
    # A symlink that stays inside is fine.
    (ws / "link").symlink_to(ws / "dataset")
    assert resolve_in_workspace(ws, "link/p1") == (ws / "dataset" / "p1").resolve()


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("/etc/passwd", "is absolute"),
        ("C:/Windows/win.ini", "drive letter"),
        ("c:relative", "drive letter"),
        ("\\\\server\\share\\x.glb", "backslash"),
        ("dataset\\..\\..\\secret", "backslash"),
        ("../outside.glb", r"contains '\.\.'"),
        ("dataset/../../outside.glb", r"contains '\.\.'"),
        ("dataset/p1/../../../x", r"contains '\.\.'"),
        ("", "empty path"),
        ("   ", "empty path"),
        ("a\x00b", "NUL"),
    ],
)
def test_resolve_rejects_escapes_naming_the_value(ws: Path, bad: str, why: str) -> None:
    with pytest.raises(UnsafePathError, match=why) as info:
        resolve_in_workspace(ws, bad)
    if bad.strip():
        assert repr(bad) in str(info.value)


def test_resolve_rejects_symlink_escape(ws: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.txt").write_text("k")
    os.symlink(secret, ws / "dataset" / "evil")
    with pytest.raises(UnsafePathError, match=r"'dataset/evil/key\.txt' resolves outside"):
        resolve_in_workspace(ws, "dataset/evil/key.txt")


def test_locations_and_the_names_in_errors(tmp_path: Path) -> None:
    from driver.ssot.table_io import lock_path_for

    ws = Workspace(tmp_path)
    assert ws.response_cache_dir("R1") == tmp_path / "runs/R1/metrics/vfscore/.cache/responses"
    assert ws.job_outputs_dir("R1", "J1") == tmp_path / "runs/R1/outputs/J1"
    with pytest.raises(UnsafePathError, match=r"^run_id '\.\.' is not usable"):
        ws.run_dir("..")
    with pytest.raises(UnsafePathError, match=r"^job_id 'a/b' is not usable"):
        ws.job_outputs_dir("R1", "a/b")
    for bad in (".", "..", "a..b", "a/b", "", "-x"):
        with pytest.raises(UnsafePathError):
            check_id(bad, "job_id")
    assert check_id("a.b", "job_id") == "a.b"
    with pytest.raises(UnsafePathError, match=r"path '/elsewhere/x' is outside the workspace '"):
        rel_to_workspace(tmp_path, "/elsewhere/x")
    assert lock_path_for(tmp_path / "tables" / "generations.csv") == (
        tmp_path / "tables" / "generations.lock"
    )


def test_a_job_folder_of_archi3ds_shape_names_its_workspace(tmp_path: Path) -> None:
    from driver.ssot.workspace import locate_workspace

    job = tmp_path / "ws" / "runs" / "R1" / "metrics" / "vfscore" / "abc"
    assert locate_workspace(None, job) == (None, None)  # no table: not a workspace
    (tmp_path / "ws" / "tables").mkdir(parents=True)
    (tmp_path / "ws" / "tables" / "generations.csv").write_text("run_id,job_id\n")
    assert locate_workspace(None, job) == ((tmp_path / "ws").resolve(), "out_dir")
    assert locate_workspace(tmp_path, job) == (tmp_path.resolve(), "given")
    for wrong in ("runs/R1/metrics/fscore/abc", "runs/R1/outputs/vfscore/abc", "x/R1/metrics/"
                  "vfscore/abc", "runs/R1/metrics/vfscore"):  # fmt: skip
        assert locate_workspace(None, tmp_path / "ws" / wrong) == (None, None), wrong
    assert locate_workspace(None, Path("/a/b")) == (None, None)  # too short to have the shape
