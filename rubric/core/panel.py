"""A panel of judges: each judges the job independently; the panel's score is the median of
the judges' medians. Pure combination logic; the judges do the I/O."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rubric.core.aggregate import aggregate
from rubric.core.definition import Rubric
from rubric.core.images import WHITE
from rubric.core.judge import (
    Estimate,
    JobShape,
    Judge,
    JudgeResult,
    MatchedView,
    PairJudge,
    PhotoShape,
    total,
)

PANEL_PREFIX = "panel:"


@dataclass
class PanelResult(JudgeResult):
    """The panel's judgement: every judge's result is kept under ``judges``."""

    members: tuple[JudgeResult, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The median across judges of each judge's median (overall and per dimension); IQR and
        std are the spread between the judges; repeats, tokens and cost are summed."""
        each = [m.payload() for m in self.members]
        scored = [p for p in each if p["vfscore_overall_median"] is not None]
        agg = aggregate(
            [p["vfscore_overall_median"] for p in scored],
            [p["vf_subscores_median"] for p in scored],
            self.rubric.names,
            len(each),
        )
        costs = [p["cost_usd"] for p in each]
        return {
            "vfscore_overall_median": agg.overall_median,
            "vf_subscores_median": agg.subscores_median,
            "repeats_n": sum(p["repeats_n"] for p in each),
            "repeats_requested": sum(p["repeats_requested"] for p in each),
            "scores_all": [s for p in each for s in p["scores_all"]],
            "subscores_all": [s for p in each for s in p["subscores_all"]],
            "iqr": agg.iqr,
            "std": agg.std,
            "llm_model": self.provenance,
            "rubric_weights": self.rubric.weights,
            "rubric": each[0]["rubric"],
            "invalid_answers": sum(p["invalid_answers"] for p in each),
            "tokens": {k: sum(p["tokens"][k] for p in each) for k in ("input", "output")},
            "cost_usd": None if None in costs else round(sum(costs), 6),
            "judge": {
                "panel": [m.provenance for m in self.members],
                "judges_agreeing": len(scored),
            },
            "judges": {m.provenance: p for m, p in zip(self.members, each, strict=True)},
        }

    def rationale_texts(self) -> list[str]:
        """Every judge's repeats, each text headed by the judge."""
        return [
            f"judge {m.provenance}\n{text}" for m in self.members for text in m.rationale_texts()
        ]


class PanelJudge:
    """Several judges asked in parallel about the same job."""

    def __init__(self, judges: Sequence[Judge]) -> None:
        if len(judges) < 2:
            raise ValueError("a panel needs at least two judges")
        names = [j.provenance for j in judges]
        if len(set(names)) != len(names):
            raise ValueError(f"a panel's judges must differ: {', '.join(names)}")
        self.judges = list(judges)
        self.rubric: Rubric = judges[0].rubric
        self.provenance = PANEL_PREFIX + "+".join(names)

    @property
    def concurrency(self) -> int:
        """Its most concurrent member's."""
        return max(j.concurrency for j in self.judges)

    def describe(self) -> dict[str, Any]:
        """Each member's settings."""
        return {"panel": [j.describe() for j in self.judges]}

    def estimate(self, jobs: Sequence[JobShape], repeats: int) -> Estimate | None:
        """The members' estimates summed; None when no member costs anything."""
        each = [e for j in self.judges if (e := j.estimate(jobs, repeats)) is not None]
        return total(each) if each else None

    def pose_targets(self, refs: Sequence[Path]) -> list[tuple[PhotoShape, ...]]:
        """None: the members are asked about the standard views only."""
        return []

    def pairwise(self) -> PairJudge | None:
        """None: pairwise mode asks one model."""
        return None

    def judge(
        self,
        refs: Sequence[Path],
        renders: Sequence[Path],
        repeats: int,
        background: tuple[int, int, int] = WHITE,
        matched: Sequence[MatchedView] = (),
    ) -> PanelResult:
        """Each judge's result; the first judge error (a fatal one included) is raised
        (``matched`` is unused: the panel asks for none)."""
        with ThreadPoolExecutor(len(self.judges), "panel") as pool:
            futures = [
                pool.submit(j.judge, refs, renders, repeats, background) for j in self.judges
            ]
            members = tuple(f.result() for f in futures)
        return PanelResult(
            self.rubric,
            self.provenance,
            [r for m in members for r in m.repeats],
            sum(m.http_calls for m in members),
            None,
            {},
            members,
        )
