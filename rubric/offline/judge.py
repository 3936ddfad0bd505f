"""The offline judge: deterministic appearance scores from image measures, no network.

Same interface and payload as the LLM judge; only the provenance (``offline:appearance-<ver>``)
tells them apart. Being deterministic, every repeat gives the same answer, computed once.

Version 2 compares like with like: the render stage finds, for each photo, the pose whose
silhouette matches the photo's product and renders the model from there; each dimension is then
measured on aligned pixels (``rubric.offline.aligned``) and blended with the view-independent
statistics of version 1 (palette, texture histograms, highlights of the turntable views). A photo
no pose matches counts through the statistics only, and the explanation says so. Where the search
rendered an alternative pose for a photo (a silhouette that reads the same from front and back),
the pose whose pixels agree best with the photo (the higher overall) is the one that counts.
A photo cropped by its frame is matched by a window of a view and compared frame to frame, and
counts by the share of the product its window shows (a close-up of a grip says little about the
whole racquet, and a small window pins the pose less surely); a photo matched in its support
reading is compared with that mask. Each photo's weight is its pose's IoU (times that share).
Likewise, a photo whose border shows a colour the top of the frame does not (a cloth, a floor, a
plinth) is measured by the statistics both with and without it, and the reading the candidate
agrees with better counts (``foreground.Foreground.support``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rubric.core.definition import Rubric
from rubric.core.images import WHITE, ImageInputError, fit_within, load_image
from rubric.core.judge import (
    Estimate,
    JobShape,
    JudgeResult,
    MatchedView,
    PairJudge,
    PhotoShape,
    RepeatResult,
)
from rubric.core.rounding import round_half_up
from rubric.offline import aligned
from rubric.offline.finish import finish_distance, finish_features
from rubric.offline.foreground import foreground, frame_sides
from rubric.offline.palette import earth_movers, palette
from rubric.offline.placement import scale_placement_distance
from rubric.offline.scoring import ALIGNED, SCALE, score_from_distance
from rubric.offline.texture import texture_distance, texture_features
from rubric.offline.views import ImageView, pooled_pixels

OFFLINE_VERSION = "2.3"
ANALYSIS_SIDE = 256
KNOWN_DIMENSIONS = set(SCALE)


def _load(path: Path, what: str) -> tuple[npt.NDArray[np.uint8], ImageView, dict[str, object]]:
    img = load_image(path, what)
    img = img.convert("RGBA") if img.mode in ("RGBA", "LA", "P") else img.convert("RGB")
    arr = np.asarray(fit_within(img, ANALYSIS_SIDE))
    fg = foreground(arr)
    info: dict[str, object] = {
        "file": path.name,
        "mask": fg.method,
        "coverage": round(fg.coverage, 4),
    }
    if fg.warning:
        info["warning"] = fg.warning
    if fg.support is not None:
        info["support_coverage"] = round(float(fg.support.mean()), 4)
    return arr, ImageView.from_rgb(arr[..., :3], fg), info


# The label of the one statistics measure of all photos together (no photo has a matched view).
ALL_PHOTOS = "the photos"
# An unmatched photo's weight when other photos have matched views: a close-up or a photo from an
# angle the model does not show is worth little next to a pixel-aligned comparison.
UNMATCHED_WEIGHT = 0.02
# A matched render whose product barely overlaps the photo's once aligned (the pose search asked
# for IoU >= 0.6 on silhouettes) is not the view that was matched: a broken or empty render.
MIN_ALIGNED_IOU = 0.3
ALIGN_LOAD_SIDE = 768  # photos and matched renders are read at most this large for alignment


@dataclass(frozen=True)
class Measured:
    """One photo's distances per dimension: aligned with its matched view, or statistics."""

    photo: str
    kind: str  # aligned | statistics
    weight: float
    distances: dict[str, tuple[float, dict[str, float]]]
    support: bool = False  # statistics of the photo read with its support as product


