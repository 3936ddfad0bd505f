"""Rubrics as versioned data: dimensions, weights, prompt wording, and the answer schema.

The JSON schema of one answer is derived from the dimensions (not stored next to them), so it can
never disagree with the rubric it belongs to.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RUBRIC_DIR = Path(__file__).resolve().parent / "rubrics"
DEFAULT_RUBRIC = RUBRIC_DIR / "appearance_v1.toml"
SCORE_MIN, SCORE_MAX = 0, 100


class RubricError(ValueError):
    """A rubric file is not valid."""


@dataclass(frozen=True)
class Dimension:
    name: str
    weight: float
    definition: str
    ignore: str


@dataclass(frozen=True)
class Rubric:
    id: str
    version: str
    system: str
    instructions: str
    dimensions: tuple[Dimension, ...]

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    @property
    def weights(self) -> dict[str, float]:
        return {d.name: d.weight for d in self.dimensions}

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))  # type: ignore[no-any-return]

    def rubric_hash(self) -> str:
        """sha256 of the canonical JSON of the whole rubric (wording included)."""
        canon = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canon.encode("utf-8")).hexdigest()

    def answer_schema(self) -> dict[str, Any]:
        """JSON schema of one answer: per dimension an integer score 0-100 and a rationale."""
        per_dim = {
            "type": "object",
            "properties": {
                "score": {"type": "integer", "minimum": SCORE_MIN, "maximum": SCORE_MAX},
                "rationale": {"type": "string"},
            },
            "required": ["score", "rationale"],
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "properties": {name: per_dim for name in self.names},
            "required": self.names,
            "additionalProperties": False,
        }

    def overall(self, subscores: dict[str, int]) -> int:
        """round(sum of weight * subscore), computed here, never taken from the model."""
        total = sum(d.weight * subscores[d.name] for d in self.dimensions)
        return math.floor(total + 0.5)


def _text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RubricError(f"{where}: {key!r} must be a non-empty string")
    return value


def rubric_from_dict(data: dict[str, Any]) -> Rubric:
    """Validate and build a rubric; unknown keys are rejected by name."""
    unknown = sorted(set(data) - {"id", "version", "prompt", "dimensions"})
    if unknown:
        raise RubricError(f"unknown key(s) in rubric: {', '.join(unknown)}")
    prompt = data.get("prompt", {})
    unknown = sorted(set(prompt) - {"system", "instructions"})
    if unknown:
        raise RubricError(f"unknown key(s) in rubric.prompt: {', '.join(unknown)}")
    dims = []
    for i, d in enumerate(data.get("dimensions", [])):
        where = f"dimension {i}"
        extra = sorted(set(d) - {"name", "weight", "definition", "ignore"})
        if extra:
            raise RubricError(f"unknown key(s) in {where}: {', '.join(extra)}")
        weight = d.get("weight")
        if not isinstance(weight, (int, float)) or weight <= 0:
            raise RubricError(f"{where}: weight must be a positive number")
        dims.append(
            Dimension(
                _text(d, "name", where),
                float(weight),
                _text(d, "definition", where),
                str(d.get("ignore", "")),
            )
        )
    if not dims:
        raise RubricError("rubric has no dimensions")
    names = [d.name for d in dims]
    if len(set(names)) != len(names):
        raise RubricError(f"dimension names must be unique: {names}")
    total = sum(d.weight for d in dims)
    if not math.isclose(total, 1.0, abs_tol=1e-9):
        raise RubricError(f"weights must sum to 1, they sum to {total:g}")
    return Rubric(
        id=_text(data, "id", "rubric"),
        version=_text(data, "version", "rubric"),
        system=_text(prompt, "system", "rubric.prompt"),
        instructions=_text(prompt, "instructions", "rubric.prompt"),
        dimensions=tuple(dims),
    )


def load_rubric(path: Path = DEFAULT_RUBRIC) -> Rubric:
    """Read a rubric TOML file."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RubricError(f"cannot read rubric {path}: {exc}") from None
    return rubric_from_dict(data)
