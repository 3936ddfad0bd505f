"""The coordinator under faults, with a fast stand-in renderer launched as Blender would be:
total bookkeeping, signals, per-job temp folders, process-tree kills, and option wiring."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from blender_addon.contract.render_job import RenderJob
from driver.pipeline.launcher import RenderTimeout, run_render
from tests.support.blender import tiny_spec
from tests.support.compute_cli import use_fake_blender, vfscore
from tests.support.fast_workspace import (
    RUN_ID,
    build,
    fake_runs,
    job_id,
    log_records,
    table,
)
from tests.support.processes import running

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake renderer as $VFSCORE_BLENDER; returns its log folder."""
    return use_fake_blender(tmp_path, monkeypatch)


@pytest.mark.timeout(120)
def test_a_job_whose_folder_is_a_file_gets_an_error_row_and_the_run_ends(
    tmp_path: Path, fake: Path
) -> None:
    ws = build(tmp_path / "ws")
    blocked = ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(1)
    blocked.parent.mkdir(parents=True)
    blocked.write_text("not a folder")
    proc = vfscore(ws)
    assert proc.returncode == 1, proc.stderr
    rows = table(ws)
    assert list(rows["vf_status"]) == ["ok", "error", "ok"]
    assert "internal error" in str(rows.loc[1, "vf_error"])
    assert "error.json could not be written" in str(rows.loc[1, "vf_error"])


