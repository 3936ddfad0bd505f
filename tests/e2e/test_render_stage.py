"""The render stage with the stand-in renderer: reuse, redo, failures, the texture policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from blender_addon.contract.spec import preset
from driver.config.settings import RunSettings
from driver.demo.assets import write_textured_glb
from driver.pipeline.stages import EvaluationError, render_stage, renderer_version
from rubric.core.definition import load_rubric
from rubric.offline.judge import OfflineJudge
from tests.support.fast_workspace import fake_blender

SPEC = preset().with_changes(resolution=(24, 24))


def settings(**kw: object) -> RunSettings:
    return RunSettings(SPEC, OfflineJudge(load_rubric()), {}, **kw)  # type: ignore[arg-type]


@pytest.fixture
def glb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VFSCORE_BLENDER", str(fake_blender(tmp_path)))
    return write_textured_glb(tmp_path / "m.glb")


def test_renders_then_reuses_then_redoes(glb: Path, tmp_path: Path) -> None:
    out = tmp_path / "job"
    first = render_stage(glb, out, None, settings())
    assert not first.cached and first.seconds > 0
    assert [p.name for p in first.views] == ["00_az000.png", "01_az090.png", "02_az180.png",
                                             "03_az270.png"]  # fmt: skip
    assert all(p.parent == out / "renders" and p.is_file() for p in first.views)
    recorded = json.loads((out / "renders" / "render_result.json").read_text())
    assert recorded["renderer"] == renderer_version() == f"binary:{tmp_path / 'fake-blender'}"
    assert (out / "blender_stdout.txt").is_file() and (out / "blender_stderr.txt").is_file()
    again = render_stage(glb, out, None, settings())
    assert again.cached and again.seconds == 0.0 and again.views == first.views
    (out / "renders" / "stale.txt").write_text("from an older run")
    redo = render_stage(glb, out, None, settings(redo=True))
    assert not redo.cached and not (out / "renders" / "stale.txt").exists()


def test_the_texture_policy_reaches_the_render_job(glb: Path, tmp_path: Path) -> None:
    render_stage(glb, tmp_path / "a", None, settings(allow_missing_textures=True))
    job = json.loads((tmp_path / "a" / "renders" / "render_job.json").read_text())
    assert job["allow_missing_textures"] is True
    render_stage(glb, tmp_path / "b", None, settings())
    job = json.loads((tmp_path / "b" / "renders" / "render_job.json").read_text())
    assert job["allow_missing_textures"] is False


def test_blender_exe_in_the_settings_wins(glb: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    exe = fake_blender(other)
    render_stage(glb, tmp_path / "job", None, settings(blender=str(exe)))
    recorded = json.loads((tmp_path / "job" / "renders" / "render_result.json").read_text())
    assert recorded["renderer"] == f"binary:{exe}"


def test_failures_are_one_line_errors(
    glb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_BLENDER_FAIL", "4:no mesh in GLB")
    with pytest.raises(EvaluationError, match=r"^no mesh in GLB$"):
        render_stage(glb, tmp_path / "a", None, settings())
    monkeypatch.setenv("FAKE_BLENDER_FAIL", "9")
    with pytest.raises(
        EvaluationError, match=r"^Blender exited with code 9 \(see blender_stderr.txt\)$"
    ):
        render_stage(glb, tmp_path / "b", None, settings())
    monkeypatch.setenv("FAKE_BLENDER_HANG", "all")
    monkeypatch.delenv("FAKE_BLENDER_FAIL")
    with pytest.raises(EvaluationError, match=r"^timeout: rendering took longer than 0.5s$"):
        render_stage(glb, tmp_path / "c", 0.5, settings())
