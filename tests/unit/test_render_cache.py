"""Renders are reused only for the same model bytes, RenderSpec, renderer and texture policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blender_addon.contract.digest import sha256_file
from blender_addon.contract.spec import RenderSpec, preset
from driver.config.settings import RunSettings
from driver.pipeline.stages import cached_render, renderer_version
from rubric.core.definition import load_rubric
from rubric.offline.judge import OfflineJudge

SPEC = preset().with_changes(resolution=(32, 32))


def settings(spec: RenderSpec = SPEC, allow_missing_textures: bool = False) -> RunSettings:
    return RunSettings(spec, OfflineJudge(load_rubric()), {}, False, allow_missing_textures)


def write_render(folder: Path, glb_sha: str, warnings: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "00_az000.png").write_bytes(b"png bytes")
    result = {
        "ok": True,
        "glb": {"sha256": glb_sha},
        "spec_hash": SPEC.spec_hash(),
        "renderer": renderer_version(),
        "views": [{"file": "00_az000.png", "sha256": sha256_file(folder / "00_az000.png")}],
        "warnings": warnings or [],
    }
    (folder / "render_result.json").write_text(json.dumps(result))
    return result


def test_same_model_spec_and_renderer_are_reused(tmp_path: Path) -> None:
    result = write_render(tmp_path, "abc")
    assert cached_render(tmp_path, "abc", settings()) == result


@pytest.mark.parametrize(
    "change",
    ["other model", "other spec", "other renderer", "view changed", "view missing", "not ok"],
)
def test_anything_else_is_rendered_again(
    tmp_path: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_render(tmp_path, "abc")
    result = json.loads((tmp_path / "render_result.json").read_text())
    glb_sha, spec = "abc", SPEC
    if change == "other model":
        glb_sha = "def"
    elif change == "other spec":
        spec = SPEC.with_changes(samples=SPEC.samples + 1)
    elif change == "other renderer":
        monkeypatch.setenv("VFSCORE_BLENDER", "/opt/blender-4.2/blender")
    elif change == "view changed":
        (tmp_path / "00_az000.png").write_bytes(b"other bytes")
    elif change == "view missing":
        (tmp_path / "00_az000.png").unlink()
    elif change == "not ok":
        result["ok"] = False
        (tmp_path / "render_result.json").write_text(json.dumps(result))
    assert cached_render(tmp_path, glb_sha, settings(spec)) is None


def test_renders_missing_textures_are_reused_only_while_that_is_allowed(tmp_path: Path) -> None:
    write_render(tmp_path, "abc", ["missing texture: image 0 'a.png' not found next to the GLB"])
    assert cached_render(tmp_path, "abc", settings(allow_missing_textures=True)) is not None
    assert cached_render(tmp_path, "abc", settings(allow_missing_textures=False)) is None


def test_unreadable_results_are_not_reused(tmp_path: Path) -> None:
    assert cached_render(tmp_path, "abc", settings()) is None
    (tmp_path / "render_result.json").write_text("{not json")
    assert cached_render(tmp_path, "abc", settings()) is None
    (tmp_path / "render_result.json").write_text("[1, 2]")
    assert cached_render(tmp_path, "abc", settings()) is None
