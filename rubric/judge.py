"""Judging one job: repeated LLM calls, validation with bounded re-asks, caching, aggregation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rubric.aggregate import aggregate
from rubric.answer import Answer, InvalidAnswer, parse_answer_text, validate_answer
from rubric.cache import ResponseCache, cache_key
from rubric.config import JudgeConfig
from rubric.definition import Rubric
from rubric.http_client import ProviderClient
from rubric.prompt import WHITE, build_prompt, prepare_images


@dataclass
class RepeatResult:
    index: int
    overall: int | None
    subscores: dict[str, int] | None
    rationales: dict[str, str] | None
    invalid: list[str] = field(default_factory=list)  # why each invalid answer was rejected
    cached: bool = False
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass
class JudgeResult:
    """Everything a job needs from the judge; ``payload()`` is the canonical part of result.json."""

    rubric: Rubric
    provenance: str
    repeats: list[RepeatResult]
    http_calls: int
    cost_usd: float | None
    details: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        valid = [r for r in self.repeats if r.overall is not None and r.subscores is not None]
        agg = aggregate(
            [r.overall for r in valid if r.overall is not None],
            [r.subscores for r in valid if r.subscores],
            self.rubric.names,
            len(self.repeats),
        )
        return {
            "vfscore_overall_median": agg.overall_median,
            "vf_subscores_median": agg.subscores_median,
            "repeats_n": agg.n_valid,
            "repeats_requested": agg.n_requested,
            "scores_all": [r.overall for r in valid],
            "subscores_all": [r.subscores for r in valid],
            "iqr": agg.iqr,
            "std": agg.std,
            "llm_model": self.provenance,
            "rubric_weights": self.rubric.weights,
            "rubric": {
                "id": self.rubric.id,
                "version": self.rubric.version,
                "hash": self.rubric.rubric_hash(),
            },
            "invalid_answers": sum(len(r.invalid) for r in self.repeats),
            "tokens": {
                "input": sum(r.input_tokens for r in self.repeats),
                "output": sum(r.output_tokens for r in self.repeats),
            },
            "cost_usd": self.cost_usd,
            "judge": self.details,
        }

    def rationale_texts(self) -> list[str]:
        """One text per repeat (for ``rationales/rep_N.txt``)."""
        out = []
        for r in self.repeats:
            lines = [f"repeat {r.index}: overall {r.overall}"]
            for name, text in (r.rationales or {}).items():
                lines.append(f"{name} ({(r.subscores or {}).get(name)}): {text}")
            lines += [f"invalid answer: {why}" for why in r.invalid]
            out.append("\n".join(lines) + "\n")
        return out


class Judge(Protocol):
    """What the batch needs of any judge, LLM or offline."""

    provenance: str
    rubric: Rubric

    def judge(
        self,
        refs: Sequence[Path],
        renders: Sequence[Path],
        repeats: int,
        background: tuple[int, int, int] = WHITE,
    ) -> JudgeResult:
        """Judge ``renders`` against ``refs``; transparent render pixels show ``background``."""
        ...


class LLMJudge:
    """A vision LLM over REST, asked ``repeats`` times per job."""

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

    def judge(
        self,
        refs: Sequence[Path],
        renders: Sequence[Path],
        repeats: int,
        background: tuple[int, int, int] = WHITE,
    ) -> JudgeResult:
        images = prepare_images(
            refs,
            renders,
            max_side=self.cfg.image_max_side,
            background=background,
            tile_renders=self.cfg.tile_renders,
        )
        hashes = [i.sha256 for i in images]
        schema = self.rubric.answer_schema()
        calls_before = self.client.calls
        results = []
        for index in range(repeats):
            key = cache_key(
                hashes,
                self.rubric.rubric_hash(),
                self.provenance,
                self.cfg.sampling_params(),
                index,
            )
            hit = self.cache.get(key) if self.cache else None
            if hit is not None:
                results.append(
                    RepeatResult(
                        index, hit["overall"], hit["subscores"], hit["rationales"], [], True, 0, 0
                    )
                )
                continue
            prompt = build_prompt(self.rubric, images, nonce=f"{key[:12]}-r{index}")
            result = RepeatResult(index, None, None, None)
            for _ in range(self.cfg.max_invalid_retries + 1):
                completion = self.client.complete(prompt, schema)
                result.input_tokens += completion.input_tokens or 0
                result.output_tokens += completion.output_tokens or 0
                try:
                    answer = self._answer(completion.text, completion.data, completion.finish)
                except InvalidAnswer as why:
                    result.invalid.append(str(why))
                    continue
                result.subscores = answer.subscores
                result.rationales = answer.rationales
                result.overall = self.rubric.overall(answer.subscores)
                if self.cache:
                    self.cache.put(
                        key,
                        {
                            "overall": result.overall,
                            "subscores": answer.subscores,
                            "rationales": answer.rationales,
                            "raw": completion.text if completion.data is None else completion.data,
                            "usage": {
                                "input": completion.input_tokens,
                                "output": completion.output_tokens,
                            },
                            "model": self.provenance,
                        },
                    )
                break
            results.append(result)
        tokens_in = sum(r.input_tokens for r in results)
        tokens_out = sum(r.output_tokens for r in results)
        return JudgeResult(
            rubric=self.rubric,
            provenance=self.provenance,
            repeats=results,
            http_calls=self.client.calls - calls_before,
            cost_usd=self._cost(tokens_in, tokens_out),
            details={
                "provider": self.cfg.provider,
                "model": self.cfg.model,
                "params": self.cfg.sampling_params(),
                "http_calls": self.client.calls - calls_before,
                "cached_repeats": sum(r.cached for r in results),
                "images": [
                    {"label": i.label, "sha256": i.sha256, "size": list(i.size)} for i in images
                ],
            },
        )

    def _answer(self, text: str | None, data: Any, finish: str) -> Answer:
        if finish == "length":
            raise InvalidAnswer("truncated at max_tokens")
        if finish == "refusal":
            raise InvalidAnswer("the model refused")
        if data is None:
            data = parse_answer_text(text or "")
        return validate_answer(data, self.rubric)

    def _cost(self, tokens_in: int, tokens_out: int) -> float | None:
        price = self.cfg.prices.get(self.cfg.model)
        if price is None:
            return None
        return round(
            tokens_in / 1e6 * price["input_per_mtok"] + tokens_out / 1e6 * price["output_per_mtok"],
            6,
        )
