"""Which rows a compute run evaluates, which it skips (by reason) and which are input errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from driver.pipeline.selection import Selection, SelectionError, job_matcher, select_jobs
from driver.ssot.table_io import read_table
from driver.ssot.workspace import Workspace

RUN = "20251122"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    (tmp_path / "img").mkdir()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(tmp_path / "img" / "a.png")
    (tmp_path / "img" / "not-an-image.png").write_bytes(b"<html>")
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "model.glb").write_bytes(b"glTF....")
    (tmp_path / "m" / "empty.glb").write_bytes(b"")
    return Workspace(tmp_path)


def row(job_id: str = "000000000001", **cells: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "run_id": RUN,
        "job_id": job_id,
        "status": "completed",
        "gen_object_path": "m/model.glb",
        "used_image_1_path": "img/a.png",
        "source_image_1_path": None,
    }
    return {**base, **cells}


def select(ws: Workspace, rows: list[dict[str, str | None]], **kw: object) -> Selection:
    options: dict[str, object] = {
        "only_status": {"completed"},
        "use_images_from": "used",
        "jobs": None,
        "redo": False,
        **kw,
    }
    # Through the real reader: every cell text, empty cells None (as in generations.csv).
    path = ws.root / "generations.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8-sig")
    return select_jobs(ws, read_table(path), RUN, **options)  # type: ignore[arg-type]


def test_a_good_row_is_a_candidate_with_resolved_paths(ws: Workspace) -> None:
    sel = select(ws, [row()])
    assert sel.n_selected == 1 and not sel.input_errors and not sel.skip_reasons
    c = sel.candidates[0]
    assert (c.run_id, c.job_id) == (RUN, "000000000001")
    assert c.glb == ws.root / "m" / "model.glb" and c.refs == (ws.root / "img" / "a.png",)


def test_filters_skip_with_reasons(ws: Workspace) -> None:
    rows = [
        row("000000000001", run_id="other"),
        row("000000000002", status="failed"),
        row("000000000003", status=None),
        row("000000000004", vf_status="ok"),
        row("000000000005", vfscore_overall="71"),
        row("000000000006"),
    ]
    sel = select(ws, rows)
    assert [c.job_id for c in sel.candidates] == ["000000000006"]
    assert sel.skip_reasons == {"status failed": 1, "status empty": 1, "already scored": 2}
    redo = select(ws, rows, redo=True)
    assert [c.job_id for c in redo.candidates] == ["000000000004", "000000000005", "000000000006"]
    assert select(ws, rows, only_status={"failed", "completed"}).n_selected == 2


def test_an_error_row_is_not_already_scored(ws: Workspace) -> None:
    assert select(ws, [row(vf_status="error", vf_error="x")]).n_selected == 1


def test_jobs_pattern_and_limit(ws: Workspace) -> None:
    rows = [row(f"00000000000{i}") for i in range(1, 6)]
    assert [c.job_id for c in select(ws, rows, jobs="3").candidates] == ["000000000003"]
    assert select(ws, rows, jobs="*0[45]").n_selected == 2
    assert select(ws, rows, jobs="re:^0+[12]$").n_selected == 2
    sel = select(ws, rows, limit=2)
    assert [c.job_id for c in sel.candidates] == ["000000000001", "000000000002"]
    assert sel.skip_reasons == {"--limit reached": 3}
    assert select(ws, rows, jobs="9").skip_reasons == {"--jobs does not match": 5}


def test_job_matcher_kinds() -> None:
    assert job_matcher(None) is None and job_matcher("") is None
    dotted, glob = job_matcher("a.b"), job_matcher("a?c")
    assert dotted is not None and dotted("xa.bx") and not dotted("axb")
    assert glob is not None and glob("abc") and not glob("xabc")
    with pytest.raises(SelectionError, match="not a valid regular expression"):
        job_matcher("re:(")


def test_a_catastrophic_regex_is_stopped_not_left_to_hang() -> None:
    # The example ends (the engine does not backtrack on it) ...
    nested = job_matcher("re:(a+)+$")
    assert nested is not None and nested("aaa") and not nested("a" * 40 + "!")
    # ... and one it cannot shortcut is cut off at the time limit with an error that names it.
    alternation = job_matcher("re:(a|aa)+$")
    assert alternation is not None and alternation("aaa")
    with pytest.raises(SelectionError, match=r"re:\(a\|aa\)\+\$.*backtracks catastrophically"):
        alternation("a" * 40 + "!")


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"job_id": "../../etc"}, "job_id '../../etc' is not usable as a folder name"),
        ({"gen_object_path": None}, "gen_object_path is empty"),
        ({"gen_object_path": "/etc/passwd"}, "gen_object_path rejected: path '/etc/passwd' is"),
        ({"gen_object_path": "m/missing.glb"}, "generated model 'm/missing.glb' does not exist"),
        ({"gen_object_path": "m/empty.glb"}, "generated model 'm/empty.glb' is empty (0 bytes)"),
        ({"used_image_1_path": None}, "no usable reference image (no used_image_*_path is set)"),
        ({"used_image_1_path": "img/none.png"}, "'img/none.png' does not exist"),
        ({"used_image_1_path": "img/not-an-image.png"}, "is not a decodable image"),
        ({"used_image_1_path": "../x.png"}, "contains '..'"),
    ],
)
def test_unusable_inputs_are_errors_naming_the_cause(
    ws: Workspace, cells: dict[str, str | None], reason: str
) -> None:
    sel = select(ws, [{**row(), **cells}])
    assert not sel.candidates and len(sel.input_errors) == 1 and sel.n_selected == 1
    assert reason in sel.input_errors[0].reason


def test_empty_job_id_is_skipped_not_an_error(ws: Workspace) -> None:
    sel = select(ws, [row(job_id="")])
    assert sel.skip_reasons == {"empty job_id": 1} and sel.n_selected == 0


def test_some_bad_images_are_warnings_and_the_source_columns_can_be_used(ws: Workspace) -> None:
    sel = select(ws, [row(used_image_2_path="img/none.png")])
    assert sel.candidates[0].refs == (ws.root / "img" / "a.png",)
    assert "'img/none.png' does not exist" in sel.candidates[0].warnings[0]
    source = select(ws, [row(used_image_1_path=None, source_image_1_path="img/a.png")],
                    use_images_from="source")  # fmt: skip
    assert source.candidates[0].refs == (ws.root / "img" / "a.png",)


def test_every_row_is_judged_on_its_own(ws: Workspace) -> None:
    """Bad rows of every kind before good ones: each is counted or reported, none stops the rest."""
    rows = [
        row("000000000001", status="failed"),
        row("000000000002", status="failed"),
        row(""),
        row(""),
        row("../x"),
        row("000000000003", gen_object_path=None),
        row("000000000004", used_image_1_path="img/none.png", used_image_2_path="img/gone.png"),
        row("000000000005", used_image_1_path=None, used_image_6_path="img/a.png"),
        row("000000000006"),
    ]
    sel = select(ws, rows)
    assert sel.skip_reasons == {"status failed": 2, "empty job_id": 2}
    assert [(e.run_id, e.job_id) for e in sel.input_errors] == [
        (RUN, "../x"),
        (RUN, "000000000003"),
        (RUN, "000000000004"),
    ]
    assert sel.input_errors[1].reason == "gen_object_path is empty"
    assert sel.input_errors[2].reason == (
        "no usable reference image ('img/none.png' does not exist; 'img/gone.png' does not exist)"
    )
    assert [c.job_id for c in sel.candidates] == ["000000000005", "000000000006"]
    assert sel.candidates[0].refs == (ws.root / "img" / "a.png",)  # the sixth slot counts


def test_a_plain_pattern_is_a_substring_even_with_capitals() -> None:
    matcher = job_matcher("X1")
    assert matcher is not None and matcher("aX1b")
