"""Control accuracy, margins, expected dimensions and ceilings from judged controls."""

from __future__ import annotations

from rubric.core.controls import (
    ControlScore,
    accuracy,
    control_figures,
    expected_dimensions,
    relative_to_gt,
    summary_line,
)

DIMS = ["color_palette", "finish", "texture_identity", "texture_scale_placement"]
KINDS = ("gt_hue", "gt_flat", "gt_matte", "gt_blur", "other_product")


def _score(product: str, control: str, overall: float, **subs: float) -> ControlScore:
    return ControlScore(product, control, "j", overall, {d: subs.get(d, overall) for d in DIMS})


def test_a_judge_that_scores_everything_alike_is_at_chance_and_flagged_everywhere() -> None:
    scores = [_score(p, k, 70) for p in ("a", "b", "c", "d") for k in ("gt", *KINDS)]
    f = control_figures(scores, DIMS)["judges"]["j"]
    assert f["accuracy"]["overall"]["value"] == 0.5 and f["accuracy"]["overall"]["n"] == 20
    assert f["not_discriminating"] == ["overall", *DIMS]
    assert summary_line(control_figures(scores, DIMS)).startswith(
        "controls: 10/20 pairs right (0.50 ["
    )


def test_a_colour_judge_sees_colour_kinds_but_not_the_matte_copy() -> None:
    scores = []
    for p in ("a", "b", "c", "d", "e", "f"):
        scores += [_score(p, "gt", 90), _score(p, "gt_matte", 90)]
        scores += [_score(p, k, 40, finish=90) for k in ("gt_hue", "gt_flat", "other_product")]
    figures = control_figures(scores, DIMS)["judges"]["j"]
    kinds = figures["by_kind"]
    assert kinds["gt_hue"]["accuracy"]["value"] == 1.0 and kinds["gt_hue"]["median_margin"] == 50
    assert kinds["gt_matte"]["accuracy"]["value"] == 0.5
    assert kinds["gt_matte"]["expected_dimensions"] == {"finish": {"accuracy": 0.5, "moved": False}}
    assert kinds["gt_hue"]["expected_dimensions"]["color_palette"]["moved"] is True
    assert "finish" in figures["not_discriminating"]
    assert "color_palette" not in figures["not_discriminating"]
    assert figures["accuracy"]["overall"]["value"] == 0.875  # 18 right, 6 ties of 24


def test_accuracy_interval_and_ties() -> None:
    assert accuracy([]) == {"value": None, "low": None, "high": None, "n": 0, "right": 0.0}
    right = accuracy([1.0] * 30)
    assert right["value"] == right["low"] == right["high"] == 1.0
    mixed = accuracy([1.0, 0.0, 0.5, 1.0])
    assert mixed["value"] == 0.625 and mixed["right"] == 2.5
    assert 0.0 <= mixed["low"] < 0.625 < mixed["high"] <= 1.0
    assert accuracy([1.0, 0.0, 0.5, 1.0]) == mixed  # fixed seed: the same interval every time


def test_pairs_are_within_a_product_and_a_judge() -> None:
    scores = [_score("a", "gt", 50), _score("b", "gt_hue", 10)]  # no pair: different products
    f = control_figures(scores, DIMS)
    assert f["judges"]["j"]["accuracy"]["overall"]["n"] == 0 and f["ceilings"] == {"j": {"a": 50}}
    assert summary_line(f) == "controls: j: no pairs"
    assert summary_line(control_figures([], DIMS)) == "controls: none judged"


def test_expected_dimensions_and_relative_scores() -> None:
    assert expected_dimensions("gt_matte", DIMS) == ["finish"]
    assert expected_dimensions("gt_blur", DIMS) == [
        "color_palette", "texture_identity", "texture_scale_placement",
    ]  # fmt: skip
    assert expected_dimensions("other_product", DIMS) == DIMS
    assert relative_to_gt(45, 90) == 0.5
    assert relative_to_gt(45, 0) is None and relative_to_gt(None, 90) is None


def test_a_negative_scored_above_the_gt_is_a_wrong_pair() -> None:
    scores = [_score("a", "gt", 40), _score("a", "gt_hue", 60), _score("a", "gt_flat", 40)]
    acc = control_figures(scores, DIMS)["judges"]["j"]["accuracy"]["overall"]
    assert (acc["value"], acc["right"], acc["n"]) == (0.25, 0.5, 2)


def test_the_interval_resamples_every_pair_and_repeats_itself() -> None:
    one_wrong = accuracy([0.0] + [1.0] * 19)
    assert one_wrong["low"] < 1.0 == one_wrong["high"]  # the wrong pair is drawn too
    varied = [1.0, 0.0, 0.5] * 13 + [1.0]
    assert all(accuracy(varied) == accuracy(varied) for _ in range(3))


def test_every_product_and_every_kind_with_pairs_counts() -> None:
    scores = [
        _score("a", "gt_hue", 10),  # product a has no gt: no pair, and b still counts
        _score("b", "gt", 80), _score("b", "gt_flat", 55), _score("b", "gt_flat", 55),
        _score("c", "gt", 80), _score("c", "gt_flat", 60),
    ]  # fmt: skip
    f = control_figures(scores, DIMS)["judges"]["j"]
    assert f["accuracy"]["overall"]["n"] == 2
    assert list(f["by_kind"]) == ["gt_flat"]  # no hue pair: the kind is left out, not the rest
    assert f["by_kind"]["gt_flat"]["median_margin"] == 22.5


def test_a_dimension_one_side_lacks_is_not_compared() -> None:
    gt = ControlScore("a", "gt", "j", 80, {"finish": 80})
    matte = ControlScore("a", "gt_matte", "j", 60, {"finish": 60, "color_palette": 90})
    f = control_figures([gt, matte], DIMS)["judges"]["j"]
    assert f["accuracy"]["color_palette"]["n"] == 0
    assert f["by_kind"]["gt_matte"]["expected_dimensions"]["finish"] == {
        "accuracy": 1.0, "moved": True,
    }  # fmt: skip


def test_the_summary_names_each_judge_of_a_panel() -> None:
    scores = [_score("a", "gt", 80), _score("a", "gt_hue", 50)]
    scores += [ControlScore("a", "gt", "k", 70, {}), ControlScore("a", "gt_hue", "k", 90, {})]
    line = summary_line(control_figures(scores, DIMS))
    assert line.startswith("controls: j: 1/1 pairs right (1.00 [1.00, 1.00]")
    assert " | k: 0/1 pairs right (0.00 [0.00, 0.00])" in line
