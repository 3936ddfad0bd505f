"""A job's artifacts: the payload and what it records, the files, failures, the finished check."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from blender_addon.contract.digest import sha256_file
from blender_addon.contract.spec import preset
from driver import __version__
from driver.config.settings import RunSettings
from driver.pipeline.artifacts import (
    JobPlace,
    build_payload,
    job_inputs,
    load_finished,
    write_success,
)
from driver.pipeline.stages import EvaluationError, RenderStage
from driver.results.records import record_failure
from rubric.core.definition import load_rubric
from rubric.core.judge import JudgeResult, RepeatResult
from rubric.offline.judge import OfflineJudge

RUBRIC = load_rubric()
SPEC = preset("hero").with_changes(resolution=(64, 48), samples=5, seed=9, hdri_strength=0.7)
SUBS = {"color_palette": 80, "finish": 60, "texture_identity": 70, "texture_scale_placement": 50}


def judged(valid: bool = True) -> JudgeResult:
    repeats = [
        RepeatResult(i, RUBRIC.overall(SUBS), dict(SUBS), dict.fromkeys(SUBS, "why"))
        if valid
        else RepeatResult(i, None, None, None, ["not JSON"])
        for i in range(2)
    ]
    return JudgeResult(RUBRIC, "offline:appearance-2.3", repeats, 0, 0.0, {"provider": "x"})


def model(ws: Path) -> Path:
    glb = ws / "runs/R/outputs/J/generated.glb"
    if not glb.exists():
        glb.parent.mkdir(parents=True, exist_ok=True)
        glb.write_bytes(b"model v1")
    return glb


def stage(ws: Path) -> RenderStage:
    views = [ws / "runs/R/metrics/vfscore/J/renders/00_hero.png"]
    result = {
        "glb": {"sha256": sha256_file(model(ws))},
        "hdri": {"alias": "vfscore_studio", "sha256": "abc"},
        "blender_version": "4.5.15",
        "device": "CPU",
        "warnings": ["non-manifold: 2 of 9 edges in 'm'"],
        "timings": {"import_s": 0.1},
    }
    return RenderStage(views, result, 3.14159, True)


def place(ws: Path, algo: str | None = "gen-x") -> JobPlace:
    refs = (ws / "dataset/p/images/a.jpg", ws / "dataset/p/images/b.jpg")
    for i, ref in enumerate(refs):
        if not ref.exists():
            ref.parent.mkdir(parents=True, exist_ok=True)
            ref.write_bytes(b"photo %d" % i)
    return JobPlace(ws / "runs/R/metrics/vfscore/J", refs, ws, algo)


def settings() -> RunSettings:
    return RunSettings(SPEC, OfflineJudge(RUBRIC), {"k": "v"})


def test_payload_records_the_render_the_caller_and_the_paths(tmp_path: Path) -> None:
    p = build_payload(place(tmp_path), settings(), stage(tmp_path), judged(), 1.23456)
    assert p["vfscore_overall"] == p["vfscore_overall_median"] == RUBRIC.overall(SUBS)
    assert p["version"] == p["tool_version"] == __version__ and p["algo"] == "gen-x"
    assert p["artifacts_dir"] == "runs/R/metrics/vfscore/J"
    assert p["render_image_path"] == "runs/R/metrics/vfscore/J/renders/00_hero.png"
    assert p["gt_image_path"] == "dataset/p/images/a.jpg"
    assert p["render_settings"] == {
        "engine": "CYCLES",
        "hdri": {"alias": "vfscore_studio", "sha256": "abc", "strength": 0.7, "rotation_deg": 0.0},
        "camera": {
            "preset": "hero",
            "views": [{"name": "hero", "azimuth_deg": 35.0, "elevation_deg": 25.0}],
            "fov_deg": 39.6,
            "fill": 0.9,
        },
        "seed": 9,
        "background_rgb": [1.0, 1.0, 1.0],
        "samples": 5,
        "resolution": [64, 48],
        "spec_hash": SPEC.spec_hash(),
    }
    assert p["renders"] == ["renders/00_hero.png"] and p["rationales_dir"] == "rationales"
    assert (p["blender_version"], p["device"]) == ("4.5.15", "CPU")
    assert p["render_warnings"] == ["non-manifold: 2 of 9 edges in 'm'"]
    assert p["render_timings"] == {"import_s": 0.1} and p["render_cached"] is True
    assert p["config_hash"] == settings().config_hash
    assert (p["render_runtime_s"], p["scoring_runtime_s"]) == (3.142, 1.235)


def test_paths_outside_the_workspace_or_without_one_are_null(tmp_path: Path) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"photo")
    outside = JobPlace(tmp_path / "elsewhere", (photo,), tmp_path / "ws", None)
    p = build_payload(outside, settings(), stage(tmp_path), judged(), 0.0)
    assert (p["artifacts_dir"], p["gt_image_path"], p["algo"]) == (None, None, None)
    none = JobPlace(tmp_path, (), None, None)
    p = build_payload(none, settings(), RenderStage([], {}, 0.0, False), judged(), 0.0)
    assert (p["artifacts_dir"], p["render_image_path"], p["gt_image_path"]) == (None, None, None)


def test_write_success_writes_every_file_and_the_record_last(tmp_path: Path) -> None:
    out = place(tmp_path).out_dir
    (out / "rationales").mkdir(parents=True)
    (out / "rationales" / "rep_7.txt").write_text("old")
    (out / "error.json").write_text("{}")
    payload = write_success(place(tmp_path), settings(), stage(tmp_path), judged(), 0.5)
    assert sorted(p.name for p in (out / "rationales").iterdir()) == ["rep_0.txt", "rep_1.txt"]
    assert (out / "rationales" / "rep_0.txt").read_text().startswith("repeat 0: overall ")
    assert json.loads((out / "config.json").read_text()) == {"k": "v"}
    assert not (out / "error.json").exists()
    assert json.loads((out / "result.json").read_text()) == payload
    assert json.loads((out / "vfscore_result.json").read_text()) == payload
    assert load_finished(out, model(tmp_path), place(tmp_path).refs, settings()) == payload


def test_no_valid_answer_is_an_error_and_nothing_is_finished(tmp_path: Path) -> None:
    out = place(tmp_path).out_dir
    with pytest.raises(EvaluationError, match=r"^judge gave no valid answer in 2 repeat\(s\) "
                       r"\(2 invalid answers; see rationales/\)$"):  # fmt: skip
        write_success(place(tmp_path), settings(), stage(tmp_path), judged(valid=False), 0.5)
    assert (out / "rationales" / "rep_1.txt").read_text().endswith("invalid answer: not JSON\n")
    refs = place(tmp_path).refs
    assert load_finished(out, model(tmp_path), refs, settings()) is None
    assert not (out / "result.json").exists()


def test_record_failure(tmp_path: Path) -> None:
    out = tmp_path / "job"
    line = record_failure(out, "GLB import failed:\n  not a\tglTF")
    assert line == "GLB import failed: not a glTF"
    assert json.loads((out / "error.json").read_text()) == {
        "error": line,
        "tool_version": __version__,
    }
    blocked = tmp_path / "file"
    blocked.write_text("x")
    line = record_failure(blocked / "job", "boom")
    assert line.startswith("boom (and error.json could not be written: ")


def test_load_finished_trusts_only_the_record(tmp_path: Path) -> None:
    glb, refs = model(tmp_path), place(tmp_path).refs
    inputs = job_inputs(sha256_file(glb), refs, settings())

    def finished() -> object:
        return load_finished(tmp_path, glb, refs, settings())

    assert finished() is None
    (tmp_path / "result.json").write_text(json.dumps({"vfscore_overall_median": 70}))
    assert finished() is None  # archi3D's rewrite alone is not VFScore's record
    (tmp_path / "vfscore_result.json").write_text("{broken")
    assert finished() is None
    (tmp_path / "vfscore_result.json").write_text(json.dumps([1]))
    assert finished() is None
    unscored: dict[str, object] = {"vfscore_overall_median": None, "inputs": inputs}
    (tmp_path / "vfscore_result.json").write_text(json.dumps(unscored))
    assert finished() is None
    record: dict[str, object] = {"vfscore_overall_median": 70, "inputs": inputs}
    (tmp_path / "vfscore_result.json").write_text(json.dumps(record))
    assert finished() == record


@pytest.mark.parametrize("change", ["model", "photo", "spec", "judge", "rubric", "repeats"])
def test_a_result_made_from_other_inputs_is_not_reused(tmp_path: Path, change: str) -> None:
    out = place(tmp_path).out_dir
    payload = write_success(place(tmp_path), settings(), stage(tmp_path), judged(), 0.5)
    glb, refs, now = model(tmp_path), place(tmp_path).refs, settings()
    assert load_finished(out, glb, refs, now) == payload
    if change == "model":
        glb.write_bytes(b"model v2, regenerated at the same path")
    elif change == "photo":
        refs[1].write_bytes(b"a new photo")
    elif change == "spec":
        now = RunSettings(SPEC.with_changes(samples=6), OfflineJudge(RUBRIC), {"k": "v"})
    elif change == "judge":
        now = RunSettings(SPEC, OfflineJudge(RUBRIC), {"k": "v", "judge": {"model": "other"}})
    elif change == "repeats":
        now = RunSettings(SPEC, OfflineJudge(RUBRIC), {"k": "v", "repeats": 5})
    else:
        other = dataclasses.replace(RUBRIC, version="9.9")
        now = RunSettings(SPEC, OfflineJudge(other), {"k": "v"})
    assert load_finished(out, glb, refs, now) is None


def test_a_tournament_file_is_named_safely_after_its_product(tmp_path: Path) -> None:
    from driver.results.layout import tournament_file

    assert tournament_file(tmp_path, "000123/red") == tmp_path / "000123_red.json"
    assert tournament_file(tmp_path, "a b/../c") == tmp_path / "a_b_.._c.json"
    assert tournament_file(tmp_path, "") == tmp_path / "no-product.json"


def test_an_error_record_goes_into_folders_that_do_not_exist_yet(tmp_path: Path) -> None:
    from driver.results.records import read_json_object, record_failure

    deep = tmp_path / "runs" / "R" / "metrics" / "vfscore" / "job"
    assert record_failure(deep, "boom") == "boom"
    assert (read_json_object(deep / "error.json") or {})["error"] == "boom"


def test_each_redo_of_one_second_keeps_its_own_history_folder(tmp_path: Path) -> None:
    from driver.results.records import archive_previous, history

    out = tmp_path / "job"
    folders = []
    for i in range(3):
        out.mkdir(exist_ok=True)
        (out / "result.json").write_text(str(i))
        folders.append(archive_previous(out, "2026-01-01T00-00-00Z"))
    assert [f.name for f in folders if f] == [
        "2026-01-01T00-00-00Z", "2026-01-01T00-00-00Z-2", "2026-01-01T00-00-00Z-3",
    ]  # fmt: skip
    assert [(f / "result.json").read_text() for f in history(out)] == ["0", "1", "2"]
    assert archive_previous(out, "x") is None  # nothing left to keep


def test_rationales_come_back_in_repeat_order_whatever_their_bytes(tmp_path: Path) -> None:
    from driver.results.records import read_rationales, write_rationales

    write_rationales(tmp_path, [f"repeat {i}" for i in range(12)])
    (tmp_path / "rationales" / "rep_3.txt").write_bytes(b"caf\xe9 \xff")  # not UTF-8
    texts = read_rationales(tmp_path)
    assert texts[:3] + texts[4:] == [f"repeat {i}" for i in range(12) if i != 3]
    assert texts[3] == "caf\ufffd \ufffd"


def test_a_stored_record_must_be_a_json_object(tmp_path: Path) -> None:
    from driver.results.records import read_json_object

    for text, expected in (('{"a": 1}', {"a": 1}), ("[1, 2]", None), ("not json", None)):
        (tmp_path / "r.json").write_text(text)
        assert read_json_object(tmp_path / "r.json") == expected
    assert read_json_object(tmp_path / "missing.json") is None
