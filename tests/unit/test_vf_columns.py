"""The rows VFScore writes into generations.csv: scored, failed, and the one-line error rule."""

from __future__ import annotations

import json

from driver.ssot.vf_columns import MAX_ERROR_CHARS, error_row, one_line, score_row, vf_columns

DIMS = ["color_palette", "finish"]
PAYLOAD = {
    "vfscore_overall_median": 71,
    "vf_subscores_median": {"color_palette": 80, "finish": 62},
    "repeats_n": 3,
    "iqr": 1.5,
    "std": 0.8,
    "llm_model": "openai:gpt-4o-mini",
    "rubric": {"id": "vfscore-appearance", "version": "1.0.0", "hash": "h"},
    "rubric_weights": {"color_palette": 0.5, "finish": 0.5},
    "render_runtime_s": 12.5,
    "scoring_runtime_s": 3.25,
    "config_hash": "cfg",
}


def test_columns_in_order() -> None:
    assert vf_columns(DIMS) == [
        "vfscore_overall", "vf_color_palette", "vf_finish", "vf_repeats_n", "vf_iqr", "vf_std",
        "vf_llm_model", "vf_rubric_json", "vf_render_runtime_s", "vf_scoring_runtime_s",
        "vf_config_hash", "vf_rationales_dir", "vf_status", "vf_error",
    ]  # fmt: skip


def test_score_row_takes_everything_from_the_payload() -> None:
    row = score_row("R", "000000000042", PAYLOAD, DIMS, "runs/R/metrics/vfscore/J/rationales")
    assert set(row) == {"run_id", "job_id", *vf_columns(DIMS)}
    assert row["run_id"] == "R" and row["job_id"] == "000000000042"
    assert (row["vfscore_overall"], row["vf_color_palette"], row["vf_finish"]) == (71, 80, 62)
    assert (row["vf_repeats_n"], row["vf_iqr"], row["vf_std"]) == (3, 1.5, 0.8)
    assert row["vf_llm_model"] == "openai:gpt-4o-mini"
    assert json.loads(row["vf_rubric_json"]) == {
        "id": "vfscore-appearance",
        "version": "1.0.0",
        "weights": {"color_palette": 0.5, "finish": 0.5},
    }
    assert (row["vf_render_runtime_s"], row["vf_scoring_runtime_s"]) == (12.5, 3.25)
    assert row["vf_config_hash"] == "cfg"
    assert row["vf_rationales_dir"] == "runs/R/metrics/vfscore/J/rationales"
    assert (row["vf_status"], row["vf_error"]) == ("ok", None)


def test_error_row_blanks_scores_and_keeps_one_line() -> None:
    row = error_row("R", "J", "GLB import failed:\n  not a glTF\tbinary", DIMS, "cfg")
    assert (row["vf_status"], row["vf_error"]) == ("error", "GLB import failed: not a glTF binary")
    assert row["vf_config_hash"] == "cfg" and (row["run_id"], row["job_id"]) == ("R", "J")
    assert all(row[c] is None for c in vf_columns(DIMS)[:-3] if c != "vf_config_hash")


def test_one_line_collapses_and_caps() -> None:
    assert one_line("  a \r\n b\t\tc  ") == "a b c"
    long = one_line("x " * 5000)
    assert len(long) == MAX_ERROR_CHARS == 2000 and "\n" not in long
