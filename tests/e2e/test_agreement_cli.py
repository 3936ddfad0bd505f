"""`vfscore ratings import`, `vfscore agreement` and the agreement section of the run report, on
a scored workspace."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from driver.agreement.store import read_ratings
from driver.cli.app import app
from tests.support.fast_workspace import RUN_ID, job_id

DIMS = ["color_palette", "finish", "texture_identity", "texture_scale_placement"]


@pytest.fixture
def ws(scored: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(scored, tmp_path / "ws"))


def cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def ratings_file(tmp_path: Path, rows: list[list[Any]], name: str = "made_elsewhere.csv") -> Path:
    header = ["run_id", "job_id", "rater", "note", *(f"r_{d}" for d in DIMS)]
    return write_csv(tmp_path / name, header, rows)


def set_judge_scores(ws: Path, scores: list[int]) -> None:
    """Give the stored results known, distinct scores (the scored jobs share one model, so the
    judge scored them alike): agreement is computed from what is stored."""
    for i, score in enumerate(scores):
        path = ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(i) / "vfscore_result.json"
        record = json.loads(path.read_text())
        record["vfscore_overall"] = score
        record["vf_subscores_median"] = dict.fromkeys(DIMS, score)
        path.write_text(json.dumps(record))


def test_import_then_agreement_then_the_report(ws: Path, tmp_path: Path) -> None:
    set_judge_scores(ws, [80, 20, 60, 40])
    # Two people who rank the four jobs as the judge does, on their 1-5 scale.
    rows = [[RUN_ID, job_id(i), rater, "", *[level] * 4] for rater in ("Ana", "Bo")
            for i, level in enumerate([4, 1, 3, 2])]  # fmt: skip
    result = cli("ratings", "import", str(ratings_file(tmp_path, rows)), "--workspace", str(ws))
    assert result.exit_code == 0, result.output
    assert "imported 8 row(s) into tables/vfscore_ratings.csv" in result.output
    stored = read_ratings(ws / "tables" / "vfscore_ratings.csv")
    assert json.loads(stored[0]["snapshot"])["source"] == "import"

    result = cli("agreement", "--workspace", str(ws), "--run-id", RUN_ID)
    assert result.exit_code == 0, result.output
    assert "judge offline:appearance-2.3 vs people" in result.output
    report = json.loads(
        (ws / "runs" / RUN_ID / "metrics" / "vfscore" / "agreement.json").read_text()
    )
    overall = report["judges"]["offline:appearance-2.3"]["overall"]
    assert (overall["spearman"]["n"], overall["spearman"]["value"]) == (4, 1.0)
    assert overall["kendall"]["value"] == 1.0
    # Job 3 is the only candidate of its product: 3 jobs of 000123, 3 pairs, in order.
    assert (overall["pairwise_accuracy"]["n"], overall["pairwise_accuracy"]["value"]) == (3, 1.0)
    assert report["people"]["krippendorff_alpha"]["finish"]["value"] == 1.0
    assert report["people"]["raters"] == ["Ana", "Bo"]

    assert cli("report", "--workspace", str(ws), "--run-id", RUN_ID).exit_code == 0
    out = ws / "runs" / RUN_ID / "metrics" / "vfscore" / "report"
    assert json.loads((out / "report.json").read_text())["agreement"]["people"]["ratings"] == 8
    page = (out / "index.html").read_text()
    assert "Agreement with people" in page and page.count('<figure class="scatter">') == 5


def test_a_bad_file_is_refused_whole_naming_the_line(ws: Path, tmp_path: Path) -> None:
    good = [RUN_ID, job_id(0), "Ana", "", 3, 3, 3, 3]
    cases = {
        "out of range": ([good, [RUN_ID, job_id(1), "Ana", "", 3, 9, 3, 3]],
                         "line 3: finish: 9 is not a rating from 1 to 5"),
        "not a number": ([good, [RUN_ID, job_id(1), "Ana", "", 3, "4.5", 3, 3]],
                         "line 3: finish: '4.5'"),
        "unknown job": ([good, [RUN_ID, "nope", "Ana", "", 3, 3, 3, 3]],
                        "line 3: job 'nope' is not a job of run"),
        "another run": ([["another-run", job_id(0), "Ana", "", 3, 3, 3, 3]],
                        "is not a job of run 'another-run'"),
        "markup rater": ([[RUN_ID, job_id(1), "<b>x</b>", "", 3, 3, 3, 3]], "rater name"),
    }  # fmt: skip
    for case, (rows, message) in cases.items():
        path = ratings_file(tmp_path, rows, f"{case}.csv")
        result = cli("ratings", "import", str(path), "--workspace", str(ws))
        assert result.exit_code == 2 and message in result.output, (case, result.output)
    assert not (ws / "tables" / "vfscore_ratings.csv").exists()
    missing = write_csv(tmp_path / "missing.csv", ["run_id", "job_id", "rater", "r_finish"],
                        [[RUN_ID, job_id(0), "Ana", 3]])  # fmt: skip
    result = cli("ratings", "import", str(missing), "--workspace", str(ws))
    assert result.exit_code == 2 and "missing column(s): r_color_palette" in result.output
    not_text = tmp_path / "photo.csv"
    not_text.write_bytes(b"\xff\xd8\xff\xe0 JFIF")
    result = cli("ratings", "import", str(not_text), "--workspace", str(ws))
    assert result.exit_code == 2 and "not UTF-8" in result.output


def test_the_same_file_is_not_imported_twice(ws: Path, tmp_path: Path) -> None:
    path = ratings_file(tmp_path, [[RUN_ID, job_id(0), "Ana", "ok", 3, 3, 3, 3]])
    assert cli("ratings", "import", str(path), "--workspace", str(ws)).exit_code == 0
    again = cli("ratings", "import", str(path), "--workspace", str(ws))
    assert again.exit_code == 2 and "already imported" in again.output
    assert len(read_ratings(ws / "tables" / "vfscore_ratings.csv")) == 1


def test_comparisons_import_into_the_pairs_table(ws: Path, tmp_path: Path) -> None:
    header = ["run_id", "job_left", "job_right", "rater", *(f"p_{d}" for d in DIMS)]
    answer = [RUN_ID, job_id(0), job_id(1), "Ana", "left", "same", "right", "left"]
    path = write_csv(tmp_path / "pairs.csv", header, [answer])
    assert cli("ratings", "import", str(path), "--workspace", str(ws)).exit_code == 0
    (row,) = read_ratings(ws / "tables" / "vfscore_pairs.csv")
    assert (row["job_left"], row["p_texture_identity"]) == (job_id(0), "right")
    result = cli("agreement", "--workspace", str(ws), "--run-id", RUN_ID)
    assert result.exit_code == 0 and "1 comparison(s)" in result.output


def test_agreement_says_when_there_is_nothing_to_measure(ws: Path, tmp_path: Path) -> None:
    result = cli("agreement", "--workspace", str(ws), "--run-id", RUN_ID)
    assert result.exit_code == 2 and "no human ratings" in result.output
    path = ratings_file(tmp_path, [[RUN_ID, job_id(0), "Ana", "", 3, 3, 3, 3]])
    cli("ratings", "import", str(path), "--workspace", str(ws))
    result = cli("agreement", "--workspace", str(ws), "--judge", "openai:gpt-x")
    assert result.exit_code == 2 and "judges found: offline:appearance-2.3" in result.output
    target = tmp_path / "out" / "agreement.json"
    result = cli("agreement", "--workspace", str(ws), "--json", str(target))
    assert result.exit_code == 0 and json.loads(target.read_text())["schema_version"] == 1
