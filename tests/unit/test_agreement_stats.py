"""Agreement statistics against values worked out by hand, and synthetic raters whose agreement
is known: perfect, inverted, random."""

from __future__ import annotations

import math

import numpy as np
import pytest

from driver.agreement.stats import (
    alpha,
    mean_figure,
    pairwise_accuracy,
    rank_agreement,
    rater_bias,
)


def test_rank_agreement_by_hand() -> None:
    # Ranks 1 2 3 4 against 1 3 2 4: sum d^2 = 2, rho = 1 - 6*2/(4*15) = 0.8;
    # 6 pairs, 1 discordant: tau = (5 - 1)/6.
    figures = rank_agreement([10, 20, 30, 40], [1, 3, 2, 4])
    assert figures["spearman"]["value"] == 0.8 and figures["spearman"]["n"] == 4
    assert figures["kendall"]["value"] == pytest.approx(0.6667, abs=1e-4)


def test_rank_agreement_is_undefined_for_constant_or_tiny_samples() -> None:
    assert rank_agreement([10, 20], [1, 2])["spearman"]["value"] is None
    flat = rank_agreement([50, 50, 50, 50], [1, 2, 3, 4])["kendall"]
    assert flat == {"n": 4, "value": None, "low": None, "high": None}


def test_pairwise_accuracy_counts_a_tie_as_half() -> None:
    figure = pairwise_accuracy([(80, 20), (50, 50), (10, 90)])
    assert figure["n"] == 3 and figure["value"] == 0.5
    assert 0 <= figure["low"] <= 0.5 <= figure["high"] <= 1


def test_krippendorff_alpha_by_hand() -> None:
    # Two raters, units (1,1) (2,2) (3,3) (1,3): D_o = 8/8 = 1, D_e = 96/56; alpha = 1 - 56/96.
    figure = alpha([[1, 2, 3, 1], [1, 2, 3, 3]], "interval")
    assert figure["value"] == pytest.approx(1 - 56 / 96, abs=1e-4) and figure["n"] == 4


def test_alpha_counts_only_units_two_people_rated() -> None:
    nan = math.nan
    figure = alpha([[1, 2, 3, 4, nan], [1, 2, 3, 4, nan], [nan, nan, nan, nan, 2]], "ordinal")
    assert figure["n"] == 4 and figure["value"] == 1.0


def test_rater_bias_by_hand() -> None:
    ratings = {"j1": {"A": 4, "B": 2}, "j2": {"A": 5, "B": 5, "C": 2}, "j3": {"A": 1}}
    bias = rater_bias(ratings)
    assert {r: (f["value"], f["n"]) for r, f in bias.items()} == {
        "A": (1.0, 2), "B": (0.0, 2), "C": (-2.0, 1),
    }  # fmt: skip


def _synthetic(kind: str, n: int = 200) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(7)
    judge = rng.integers(0, 101, n).astype(float)
    if kind == "perfect":
        human = np.clip(np.ceil(judge / 20), 1, 5)
    elif kind == "inverted":
        human = 6 - np.clip(np.ceil(judge / 20), 1, 5)
    else:
        human = rng.integers(1, 6, n).astype(float)
    return judge.tolist(), human.tolist()


def test_a_perfect_rater_agrees_fully() -> None:
    rho = rank_agreement(*_synthetic("perfect"))["spearman"]
    # People's 1-5 scale ties what the judge tells apart, so rho is just under 1.
    assert rho["value"] > 0.97 and rho["low"] > 0.95 and rho["high"] <= 1.0


def test_an_inverted_rater_disagrees_fully() -> None:
    figures = rank_agreement(*_synthetic("inverted"))
    assert figures["spearman"]["value"] < -0.97 and figures["spearman"]["high"] < -0.95
    assert figures["kendall"]["value"] < -0.85


def test_a_random_rater_is_near_zero_and_the_interval_says_so() -> None:
    rho = rank_agreement(*_synthetic("random"))["spearman"]
    assert abs(rho["value"]) < 0.15
    assert rho["low"] < 0 < rho["high"]
    # About +-1.96/sqrt(200): the interval is neither a point nor everything.
    assert 0.18 < rho["high"] - rho["low"] < 0.4


def test_the_interval_is_deterministic() -> None:
    assert rank_agreement(*_synthetic("random")) == rank_agreement(*_synthetic("random"))


def test_mean_figure() -> None:
    figure = mean_figure([0.0, 1.0, 1.0, 0.0])
    assert figure["value"] == 0.5 and figure["n"] == 4 and figure["low"] < 0.5 < figure["high"]
    assert mean_figure([]) == {"n": 0, "value": None, "low": None, "high": None}
