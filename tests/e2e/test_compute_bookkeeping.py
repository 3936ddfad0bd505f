"""The coordinator's bookkeeping, in-process, with the stand-in renderer: rows, counts, the log
record, progress events, recovery, redo, input errors, a stopped run and a stopped judge."""

from __future__ import annotations

import itertools
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from driver.config.schema import ComputeRequest
from driver.pipeline.compute import (
    ComputeError,
    ComputeSummary,
    RunInterrupted,
    run_compute,
)
from driver.ssot.workspace import Workspace
from rubric.core.definition import load_rubric
from tests.support.fast_workspace import (
    RUN_ID,
    build,
    fake_blender,
    fake_runs,
    job_id,
    log_records,
    table,
)
from tests.support.llm_server import ScriptedServer, answer_json, ok_reply, quota_exhausted
from tests.support.processes import running
from tests.support.settings import settings_from

DIMS = load_rubric().names


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.setenv("VFSCORE_BLENDER", str(fake_blender(tmp_path)))
    return Workspace(build(tmp_path / "ws", n_jobs=3))


def compute(
    ws: Workspace, judge: str | None = None, events: list[tuple[str, int]] | None = None, **kw: Any
) -> ComputeSummary:
    opts = ComputeRequest(run_id=RUN_ID, repeats=2, **kw)
    settings = settings_from(ws.root / "vfscore.toml", judge, ws.response_cache_dir(RUN_ID))

    def progress(event: str, total: int) -> None:
        if events is not None:
            events.append((event, total))

    return run_compute(ws, opts, settings, progress)


def test_rows_counts_progress_and_log(ws: Workspace) -> None:
    events: list[tuple[str, int]] = []
    s = compute(ws, events=events)
    assert (s.n_selected, s.ok, s.error, s.recovered, s.not_evaluated) == (3, 3, 0, 0, 0)
    assert events == [("ok", 3)] * 3
    assert len(s.render_times) == 3 and all(t > 0 for t in s.render_times)
    assert len(s.scoring_times) == 3
    df = table(ws.root)
    for i in range(3):
        row = df.iloc[i]
        assert row["job_id"] == job_id(i) and row["vf_status"] == "ok"
        assert row["vf_rationales_dir"] == f"runs/{RUN_ID}/metrics/vfscore/{job_id(i)}/rationales"
        record = json.loads(
            (ws.job_metrics_dir(RUN_ID, job_id(i)) / "vfscore_result.json").read_text()
        )
        assert int(row["vfscore_overall"]) == record["vfscore_overall_median"]
    log = log_records(ws.root)[-1]
    assert log == {
        **log,
        "event": "compute_vfscore",
        "run_id": RUN_ID,
        "n_selected": 3,
        "processed": 3,
        "ok": 3,
        "error": 0,
        "skipped": 0,
        "repeats": 2,
        "use_images_from": "used",
        "redo": False,
        "max_parallel": 1,
        "dry_run": False,
        "skip_reasons": {},
        "recovered_from_result_json": 0,
        "not_evaluated": 0,
        "interrupted": None,
        "table_writes": 1,
        "judge": "offline:appearance-2.3",
    }
    assert log["avg_render_runtime_s"] == round(sum(s.render_times) / 3, 3)
    assert log["avg_scoring_runtime_s"] == round(sum(s.scoring_times) / 3, 3)
    assert len(log["config_hash"]) == 64 and s.log_line.endswith("\n")


def test_finished_jobs_are_recovered_unless_redo(ws: Workspace) -> None:
    compute(ws)
    df = table(ws.root)
    scored = list(df["vfscore_overall"])
    df[[c for c in df.columns if c.startswith("vf")]] = ""  # a crash before the flush
    df.to_csv(ws.generations_csv, index=False, encoding="utf-8-sig")
    events: list[tuple[str, int]] = []
    s = compute(ws, events=events)
    assert (s.ok, s.recovered, s.render_times) == (3, 3, [])
    assert events == [("ok", 3)] * 3 and list(table(ws.root)["vfscore_overall"]) == scored
    assert log_records(ws.root)[-1]["recovered_from_result_json"] == 3
    s = compute(ws, redo=True)
    assert (s.ok, s.recovered, len(s.render_times)) == (3, 0, 3)


