"""Rubrics as versioned data: dimensions, weights, prompt wording, and the answer schema.

The JSON schema of one answer is derived from the dimensions (not stored next to them), so it can
never disagree with the rubric it belongs to.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from blender_addon.contract.digest import canonical_sha256
from blender_addon.contract.files import open_regular
from rubric.core.rounding import round_half_up
from rubric.core.validation import describe_validation_error

RUBRIC_DIR = Path(__file__).resolve().parent.parent / "rubrics"
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
        return canonical_sha256(self.to_dict())

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
        return round_half_up(sum(d.weight * subscores[d.name] for d in self.dimensions))


NonEmpty = Annotated[str, StringConstraints(pattern=r"\S")]  # kept verbatim: the wording is hashed


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _DimensionFile(_File):
    name: NonEmpty
    weight: Annotated[float, Field(gt=0.0)]
    definition: NonEmpty
    ignore: str = ""


class _PromptFile(_File):
    system: NonEmpty
    instructions: NonEmpty


class _RubricFile(_File):
    id: NonEmpty
    version: NonEmpty
    prompt: _PromptFile
    dimensions: Annotated[list[_DimensionFile], Field(min_length=1)]


def rubric_from_dict(data: dict[str, Any]) -> Rubric:
    """Validate and build a rubric; unknown keys and wrong types are refused by name."""
    try:
        doc = _RubricFile.model_validate(data)
    except ValidationError as exc:
        raise RubricError(describe_validation_error(exc, "rubric")) from None
    names = [d.name for d in doc.dimensions]
    if len(set(names)) != len(names):
        raise RubricError(f"dimension names must be unique: {names}")
    total = sum(d.weight for d in doc.dimensions)
    if not math.isclose(total, 1.0, abs_tol=1e-9):
        raise RubricError(f"weights must sum to 1, they sum to {total:g}")
    return Rubric(
        id=doc.id,
        version=doc.version,
        system=doc.prompt.system,
        instructions=doc.prompt.instructions,
        dimensions=tuple(
            Dimension(d.name, d.weight, d.definition, d.ignore) for d in doc.dimensions
        ),
    )


def load_rubric(path: Path = DEFAULT_RUBRIC) -> Rubric:
    """Read a rubric TOML file."""
    try:
        with open_regular(path, "rubric") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RubricError(f"cannot read rubric {path}: {exc}") from None
    return rubric_from_dict(data)
