"""The agreement report from evidence: people's overall rating, where preferences come from,
repeat std, flip rate, the judge filter, and synthetic raters end to end."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from driver.agreement.evidence import Evidence, judge_entries
from driver.agreement.summary import OVERALL, agreement_report, human_values, preferences

DIMS = ["a", "b"]
WEIGHTS = {"a": 0.75, "b": 0.25}


def rating(job: str, rater: str, a: int, b: int, run: str = "R") -> dict[str, str]:
    return {"run_id": run, "job_id": job, "rater": rater, "r_a": str(a), "r_b": str(b)}


def compared(left: str, right: str, a: str, b: str) -> dict[str, str]:
    return {"run_id": "R", "job_left": left, "job_right": right, "rater": "Ana", "p_a": a,
            "p_b": b}  # fmt: skip


def entry(overall: float, a: float, b: float, repeats: list[dict[str, int]] | None = None,
          scores: list[int] | None = None) -> dict[str, Any]:  # fmt: skip
    return {"overall": overall, "dimensions": {"a": a, "b": b}, "scores_all": scores or [],
            "subscores_all": repeats or []}  # fmt: skip


def test_the_people_overall_is_the_rubric_weighted_mean() -> None:
    ev = Evidence(DIMS, WEIGHTS, ratings=[rating("j1", "Ana", 4, 2)])
    assert human_values(ev)[OVERALL] == {("R", "j1"): {"Ana": 3.5}}


def test_preferences_come_from_comparisons_and_from_ratings_within_a_product() -> None:
    ev = Evidence(
        DIMS, WEIGHTS,
        ratings=[rating("j1", "Ana", 5, 1), rating("j2", "Ana", 2, 1), rating("j3", "Ana", 1, 5)],
        comparisons=[compared("j1", "j2", "right", "same"), compared("j2", "j1", "same", "left")],
        groups={("R", "j1"): "p/", ("R", "j2"): "p/", ("R", "j3"): "q/"},
    )  # fmt: skip
    j1, j2 = ("R", "j1"), ("R", "j2")
    assert preferences(ev, "a") == [(j2, j1, "compare"), (j1, j2, "ratings")]
    # b: the second answer prefers j2 (left); equal ratings (1 and 1) give no preference; j3 is
    # the only job of its product.
    assert preferences(ev, "b") == [(j2, j1, "compare")]
    # Overall: 0.75 right + 0 → j2; 0 + 0.25 left → j2; ratings 4.0 vs 1.75 → j1.
    assert preferences(ev, OVERALL) == [(j2, j1, "compare"), (j2, j1, "compare"),
                                        (j1, j2, "ratings")]  # fmt: skip


def test_judge_figures_by_hand() -> None:
    keys = [("R", f"j{i}") for i in range(4)]
    ev = Evidence(
        DIMS, WEIGHTS,
        ratings=[rating(k[1], "Ana", a, 3) for k, a in zip(keys, [1, 3, 2, 4], strict=True)],
        groups=dict.fromkeys(keys, "p/"),
        judges={"J": {k: entry(s, s, 50, [{"a": s - 5, "b": 50}, {"a": s + 5, "b": 50}])
                      for k, s in zip(keys, [10, 20, 30, 40], strict=True)}},
        tournaments=[{"judge": "J", "pairs": [
            {"dimensions": {"a": {"flipped": True}, "b": {"flipped": False}}},
            {"dimensions": {"a": {"flipped": False}, "b": {"flipped": False}}},
        ]}, {"judge": "other", "pairs": [{"dimensions": {"a": {"flipped": True}}}]}],
    )  # fmt: skip
    figures = agreement_report(ev)["judges"]["J"]
    assert figures["a"]["spearman"]["value"] == 0.8
    # 6 rating preferences, the judge orders 5 the same way.
    assert figures["a"]["pairwise_accuracy"]["value"] == pytest.approx(5 / 6, abs=1e-4)
    assert figures["a"]["pairwise_accuracy"]["sources"] == {"compare": 0, "ratings": 6}
    assert figures["a"]["repeat_std"]["value"] == 5.0 and figures["b"]["repeat_std"]["value"] == 0
    assert figures["a"]["flip_rate"]["value"] == 0.5 and figures[OVERALL]["flip_rate"]["n"] == 4
    assert figures["b"]["spearman"]["value"] is None  # people gave every job 3
    assert [p["human"] for p in figures["a"]["scatter"]] == [1, 3, 2, 4]


def test_a_panel_record_yields_every_member_as_a_judge() -> None:
    record = {
        "llm_model": "panel:x+y", "vfscore_overall": 50, "vf_subscores_median": {"a": 50},
        "judges": {"x": {"vfscore_overall_median": 40, "vf_subscores_median": {"a": 40}},
                   "y": {"vfscore_overall_median": 60, "vf_subscores_median": {"a": 60}}},
    }  # fmt: skip
    entries = judge_entries(record)
    assert {k: v["overall"] for k, v in entries.items()} == {"panel:x+y": 50, "x": 40, "y": 60}


@pytest.mark.parametrize(("kind", "low", "high"), [("perfect", 0.95, 1.0),
                                                    ("inverted", -1.0, -0.95)])  # fmt: skip
def test_synthetic_raters_through_the_whole_report(kind: str, low: float, high: float) -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 101, 60)
    ratings, judged = [], {}
    for i, score in enumerate(truth):
        level = int(min(5, max(1, np.ceil(score / 20))))
        value = level if kind == "perfect" else 6 - level
        for rater in ("Ana", "Bo"):
            ratings.append(rating(f"j{i}", rater, value, value))
        judged[("R", f"j{i}")] = entry(float(score), float(score), float(score))
    report = agreement_report(Evidence(DIMS, WEIGHTS, ratings=ratings, judges={"J": judged}))
    rho = report["judges"]["J"][OVERALL]["spearman"]
    assert low <= rho["value"] <= high and low - 0.05 <= rho["low"] <= rho["high"] <= high
    assert report["people"]["krippendorff_alpha"]["a"]["value"] == 1.0  # the raters agree
    assert report["people"]["bias"]["a"]["Ana"]["value"] == 0


def test_the_judge_filter_keeps_one_judge() -> None:
    ev = Evidence(DIMS, WEIGHTS, ratings=[rating("j1", "Ana", 3, 3)],
                  judges={"J": {}, "K": {}})  # fmt: skip
    assert list(agreement_report(ev, "K")["judges"]) == ["K"]
    assert list(agreement_report(ev)["judges"]) == ["J", "K"]
