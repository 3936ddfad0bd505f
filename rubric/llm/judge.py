"""Judging one job: repeated LLM calls, validation with bounded re-asks, caching, aggregation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rubric.core.answer import Answer, InvalidAnswer, parse_answer_text, validate_answer
from rubric.core.definition import Rubric
from rubric.core.images import WHITE
from rubric.core.judge import (
    Estimate,
    JobShape,
    JudgeResult,
    MatchedView,
    PhotoShape,
    RepeatResult,
    total,
)
from rubric.llm.cache import ResponseCache, cache_key
from rubric.llm.config import JudgeConfig
from rubric.llm.estimate import cost, estimate_job, prompt_chars
from rubric.llm.http_client import ProviderClient
from rubric.llm.pairwise import PairwiseJudge
from rubric.llm.prompt import PreparedImage, build_prompt, prepare_images, shuffled
from rubric.llm.providers.common import Completion


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

    @property
    def concurrency(self) -> int:
        """``max_concurrent``: jobs judged at once, one request each."""
        return self.cfg.max_concurrent

    def describe(self) -> dict[str, Any]:
        """The ``[judge]`` settings (the NAME of the key variable, never the key)."""
        return self.cfg.to_dict()

    def estimate(self, jobs: Sequence[JobShape], repeats: int) -> Estimate:
        """``repeats`` calls per job, each showing the photos and the views (no re-asks)."""
        dims = len(self.rubric.names)
        prompt = build_prompt(self.rubric, [], nonce="0" * 16)
        return total(
            [
                estimate_job(
                    self.cfg,
                    list(job.photos),
                    list(job.views),
                    prompt_chars(prompt, len(job.photos) + len(job.views)),
                    dims,
                    repeats,
                )
                for job in jobs
            ]
        )

    def pose_targets(self, refs: Sequence[Path]) -> list[tuple[PhotoShape, ...]]:
        """None: the LLM sees the standard views only."""
        return []

    def pairwise(self) -> PairwiseJudge:
        """The same model, cache and connection, asked about pairs."""
        return PairwiseJudge(self.cfg, self.rubric, self.cache, self.client)

    def judge(
        self,
        refs: Sequence[Path],
        renders: Sequence[Path],
        repeats: int,
        background: tuple[int, int, int] = WHITE,
        matched: Sequence[MatchedView] = (),
    ) -> JudgeResult:
        """Ask ``repeats`` times (cached repeats make no call) and collect the answers
        (``matched`` is unused: it asks for none)."""
        images = prepare_images(
            refs,
            renders,
            max_side=self.cfg.image_max_side,
            background=background,
            tile_renders=self.cfg.tile_renders,
        )
        hashes = [i.sha256 for i in images]
        calls_before = self.client.calls
        orders: list[dict[str, Any]] = []
        results = [self._repeat(images, hashes, index, orders) for index in range(repeats)]
        calls = self.client.calls - calls_before
        return JudgeResult(
            rubric=self.rubric,
            provenance=self.provenance,
            repeats=results,
            http_calls=calls,
            cost_usd=cost(
                self.cfg,
                sum(r.input_tokens for r in results),
                sum(r.output_tokens for r in results),
            ),
            details={
                "provider": self.cfg.provider,
                "model": self.cfg.model,
                "params": self.cfg.sampling_params(),
                "http_calls": calls,
                "cached_repeats": sum(r.cached for r in results),
                "images": [
                    {"label": i.label, "sha256": i.sha256, "size": list(i.size)} for i in images
                ],
                "image_orders": orders,
            },
        )

    def _repeat(
        self,
        images: list[PreparedImage],
        hashes: list[str],
        index: int,
        orders: list[dict[str, Any]],
    ) -> RepeatResult:
        """One repeat: from the cache, else asked with up to ``max_invalid_retries`` re-asks.
        The order the images are shown in is recorded in ``orders`` (seed and indices)."""
        key = cache_key(
            hashes, self.rubric.rubric_hash(), self.provenance, self.cfg.sampling_params(), index
        )
        if self.cfg.shuffle_images:
            seed = int(key[:8], 16)  # the job's images and the repeat decide it, reproducibly
            images, order = shuffled(images, seed)
            orders.append({"repeat": index, "seed": seed, "order": order})
        hit = self.cache.get(key) if self.cache else None
        if hit is not None:
            return RepeatResult(
                index, hit["overall"], hit["subscores"], hit["rationales"], [], True, 0, 0
            )
        prompt = build_prompt(self.rubric, images, nonce=f"{key[:12]}-r{index}")
        schema = self.rubric.answer_schema()
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
                self.cache.put(key, self._cache_entry(result, completion))
            break
        return result

    def _cache_entry(self, result: RepeatResult, completion: Completion) -> dict[str, Any]:
        """What the cache keeps of a valid answer: never a request header, so never a key."""
        return {
            "overall": result.overall,
            "subscores": result.subscores,
            "rationales": result.rationales,
            "raw": completion.text if completion.data is None else completion.data,
            "usage": {"input": completion.input_tokens, "output": completion.output_tokens},
            "model": self.provenance,
        }

    def _answer(self, text: str | None, data: Any, finish: str) -> Answer:
        if finish == "length":
            raise InvalidAnswer("truncated at max_tokens")
        if finish == "refusal":
            raise InvalidAnswer("the model refused")
        if data is None:
            data = parse_answer_text(text or "")
        return validate_answer(data, self.rubric)
