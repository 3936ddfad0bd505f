"""Agreement between judges: Spearman's rho and Cohen's kappa on five score bands."""

from __future__ import annotations

import pytest

from rubric.core.agreement import cohen_kappa, panel_agreement, spearman


def test_spearman() -> None:
    assert spearman([10, 20, 30, 40], [1, 2, 3, 4]) == 1.0
    assert spearman([10, 20, 30, 40], [4, 3, 2, 1]) == -1.0
    # Ties share their average rank: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4).
    assert spearman([1, 5, 5, 9], [1, 2, 3, 4]) == pytest.approx(0.9487, abs=1e-4)
    assert spearman([1, 2], [1, 2]) is None  # too few jobs
    assert spearman([7, 7, 7], [1, 2, 3]) is None  # one judge does not discriminate


def test_cohen_kappa() -> None:
    assert cohen_kappa([10, 30, 50, 70, 90], [15, 35, 55, 75, 95]) == 1.0  # same bands
    assert cohen_kappa([30, 50, 70], [35, 55, 90]) == pytest.approx(0.5714, abs=1e-4)
    assert cohen_kappa([], []) is None
    assert cohen_kappa([50, 55], [41, 59]) is None  # one band for both: chance explains all


def test_panel_agreement_pairs_judges_over_shared_jobs() -> None:
    scores = {"b": {"j1": 35, "j2": 55, "j3": 90}, "a": {"j1": 30, "j2": 50, "j3": 70, "j4": 1}}
    assert panel_agreement(scores) == [
        {"judges": ["a", "b"], "jobs": 3, "spearman": 1.0, "cohen_kappa": 0.5714}
    ]


def test_spearman_edges() -> None:
    assert spearman([1, 2, 3], [7, 7, 7]) is None  # the other judge does not discriminate
    assert spearman([1, 5, 5, 9], [1, 2, 3, 4]) == 0.9487  # four decimals, exactly
