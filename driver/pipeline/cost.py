"""`--dry-run`'s cost estimate: calls, tokens and dollars of the selected jobs, before spending."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from blender_addon.contract.files import check_regular
from driver.config.settings import RunSettings
from driver.pipeline.selection import Candidate
from rubric.core.judge import Judge
from rubric.core.panel import PanelJudge
from rubric.core.tournament import schedule
from rubric.llm.estimate import Estimate, estimate_job
from rubric.llm.judge import LLMJudge
from rubric.llm.pairwise import build_pair_prompt
from rubric.llm.prompt import Prompt, build_prompt

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
    check_regular(path, "reference photo")
    with Image.open(path) as img:
        return img.size


def _text_chars(prompt: Prompt) -> int:
    return len(prompt.system) + sum(len(p) for p in prompt.parts if isinstance(p, str))


def _views(settings: RunSettings) -> list[tuple[int, int]]:
    """Renders do not exist before the run: each view is the spec's resolution."""
    width, height = settings.spec.resolution
    return [(width, height)] * len(settings.spec.rig.views)


def _total(judge: Judge, jobs: int, estimates: list[Estimate], finished: int) -> RunEstimate:
    costs = [e.cost_usd for e in estimates]
    cost = None if None in costs else round(sum(c for c in costs if c is not None), 6)
    return RunEstimate(
        judge.provenance,
        jobs,
        sum(e.calls for e in estimates),
        sum(e.input_tokens for e in estimates),
        sum(e.output_tokens for e in estimates),
        cost,
        finished,
    )


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
    chars = _text_chars(build_pair_prompt(judge.rubric, [], [], [], nonce="0" * 12))
    views = _views(settings)
    estimates = []
    for group, members in groups.items():
        if not group or len(members) < 2:
            continue
        calls = 2 * len(schedule([c.job_id for c in members], max_pairs))
        photos = [_size(p) for p in members[0].refs]
        text = chars + LABEL_CHARS * (len(photos) + 2 * len(views))
        dims = len(judge.rubric.names)
        estimates.append(estimate_job(judge.cfg, photos, views * 2, text, dims, calls))
    return _total(judge, len(candidates), estimates, 0)


def estimate_run(
    candidates: list[Candidate], settings: RunSettings, repeats: int, finished: int
) -> RunEstimate | None:
    """The estimate for the LLM judge(s) of the run, a panel's summed (None for the offline
    judge, which costs nothing)."""
    judge = settings.judge
    members = judge.judges if isinstance(judge, PanelJudge) else [judge]
    llms = [j for j in members if isinstance(j, LLMJudge)]
    if not llms:
        return None
    chars = _text_chars(build_prompt(judge.rubric, [], nonce="0" * 16))
    views = _views(settings)
    estimates = []
    for c in candidates:
        photos = [_size(p) for p in c.refs]
        text = chars + LABEL_CHARS * (len(photos) + len(views))
        for llm in llms:
            dims = len(judge.rubric.names)
            estimates.append(estimate_job(llm.cfg, photos, views, text, dims, repeats))
    return _total(judge, len(candidates), estimates, finished)
