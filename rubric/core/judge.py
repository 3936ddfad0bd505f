"""What a judge returns (per repeat, per job) and the protocol every judge follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

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


class Judge(Protocol):
    """What the batch needs of any judge, LLM or offline."""

    provenance: str
    rubric: Rubric

    def judge(
        self,
        refs: Sequence[Path],
        renders: Sequence[Path],
        repeats: int,
        background: tuple[int, int, int] = WHITE,
    ) -> JudgeResult:
        """Judge ``renders`` against ``refs``; transparent render pixels show ``background``."""
        ...


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


@runtime_checkable
class PoseMatchingJudge(Protocol):
    """A judge that compares each photo with the model rendered from the photo's own pose.

    The render stage asks it for the photos' product masks, finds the matching poses, renders
    them and passes them back as ``matched``.
    """

    provenance: str
    rubric: Rubric

    def photo_shapes(self, refs: Sequence[Path]) -> list[tuple[PhotoShape, ...]]:
        """The readings of the product's pixels in each photo, as the judge itself will see
        them (none for a photo no pose can match)."""
        ...

    def judge(
        self,
        refs: Sequence[Path],
        renders: Sequence[Path],
        repeats: int,
        background: tuple[int, int, int] = WHITE,
        matched: Sequence[MatchedView] = (),
    ) -> JudgeResult:
        """As :meth:`Judge.judge`, with the matched views when the render stage made them."""
        ...
