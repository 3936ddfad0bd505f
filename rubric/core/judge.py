"""What a judge returns (per repeat, per job) and the protocol every judge follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from rubric.core.aggregate import aggregate
from rubric.core.definition import Rubric
from rubric.core.images import WHITE


@dataclass
class RepeatResult:
    index: int
    overall: int | None
    subscores: dict[str, int] | None
    rationales: dict[str, str] | None
    invalid: list[str] = field(default_factory=list)  # why each invalid answer was rejected
    cached: bool = False
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass
class JudgeResult:
    """Everything a job needs from the judge; ``payload()`` is the canonical part of result.json."""

    rubric: Rubric
    provenance: str
    repeats: list[RepeatResult]
    http_calls: int
    cost_usd: float | None
    details: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        valid = [r for r in self.repeats if r.overall is not None and r.subscores is not None]
        agg = aggregate(
            [r.overall for r in valid if r.overall is not None],
            [r.subscores for r in valid if r.subscores],
            self.rubric.names,
            len(self.repeats),
        )
        return {
            "vfscore_overall_median": agg.overall_median,
            "vf_subscores_median": agg.subscores_median,
            "repeats_n": agg.n_valid,
            "repeats_requested": agg.n_requested,
            "scores_all": [r.overall for r in valid],
            "subscores_all": [r.subscores for r in valid],
            "iqr": agg.iqr,
            "std": agg.std,
            "llm_model": self.provenance,
            "rubric_weights": self.rubric.weights,
            "rubric": {
                "id": self.rubric.id,
                "version": self.rubric.version,
                "hash": self.rubric.rubric_hash(),
            },
            "invalid_answers": sum(len(r.invalid) for r in self.repeats),
            "tokens": {
                "input": sum(r.input_tokens for r in self.repeats),
                "output": sum(r.output_tokens for r in self.repeats),
            },
            "cost_usd": self.cost_usd,
            "judge": self.details,
        }

    def rationale_texts(self) -> list[str]:
        """One text per repeat (for ``rationales/rep_N.txt``)."""
        out = []
        for r in self.repeats:
            lines = [f"repeat {r.index}: overall {r.overall}"]
            for name, text in (r.rationales or {}).items():
                lines.append(f"{name} ({(r.subscores or {}).get(name)}): {text}")
            lines += [f"invalid answer: {why}" for why in r.invalid]
            out.append("\n".join(lines) + "\n")
        return out


@dataclass(frozen=True)
class JobShape:
    """What a cost estimate needs of one job before anything is rendered: image sizes."""

    photos: tuple[tuple[int, int], ...]
    views: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Estimate:
    """Calls, tokens and dollars a judge expects to spend."""

    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None  # None without a price for the model


def total(estimates: Sequence[Estimate]) -> Estimate:
    """The sum of several estimates; the cost is unknown when one of them is."""
    costs = [e.cost_usd for e in estimates]
    cost = None if None in costs else round(sum(c for c in costs if c is not None), 6)
    return Estimate(
        sum(e.calls for e in estimates),
        sum(e.input_tokens for e in estimates),
        sum(e.output_tokens for e in estimates),
        cost,
    )


@dataclass(frozen=True)
class MatchedView:
    """The model seen from the pose that matches one reference photo (found by silhouette)."""

    photo: Path
    render: Path | None  # None: no pose matched the photo well enough to be worth a render
    azimuth_deg: float
    elevation_deg: float
    iou: float  # of the photo's product mask and the model's silhouette at that pose
    reading: str = "product"  # which of the photo's shapes matched (PhotoShape.reading)
    framed: bool = False  # the render is the window of the view the cropped photo shows
    share: float = 1.0  # of the model's silhouette inside that window (1: the whole view)


@dataclass(frozen=True)
class PhotoShape:
    """One reading of the product's pixels in a photo, as the judge itself sees them."""

    mask: npt.NDArray[np.bool_]
    reading: str  # product: as segmented; support: with what it stands on (a cloth, a plinth)
    framed: bool  # the product runs into the frame: a view of the model is matched by a window


@dataclass(frozen=True)
class Entrant:
    """One candidate of a pairwise tournament: its id and its standard views."""

    job_id: str
    views: tuple[Path, ...]


class PairJudge(Protocol):
    """A judge of pairs: one product's candidates compared two by two (pairwise mode)."""

    provenance: str
    rubric: Rubric

    def estimate(self, groups: Sequence[tuple[JobShape, int]], max_pairs: int) -> Estimate:
        """Calls and tokens of one tournament per (shape of a job, number of candidates)."""
        ...

    def tournament(
        self,
        group: str,
        refs: Sequence[Path],
        entrants: Sequence[Entrant],
        max_pairs: int,
        seed: int = 0,
    ) -> dict[str, Any]:
        """The tournament record: pairs and verdicts, strengths, flip rates, tokens, cost."""
        ...


class Judge(Protocol):
    """What the batch needs of any judge: offline, LLM or a panel of them."""

    provenance: str
    rubric: Rubric

    @property
    def concurrency(self) -> int:
        """How many jobs it should judge at once (an LLM's ``max_concurrent`` requests; one for
        a CPU-bound judge, which would only fight the renders for cores)."""
        ...

    def describe(self) -> dict[str, Any]:
        """Its settings for ``config.json`` (an API key's variable name, never the key)."""
        ...

    def estimate(self, jobs: Sequence[JobShape], repeats: int) -> Estimate | None:
        """What judging ``jobs`` ``repeats`` times will cost; None when it costs nothing."""
        ...

    def pose_targets(self, refs: Sequence[Path]) -> list[tuple[PhotoShape, ...]]:
        """The readings of the product's pixels in each photo, for the render stage to match a
        pose to; empty when the judge does not compare like with like."""
        ...

    def pairwise(self) -> PairJudge | None:
        """The same model asked about pairs of candidates; None when it cannot be."""
        ...

    def judge(
        self,
        refs: Sequence[Path],
        renders: Sequence[Path],
        repeats: int,
        background: tuple[int, int, int] = WHITE,
        matched: Sequence[MatchedView] = (),
    ) -> JudgeResult:
        """Judge ``renders`` against ``refs``; transparent render pixels show ``background``;
        ``matched`` are the views of the photos' poses, when :meth:`pose_targets` asked for
        them."""
        ...
