"""Attacks with hostile or broken inputs on a whole `vfscore compute` run: the table, the paths in
it, the photos, the models, the configuration and the command line. Each ends as one specific
error (for the job, or for the run with exit 2), the other jobs go on, nothing written is lost,
nothing outside the workspace is read, and no score is reused for inputs it was not made from.

The stand-in renderer is launched exactly as Blender is; where a job must never reach Blender,
its run log proves that it did not."""

from __future__ import annotations

import base64
import json
import os
import struct
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from PIL import Image

from driver.demo.assets import write_textured_glb
from driver.ssot.locking import locked
from tests.support.compute_cli import Ran, use_fake_blender, vfscore
from tests.support.fast_workspace import RUN_ID, build, fake_runs, job_id, log_records, table
from tests.support.glb_edit import rewrite_glb_json


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_fake_blender(tmp_path, monkeypatch)


def glb_of(ws: Path, i: int) -> Path:
    return ws / "runs" / RUN_ID / "outputs" / job_id(i) / "generated.glb"


def job_dir(ws: Path, i: int) -> Path:
    return ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(i)


def no_traceback(ran: Ran) -> None:
    assert "Traceback" not in ran.stdout + ran.stderr


def refused_at_start(ran: Ran, message: str) -> None:
    """Exit 2 with one line naming the problem, and no traceback."""
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert message in " ".join(ran.stderr.split()), ran.stderr
    no_traceback(ran)


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def set_cells(ws: Path, i: int, **cells: str) -> None:
    rows = table(ws)
    for col, value in cells.items():
        rows.loc[i, col] = value
    rows.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")


# ------------------------------------------------------------------ models that reach outside


def _texture_uri(uri: str) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        doc["images"] = [{"uri": uri}]

    return edit


@pytest.mark.parametrize(
    "uri",
    [
        "../../../../secret.png",
        "%2E%2E/%2E%2E/%2E%2E/%2E%2E/secret.png",
        "/etc/hostname",
        "file:///etc/hostname",
        "textures/../../../../../secret.png",
        "link.png",  # a symlink next to the model that points at the secret
    ],
)
def test_a_model_cannot_make_blender_read_outside_its_folder(
    tmp_path: Path, fake: Path, uri: str
) -> None:
    ws = build(tmp_path / "ws", n_jobs=3)
    secret = ws / "secret.png"
    Image.new("RGB", (8, 8), (255, 0, 0)).save(secret)
    (glb_of(ws, 1).parent / "link.png").symlink_to(secret)
    rewrite_glb_json(glb_of(ws, 1), _texture_uri(uri))
    ran = vfscore(ws)
    assert ran.returncode == 1
    rows = table(ws)
    assert list(rows["vf_status"]) == ["ok", "error", "ok"]
    assert str(rows.loc[1, "vf_error"]).startswith("model refused: image 0 URI ")
    assert uri in str(rows.loc[1, "vf_error"])
    assert len(fake_runs(fake)) == 2  # the hostile model never reached Blender


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("data:image/png;base64,PGh0bWw+", "is not a PNG, JPEG or WebP image"),
        ("data:image/png;base64,!!!not base64", "is not valid base64"),
    ],
)
def test_a_data_uri_is_checked_like_any_image(
    tmp_path: Path, fake: Path, uri: str, message: str
) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    rewrite_glb_json(glb_of(ws, 0), _texture_uri(uri))
    assert vfscore(ws).returncode == 1
    assert message in str(table(ws).loc[0, "vf_error"])
    assert table(ws).loc[1, "vf_status"] == "ok"


