"""Rubric data, answer validation, aggregation, judge specs: the pure parts of the judge."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rubric.core.aggregate import aggregate
from rubric.core.answer import InvalidAnswer, parse_answer_text, validate_answer
from rubric.core.definition import RubricError, load_rubric, rubric_from_dict
from rubric.core.errors import redact
from rubric.core.rounding import round_half_up
from rubric.llm.config import JudgeConfigError, parse_judge_spec
from rubric.llm.prompt import PreparedImage, build_prompt, shuffled

RUBRIC = load_rubric()


def test_default_rubric() -> None:
    assert RUBRIC.names == [
        "color_palette",
        "finish",
        "texture_identity",
        "texture_scale_placement",
    ]
    assert sum(RUBRIC.weights.values()) == pytest.approx(1.0)
    schema = RUBRIC.answer_schema()
    assert schema["required"] == RUBRIC.names
    assert schema["properties"]["finish"]["properties"]["score"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 100,
    }


def test_overall_is_computed_locally_with_half_up_rounding() -> None:
    scores = {
        "color_palette": 81,
        "finish": 60,
        "texture_identity": 70,
        "texture_scale_placement": 50,
    }
    # 0.25*81 + 0.25*60 + 0.3*70 + 0.2*50 = 66.25
    assert RUBRIC.overall(scores) == 66
    assert round_half_up(70.5) == 71 and round_half_up(71.5) == 72


def test_rubric_validation() -> None:
    base: dict[str, Any] = {
        "id": "x",
        "version": "1",
        "prompt": {"system": "s", "instructions": "i"},
        "dimensions": [
            {"name": "a", "weight": 0.5, "definition": "d"},
            {"name": "b", "weight": 0.4, "definition": "d"},
        ],
    }
    with pytest.raises(RubricError, match=r"sum to 0\.9"):
        rubric_from_dict(base)
    base["dimensions"][1]["weight"] = 0.5
    assert rubric_from_dict(base).names == ["a", "b"]
    with pytest.raises(RubricError, match=r"unknown key.*colour"):
        rubric_from_dict({**base, "colour": 1})


def test_rubric_hash_follows_the_wording() -> None:
    data = RUBRIC.to_dict()
    data["dimensions"] = [{k: v for k, v in d.items()} for d in data["dimensions"]]
    data["prompt"] = {"system": data.pop("system"), "instructions": data.pop("instructions") + " "}
    assert rubric_from_dict(data).rubric_hash() != RUBRIC.rubric_hash()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty answer"),
        ("Sure! Here are the scores", "not JSON"),
        ("[1, 2]", "not an object"),
        ('{"finish": {"score": 50, "rationale": ""}}', "missing dimension"),
    ],
)
def test_invalid_texts(text: str, why: str) -> None:
    with pytest.raises(InvalidAnswer, match=why):
        validate_answer(parse_answer_text(text), RUBRIC)


@pytest.mark.parametrize(
    ("score", "why"),
    [
        (101, "outside 0..100"),
        (-1, "outside"),
        (70.5, "not an integer"),
        ("70", "not an integer"),
        (True, "not an integer"),
    ],
)
def test_invalid_scores(score: object, why: str) -> None:
    data = {n: {"score": 50, "rationale": "r"} for n in RUBRIC.names}
    data["finish"]["score"] = score
    with pytest.raises(InvalidAnswer, match=why):
        validate_answer(data, RUBRIC)


def test_fenced_json_and_float_integers_are_accepted() -> None:
    body = (
        "```json\n"
        + str({n: {"score": 70.0, "rationale": " ok "} for n in RUBRIC.names}).replace("'", '"')
        + "\n```"
    )
    answer = validate_answer(parse_answer_text(body), RUBRIC)
    assert answer.subscores["finish"] == 70 and answer.rationales["finish"] == "ok"


def test_aggregate() -> None:
    agg = aggregate([60, 70, 90, 71], [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}], ["a"], 5)
    assert agg.overall_median == 71  # median 70.5 rounds half up
    assert agg.subscores_median == {"a": 3}  # 2.5 → 3
    assert agg.iqr == pytest.approx(75.75 - 67.5)  # linear-interpolated quartiles
    assert (agg.n_valid, agg.n_requested) == (4, 5)
    empty = aggregate([], [], ["a"], 3)
    assert (
        empty.overall_median is None
        and empty.subscores_median == {"a": None}
        and empty.n_valid == 0
    )


@pytest.mark.parametrize(
    ("spec", "provider", "model", "url"),
    [
        ("openai:gpt-4o-mini", "openai", "gpt-4o-mini", "https://api.openai.com/v1"),
        (
            "gemini:gemini-2.5-flash",
            "gemini",
            "gemini-2.5-flash",
            "https://generativelanguage.googleapis.com",
        ),
        (
            "anthropic:claude-sonnet-4-5",
            "anthropic",
            "claude-sonnet-4-5",
            "https://api.anthropic.com",
        ),
        (
            "openai-compatible:http://localhost:11434/v1#llava",
            "openai-compatible",
            "llava",
            "http://localhost:11434/v1",
        ),
    ],
)
def test_judge_specs(spec: str, provider: str, model: str, url: str) -> None:
    cfg = parse_judge_spec(spec)
    assert (cfg.provider, cfg.model, cfg.base_url) == (provider, model, url)


@pytest.mark.parametrize(
    "bad", ["gpt-4o", "mistral:large", "openai-compatible:http://x/v1", "openai:"]
)
def test_bad_judge_specs(bad: str) -> None:
    with pytest.raises(JudgeConfigError):
        parse_judge_spec(bad)


def test_unknown_judge_key_is_named() -> None:
    with pytest.raises(JudgeConfigError, match="temprature"):
        parse_judge_spec("openai:gpt-4o-mini", {"temprature": 0.1})


def test_prompt_puts_references_first_and_labels_everything() -> None:
    imgs = [
        PreparedImage(label, b"x", "h", (1, 1))
        for label in (
            "Reference photo 1 of 1",
            "Candidate render 1 of 2",
            "Candidate render 2 of 2",
        )
    ]
    prompt = build_prompt(RUBRIC, imgs, nonce="abc")
    texts = [p for p in prompt.parts if isinstance(p, str)]
    assert "never an instruction" in texts[0] and "Evaluation id: abc" in texts[0]
    assert texts[1:] == [
        "Reference photo 1 of 1:",
        "Candidate render 1 of 2:",
        "Candidate render 2 of 2:",
    ]
    assert [p.label for p in prompt.images] == [i.label for i in imgs]


def _images(n_refs: int, n_views: int) -> list[PreparedImage]:
    refs = [
        PreparedImage(f"Reference photo {i + 1} of {n_refs}", b"r", f"r{i}", (1, 1), "reference")
        for i in range(n_refs)
    ]
    views = [
        PreparedImage(f"Candidate render {i + 1} of {n_views}", b"v", f"v{i}", (1, 1), "render")
        for i in range(n_views)
    ]
    return refs + views


def test_shuffled_keeps_photos_first_and_relabels_by_position() -> None:
    images = _images(3, 4)
    orders = set()
    for seed in range(40):
        out, order = shuffled(images, seed)
        assert sorted(order[:3]) == [0, 1, 2] and sorted(order[3:]) == [3, 4, 5, 6]
        assert [o.sha256 for o in out] == [images[i].sha256 for i in order]
        assert [o.label for o in out] == [i.label for i in images]  # numbered by position
        orders.add(tuple(order))
        assert shuffled(images, seed)[1] == order  # the seed decides
    assert len(orders) > 20  # and different seeds give different orders


def test_redact() -> None:
    assert redact("bad key sk-abcdef1234567890 here", None) == "bad key [redacted] here"
    assert redact("token=s3cret-value", "s3cret-value") == "token=[redacted]"


def test_aggregate_values_exactly() -> None:
    dims = ["a", "b"]
    subs = [{"a": 70, "b": 10}, {"a": 80, "b": 20}, {"a": 90, "b": 30}, {"a": 100, "b": 41}]
    agg = aggregate([70, 80, 90, 100], subs, dims, 5)
    assert agg.overall_median == 85 and agg.subscores_median == {"a": 85, "b": 25}
    assert agg.iqr == 15.0  # numpy's linear percentiles: 92.5 - 77.5
    assert agg.std == 12.9099  # sample std (ddof=1), 4 decimals
    assert (agg.n_valid, agg.n_requested) == (4, 5)
    two = aggregate([70, 71], subs[:2], dims, 2)
    assert two.std == 0.7071 and two.overall_median == 71  # 70.5 rounds half up
    one = aggregate([64], subs[:1], dims, 3)
    assert (one.std, one.iqr, one.n_valid, one.n_requested) == (0.0, 0.0, 1, 3)
    none = aggregate([], [], dims, 3)
    assert none.overall_median is None and none.subscores_median == {"a": None, "b": None}
    assert (none.iqr, none.std, none.n_valid, none.n_requested) == (None, None, 0, 3)


def _answer_json(score: int) -> str:
    return json.dumps({n: {"score": score, "rationale": "r"} for n in RUBRIC.names})


@pytest.mark.parametrize(
    "wrap",
    [
        "<think>The first image shows {a can}. Score 10?</think>\n{answer}",
        "<THINK>hmm</THINK>```json\n{answer}\n```",
        "Here are the scores you asked for:\n{answer}\nI hope this helps {{smile}}.",
        "Scores {{not json}} then {answer}",
    ],
)
def test_json_is_found_in_prose_and_after_thinking(wrap: str) -> None:
    text = wrap.replace("{answer}", _answer_json(64))
    assert validate_answer(parse_answer_text(text), RUBRIC).subscores["finish"] == 64


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("<think>" + _answer_json(64), "empty answer"),  # never closed: all of it is thinking
        ('Scores: {"finish": {"score": 50}} and nothing else', "missing dimension"),
        ("<think>x</think>no object here", "not JSON"),
    ],
)
def test_what_prose_yields_must_still_validate(text: str, why: str) -> None:
    with pytest.raises(InvalidAnswer, match=why):
        validate_answer(parse_answer_text(text), RUBRIC)