@pytest.mark.parametrize(
    ("sig", "code", "name"), [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "SIGINT")]
)
def test_a_signal_stops_every_blender_writes_finished_jobs_and_logs(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch, sig: int, code: int, name: str
) -> None:
    ws = build(tmp_path / "ws", n_jobs=4)
    monkeypatch.setenv("FAKE_BLENDER_HANG", "after:1")  # the first job renders, then all hang
    cmd = [sys.executable, "-m", "driver", "compute", "--workspace", str(ws), "--run-id", RUN_ID]
    proc = subprocess.Popen(
        [*cmd, "--max-parallel", "2"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while sum(1 for r in fake_runs(fake) if r["children"]) < 2:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)  # let the coordinator write the first job's result
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err.decode()[-2000:]
    blenders = [r for r in fake_runs(fake) if r["children"]]
    time.sleep(0.2)
    pids = [pid for r in blenders for pid in r["children"]]
    assert pids and [pid for pid in pids if running(pid)] == []
    record = log_records(ws)[-1]
    assert record["interrupted"] == name and record["ok"] == 1
    rows = table(ws)
    assert list(rows["vf_status"]).count("ok") == 1
    assert "" in set(rows["vf_status"])  # the stopped jobs are left for the rerun


def test_each_render_has_its_own_temp_folder_removed_afterwards(tmp_path: Path, fake: Path) -> None:
    from driver.demo.assets import write_textured_glb

    glb = write_textured_glb(tmp_path / "m.glb")
    for name in ("a", "b"):
        outcome = run_render(RenderJob(glb, tmp_path / name, tiny_spec()))
        assert outcome.returncode == 0
    runs = fake_runs(fake)
    folders = [Path(r["tmpdir"]) for r in runs]
    assert len(set(folders)) == 2
    assert all(f.name.startswith("vfscore-render-") and not f.exists() for f in folders)


def test_a_timeout_kills_children_that_left_the_process_group(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from driver.demo.assets import write_textured_glb

    monkeypatch.setenv("FAKE_BLENDER_HANG", "all")
    monkeypatch.setenv("FAKE_BLENDER_ESCAPE", "1")
    glb = write_textured_glb(tmp_path / "m.glb")
    with pytest.raises(RenderTimeout):
        run_render(RenderJob(glb, tmp_path / "out", tiny_spec()), timeout_s=2.0)
    children = [pid for r in fake_runs(fake) for pid in r["children"]]
    time.sleep(0.2)
    assert children and [pid for pid in children if running(pid)] == []


def test_max_parallel_runs_that_many_blenders_at_once(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_BLENDER_SLEEP_S", "0.6")
    ws = build(tmp_path / "ws", n_jobs=4)

    def peak() -> int:
        runs = fake_runs(fake)
        return max(sum(1 for o in runs if o["start"] <= r["start"] < o["end"]) for r in runs)

    assert vfscore(ws, "--max-parallel", "2").returncode == 0
    assert peak() == 2
    for p in fake.iterdir():
        p.unlink()
    assert vfscore(ws, "--max-parallel", "1", "--redo").returncode == 0
    assert peak() == 1
    (ws / "vfscore.toml").write_text("[compute]\nmax_parallel = 2\n")
    for p in fake.iterdir():
        p.unlink()
    assert vfscore(ws, "--redo").returncode == 0
    assert peak() == 2


def test_repeats_from_flag_and_from_table(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    assert vfscore(ws).returncode == 0
    assert table(ws).loc[0, "vf_repeats_n"] == "2"  # [compute] repeats = 2
    assert vfscore(ws, "--repeats", "3", "--redo").returncode == 0
    assert table(ws).loc[0, "vf_repeats_n"] == "3"


def test_preset_flag_and_render_table_reach_the_renderer(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    assert vfscore(ws, "--preset", "hero").returncode == 0
    renders = ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(0) / "renders"
    assert sorted(p.name for p in renders.glob("*.png")) == ["00_hero.png"]
    from PIL import Image

    assert Image.open(renders / "00_hero.png").size == (32, 32)  # [render] resolution = 32


def test_selection_flags_in_a_dry_run(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=4, statuses=["completed", "failed", "completed", "running"])

    def selected(*args: str) -> tuple[int, dict[str, int]]:
        assert vfscore(ws, "--dry-run", *args).returncode == 0
        record = log_records(ws)[-1]
        return record["n_selected"], record["skip_reasons"]

    assert selected() == (2, {"status failed": 1, "status running": 1})
    assert selected("--only-status", "completed,failed")[0] == 3
    assert selected("--limit", "1") == (
        1,
        {"--limit reached": 1, "status failed": 1, "status running": 1},
    )
    assert selected("--jobs", job_id(2))[0] == 1
    (ws / "vfscore.toml").write_text('[compute]\nonly_status = ["running"]\n')
    assert selected()[0] == 1
    assert fake_runs(fake) == []  # a dry run renders nothing


def test_use_images_from_source_reads_the_source_columns(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    df = table(ws)
    df.loc[0, "source_image_1_path"] = "dataset/missing.png"
    df.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    assert vfscore(ws, "--use-images-from", "source").returncode == 1
    assert "'dataset/missing.png' does not exist" in str(table(ws).loc[0, "vf_error"])
    assert vfscore(ws).returncode == 0  # used_image_* is fine


def test_bad_options_stop_before_any_job(tmp_path: Path, fake: Path) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    for args, message in [
        (("--repeats", "0"), "option repeats = 0"),
        (("--use-images-from", "both"), "use_images_from = 'both'"),
        (("--limit", "0"), "option limit = 0: Input should be greater than or equal to 1"),
        (("--fail-under", "120"), "option fail_under = 120"),
        (("--fail-under-controls", "2"), "option fail_under_controls = 2"),
    ]:
        proc = vfscore(ws, *args)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    (ws / "vfscore.toml").write_text("[render]\nsamples = 4.7\n")
    proc = vfscore(ws)
    assert proc.returncode == 2
    assert "render.samples = 4.7" in proc.stderr and "vfscore.toml" in proc.stderr
    assert fake_runs(fake) == [] and "vf_status" not in table(ws).columns


def test_compute_table_timeout_and_images(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = build(tmp_path / "ws", n_jobs=1)
    df = table(ws)
    df.loc[0, "source_image_1_path"] = "dataset/gone.png"
    df.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    (ws / "vfscore.toml").write_text('[compute]\nuse_images_from = "source"\n')
    assert vfscore(ws).returncode == 1
    assert "'dataset/gone.png' does not exist" in str(table(ws).loc[0, "vf_error"])
    monkeypatch.setenv("FAKE_BLENDER_HANG", "all")
    (ws / "vfscore.toml").write_text("[compute]\ntimeout_s = 1.0\n")
    assert vfscore(ws).returncode == 1
    assert str(table(ws).loc[0, "vf_error"]) == "timeout: rendering took longer than 1s"


@pytest.mark.parametrize(
    ("compute_table", "writes"),
    [("", 1), ("flush_rows = 1", 3), ("flush_rows = 2", 2), ("flush_seconds = 0", 3)],
)
def test_the_table_is_written_in_batches(
    tmp_path: Path, fake: Path, compute_table: str, writes: int
) -> None:
    ws = build(tmp_path / "ws", n_jobs=3)
    (ws / "vfscore.toml").write_text(f"[compute]\n{compute_table}\n")
    assert vfscore(ws).returncode == 0
    assert log_records(ws)[-1]["table_writes"] == writes
    assert list(table(ws)["vf_status"]) == ["ok"] * 3
