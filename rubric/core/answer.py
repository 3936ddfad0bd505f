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
# A closed think block, or one the model never closed (then everything after it is thinking).
_THINK = re.compile(r"<think>.*?(</think>|\Z)", re.DOTALL | re.IGNORECASE)
MAX_OBJECT_STARTS = 50  # bounds the search for an object in prose


class InvalidAnswer(ValueError):
    """The model's output is not a valid answer; the message says why, in one line."""


@dataclass(frozen=True)
class Answer:
    subscores: dict[str, int]
    rationales: dict[str, str]


def _embedded_object(text: str) -> Any:
    """The first JSON object inside prose ("Here are the scores: {...} Hope this helps")."""
    decoder = json.JSONDecoder()
    start = text.find("{")
    for _ in range(MAX_OBJECT_STARTS):
        if start < 0:
            return None
        try:
            value, _end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


def parse_answer_text(text: object) -> Any:
    """JSON from a model's text: plain, inside one markdown code fence, or an object inside
    prose; a ``<think>…</think>`` block (local reasoning models) is not part of the answer.
    Whatever is found still has to pass :func:`validate_answer`."""
    if not isinstance(text, str):  # a server that put JSON where the API says text
        raise InvalidAnswer(f"answer content is a JSON {type(text).__name__}, not text")
    text = _THINK.sub("", text)
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text.strip()
    if not body:
        raise InvalidAnswer("empty answer")
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        embedded = _embedded_object(body)
        if embedded is None:
            raise InvalidAnswer(f"not JSON ({exc.msg} at char {exc.pos})") from None
        return embedded
    except RecursionError:
        raise InvalidAnswer("JSON nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4300 digits
        raise InvalidAnswer(f"not usable JSON ({exc})") from None


def _shown(value: Any, limit: int = 24) -> str:
    """A value for a one-line reason: a 400-digit number is cut, not quoted whole."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


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
        # NaN and 1e400 (infinity to Python's json) are not numbers a score can be. An integer
        # is never turned into a float: one of 400 digits does not fit in one.
        if isinstance(score, float) and not math.isfinite(score):
            raise InvalidAnswer(f"{name}: score {score!r} is not a finite number")
        if (
            isinstance(score, bool)
            or not isinstance(score, (int, float))
            or (isinstance(score, float) and not score.is_integer())
        ):
            raise InvalidAnswer(f"{name}: score {_shown(score)} is not an integer")
        if not SCORE_MIN <= score <= SCORE_MAX:
            raise InvalidAnswer(
                f"{name}: score {_shown(score)} is outside {SCORE_MIN}..{SCORE_MAX}"
            )
        rationale = entry.get("rationale", "")
        if not isinstance(rationale, str):
            raise InvalidAnswer(f"{name}: rationale is not a string")
        subscores[name] = int(score)
        rationales[name] = rationale.strip()[:MAX_RATIONALE_CHARS]
    return Answer(subscores, rationales)
