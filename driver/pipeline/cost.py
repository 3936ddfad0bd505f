"""`--dry-run`'s cost estimate: calls, tokens and dollars of the selected jobs, before spending."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from driver.config.settings import RunSettings
from driver.pipeline.selection import Candidate
from rubric.core.panel import PanelJudge
from rubric.core.tournament import schedule
from rubric.llm.estimate import estimate_job
from rubric.llm.judge import LLMJudge
from rubric.llm.prompt import build_prompt

LABEL_CHARS = 30  # "Candidate render 3 of 4:" and the like, per image


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
    with Image.open(path) as img:
        return img.size


def estimate_pairwise(
    candidates: list[Candidate], settings: RunSettings, max_pairs: int
) -> RunEstimate | None:
    """The estimate of pairwise mode: per product, every scheduled pair in both orders, each
    call showing the photos and both candidates' views."""
    judge = settings.judge
    if not isinstance(judge, LLMJudge):
        return None
    groups: dict[str, list[Candidate]] = {}
    for c in candidates:
        groups.setdefault(c.group, []).append(c)
    prompt = build_prompt(judge.rubric, [], nonce="0" * 16)
    chars = len(prompt.system) + sum(len(p) for p in prompt.parts if isinstance(p, str))
    views = [(settings.spec.resolution[0], settings.spec.resolution[1])] * len(
        settings.spec.rig.views
    )
    calls_all = tokens_in = tokens_out = 0
    cost: float | None = 0.0
    for group, members in groups.items():
        if not group or len(members) < 2:
            continue
        calls = 2 * len(schedule([c.job_id for c in members], max_pairs))
        photos = [_size(p) for p in members[0].refs]
        text = chars + LABEL_CHARS * (len(photos) + 2 * len(views))
        est = estimate_job(judge.cfg, photos, views * 2, text, len(judge.rubric.names), calls)
        calls_all += est.calls
        tokens_in += est.input_tokens
        tokens_out += est.output_tokens
        cost = None if cost is None or est.cost_usd is None else cost + est.cost_usd
    rounded = None if cost is None else round(cost, 6)
    return RunEstimate(
        judge.provenance, len(candidates), calls_all, tokens_in, tokens_out, rounded, 0
    )


def estimate_run(
    candidates: list[Candidate], settings: RunSettings, repeats: int, finished: int
) -> RunEstimate | None:
    """The estimate for the LLM judge(s) of the run, a panel's summed (None for the offline
    judge, which costs nothing). Renders do not exist before the run: their size is the spec's
    resolution."""
    judge = settings.judge
    members = judge.judges if isinstance(judge, PanelJudge) else [judge]
    llms = [j for j in members if isinstance(j, LLMJudge)]
    if not llms:
        return None
    prompt = build_prompt(judge.rubric, [], nonce="0" * 16)
    chars = len(prompt.system) + sum(len(p) for p in prompt.parts if isinstance(p, str))
    views = [(settings.spec.resolution[0], settings.spec.resolution[1])] * len(
        settings.spec.rig.views
    )
    calls = tokens_in = tokens_out = 0
    cost: float | None = 0.0
    for c in candidates:
        photos = [_size(p) for p in c.refs]
        text = chars + LABEL_CHARS * (len(photos) + len(views))
        for llm in llms:
            est = estimate_job(llm.cfg, photos, views, text, len(judge.rubric.names), repeats)
            calls += est.calls
            tokens_in += est.input_tokens
            tokens_out += est.output_tokens
            cost = None if cost is None or est.cost_usd is None else cost + est.cost_usd
    return RunEstimate(
        judge.provenance,
        len(candidates),
        calls,
        tokens_in,
        tokens_out,
        None if cost is None else round(cost, 6),
        finished,
    )
