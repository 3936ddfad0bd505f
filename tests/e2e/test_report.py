"""The run report of a run with every kind of job: scored, failed, not evaluated, skipped. Files,
schema, every stored field surfaced, CSV round trip, --fail-under, --redo history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from driver.cli.app import app
from driver.report.tables import flatten
from tests.support.compute_cli import use_fake_blender, vfscore
from tests.support.fast_workspace import RUN_ID, build, job_id, table
from tests.support.llm_judge import KEY, KEY_ENV
from tests.support.llm_server import ScriptedServer, unauthorized

OFFLINE = "[render]\nresolution = 32\n\n[compute]\nrepeats = 2\n"


def report_dir(ws: Path) -> Path:
    return ws / "runs" / RUN_ID / "metrics" / "vfscore" / "report"


def report_cli(ws: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["report", "--workspace", str(ws), "--run-id", RUN_ID, *args])


@pytest.fixture
def every_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Jobs 0-1 scored, 2 failed (an HTML page saved as .glb), 3 skipped (status failed),
    4 not evaluated (the judge refused the key)."""
    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=5, statuses=["completed"] * 3 + ["failed", "completed"])
    (ws / "runs" / RUN_ID / "outputs" / job_id(2) / "generated.glb").write_text("<!DOCTYPE html>")
    rows = table(ws)
    rows["algo"] = ["gen-a", "gen-b", "gen-a", "gen-b", "gen-a"]
    rows.loc[4, "status"] = "later"
    rows.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    assert vfscore(ws).returncode == 1  # job 2 errors
    rows = table(ws)
    rows.loc[4, "status"] = "completed"
    rows.to_csv(ws / "tables" / "generations.csv", index=False, encoding="utf-8-sig")
    monkeypatch.setenv(KEY_ENV, KEY)
    with ScriptedServer() as server:
        server.script = [unauthorized("openai", KEY)]
        (ws / "vfscore.toml").write_text(
            OFFLINE + f"\n[judge]\nprovider = 'openai'\nmodel = 'm'\nbase_url = '{server.url}/v1'\n"
            f"api_key_env = '{KEY_ENV}'\nmax_retries = 0\n"
        )
        assert vfscore(ws).returncode == 1  # job 4: not evaluated
    (ws / "vfscore.toml").write_text(OFFLINE)
    return ws


def test_the_report_says_what_happened_to_every_job(every_kind: Path) -> None:
    ws = every_kind
    result = report_cli(ws)
    assert result.exit_code == 1, result.stdout  # a job errored
    out = report_dir(ws)
    assert {p.name for p in out.iterdir()} >= {"index.html", "report.json", "scores.csv",
                                               "repeats.csv"}  # fmt: skip
    report = json.loads((out / "report.json").read_text())
    assert report["schema_version"] == 1 and report["aggregate_status"] == "error"
    jobs = {j["job_id"]: j for j in report["jobs"]}
    assert [jobs[job_id(i)]["status"] for i in range(5)] == [
        "pass", "pass", "error", "skipped", "not_evaluated_after_error"
    ]  # fmt: skip
    assert jobs[job_id(2)]["error"].startswith("GLB import failed: not a glTF binary")
    assert jobs[job_id(3)]["skip_reason"] == "status failed" and not jobs[job_id(3)]["selected"]
    assert "authentication failed" in jobs[job_id(4)]["root_error"]
    assert "rerun" in jobs[job_id(4)]["retry_hint"]
    assert report["summary"]["counts"]["pass"] == 2
    assert report["summary"]["devices"] == {"CPU": 2}  # what the (fake) Blender rendered on
    assert set(report["algorithms"]) == {"gen-a", "gen-b"}
    assert report["algorithms"]["gen-a"]["win_rate_vs"]["gen-b"]["products"] == 1
    views = jobs[job_id(0)]["paths"]["views"]
    assert views and all((ws / v["thumb"]).is_file() for v in views)
    assert jobs[job_id(0)]["paths"]["record"].endswith("vfscore_result.json")


def _leaves(record: dict[str, Any]) -> dict[str, Any]:
    return flatten(record, "record")


def test_every_stored_field_is_in_report_json_and_scores_csv(every_kind: Path) -> None:
    ws = every_kind
    report_cli(ws)
    report = json.loads((report_dir(ws) / "report.json").read_text())
    csv = pd.read_csv(report_dir(ws) / "scores.csv", dtype=str, keep_default_na=False,
                      encoding="utf-8-sig")  # fmt: skip
    assert list(csv["job_id"]) == [job_id(i) for i in range(5)]  # ids stay text
    for i in (0, 1):
        stored = json.loads(
            (
                ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(i) / "vfscore_result.json"
            ).read_text()
        )
        entry = next(j for j in report["jobs"] if j["job_id"] == job_id(i))
        assert entry["record"] == stored
        row = csv[csv["job_id"] == job_id(i)].iloc[0]
        for column, value in _leaves(stored).items():
            assert column in csv.columns, column
            text = row[column]
            if isinstance(value, (list, dict)):
                assert json.loads(text) == value, column
            elif isinstance(value, bool):
                assert text == str(value), column
            elif isinstance(value, (int, float)):
                assert float(text) == pytest.approx(value), column
            elif value is None:
                assert text == "", column
            else:
                assert text.lstrip("'") == value, column
    repeats = pd.read_csv(report_dir(ws) / "repeats.csv", dtype=str, encoding="utf-8-sig")
    assert len(repeats) == 2 * 2 * 4  # 2 jobs x 2 repeats x 4 dimensions