def _aligned_pair(view: MatchedView, photo_mask: npt.NDArray[np.bool_]) -> aligned.Aligned:
    """The photo (mask from the analysis size, scaled up) and its matched render, aligned."""
    assert view.render is not None
    photo = load_image(view.photo, "reference photo").convert("RGB")
    rgb = np.asarray(fit_within(photo, ALIGN_LOAD_SIDE), dtype=np.float64) / 255.0
    rows = (np.arange(rgb.shape[0]) * photo_mask.shape[0] // rgb.shape[0])[:, None]
    cols = (np.arange(rgb.shape[1]) * photo_mask.shape[1] // rgb.shape[1])[None]
    render = load_image(view.render, "matched render").convert("RGBA")
    rgba = np.asarray(fit_within(render, ALIGN_LOAD_SIDE), dtype=np.float64) / 255.0
    return aligned.align(rgb, photo_mask[rows, cols], rgba, view.framed)


def aligned_distances(pair: aligned.Aligned) -> dict[str, tuple[float, dict[str, float]]]:
    """Each dimension's distance on one aligned photo/render pair, with the numbers behind it."""
    return {
        "color_palette": aligned.colour_distance(pair),
        "texture_identity": aligned.structure_distance(pair),
        "texture_scale_placement": aligned.placement_distance(pair),
        "finish": aligned.finish_distance(pair),
    }


# A photo whose product runs into this many sides of the frame shows only part of it.
CROPPED_SIDES = 2


def _cropped(mask: npt.NDArray[np.bool_]) -> bool:
    return frame_sides(mask) >= CROPPED_SIDES


SUPPORT = "support"  # the reading with what the product stands on (PhotoShape.reading)


def _readings(photo: ImageView) -> dict[str, npt.NDArray[np.bool_]]:
    """The photo's masks by reading: as segmented, and with its support where it has one."""
    masks = {"product": photo.mask}
    if photo.support is not None:
        masks[SUPPORT] = photo.support
    return masks


def _numbers(parts: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.3g}" for k, v in parts.items())


class OfflineJudge:
    """Scores the rubric's dimensions on pose-matched pixels and view-independent statistics."""

    def __init__(self, rubric: Rubric) -> None:
        unknown = sorted(set(rubric.names) - KNOWN_DIMENSIONS)
        if unknown:
            raise ValueError(
                f"the offline judge cannot score dimension(s) {', '.join(unknown)}; "
                f"it knows {', '.join(sorted(KNOWN_DIMENSIONS))}"
            )
        self.rubric = rubric
        self.provenance = f"offline:appearance-{OFFLINE_VERSION}"

    @property
    def concurrency(self) -> int:
        """One: it is CPU-bound and fast; more threads would fight the renders for cores."""
        return 1

    def describe(self) -> dict[str, Any]:
        """Its version is all there is to say."""
        return {"provenance": self.provenance}

    def estimate(self, jobs: Sequence[JobShape], repeats: int) -> Estimate | None:
        """None: it makes no call and costs nothing."""
        return None

    def pairwise(self) -> PairJudge | None:
        """None: it scores each job against the photos, never two jobs against each other."""
        return None

    def pose_targets(self, refs: Sequence[Path]) -> list[tuple[PhotoShape, ...]]:
        """Each photo's product as segmented and, where it has one, its support reading
        (``Foreground.support``), at the size the judge measures them; a reading whose product
        runs into two sides of the frame or more (a close-up, a cloth running off the bottom) is
        framed: a window of a view matches it, not a whole view."""
        views = [_load(p, "reference photo")[1] for p in refs]
        return [
            tuple(PhotoShape(m, reading, _cropped(m)) for reading, m in _readings(v).items())
            for v in views
        ]

    def score(
        self, refs: Sequence[Path], renders: Sequence[Path], matched: Sequence[MatchedView] = ()
    ) -> tuple[dict[str, int], dict[str, str], dict[str, object]]:
        """(subscores, explanation per dimension, measurement details)."""
        if not refs:
            raise ImageInputError("no reference photos given")
        if not renders:
            raise ImageInputError("no renders given")
        loaded_refs = [_load(p, "reference photo") for p in refs]
        loaded_cands = [_load(p, "render") for p in renders]
        c_views = [v for _, v, _ in loaded_cands]
        photos = {p: v for p, (_, v, _) in zip(refs, loaded_refs, strict=True)}
        poses, measured = self._aligned(matched, photos)
        done = {m.photo for m in measured}
        if measured:
            measured += [
                self._measure_statistics(p.name, UNMATCHED_WEIGHT, [v], c_views)
                for p, (_, v, _) in zip(refs, loaded_refs, strict=True)
                if p.name not in done
            ]
        else:
            every = [v for _, v, _ in loaded_refs]
            measured = [self._measure_statistics(ALL_PHOTOS, 1.0, every, c_views)]
        subscores: dict[str, int] = {}
        explanations: dict[str, str] = {}
        for name in self.rubric.names:
            subscores[name], explanations[name] = _pool(name, measured)
        notes = [str(i["warning"]) for _, _, i in loaded_refs + loaded_cands if "warning" in i]
        notes += _pose_notes(poses, done, bool(matched))
        notes += _support_notes(refs, [v for _, v, _ in loaded_refs], measured)
        notes += _framed_notes(poses)
        if notes:
            explanations = {k: f"{v} Notes: {'; '.join(notes)}." for k, v in explanations.items()}
        details: dict[str, object] = {
            "photos": [i for _, _, i in loaded_refs],
            "renders": [i for _, _, i in loaded_cands],
            "poses": poses,
            "measures": [
                {
                    "photo": m.photo,
                    "kind": m.kind,
                    "weight": round(m.weight, 4),
                    "support": m.support,
                    "distances": {k: round(v[0], 5) for k, v in m.distances.items()},
                }
                for m in measured
            ],
        }
        return subscores, explanations, details

    def _aligned(
        self, matched: Sequence[MatchedView], photos: dict[Path, ImageView]
    ) -> tuple[list[dict[str, object]], list[Measured]]:
        """The poses (for the details) and the aligned measures of every matched photo: of its
        poses, the one with the best overall."""
        poses: list[dict[str, object]] = []
        best: dict[str, tuple[int, dict[str, object], Measured]] = {}
        for view in matched:
            pose: dict[str, object] = {
                "photo": view.photo.name,
                "azimuth_deg": view.azimuth_deg,
                "elevation_deg": view.elevation_deg,
                "iou": view.iou,
                "render": view.render.name if view.render is not None else None,
            }
            poses.append(pose)
            photo = photos.get(view.photo)
            mask = None if photo is None else _readings(photo).get(view.reading)
            if view.render is not None and mask is not None:
                pose["reading"] = view.reading
                pose["framed"] = view.framed
                pose["share"] = view.share
                pair = _aligned_pair(view, mask)
                pose["aligned_mask_iou"] = round(pair.mask_iou, 4)
                pose["exposure_gain"] = round(pair.gain, 4)
                if view.framed:
                    pose["registration_px"] = list(pair.offset)
                if pair.mask_iou < MIN_ALIGNED_IOU:  # not the view the search matched
                    pose["aligned_overall"] = None
                    continue
                distances = aligned_distances(pair)
                support = view.reading == SUPPORT
                weight = view.iou * view.share
                m = Measured(view.photo.name, "aligned", weight, distances, support)
                overall = self._overall(m)
                pose["aligned_overall"] = overall
                pose["chosen"] = False
                if m.photo not in best or overall > best[m.photo][0]:
                    best[m.photo] = (overall, pose, m)
        for _, pose, _ in best.values():
            pose["chosen"] = True
        return poses, [m for _, _, m in best.values()]

    def _overall(self, m: Measured) -> int:
        return self.rubric.overall({n: _score(m, n)[0] for n in self.rubric.names})

    def _measure_statistics(
        self, label: str, weight: float, r_views: list[ImageView], c_views: list[ImageView]
    ) -> Measured:
        """Version 1's statistics of the photos as segmented or, where a photo has a support
        reading (``Foreground.support``), with its support: whichever agrees better with the
        candidate, as with the front/back choice of the matched poses."""
        plain = Measured(label, "statistics", weight, _statistics(r_views, c_views))
        if all(v.support is None for v in r_views):
            return plain
        read = [v.with_support() for v in r_views]
        support = Measured(label, "statistics", weight, _statistics(read, c_views), support=True)
        return support if self._overall(support) > self._overall(plain) else plain

    def judge(
        self,
        refs: Sequence[Path],
        renders: Sequence[Path],
        repeats: int,
        background: tuple[int, int, int] = WHITE,
        matched: Sequence[MatchedView] = (),
    ) -> JudgeResult:
        """``background`` is unused: the offline judge measures the alpha-masked product only."""
        subscores, explanations, details = self.score(refs, renders, matched)
        overall = self.rubric.overall(subscores)
        repeat_results = [
            RepeatResult(i, overall, dict(subscores), dict(explanations)) for i in range(repeats)
        ]
        return JudgeResult(
            self.rubric,
            self.provenance,
            repeat_results,
            http_calls=0,
            cost_usd=0.0,
            details={"provider": "offline", "model": f"appearance-{OFFLINE_VERSION}", **details},
        )


def _statistics(
    r_views: list[ImageView], c_views: list[ImageView]
) -> dict[str, tuple[float, dict[str, float]]]:
    """Version 1's view-independent distances: all photos against all turntable views."""
    rc, rw = palette(pooled_pixels(r_views))
    cc, cw = palette(pooled_pixels(c_views))
    return {
        "color_palette": (earth_movers(rc, rw, cc, cw), {}),
        "texture_identity": texture_distance(texture_features(r_views), texture_features(c_views)),
        "texture_scale_placement": scale_placement_distance(r_views, c_views),
        "finish": finish_distance(finish_features(r_views), finish_features(c_views)),
    }


def _score(m: Measured, name: str) -> tuple[int, str]:
    """One photo's score on dimension ``name``, and the rule that made it."""
    d = m.distances[name][0]
    if m.kind == "aligned":
        tolerance, scale = ALIGNED[name]
        rule = f"100·exp(-max(0, d - {tolerance:g})/{scale:g})"
        return score_from_distance(max(0.0, d - tolerance), scale), rule
    return score_from_distance(d, SCALE[name]), f"100·exp(-d/{SCALE[name]:g})"


def _pool(name: str, measured: list[Measured]) -> tuple[int, str]:
    """One dimension's score (the weighted mean over the photos) and its explanation."""
    scores, weights, lines = [], [], []
    for m in measured:
        d, parts = m.distances[name]
        s, rule = _score(m, name)
        scores.append(s)
        weights.append(m.weight)
        numbers = f"; {_numbers(parts)}" if parts else ""
        lines.append(
            f"{m.photo} ({m.kind}, w {m.weight:.2f}): distance {d:.3g} → {s} = {rule}{numbers}"
        )
    final = round_half_up(float(np.average(scores, weights=weights)))
    return final, " | ".join(lines)


def _pose_notes(poses: list[dict[str, object]], done: set[str], matched: bool) -> list[str]:
    """Photos no pose matched, or whose matched view did not line up: measured by statistics."""
    notes = []
    unmatched = [str(p["photo"]) for p in poses if p["render"] is None]
    if unmatched:
        notes.append(f"no pose matches {', '.join(unmatched)} (IoU too low): statistics")
    astray = sorted({str(p["photo"]) for p in poses if p.get("aligned_overall", 0) is None} - done)
    if astray:
        notes.append(
            f"the matched view of {', '.join(astray)} does not line up with the photo (mask "
            f"IoU under {MIN_ALIGNED_IOU:g} once aligned): statistics"
        )
    if not matched:
        notes.append("no matched views: statistics of the standard views only")
    return notes


def _support_notes(
    refs: Sequence[Path], views: Sequence[ImageView], measured: Sequence[Measured]
) -> list[str]:
    """Photos read with what the product stands on."""
    chosen = {m.photo for m in measured if m.support}
    supported = [
        p.name
        for p, v in zip(refs, views, strict=True)
        if v.support is not None and (p.name in chosen or ALL_PHOTOS in chosen)
    ]
    if not supported:
        return []
    return [
        f"{', '.join(supported)} read with what the product stands on (a border colour "
        "the top of the frame does not show) as part of it: the model agrees better so"
    ]


def _framed_notes(poses: list[dict[str, object]]) -> list[str]:
    """Photos cropped by their frame, compared with a window of their matched view."""
    framed = [
        f"{p['photo']} ({p['share']:.0%})" for p in poses if p.get("chosen") and p.get("framed")
    ]
    if not framed:
        return []
    return [
        f"{', '.join(framed)} cropped by the frame: compared with the window of the "
        "matched view that the photo shows, weighted by the share of the product it shows"
    ]