def test_input_errors_get_rows_and_the_rest_is_scored(ws: Workspace) -> None:
    df = table(ws.root)
    df.loc[1, "gen_object_path"] = ""
    df.to_csv(ws.generations_csv, index=False, encoding="utf-8-sig")
    events: list[tuple[str, int]] = []
    s = compute(ws, events=events)
    assert (s.ok, s.error, s.n_selected) == (2, 1, 3)
    assert events[0] == ("error", 3) and sorted(events) == [("error", 3), ("ok", 3), ("ok", 3)]
    row = table(ws.root).iloc[1]
    assert (row["run_id"], row["job_id"], row["vf_status"]) == (RUN_ID, job_id(1), "error")
    assert row["vf_error"] == "gen_object_path is empty" and len(row["vf_config_hash"]) == 64


def test_a_stopped_run_writes_what_finished_and_says_so(ws: Workspace) -> None:
    stops = {"n": 0}

    def progress(event: str, total: int) -> None:
        stops["n"] += 1
        if stops["n"] == 1:
            raise KeyboardInterrupt  # Ctrl-C while the first job is being recorded

    opts = ComputeRequest(run_id=RUN_ID, repeats=1)
    settings = settings_from(ws.root / "vfscore.toml")
    s = run_compute(ws, opts, settings, progress)
    assert s.interrupted == "SIGINT" and s.ok == 1
    log = log_records(ws.root)[-1]
    assert log["interrupted"] == "SIGINT" and log["ok"] == 1
    assert list(table(ws.root)["vf_status"]).count("ok") == 1


def test_a_stopped_judge_marks_the_rest_not_evaluated(ws: Workspace) -> None:
    with ScriptedServer() as server:
        server.script = [quota_exhausted("openai")]
        s = compute(ws, judge=f"openai-compatible:{server.url}/v1#m")
    assert (s.ok, s.error, s.not_evaluated) == (0, 3, 3)
    errors = list(table(ws.root)["vf_error"])
    assert all(e.startswith("not evaluated: ") and "quota exhausted" in e for e in errors)
    assert all(f"vfscore compute --run-id {RUN_ID}" in e for e in errors)
    assert log_records(ws.root)[-1]["not_evaluated"] == 3


def test_an_llm_judge_and_the_run_response_cache(ws: Workspace) -> None:
    with ScriptedServer() as server:
        server.script = [ok_reply("openai", answer_json(DIMS, 77)) for _ in range(6)]
        s = compute(ws, judge=f"openai-compatible:{server.url}/v1#m")
        # The stand-in renders the three models alike: jobs 2 and 3 send the same images, so
        # their repeats come from the run's response cache.
        assert len(server.requests) == 2
    assert s.ok == 3 and set(table(ws.root)["vfscore_overall"]) == {"77"}


def test_no_table_or_missing_columns_stop_the_run(ws: Workspace) -> None:
    df = table(ws.root).drop(columns=["status", "gen_object_path"])
    df.to_csv(ws.generations_csv, index=False, encoding="utf-8-sig")
    with pytest.raises(ComputeError, match=r"tables/generations.csv has no column\(s\) status, "):
        compute(ws)
    shutil.rmtree(ws.root / "tables")
    with pytest.raises(ComputeError, match=r"^tables/generations.csv does not exist in workspace"):
        compute(ws)


@pytest.mark.parametrize(("max_concurrent", "overlap"), [(1, False), (3, True)])
def test_judge_calls_overlap_up_to_max_concurrent(
    ws: Workspace, max_concurrent: int, overlap: bool
) -> None:
    with ScriptedServer() as server:
        reply = ok_reply("openai", answer_json(DIMS, 70))
        reply.delay_s = 2.0  # longer than a stand-in render: judging lags behind rendering
        server.script = [reply] * 3
        (ws.root / "vfscore.toml").write_text(
            f'[judge]\nprovider = "openai-compatible"\nmodel = "m"\n'
            f'base_url = "{server.url}/v1"\nmax_concurrent = {max_concurrent}\n'
        )
        opts = ComputeRequest(run_id=RUN_ID, repeats=1)
        s = run_compute(ws, opts, settings_from(ws.root / "vfscore.toml"))  # no response cache
        arrivals = sorted(r.received for r in server.requests)
    assert s.ok == 3 and len(arrivals) == 3
    # A request that arrives before the previous one could have been answered ran beside it.
    overlapped = any(b - a < 2.0 for a, b in itertools.pairwise(arrivals))
    assert overlapped is overlap


