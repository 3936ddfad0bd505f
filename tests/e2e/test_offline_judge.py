"""The offline judge on real renders: ordering, monotone ladders, masks, contract."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from driver.demo.assets import PERTURBATIONS, STRENGTHS
from rubric.core.definition import load_rubric
from rubric.offline.foreground import foreground
from rubric.offline.judge import OfflineJudge
from tests.support.appearance_fixtures import Ladder, build_ladder

pytestmark = pytest.mark.blender  # real Blender: deselected in mutation runs

RUBRIC = load_rubric()
RELEVANT = {
    "hue_shift": "color_palette",
    "blur": "texture_identity",
    "scale": "texture_scale_placement",
    "mean_colour": "texture_identity",
    "finish": "finish",
}


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> Ladder:
    return build_ladder(tmp_path_factory.mktemp("ladder"))


@pytest.fixture(scope="module")
def scores(ladder: Ladder) -> dict[tuple[str, float], tuple[dict[str, int], int]]:
    judge = OfflineJudge(RUBRIC)
    refs = list(ladder.photos.values())
    out = {}
    for key, cands in [(("identical", 0.0), ladder.identical), *ladder.perturbed.items()]:
        sub, _, _ = judge.score(refs, cands)
        out[key] = (sub, RUBRIC.overall(sub))
    return out


def test_identical_candidate_beats_every_perturbed_one(scores) -> None:
    ident_sub, ident_overall = scores[("identical", 0.0)]
    for (kind, strength), (sub, overall) in scores.items():
        if kind == "identical":
            continue
        assert overall < ident_overall, (kind, strength)
        dim = RELEVANT[kind]
        assert sub[dim] < ident_sub[dim], (kind, strength, dim)


@pytest.mark.parametrize("kind", PERTURBATIONS)
def test_scores_fall_with_perturbation_strength(scores, kind: str) -> None:
    dim = RELEVANT[kind]
    ladder = [scores[(kind, s)] for s in STRENGTHS[kind]]
    relevant = [sub[dim] for sub, _ in ladder]
    overall = [o for _, o in ladder]
    assert relevant == sorted(relevant, reverse=True) and len(set(relevant)) == len(relevant), (
        relevant
    )
    assert overall == sorted(overall, reverse=True) and len(set(overall)) == len(overall), overall


def test_masks_for_plain_textured_and_alpha_photos(ladder: Ladder, tmp_path: Path) -> None:
    raw = sorted((ladder.photos["alpha"].parent / "photos_raw").glob("*.png"))
    truths = [np.asarray(Image.open(p))[..., 3] >= 128 for p in raw]
    for name, truth in zip(["plain", "textured", "alpha"], truths, strict=True):
        fg = foreground(np.asarray(Image.open(ladder.photos[name])))
        assert fg.method == ("alpha" if name == "alpha" else "border"), name
        iou = (fg.mask & truth).sum() / (fg.mask | truth).sum()
        assert iou > 0.9, (name, iou)


def test_no_foreground_falls_back_to_centre_crop_and_says_so(
    ladder: Ladder, tmp_path: Path
) -> None:
    blank = tmp_path / "blank.jpg"
    Image.new("RGB", (64, 64), (200, 200, 200)).save(blank)
    fg = foreground(np.asarray(Image.open(blank)))
    assert fg.method == "centre-crop" and "centre crop" in (fg.warning or "")
    result = OfflineJudge(RUBRIC).judge([blank], ladder.identical, repeats=1)
    assert "centre crop" in result.repeats[0].rationales["finish"]  # type: ignore[index]


def test_contract_matches_the_llm_judge(ladder: Ladder) -> None:
    judge = OfflineJudge(RUBRIC)
    refs = list(ladder.photos.values())
    first = judge.judge(refs, ladder.identical, repeats=3).payload()
    second = judge.judge(refs, ladder.identical, repeats=3).payload()
    assert first == second
    assert first["llm_model"] == "offline:appearance-2.3"
    assert first["repeats_n"] == 3 and first["std"] == 0.0 and first["iqr"] == 0.0
    assert set(first["vf_subscores_median"]) == set(RUBRIC.names)
    assert all(isinstance(v, int) and 0 <= v <= 100 for v in first["vf_subscores_median"].values())
    assert first["vfscore_overall_median"] == RUBRIC.overall(first["vf_subscores_median"])
    expl = judge.judge(refs, ladder.identical, repeats=1).repeats[0].rationales
    assert expl is not None and "distance" in expl["color_palette"]
