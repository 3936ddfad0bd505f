"""The wire formats checked against the providers' official SDKs, not against our own idea of
them: every request body the judge sends is validated with the SDK's request type, and the
loopback server answers with bodies built from the SDK's response models (thinking parts,
refusals, truncation, safety blocks, prompt-cache usage). The runtime never imports the SDKs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import google.genai.types as gtypes
import pytest
from anthropic.types import Message, ToolUseBlock, Usage
from anthropic.types import message_create_params as anthropic_params
from openai.types.chat import ChatCompletion
from openai.types.chat import completion_create_params as openai_params
from openai.types.chat.chat_completion import Choice
from openai.types.chat.chat_completion_message import ChatCompletionMessage
from openai.types.completion_usage import CompletionUsage
from pydantic import TypeAdapter

from rubric.llm.config import JudgeConfigError
from rubric.llm.providers.anthropic import TOOL_NAME
from tests.support.llm_judge import NAMES, make_judge
from tests.support.llm_server import Reply, answer_json

ANSWER = {n: {"score": 66, "rationale": "same print"} for n in NAMES}


# ------------------------------------------------------------------ requests, by SDK type


def _typed_dict_check(kind: Any, body: dict[str, Any]) -> None:
    unknown = set(body) - set(kind.__annotations__) - {"stream"}
    assert not unknown, f"keys the SDK's request type does not have: {sorted(unknown)}"
    TypeAdapter(kind).validate_python(body)


def check_request(provider: str, body: dict[str, Any]) -> None:
    if provider == "openai":
        _typed_dict_check(openai_params.CompletionCreateParamsNonStreaming, body)
    elif provider == "anthropic":
        _typed_dict_check(anthropic_params.MessageCreateParamsNonStreaming, body)
    else:
        assert set(body) <= {"contents", "systemInstruction", "generationConfig"}
        for content in body["contents"]:
            gtypes.Content.model_validate(content)
        gtypes.Content.model_validate(body["systemInstruction"])
        gtypes.GenerateContentConfig.model_validate(body["generationConfig"])


# ------------------------------------------------------------------ responses, by SDK model


def openai_reply(content: str | None, finish: str = "stop", refusal: str | None = None) -> Reply:
    message = ChatCompletionMessage(role="assistant", content=content, refusal=refusal)
    body = ChatCompletion(
        id="chatcmpl-1",
        object="chat.completion",
        created=0,
        model="test-model",
        choices=[Choice(index=0, finish_reason=finish, message=message)],  # type: ignore[arg-type]
        usage=CompletionUsage(prompt_tokens=900, completion_tokens=60, total_tokens=960),
    )
    return Reply(200, body.model_dump(mode="json", exclude_none=True))


def anthropic_reply(data: dict[str, Any], stop: str = "tool_use") -> Reply:
    body = Message(
        id="msg_1",
        type="message",
        role="assistant",
        model="test-model",
        content=[ToolUseBlock(type="tool_use", id="toolu_1", name=TOOL_NAME, input=data)],
        stop_reason=stop,  # type: ignore[arg-type]
        stop_sequence=None,
        usage=Usage(
            input_tokens=100,
            output_tokens=50,
            cache_creation_input_tokens=700,
            cache_read_input_tokens=200,
        ),
    )
    return Reply(200, body.model_dump(mode="json", exclude_none=True))


def gemini_reply(parts: list[gtypes.Part], finish: str = "STOP", blocked: bool = False) -> Reply:
    usage = gtypes.GenerateContentResponseUsageMetadata(
        prompt_token_count=1000, candidates_token_count=180, thoughts_token_count=640
    )
    if blocked:
        body = gtypes.GenerateContentResponse(
            prompt_feedback=gtypes.GenerateContentResponsePromptFeedback(
                block_reason=gtypes.BlockedReason.SAFETY
            ),
            usage_metadata=usage,
        )
    else:
        candidate = gtypes.Candidate(
            content=gtypes.Content(role="model", parts=parts),
            finish_reason=gtypes.FinishReason(finish),
        )
        body = gtypes.GenerateContentResponse(candidates=[candidate], usage_metadata=usage)
    return Reply(200, body.model_dump(mode="json", by_alias=True, exclude_none=True))


def valid_reply(provider: str) -> Reply:
    if provider == "openai":
        return openai_reply(answer_json(NAMES, 66, "same print"))
    if provider == "anthropic":
        return anthropic_reply(ANSWER)
    return gemini_reply([gtypes.Part(text=answer_json(NAMES, 66, "same print"))])


# ------------------------------------------------------------------ tests


@pytest.mark.parametrize("provider", ["openai", "gemini", "anthropic"])
@pytest.mark.parametrize("configured", [False, True])
def test_every_request_is_valid_for_the_sdk(
    provider: str, configured: bool, server, images, tmp_path: Path, monkeypatch
) -> None:
    extra: dict[str, Any] = {}
    if configured:
        settings: dict[str, dict[str, Any]] = {
            "openai": {"temperature": 0.3, "top_p": 0.9, "reasoning_effort": "low"},
            "gemini": {"temperature": 0.3, "top_p": 0.9, "thinking_budget": 512},
            "anthropic": {"max_tokens": 2048},
        }
        extra = settings[provider]
    judge, _ = make_judge(provider, server.url, tmp_path / "c", monkeypatch, **extra)
    server.script = [valid_reply(provider)]
    assert judge.judge(images[0], images[1], repeats=1).payload()["vfscore_overall_median"] == 66
    body = server.requests[0].body
    check_request(provider, body)
    sent = {**body, **body.get("generationConfig", {})}
    assert ("temperature" in sent) is (configured and provider != "anthropic")
    if provider == "openai":
        assert "max_tokens" not in body and body["max_completion_tokens"] == 1024
        assert body.get("reasoning_effort") == ("low" if configured else None)
    if provider == "gemini" and configured:
        assert body["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 512}
        assert body["generationConfig"]["maxOutputTokens"] == 1024 + 512


def test_anthropic_refuses_sampling_parameters_its_api_no_longer_takes(
    tmp_path: Path, monkeypatch
) -> None:
    with pytest.raises(JudgeConfigError, match=r"anthropic.*temperature"):
        make_judge("anthropic", "http://127.0.0.1:9", tmp_path, monkeypatch, temperature=0.2)


def test_gemini_thoughts_are_not_the_answer_and_are_billed(
    server, images, tmp_path: Path, monkeypatch
) -> None:
    judge, _ = make_judge("gemini", server.url, tmp_path / "c", monkeypatch)
    parts = [
        gtypes.Part(text="Let me compare {the label}...", thought=True),
        gtypes.Part(text=answer_json(NAMES, 66, "same print")),
    ]
    server.script = [gemini_reply(parts)]
    payload = judge.judge(images[0], images[1], repeats=1).payload()
    assert payload["vfscore_overall_median"] == 66
    assert payload["tokens"] == {"input": 1000, "output": 180 + 640}


def test_gemini_safety_block_is_a_refusal_that_is_re_asked(
    server, images, tmp_path: Path, monkeypatch
) -> None:
    judge, _ = make_judge("gemini", server.url, tmp_path / "c", monkeypatch)
    server.script = [gemini_reply([], blocked=True), valid_reply("gemini")]
    result = judge.judge(images[0], images[1], repeats=1)
    assert result.payload()["vfscore_overall_median"] == 66
    assert result.repeats[0].invalid == ["the model refused"]


def test_anthropic_prompt_cache_tokens_are_counted(
    server, images, tmp_path: Path, monkeypatch
) -> None:
    judge, _ = make_judge("anthropic", server.url, tmp_path / "c", monkeypatch)
    server.script = [anthropic_reply(ANSWER)]
    payload = judge.judge(images[0], images[1], repeats=1).payload()
    assert payload["tokens"] == {"input": 100 + 700 + 200, "output": 50}


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (openai_reply(None, refusal="I can't help with that."), "the model refused"),
        (openai_reply('{"finish": {"sco', finish="length"), "truncated at max_tokens"),
        (openai_reply(None, finish="content_filter"), "the model refused"),
    ],
)
def test_openai_refusals_and_truncation_are_re_asked(
    reply: Reply, why: str, server, images, tmp_path: Path, monkeypatch
) -> None:
    judge, _ = make_judge("openai", server.url, tmp_path / "c", monkeypatch)
    server.script = [reply, valid_reply("openai")]
    result = judge.judge(images[0], images[1], repeats=1)
    assert result.payload()["vfscore_overall_median"] == 66
    assert result.repeats[0].invalid == [why]


def test_error_bodies_built_from_the_sdks_are_classified(
    server, images, tmp_path: Path, monkeypatch
) -> None:
    from anthropic.types import AuthenticationError, ErrorResponse
    from openai.types import ErrorObject

    from rubric.core.errors import FatalJudgeError

    openai_401 = ErrorObject(
        message="Incorrect API key provided", type="invalid_request_error", code="invalid_api_key"
    )
    anthropic_401 = ErrorResponse(
        type="error",
        error=AuthenticationError(type="authentication_error", message="invalid x-api-key"),
    )
    for provider, body in (
        ("openai", {"error": openai_401.model_dump(mode="json")}),
        ("anthropic", anthropic_401.model_dump(mode="json")),
    ):
        judge, _ = make_judge(provider, server.url, tmp_path / provider, monkeypatch)
        server.script = [Reply(401, body)]
        with pytest.raises(FatalJudgeError, match="authentication failed") as err:
            judge.judge(images[0], images[1], repeats=1)
        assert err.value.kind == "auth"
