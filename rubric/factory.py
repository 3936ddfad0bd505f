"""Which judge a run asks: the one place that knows the judges' classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rubric.core.definition import Rubric
from rubric.core.judge import Judge
from rubric.core.panel import PanelJudge
from rubric.llm.cache import ResponseCache
from rubric.llm.config import JudgeConfig, JudgeTuning, parse_judge_spec
from rubric.llm.judge import LLMJudge

OFFLINE = "offline"  # --judge offline: the offline judge even when [judge] names an LLM


@dataclass(frozen=True)
class JudgeRequest:
    """What the user asked for: ``--judge`` specs, the ``[judge]`` table, the ``[[judges]]``
    panel."""

    specs: tuple[str, ...] = ()
    table: JudgeTuning | None = None  # a JudgeConfig when it names a provider
    panel: tuple[JudgeConfig, ...] = ()
    # The [judge] table as written: a spec takes the keys the user set, not the defaults the
    # table's provider filled in (its base_url would be refused for another provider).
    written: Mapping[str, Any] | None = None


def make_judge(request: JudgeRequest, rubric: Rubric, cache: ResponseCache | None) -> Judge:
    """The judge asked for: the ``--judge`` spec(s) (``offline``, or PROVIDER:MODEL with the
    other ``[judge]`` settings; several make a panel), else the ``[judge]`` table when it names a
    provider, else the ``[[judges]]`` panel, else the offline judge."""
    if len(request.specs) > 1:
        return PanelJudge([_from_spec(s, request.written, rubric, cache) for s in request.specs])
    if request.specs:
        return _from_spec(request.specs[0], request.written, rubric, cache)
    if len(request.panel) > 1:
        return PanelJudge([LLMJudge(cfg, rubric, cache) for cfg in request.panel])
    if request.panel:
        return LLMJudge(request.panel[0], rubric, cache)
    if isinstance(request.table, JudgeConfig):
        return LLMJudge(request.table, rubric, cache)
    return _offline(rubric)


def _offline(rubric: Rubric) -> Judge:
    # Imported here: the offline judge's optimal transport and image stack take about a second
    # to import, which every LLM-judged job of `python -m vfscore` would pay for nothing.
    from rubric.offline.judge import OfflineJudge

    return OfflineJudge(rubric)


def _from_spec(
    spec: str, written: Mapping[str, Any] | None, rubric: Rubric, cache: ResponseCache | None
) -> Judge:
    if spec == OFFLINE:
        return _offline(rubric)
    return LLMJudge(parse_judge_spec(spec, dict(written) if written else None), rubric, cache)
