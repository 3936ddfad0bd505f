"""Asking a vision LLM which of two candidates matches the reference photos better, per rubric
dimension: prompt, answer schema, validation, cache. One order per call; the tournament asks
both orders (rubric.core.tournament)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rubric.core.answer import InvalidAnswer, parse_answer_text
from rubric.core.definition import Rubric
from rubric.core.images import WHITE, flatten, load_image
from rubric.core.judge import Entrant, Estimate, JobShape, total
from rubric.core.tournament import schedule
from rubric.llm.cache import ResponseCache
from rubric.llm.config import JudgeConfig
from rubric.llm.estimate import estimate_job, prompt_chars
from rubric.llm.http_client import ProviderClient
from rubric.llm.prompt import PreparedImage, Prompt, encode
from rubric.llm.tournament import run_tournament

WINNERS = ("A", "B", "tie")
PAIRWISE_VERSION = "pairwise-1"


def pair_schema(rubric: Rubric) -> dict[str, Any]:
    """JSON schema of one pairwise answer: per dimension a winner and a rationale."""
    per_dim = {
        "type": "object",
        "properties": {
            "winner": {"type": "string", "enum": list(WINNERS)},
            "rationale": {"type": "string"},
        },
        "required": ["winner", "rationale"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {n: per_dim for n in rubric.names},
        "required": rubric.names,
        "additionalProperties": False,
    }


def validate_pair(data: Any, rubric: Rubric) -> dict[str, str]:
    """Winner per dimension, or :class:`InvalidAnswer` naming the first problem."""
    if not isinstance(data, dict):
        raise InvalidAnswer(f"answer is a {type(data).__name__}, not an object")
    missing = [n for n in rubric.names if n not in data]
    if missing:
        raise InvalidAnswer(f"missing dimension(s): {', '.join(missing)}")
    winners = {}
    for name in rubric.names:
        entry = data[name]
        winner = entry.get("winner") if isinstance(entry, dict) else None
        if winner not in WINNERS:
            raise InvalidAnswer(f"{name}: winner {winner!r} is not A, B or tie")
        winners[name] = str(winner)
    return winners


def build_pair_prompt(
    rubric: Rubric,
    refs: Sequence[PreparedImage],
    first: Sequence[PreparedImage],
    second: Sequence[PreparedImage],
    nonce: str,
) -> Prompt:
    """Instructions, dimensions, the photos, then candidate A's views and candidate B's."""
    dims = "\n".join(
        f"- {d.name}: {d.definition}" + (f" Ignore: {d.ignore}" if d.ignore else "")
        for d in rubric.dimensions
    )
    keys = ", ".join(f'"{n}"' for n in rubric.names)
    head = (
        f"{rubric.instructions}\n\nTwo candidate models, A and B, are shown after the reference "
        "photos. For each dimension, say which candidate matches the photos better, or tie when "
        f"neither does.\n\nDimensions:\n{dims}\n\nAnswer with a JSON object with exactly the "
        f'keys {keys}; each value is {{"winner": "A" | "B" | "tie", "rationale": '
        f'"<short text>"}}.\nEvaluation id: {nonce}'
    )
    parts: list[str | PreparedImage] = [head]
    for label, group in (("Reference photo", refs), ("Candidate A, view", first),
                         ("Candidate B, view", second)):  # fmt: skip
        for k, img in enumerate(group):
            parts += [f"{label} {k + 1} of {len(group)}:", img]
    return Prompt(rubric.system, tuple(parts))


@dataclass
class PairAnswer:
    """One order's verdicts (None when every ask was invalid) and what it cost."""

    winners: dict[str, str] | None
    invalid: list[str] = field(default_factory=list)
    cached: bool = False
    input_tokens: int = 0
    output_tokens: int = 0


class PairwiseJudge:
    """Compares two candidates' views against the photos, one order per call."""

    def __init__(
        self,
        cfg: JudgeConfig,
        rubric: Rubric,
        cache: ResponseCache | None,
        client: ProviderClient | None = None,
    ) -> None:
        self.cfg = cfg
        self.rubric = rubric
        self.cache = cache
        self.client = client or ProviderClient(cfg)
        self.provenance = cfg.provenance

    def estimate(self, groups: Sequence[tuple[JobShape, int]], max_pairs: int) -> Estimate:
        """Per product, every scheduled pair in both orders, each call showing the photos and
        both candidates' views."""
        prompt = build_pair_prompt(self.rubric, [], [], [], nonce="0" * 12)
        dims = len(self.rubric.names)
        estimates = []
        for shape, n in groups:
            calls = 2 * len(schedule([str(i) for i in range(n)], max_pairs))
            views = list(shape.views) * 2
            chars = prompt_chars(prompt, len(shape.photos) + len(views))
            estimates.append(estimate_job(self.cfg, list(shape.photos), views, chars, dims, calls))
        return total(estimates)

    def tournament(
        self,
        group: str,
        refs: Sequence[Path],
        entrants: Sequence[Entrant],
        max_pairs: int,
        seed: int = 0,
    ) -> dict[str, Any]:
        """One product's tournament (:func:`rubric.llm.tournament.run_tournament`)."""
        return run_tournament(group, refs, entrants, self, max_pairs, seed)

    def prepare(self, paths: Sequence[Path], what: str) -> list[PreparedImage]:
        """Images as they are sent (flattened on white, downscaled, JPEG)."""
        return [
            encode(flatten(load_image(p, what), WHITE), f"{what} {i + 1}", self.cfg.image_max_side)
            for i, p in enumerate(paths)
        ]

    def _key(self, images: Sequence[PreparedImage]) -> str:
        doc = {
            "protocol": PAIRWISE_VERSION,
            "images": [i.sha256 for i in images],
            "rubric": self.rubric.rubric_hash(),
            "model": self.provenance,
            "params": self.cfg.sampling_params(),
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()

    def compare(
        self,
        refs: Sequence[PreparedImage],
        first: Sequence[PreparedImage],
        second: Sequence[PreparedImage],
    ) -> PairAnswer:
        """``first`` shown as candidate A, ``second`` as B; cached by the images in that order."""
        key = self._key([*refs, *first, *second])
        hit = self.cache.get(key) if self.cache else None
        if hit is not None:
            return PairAnswer(hit["winners"], cached=True)
        prompt = build_pair_prompt(self.rubric, refs, first, second, nonce=key[:12])
        answer = PairAnswer(None)
        for _ in range(self.cfg.max_invalid_retries + 1):
            completion = self.client.complete(prompt, pair_schema(self.rubric))
            answer.input_tokens += completion.input_tokens or 0
            answer.output_tokens += completion.output_tokens or 0
            try:
                if completion.finish in ("length", "refusal"):
                    raise InvalidAnswer(f"finish: {completion.finish}")
                data = completion.data
                if data is None:
                    data = parse_answer_text(completion.text or "")
                answer.winners = validate_pair(data, self.rubric)
            except InvalidAnswer as why:
                answer.invalid.append(str(why))
                continue
            if self.cache:
                self.cache.put(key, {"winners": answer.winners, "model": self.provenance})
            break
        return answer