def test_a_failed_render_is_that_jobs_error(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_BLENDER_FAIL", "3:GLB import failed: not a glTF binary")
    events: list[tuple[str, int]] = []
    s = compute(ws, events=events)
    assert (s.ok, s.error, s.not_evaluated) == (0, 3, 0) and events == [("error", 3)] * 3
    for i in range(3):
        row = table(ws.root).iloc[i]
        assert (row["run_id"], row["job_id"]) == (RUN_ID, job_id(i))
        assert row["vf_error"] == "GLB import failed: not a glTF binary"
        error = json.loads((ws.job_metrics_dir(RUN_ID, job_id(i)) / "error.json").read_text())
        assert error["error"] == "GLB import failed: not a glTF binary"


def test_runtimes_in_the_summary_are_the_jobs(ws: Workspace) -> None:
    s = compute(ws)
    records = [
        json.loads((ws.job_metrics_dir(RUN_ID, job_id(i)) / "vfscore_result.json").read_text())
        for i in range(3)
    ]
    assert sorted(s.render_times) == sorted(r["render_runtime_s"] for r in records)
    assert sorted(s.scoring_times) == sorted(r["scoring_runtime_s"] for r in records)


@pytest.mark.timeout(120)
def test_an_interrupted_run_leaves_no_blender_running(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "fake-log"
    log.mkdir()
    monkeypatch.setenv("FAKE_BLENDER_LOG", str(log))
    monkeypatch.setenv("FAKE_BLENDER_HANG", "after:1")

    def progress(event: str, total: int) -> None:
        deadline = time.monotonic() + 30
        while len(list(log.glob("run-*.claim"))) < 3:  # both other Blenders are hanging
            assert time.monotonic() < deadline
            time.sleep(0.05)
        raise RunInterrupted("SIGTERM")

    opts = ComputeRequest(run_id=RUN_ID, repeats=1, max_parallel=2)
    s = run_compute(ws, opts, settings_from(ws.root / "vfscore.toml"), progress)
    assert (s.interrupted, s.ok) == ("SIGTERM", 1)
    children = [pid for r in fake_runs(log) for pid in r["children"]]
    time.sleep(0.2)
    assert len(children) == 2 and not any(running(pid) for pid in children)
    assert log_records(ws.root)[-1]["interrupted"] == "SIGTERM"


def test_job_timeouts_cover_the_render_and_the_wait_for_the_judge(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedServer() as server:
        reply = ok_reply("openai", answer_json(DIMS, 70))
        reply.delay_s = 3.0
        server.script = [reply] * 2
        (ws.root / "vfscore.toml").write_text(
            f'[judge]\nprovider = "openai-compatible"\nmodel = "m"\n'
            f'base_url = "{server.url}/v1"\nmax_concurrent = 1\n'
        )
        opts = ComputeRequest(run_id=RUN_ID, repeats=1, timeout_s=2.5, max_parallel=2, limit=2)
        s = run_compute(ws, opts, settings_from(ws.root / "vfscore.toml"))
    # Job 1 is judged at once; job 2, rendered as fast, waits 3 s for the judge: past 2.5 s.
    assert (s.ok, s.error) == (1, 1)
    errors = [e for e in table(ws.root)["vf_error"] if e]
    assert errors == ["timeout: the job took longer than 2.5s"]
    monkeypatch.setenv("FAKE_BLENDER_HANG", "all")
    s = compute(ws, redo=True, timeout_s=1.0, jobs=job_id(2))
    assert (s.n_selected, s.error) == (1, 1)
    assert table(ws.root).loc[2, "vf_error"] == "timeout: rendering took longer than 1s"


def test_jobs_limit_and_the_paths_recorded(ws: Workspace) -> None:
    s = compute(ws, jobs=job_id(1))
    assert (s.n_selected, s.ok) == (1, 1) and s.skip_reasons == {"--jobs does not match": 2}
    record = json.loads((ws.job_metrics_dir(RUN_ID, job_id(1)) / "vfscore_result.json").read_text())
    assert record["artifacts_dir"] == f"runs/{RUN_ID}/metrics/vfscore/{job_id(1)}"
    assert record["gt_image_path"] == "dataset/000123_tin/images/photo_1.png"
    s = compute(ws, limit=1)
    assert (s.n_selected, s.ok) == (1, 1)


def test_an_unexpected_error_in_one_job_is_its_row(ws: Workspace) -> None:
    blocked = ws.job_metrics_dir(RUN_ID, job_id(1))
    blocked.parent.mkdir(parents=True)
    blocked.write_text("a file where the job's folder should be")
    s = compute(ws)
    assert (s.ok, s.error) == (2, 1)
    row = table(ws.root).iloc[1]
    assert (row["run_id"], row["job_id"]) == (RUN_ID, job_id(1))
    assert row["vf_error"].startswith("internal error: ")
    assert "error.json could not be written" in row["vf_error"]