def test_a_data_uri_that_is_an_image_renders(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    png = ws / "t.png"
    Image.new("RGB", (4, 4), (0, 90, 200)).save(png)
    uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
    rewrite_glb_json(glb_of(ws, 0), _texture_uri(uri))
    assert vfscore(ws).returncode == 0


def test_a_mesh_of_points_is_nothing_visible_to_render(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)

    def points(doc: dict[str, Any]) -> None:
        for prim in doc["meshes"][0]["primitives"]:
            prim["mode"] = 0

    rewrite_glb_json(glb_of(ws, 0), points)
    assert vfscore(ws).returncode == 1
    assert str(table(ws).loc[0, "vf_error"]).startswith("nothing visible to render: ")
    assert len(fake_runs(fake)) == 1


# ------------------------------------------------------------------ stale and ghost results


def test_a_regenerated_model_is_scored_again_not_given_the_old_score(
    tmp_path: Path, fake: Path
) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    assert vfscore(ws).returncode == 0
    assert len(fake_runs(fake)) == 2
    # archi3D regenerates job 0 (new bytes at the same path) and clears its vf_* cells; job 1's
    # cells are cleared too, its inputs unchanged.
    write_textured_glb(glb_of(ws, 0), Image.new("RGB", (64, 64), (20, 200, 20)))
    vf = [c for c in table(ws).columns if c.startswith("vf")]
    set_cells(ws, 0, **dict.fromkeys(vf, ""))
    set_cells(ws, 1, **dict.fromkeys(vf, ""))
    ran = vfscore(ws)
    assert ran.returncode == 0
    assert len(fake_runs(fake)) == 3  # job 0 rendered again; job 1 taken from its record
    assert "1 job(s) taken from an earlier vfscore_result.json" in ran.stdout
    record = json.loads((job_dir(ws, 0) / "vfscore_result.json").read_text())
    assert record["inputs"]["model_sha256"] != ""
    assert list(table(ws)["vf_status"]) == ["ok", "ok"]


def test_a_new_photo_means_a_new_judgement(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    assert vfscore(ws).returncode == 0
    before = json.loads((job_dir(ws, 0) / "vfscore_result.json").read_text())
    photo = ws / str(table(ws).loc[0, "used_image_1_path"])
    Image.new("RGB", (64, 64), (10, 10, 250)).save(photo)
    set_cells(ws, 0, vf_status="", vfscore_overall="")
    assert vfscore(ws).returncode == 0
    after = json.loads((job_dir(ws, 0) / "vfscore_result.json").read_text())
    assert after["inputs"]["photos_sha256"] != before["inputs"]["photos_sha256"]
    # The offline judge matches each photo's pose: a new photo means new matched views, so the
    # model is rendered again (with the same photo it is not: test_render_stage).
    assert len(fake_runs(fake)) == 2


@pytest.mark.timeout(120)
def test_a_row_deleted_while_its_job_runs_does_not_come_back(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_BLENDER_SLEEP_S", "1.0")
    ws = build(tmp_path / "ws", n_jobs=3)
    csv = ws / "tables" / "generations.csv"
    result: list[Ran] = []
    worker = threading.Thread(target=lambda: result.append(vfscore(ws, "--max-parallel", "3")))
    worker.start()
    deadline = time.monotonic() + 60
    while len(fake_runs(fake)) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with locked(csv.with_suffix(".lock")):  # archi3D deletes job 1's row, under the lock
        rows = table(ws)
        rows[rows["job_id"] != job_id(1)].to_csv(csv, index=False, encoding="utf-8-sig")
    worker.join(timeout=90)
    ran = result[0]
    assert ran.returncode == 0
    rows = table(ws)
    assert list(rows["job_id"]) == [job_id(0), job_id(2)]  # no ghost row for job 1
    assert list(rows["vf_status"]) == ["ok", "ok"]
    assert rows["status"].tolist() == ["completed", "completed"]
    assert "1 result(s) not written to the table: their rows were deleted" in ran.stdout
    assert (job_dir(ws, 1) / "vfscore_result.json").is_file()  # kept in the artifacts
    assert log_records(ws)[-1]["rows_deleted_meanwhile"] == [job_id(1)]


def test_duplicate_keys_in_the_table_are_named_and_treated_alike(
    tmp_path: Path, fake: Path
) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    rows = table(ws)
    rows = pd.concat([rows, rows.iloc[[1]]], ignore_index=True)
    rows.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    ran = vfscore(ws)
    assert ran.returncode == 0
    assert f"the table holds 2 rows for job '{job_id(1)}'" in ran.stdout
    after = table(ws)
    assert list(after["vf_status"]) == ["ok", "ok", "ok"]
    assert after.loc[1, "vfscore_overall"] == after.loc[2, "vfscore_overall"]
    assert len(fake_runs(fake)) == 2  # scored once


# ------------------------------------------------------------------ photos


def test_a_decompression_bomb_photo_is_one_job_error(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=3)
    (ws / "bomb.png").write_bytes(png_declaring(50000, 50000))
    set_cells(ws, 1, used_image_1_path="bomb.png")
    ran = vfscore(ws)
    assert ran.returncode == 1
    rows = table(ws)
    assert list(rows["vf_status"]) == ["ok", "error", "ok"]
    assert "'bomb.png' is too large to decode safely" in str(rows.loc[1, "vf_error"])
    no_traceback(ran)


def test_a_bomb_as_second_photo_is_left_out_and_named(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    (ws / "bomb.png").write_bytes(png_declaring(50000, 50000))
    set_cells(ws, 0, used_image_2_path="bomb.png")
    assert vfscore(ws).returncode == 0
    record = json.loads((job_dir(ws, 0) / "vfscore_result.json").read_text())
    assert len(record["inputs"]["photos_sha256"]) == 1
    assert "'bomb.png' is too large to decode safely" in record["input_warnings"][0]


# ------------------------------------------------------------------ the table and the workspace


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("latin1", "is not UTF-8"),
        ("extra_cells", "row 3 has 9 cells but the header has 7"),
        ("duplicate_columns", "has duplicate column names: ['status']"),
    ],
)
def test_an_unreadable_table_stops_the_run_at_start(
    tmp_path: Path, fake: Path, damage: str, message: str
) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    csv = ws / "tables" / "generations.csv"
    text = csv.read_text(encoding="utf-8-sig")
    if damage == "latin1":
        csv.write_bytes(text.replace("completed", "complété").encode("latin-1"))
    elif damage == "extra_cells":
        lines = text.splitlines()
        lines[2] += ",x,y"
        csv.write_text("\n".join(lines) + "\n")
    else:
        csv.write_text(text.replace("product_id", "status", 1))
    before = csv.read_bytes()
    refused_at_start(vfscore(ws), message)
    assert csv.read_bytes() == before and fake_runs(fake) == []


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ("logs/metrics.log", "logs/metrics.log is not a regular file"),
        ("tables/generations.lock", "tables/generations.lock is a folder"),
    ],
)
def test_a_folder_where_a_file_belongs_stops_the_run_at_start(
    tmp_path: Path, fake: Path, place: str, message: str
) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    (ws / place).mkdir(parents=True)
    refused_at_start(vfscore(ws), message)


