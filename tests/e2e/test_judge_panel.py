"""A panel of judges over a whole run: each judge asked independently (two loopback servers),
the row's score is the median of the judges' medians, and the run records their agreement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rubric.core.definition import load_rubric
from rubric.core.panel import PanelJudge
from rubric.offline.judge import OfflineJudge
from tests.support.compute_cli import use_fake_blender, vfscore
from tests.support.fast_workspace import RUN_ID, build, job_id, log_records, table
from tests.support.llm_server import ScriptedServer, answer_json, ok_reply

NAMES = load_rubric().names
BASE = (
    "[render]\nresolution = 32\n\n[compute]\nrepeats = 1\n\n"
    "[judge]\nprovider = 'openai-compatible'\nmodel = 'unused'\nbase_url = 'http://unused'\n"
    "max_concurrent = 1\nmax_retries = 0\n"
)


def test_a_panel_scores_each_job_with_every_judge_and_records_agreement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fake_blender(tmp_path, monkeypatch)
    ws = build(tmp_path / "ws", n_jobs=3)
    (ws / "vfscore.toml").write_text(BASE)
    with ScriptedServer() as a, ScriptedServer() as b:
        a.script = [ok_reply("openai", answer_json(NAMES, s)) for s in (30, 50, 70)]
        b.script = [ok_reply("openai", answer_json(NAMES, s)) for s in (35, 55, 90)]
        # The three jobs look the same (one photo, the stand-in's renders): --redo keeps the
        # response cache from answering jobs 2 and 3.
        ran = vfscore(
            ws, "--redo",
            "--judge", f"openai-compatible:{a.url}/v1#judge-a",
            "--judge", f"openai-compatible:{b.url}/v1#judge-b",
        )  # fmt: skip
        assert (len(a.requests), len(b.requests)) == (3, 3), ran.stdout + ran.stderr
    assert ran.returncode == 0, ran.stderr
    rows = table(ws)
    # Medians of two: 32.5, 52.5, 80 (half up).
    assert list(rows["vfscore_overall"]) == ["33", "53", "80"]
    assert set(rows["vf_llm_model"]) == {
        "panel:openai-compatible:judge-a+openai-compatible:judge-b"
    }
    record = json.loads(
        (
            ws / "runs" / RUN_ID / "metrics" / "vfscore" / job_id(2) / "vfscore_result.json"
        ).read_text()
    )
    assert {k: v["vfscore_overall_median"] for k, v in record["judges"].items()} == {
        "openai-compatible:judge-a": 70,
        "openai-compatible:judge-b": 90,
    }
    assert record["iqr"] == 10.0  # the spread between the judges
    assert log_records(ws)[-1]["judge_agreement"] == [
        {
            "judges": ["openai-compatible:judge-a", "openai-compatible:judge-b"],
            "jobs": 3,
            "spearman": 1.0,
            "cohen_kappa": 0.5714,
        }
    ]
    assert "Spearman rho 1.0, Cohen's kappa (5 bands) 0.5714" in " ".join(ran.stdout.split())


def test_a_panel_needs_distinct_judges() -> None:
    judge = OfflineJudge(load_rubric())
    with pytest.raises(ValueError, match="at least two"):
        PanelJudge([judge])
    with pytest.raises(ValueError, match="must differ"):
        PanelJudge([judge, judge])
