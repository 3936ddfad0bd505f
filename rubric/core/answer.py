"""Validating one judge answer against a rubric. Pure logic, no I/O."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from rubric.core.definition import SCORE_MAX, SCORE_MIN, Rubric

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
MAX_RATIONALE_CHARS = 1000


class InvalidAnswer(ValueError):
    """The model's output is not a valid answer; the message says why, in one line."""


@dataclass(frozen=True)
class Answer:
    subscores: dict[str, int]
    rationales: dict[str, str]


def parse_answer_text(text: str) -> Any:
    """JSON from a model's text: plain, or inside one markdown code fence."""
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text.strip()
    if not body:
        raise InvalidAnswer("empty answer")
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"not JSON ({exc.msg} at char {exc.pos})") from None
    except RecursionError:
        raise InvalidAnswer("JSON nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise InvalidAnswer(f"not usable JSON ({exc})") from None


def validate_answer(data: Any, rubric: Rubric) -> Answer:
    """Check keys, types and ranges; raise :class:`InvalidAnswer` naming the first problem."""
    if not isinstance(data, dict):
        raise InvalidAnswer(f"answer is a {type(data).__name__}, not an object")
    missing = [n for n in rubric.names if n not in data]
    if missing:
        raise InvalidAnswer(f"missing dimension(s): {', '.join(missing)}")
    extra = sorted(set(data) - set(rubric.names))
    if extra:
        raise InvalidAnswer(f"unknown dimension(s): {', '.join(extra)}")
    subscores: dict[str, int] = {}
    rationales: dict[str, str] = {}
    for name in rubric.names:
        entry = data[name]
        if not isinstance(entry, dict) or "score" not in entry:
            raise InvalidAnswer(f"{name}: expected an object with 'score' and 'rationale'")
        score = entry["score"]
        # JSON has one number type; 73.0 is an integer score, 73.5 and "73" and true are not;
        # NaN and 1e400 (infinity to Python's json) are not numbers a score can be.
        if isinstance(score, float) and not math.isfinite(score):
            raise InvalidAnswer(f"{name}: score {score!r} is not a finite number")
        if (
            isinstance(score, bool)
            or not isinstance(score, (int, float))
            or float(score) != int(score)
        ):
            raise InvalidAnswer(f"{name}: score {score!r} is not an integer")
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise InvalidAnswer(f"{name}: score {score} is outside {SCORE_MIN}..{SCORE_MAX}")
        rationale = entry.get("rationale", "")
        if not isinstance(rationale, str):
            raise InvalidAnswer(f"{name}: rationale is not a string")
        subscores[name] = int(score)
        rationales[name] = rationale.strip()[:MAX_RATIONALE_CHARS]
    return Answer(subscores, rationales)