def test_a_file_where_the_artifacts_go_stops_the_run_at_start(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    blocked = ws / "runs" / RUN_ID / "metrics" / "vfscore"
    blocked.parent.mkdir(parents=True)
    blocked.write_text("not a folder")
    refused_at_start(vfscore(ws), "cannot write the run's artifacts in runs/")


def test_a_job_id_too_long_for_a_folder_is_one_job_error(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    set_cells(ws, 1, job_id="j" * 300)
    assert vfscore(ws).returncode == 1
    rows = table(ws)
    assert rows.loc[1, "vf_status"] == "error"
    assert "a folder name holds at most 200" in str(rows.loc[1, "vf_error"])
    assert rows.loc[0, "vf_status"] == "ok"


def test_a_symlinked_table_is_written_through_the_link(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    csv = ws / "tables" / "generations.csv"
    real = tmp_path / "shared" / "generations.csv"
    real.parent.mkdir()
    csv.rename(real)
    csv.symlink_to(real)
    assert vfscore(ws).returncode == 0
    assert csv.is_symlink()
    assert pd.read_csv(real, dtype=str).loc[0, "vf_status"] == "ok"


def test_a_read_only_table_is_an_error_and_the_results_are_kept(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    csv = ws / "tables" / "generations.csv"
    before = csv.read_bytes()
    csv.chmod(0o444)
    ran = vfscore(ws)
    assert ran.returncode == 4, ran.stdout + ran.stderr
    assert "table NOT updated: generations.csv could not be written" in ran.stdout
    assert "is read-only (mode 444)" in ran.stdout
    assert csv.read_bytes() == before
    for i in range(2):
        assert (job_dir(ws, i) / "vfscore_result.json").is_file()
    csv.chmod(0o644)
    again = vfscore(ws)  # once writable, a rerun writes the kept results without rendering
    assert again.returncode == 0 and "2 job(s) taken from an earlier" in again.stdout
    assert len(fake_runs(fake)) == 2


# ------------------------------------------------------------------ configuration and options


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jobs", "re:(unclosed"], "is not a valid regular expression"),
        (["--timeout-s", "0"], "timeout_s"),
        (["--timeout-s", "-5"], "timeout_s"),
        (["--timeout-s", "nan"], "timeout_s"),
        (["--timeout-s", "inf"], "timeout_s"),
        (["--repeats", "20000"], "repeats"),
        (["--repeats", "0"], "repeats"),
    ],
)
def test_bad_options_stop_the_run_at_start(
    tmp_path: Path, fake: Path, args: list[str], message: str
) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    refused_at_start(vfscore(ws, *args), message)
    assert fake_runs(fake) == [] and "vf_status" not in table(ws).columns


def test_a_catastrophic_jobs_regex_stops_the_run_instead_of_hanging(
    tmp_path: Path, fake: Path
) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    set_cells(ws, 0, job_id="a" * 40 + "!")
    refused_at_start(vfscore(ws, "--jobs", "re:(a|aa)+$"), "backtracks catastrophically")


@pytest.mark.parametrize("kind", ["folder", "latin1", "fifo"])
def test_an_unreadable_config_stops_the_run_at_start(tmp_path: Path, fake: Path, kind: str) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    config = tmp_path / "cfg.toml"
    if kind == "folder":
        config.mkdir()
    elif kind == "fifo":
        os.mkfifo(config)
    else:
        config.write_bytes("[render]\nhdri_alias = 'café'\n".encode("latin-1"))
    message = "is not UTF-8 text" if kind == "latin1" else "is not a regular file"
    refused_at_start(vfscore(ws, "--config", str(config)), message)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[compute]\ntimeout_s = '10'\n", "compute.timeout_s"),
        ("[render]\nhdri_alias = 'nope'\n", "hdri_alias = 'nope' is not a known HDRI"),
        ("[judge]\nprovider = 'openai'\nmodel = 'm'\ntimeout_s = -1\n", "judge.timeout_s"),
    ],
)
def test_wrong_config_types_stop_the_run_at_start(
    tmp_path: Path, fake: Path, toml: str, message: str
) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    (ws / "vfscore.toml").write_text(toml)
    refused_at_start(vfscore(ws), message)
    assert fake_runs(fake) == []


# ------------------------------------------------------------------ files that block or overflow


@pytest.mark.timeout(60)
def test_evaluate_on_a_fifo_fails_instead_of_blocking(tmp_path: Path, fake: Path) -> None:
    from typer.testing import CliRunner

    from driver.cli.app import app

    ws = build(tmp_path / "ws", n_jobs=1)
    fifo = tmp_path / "model.glb"
    os.mkfifo(fifo)
    photo = next((ws / "dataset").rglob("*.png"))
    args = ["evaluate", "--cand-glb", str(fifo), "--ref-images", str(photo)]
    result = CliRunner().invoke(app, [*args, "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"] == "GLB import failed: not a regular file"


@pytest.mark.timeout(120)
def test_a_full_disk_ends_the_run_with_a_clear_error_not_a_hang(tmp_path: Path, fake: Path) -> None:
    import resource
    import signal
    import subprocess
    import sys

    ws = build(tmp_path / "ws", n_jobs=2)
    before = (ws / "tables" / "generations.csv").read_bytes()

    def no_room() -> None:
        # Every write past the first byte fails with EFBIG, as writes on a full disk fail.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1, 1))

    root = Path(__file__).resolve().parents[3]
    cmd = [sys.executable, "-m", "driver", "compute", "--workspace", str(ws), "--run-id", RUN_ID]
    proc = subprocess.run(
        cmd, cwd=root, capture_output=True, text=True, timeout=90, preexec_fn=no_room
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "table NOT updated" in proc.stdout and "log NOT written" in proc.stdout
    assert (ws / "tables" / "generations.csv").read_bytes() == before  # nothing corrupted


# ------------------------------------------------------------------ hostile inputs v2


@pytest.mark.timeout(60)
def test_a_fifo_photo_and_a_link_to_a_system_file_are_one_job_error(
    tmp_path: Path, fake: Path
) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    images = ws / "dataset" / "000123_tin" / "images"
    os.mkfifo(images / "pipe.png")
    os.symlink("/etc/passwd", images / "passwd.png")
    rel = "dataset/000123_tin/images"
    set_cells(ws, 0, used_image_1_path=f"{rel}/pipe.png", used_image_2_path=f"{rel}/passwd.png")
    ran = vfscore(ws)  # the run report (thumbnails of every photo) included
    assert ran.returncode == 1
    rows = table(ws)
    assert list(rows["vf_status"]) == ["error", "ok"]
    error = str(rows.loc[0, "vf_error"])
    assert "reference photo 'pipe.png' is not a regular file (a named pipe)" in error
    assert f"'{rel}/passwd.png' resolves outside the workspace" in error
    no_traceback(ran)


def test_photos_too_small_or_cut_short_are_named_job_errors(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=3)
    Image.new("RGB", (1, 1), (9, 9, 9)).save(ws / "one.png")
    Image.effect_noise((256, 256), 60).convert("RGB").save(ws / "full.jpg", quality=95)
    data = (ws / "full.jpg").read_bytes()
    (ws / "cut.jpg").write_bytes(data[: len(data) * 6 // 10])  # the header is whole
    set_cells(ws, 0, used_image_1_path="one.png")
    set_cells(ws, 1, used_image_1_path="cut.jpg")
    ran = vfscore(ws)
    rows = table(ws)
    assert list(rows["vf_status"]) == ["error", "error", "ok"]
    assert rows.loc[0, "vf_error"] == (
        "no usable reference image (reference photo 'one.png' is 1x1 pixels: too small to "
        "judge (at least 8 a side))"
    )
    assert rows.loc[1, "vf_error"] == "reference photo 'cut.jpg' is not a decodable image (OSError)"
    no_traceback(ran)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.__setitem__("bufferViews", [1, 2, 3]), "bufferViews[0] is a number, not an"),
        (lambda d: d.__setitem__("accessors", {"0": {}}), "accessors is an object, not an array"),
        (lambda d: d["meshes"][0].__setitem__("primitives", "x"), "primitives is a string"),
        (lambda d: d["nodes"][0].__setitem__("mesh", 7), "nodes[0].mesh = 7 points past meshes"),
        (
            lambda d: d["meshes"][0]["primitives"][0]["attributes"].__setitem__("POSITION", "0"),
            "attributes.POSITION is a string, not an integer",
        ),
        (lambda d: d["bufferViews"][0].__setitem__("byteLength", -4), "byteLength = -4 is negat"),
    ],
)
def test_a_glb_of_the_wrong_shape_is_named_before_blender_runs(
    tmp_path: Path, fake: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    ws = build(tmp_path / "ws", n_jobs=2)
    rewrite_glb_json(glb_of(ws, 0), edit)
    ran = vfscore(ws)
    rows = table(ws)
    assert list(rows["vf_status"]) == ["error", "ok"]
    error = str(rows.loc[0, "vf_error"])
    assert error.startswith("GLB import failed: not a valid glTF document: ")
    assert message in error
    assert len(fake_runs(fake)) == 1  # only the good model reached Blender
    no_traceback(ran)


@pytest.mark.blender
def test_the_importers_own_line_is_kept_without_a_path_of_this_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Indices 4·10⁹ past the vertex array: valid in shape, refused by Blender's importer."""
    from tests.support.glb_edit import rewrite_glb

    monkeypatch.delenv("VFSCORE_BLENDER", raising=False)
    ws = build(tmp_path / "ws", n_jobs=1)

    def far_index(doc: dict[str, Any], binary: bytearray) -> None:
        accessor = doc["accessors"][doc["meshes"][0]["primitives"][0]["indices"]]
        view = doc["bufferViews"][accessor["bufferView"]]
        assert accessor["componentType"] == 5125  # UNSIGNED_INT
        start = view.get("byteOffset", 0) + accessor.get("byteOffset", 0)
        struct.pack_into("<I", binary, start, 4_000_000_000)

    rewrite_glb(glb_of(ws, 0), far_index)
    ran = vfscore(ws)
    error = str(table(ws).loc[0, "vf_error"])
    assert error == (
        "GLB import failed: IndexError: index 4000000000 is out of bounds for axis 0 with size 24"
    )
    assert "/" not in error and "Location" not in error
    no_traceback(ran)


def test_brackets_in_names_paths_patterns_and_errors_are_printed_as_written(
    tmp_path: Path, fake: Path
) -> None:
    ws = build(tmp_path / "ws [/x] [bold]", n_jobs=2)
    set_cells(ws, 0, product_name="Lamp [/red] [judge.prices]")
    (ws / "vfscore.toml").write_text("[render]\nresolution = 32\n")
    ran = vfscore(ws, "--jobs", "re:^[0-9]{12}$")
    assert ran.returncode == 0, ran.stderr
    assert f"table:     {ws / 'tables' / 'generations.csv'}" in ran.stdout
    # An error message that quotes a config table and a path with brackets.
    (ws / "vfscore.toml").write_text("[judge]\nmodel = 'm'\n")
    refused_at_start(vfscore(ws), "judge = {'model': 'm'}")
    ran = vfscore(ws, "--config", str(ws / "none [/x].toml"))
    refused_at_start(ran, f"config file {ws / 'none [/x].toml'} (from --config) does not exist")
