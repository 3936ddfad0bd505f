"""Judging renders against reference photos: rubrics, prompts, REST providers, aggregation.

This module is the package's face: the driver imports names from here and nothing under it.
A judge is made by :func:`make_judge` and used through the :class:`Judge` protocol, whatever it
is (offline, LLM, a panel). The LLM stack (``requests``) is loaded on first use of a name that
needs it, so that ``import rubric.offline`` never pulls it in.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from rubric.core.agreement import panel_agreement
from rubric.core.controls import (
    NEGATIVES,
    OVERALL,
    POSITIVE,
    ControlScore,
    control_figures,
    relative_to_gt,
    summary_line,
)
from rubric.core.definition import DEFAULT_RUBRIC, Rubric, RubricError, load_rubric
from rubric.core.errors import FatalJudgeError, JudgeError, redact
from rubric.core.images import ImageInputError, check_image, load_image
from rubric.core.judge import (
    Entrant,
    Estimate,
    JobShape,
    Judge,
    JudgeResult,
    MatchedView,
    PairJudge,
    PhotoShape,
)
from rubric.core.validation import describe_validation_error

if TYPE_CHECKING:
    from rubric.factory import OFFLINE, JudgeRequest, make_judge
    from rubric.llm.cache import ResponseCache
    from rubric.llm.config import JudgeConfig, JudgeConfigError, JudgeTuning

_LAZY = {
    "OFFLINE": "rubric.factory",
    "JudgeRequest": "rubric.factory",
    "make_judge": "rubric.factory",
    "ResponseCache": "rubric.llm.cache",
    "JudgeConfig": "rubric.llm.config",
    "JudgeConfigError": "rubric.llm.config",
    "JudgeTuning": "rubric.llm.config",
}

__all__ = [
    "DEFAULT_RUBRIC",
    "NEGATIVES",
    "OFFLINE",
    "OVERALL",
    "POSITIVE",
    "ControlScore",
    "Entrant",
    "Estimate",
    "FatalJudgeError",
    "ImageInputError",
    "JobShape",
    "Judge",
    "JudgeConfig",
    "JudgeConfigError",
    "JudgeError",
    "JudgeRequest",
    "JudgeResult",
    "JudgeTuning",
    "MatchedView",
    "PairJudge",
    "PhotoShape",
    "ResponseCache",
    "Rubric",
    "RubricError",
    "check_image",
    "control_figures",
    "describe_validation_error",
    "load_image",
    "load_rubric",
    "make_judge",
    "panel_agreement",
    "redact",
    "relative_to_gt",
    "summary_line",
]


def __getattr__(name: str) -> Any:
    """The names of the LLM stack, imported when first asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rubric' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
