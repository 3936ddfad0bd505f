"""Every [render] key changes the scene Blender builds (or what the judge is given): none is
recorded-but-ignored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driver.config.schema import RenderTable
from driver.config.settings import RunSettings, render_spec_from
from driver.pipeline.stages import judge_stage
from rubric.core.definition import load_rubric
from rubric.core.judge import JudgeResult
from rubric.offline.judge import OfflineJudge
from tests.support.blender import run_bpy_script
from tests.support.render_values import NOT_IN_SCENE, SCENE_VALUES

BUILD = """
import bpy, json, sys
from pathlib import Path
from blender_addon.contract.spec import RenderSpec
from blender_addon.scene.build import build_standard_scene, import_model
from blender_addon.scene.dump import scene_dump
from blender_addon.scene.hdri_access import blender_world_dir, resolve_hdri
out = {}
for name, doc in json.loads(Path(SPECS).read_text()).items():
    spec = RenderSpec.from_dict(doc)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    objects = import_model(Path(GLB))
    hdri = resolve_hdri(spec.hdri_alias, blender_world_dir())
    info = build_standard_scene(bpy.context.scene, objects, spec, hdri.path)
    out[name] = {"dump": scene_dump(bpy.context.scene), "warnings": info.warnings}
print(json.dumps(out))
"""


@pytest.mark.blender
def test_every_render_key_changes_the_scene(tmp_path: Path, textured_glb: Path) -> None:
    assert set(SCENE_VALUES) | set(NOT_IN_SCENE) == set(RenderTable.model_fields)
    specs = {"base": render_spec_from(RenderTable()).to_dict()}
    for key, value in SCENE_VALUES.items():
        specs[key] = render_spec_from(RenderTable.model_validate({key: value})).to_dict()
    (tmp_path / "specs.json").write_text(json.dumps(specs))
    code = BUILD.replace("SPECS", repr(str(tmp_path / "specs.json"))).replace(
        "GLB", repr(str(textured_glb))
    )
    scenes = json.loads(run_bpy_script(code).strip().splitlines()[-1])
    base = scenes.pop("base")
    unchanged = [key for key, scene in scenes.items() if scene == base]
    assert unchanged == []


class RecordingJudge(OfflineJudge):
    """The offline judge, recording what it was asked instead of measuring."""

    def __init__(self) -> None:
        super().__init__(load_rubric())
        self.backgrounds: list[tuple[int, int, int]] = []

    def judge(
        self, refs: Any, renders: Any, repeats: int, background: Any = None, matched: Any = ()
    ) -> JudgeResult:
        self.backgrounds.append(background)
        return JudgeResult(self.rubric, self.provenance, [], 0, None, {})


def test_background_rgb_is_what_the_judge_composites_onto() -> None:
    judge = RecordingJudge()
    spec = render_spec_from(RenderTable.model_validate({"background_rgb": [0.0, 0.5, 1.0]}))
    judge_stage([Path("r.jpg")], 1, RunSettings(spec, judge, {}), [Path("v.png")])
    assert judge.backgrounds == [(0, 128, 255)]
