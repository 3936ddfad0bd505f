"""`--dry-run`'s cost estimate: calls, tokens and dollars of the selected jobs, before spending."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from blender_addon.contract.files import check_regular
from driver.config.settings import RunSettings
from driver.pipeline.selection import Candidate
from rubric import Estimate, JobShape, PairJudge


@dataclass(frozen=True)
class RunEstimate:
    judge: str
    jobs: int
    calls: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    finished: int  # jobs taken from their record: no call

    def line(self) -> str:
        """One line for the console."""
        cost = (
            f"${self.cost_usd:.4f}"
            if self.cost_usd is not None
            else "cost unknown (no [judge.prices] entry for the model)"
        )
        done = f"; {self.finished} job(s) are finished and cost nothing" if self.finished else ""
        return (
            f"estimate for {self.judge}: {self.calls} calls for {self.jobs} job(s), about "
            f"{self.input_tokens:,} input and {self.output_tokens:,} output tokens, {cost}{done}"
        )


def _size(path: Path) -> tuple[int, int]:
    check_regular(path, "reference photo")
    with Image.open(path) as img:
        return img.size


def job_shape(c: Candidate, settings: RunSettings) -> JobShape:
    """The photos' sizes and the views' (renders do not exist before the run: each view is the
    spec's resolution)."""
    views = (settings.spec.resolution,) * len(settings.spec.rig.views)
    return JobShape(tuple(_size(p) for p in c.refs), views)


def _run_estimate(judge: str, jobs: int, e: Estimate, finished: int) -> RunEstimate:
    return RunEstimate(judge, jobs, e.calls, e.input_tokens, e.output_tokens, e.cost_usd, finished)


def estimate_pairwise(
    candidates: list[Candidate], settings: RunSettings, max_pairs: int
) -> RunEstimate | None:
    """The estimate of pairwise mode: per product of two candidates or more, its tournament
    (None when the judge cannot compare pairs)."""
    judge: PairJudge | None = settings.judge.pairwise()
    if judge is None:
        return None
    groups: dict[str, list[Candidate]] = {}
    for c in candidates:
        groups.setdefault(c.group, []).append(c)
    shapes = [
        (job_shape(members[0], settings), len(members))
        for group, members in groups.items()
        if group and len(members) >= 2
    ]
    return _run_estimate(judge.provenance, len(candidates), judge.estimate(shapes, max_pairs), 0)


def estimate_run(
    candidates: list[Candidate], settings: RunSettings, repeats: int, finished: int
) -> RunEstimate | None:
    """The estimate for the judge of the run, a panel's summed (None for a judge that costs
    nothing)."""
    judge = settings.judge
    estimate = judge.estimate([job_shape(c, settings) for c in candidates], repeats)
    if estimate is None:
        return None
    return _run_estimate(judge.provenance, len(candidates), estimate, finished)