def test_fail_under_gates_like_a_test_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=2)
    ran = vfscore(ws, "--fail-under", "0")
    assert ran.returncode == 0 and "aggregate status: pass" in ran.stdout
    assert report_cli(ws, "--fail-under", "100").exit_code == 3  # the scores are below 100
    report = json.loads((report_dir(ws) / "report.json").read_text())
    assert report["aggregate_status"] == "fail" and report["options"]["fail_under"] == 100
    assert vfscore(ws, "--redo", "--fail-under", "100").returncode == 3
    assert vfscore(ws, "--fail-under", "101").returncode == 2
    assert report_cli(ws, "--fail-under", "-1").exit_code == 2


def test_redo_keeps_the_earlier_artifacts_and_the_report_links_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=1)
    assert vfscore(ws).returncode == 0
    job = ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(0)
    first = (job / "vfscore_result.json").read_text()
    assert vfscore(ws, "--redo").returncode == 0
    kept = list((job / "_history").glob("*/vfscore_result.json"))
    assert len(kept) == 1 and kept[0].read_text() == first
    report = json.loads((report_dir(ws) / "report.json").read_text())
    assert len(report["jobs"][0]["paths"]["history"]) == 1
    manifests = list((job.parent / "_runs").glob("*/manifest.json"))
    assert len(manifests) == 2  # one per run, none overwritten
    manifest = json.loads(manifests[0].read_text())
    assert manifest["jobs_touched"] == [job_id(0)] and manifest["config_hash"]


def test_no_report_writes_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=1)
    assert vfscore(ws, "--no-report").returncode == 0
    assert not report_dir(ws).exists()


# ------------------------------------------------------------------ in a real browser


def test_the_page_in_chromium(every_kind: Path, browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    report_cli(every_kind)
    browser.get((report_dir(every_kind) / "index.html").resolve().as_uri())

    def rows() -> list[Any]:
        return list(browser.find_elements(By.CSS_SELECTOR, "#jobs tbody tr"))

    def first_cells(col: int) -> list[str]:
        return [r.find_elements(By.TAG_NAME, "td")[col].text for r in rows()]

    assert len(rows()) == 5
    assert "error" in browser.find_element(By.ID, "summary").text
    assert "CPU (2)" in browser.find_element(By.ID, "summary").text  # the render device
    # Filtering changes the visible rows.
    browser.find_element(By.ID, "filter").send_keys("gen-b")
    assert sorted(first_cells(0)) == [job_id(1), job_id(3)]
    browser.find_element(By.ID, "filter").clear()
    browser.find_element(By.ID, "filter").send_keys(" ")  # an input event with an empty query
    Select(browser.find_element(By.ID, "status")).select_by_value("error")
    assert first_cells(0) == [job_id(2)]
    Select(browser.find_element(By.ID, "status")).select_by_value("")
    # Sorting by job id, descending on a second click.
    header = browser.find_element(By.CSS_SELECTOR, '#jobs th[data-key="job_id"]')
    header.click()
    assert first_cells(0) == sorted(first_cells(0), reverse=True)
    header.click()
    assert first_cells(0) == sorted(first_cells(0))
    # A product opens with the photos and every candidate's views; the thumbnails load.
    browser.find_element(By.CSS_SELECTOR, "details.product summary").click()
    # The candidates are drawn on the toggle event, which comes after the click.
    WebDriverWait(browser, 10).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "details.product[open] img")) >= 1 + 2 * 4
    )  # the photo and two scored candidates' four views
    images = browser.find_elements(By.CSS_SELECTOR, "details.product[open] img")
    WebDriverWait(browser, 10).until(
        lambda d: all(d.execute_script("return arguments[0].complete && "
                                       "arguments[0].naturalWidth > 0", i) for i in images)
    )  # fmt: skip
    text = browser.find_element(By.ID, "products").text
    assert "repeat 0: overall" in text  # the rationales are there
    # Each kind of job says what happened, on the page.
    page = browser.find_element(By.TAG_NAME, "body").text
    report = json.loads((report_dir(every_kind) / "report.json").read_text())
    for job in report["jobs"]:
        assert job["job_id"] in page
    jobs = {j["job_id"]: j for j in report["jobs"]}
    assert jobs[job_id(2)]["error"] in page
    assert jobs[job_id(4)]["root_error"] in page and jobs[job_id(4)]["retry_hint"] in page
    assert "status failed: 1" in page  # the skip reason
    for i in (0, 1):
        assert f"overall {jobs[job_id(i)]['vfscore_overall']:.0f}" in text
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    shot = tmp_path / "report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
