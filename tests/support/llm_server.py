"""A real HTTP server on loopback that plays scripted provider responses and records requests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    cut_after: int | None = None  # send only this many bytes of the body, then close
    trickle_s: float = 0.0  # send the body one byte every trickle_s seconds


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: Any
    received: float = 0.0  # time.monotonic() when the request arrived


class ScriptedServer:
    """Answers each request with the next scripted Reply (500 once the script runs out), or,
    when ``responder`` is set, with what it makes of the request (a judge with a behaviour)."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.responder: Callable[[Recorded], Reply] | None = None
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                recorded = Recorded(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    json.loads(raw or b"null"),
                    time.monotonic(),
                )
                with outer._lock:
                    outer.requests.append(recorded)
                    if outer.responder is not None:
                        reply = outer.responder(recorded)
                    elif outer.script:
                        reply = outer.script.pop(0)
                    else:
                        reply = Reply(500, {"error": {"message": "script exhausted"}})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                data = (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    if reply.cut_after is not None:
                        self.wfile.write(data[: reply.cut_after])
                        self.close_connection = True
                    elif reply.trickle_s:
                        for i in range(len(data)):
                            self.wfile.write(data[i : i + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle_s)
                    else:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        port = self.httpd.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ------------------------------------------------------------------ provider wire formats


def answer_json(
    rubric_names: list[str], score: int | float = 70, rationale: str = "matches"
) -> str:
    return json.dumps({n: {"score": score, "rationale": rationale} for n in rubric_names})


def ok_reply(
    provider: str, text: str, finish: str = "stop", usage: tuple[int, int] = (1000, 50)
) -> Reply:
    if provider in ("openai", "openai-compatible"):
        reason = {"stop": "stop", "length": "length"}[finish]
        return Reply(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text, "refusal": None},
                        "finish_reason": reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": usage[0],
                    "completion_tokens": usage[1],
                    "total_tokens": sum(usage),
                },
            },
        )
    if provider == "gemini":
        reason = {"stop": "STOP", "length": "MAX_TOKENS"}[finish]
        return Reply(
            200,
            {
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": text}]},
                        "finishReason": reason,
                    }
                ],
                "usageMetadata": {
                    "promptTokenCount": usage[0],
                    "candidatesTokenCount": usage[1],
                    "totalTokenCount": sum(usage),
                },
            },
        )
    if provider == "anthropic":
        reason = {"stop": "tool_use", "length": "max_tokens"}[finish]
        try:
            data = json.loads(text)
            content = [
                {"type": "tool_use", "id": "toolu_1", "name": "record_scores", "input": data}
            ]
        except json.JSONDecodeError:
            content = [{"type": "text", "text": text}]
        return Reply(
            200,
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "content": content,
                "stop_reason": reason,
                "usage": {"input_tokens": usage[0], "output_tokens": usage[1]},
            },
        )
    raise ValueError(provider)


def rate_limited(provider: str, seconds: int) -> Reply:
    if provider == "gemini":
        return Reply(
            429,
            {
                "error": {
                    "code": 429,
                    "message": "Resource has been exhausted (e.g. check quota).",
                    "status": "RESOURCE_EXHAUSTED",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.RetryInfo",
                            "retryDelay": f"{seconds}s",
                        }
                    ],
                }
            },
        )
    if provider == "anthropic":
        return Reply(
            429,
            {
                "type": "error",
                "error": {
                    "type": "rate_limit_error",
                    "message": "Number of request tokens has exceeded your per-minute rate limit",
                },
            },
            {"retry-after": str(seconds)},
        )
    return Reply(
        429,
        {
            "error": {
                "message": "Rate limit reached for gpt-4o-mini",
                "type": "requests",
                "code": "rate_limit_exceeded",
            }
        },
        {"Retry-After": str(seconds)},
    )


def server_error(provider: str) -> Reply:
    if provider == "anthropic":
        return Reply(
            529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        )
    if provider == "gemini":
        return Reply(
            503,
            {
                "error": {
                    "code": 503,
                    "message": "The model is overloaded.",
                    "status": "UNAVAILABLE",
                }
            },
        )
    return Reply(500, {"error": {"message": "The server had an error", "type": "server_error"}})


def unauthorized(provider: str, key: str) -> Reply:
    if provider == "gemini":
        return Reply(
            400,
            {
                "error": {
                    "code": 400,
                    "message": "API key not valid. Please pass a valid API key.",
                    "status": "INVALID_ARGUMENT",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                            "reason": "API_KEY_INVALID",
                        }
                    ],
                }
            },
        )
    if provider == "anthropic":
        return Reply(
            401,
            {
                "type": "error",
                "error": {"type": "authentication_error", "message": "invalid x-api-key"},
            },
        )
    # OpenAI echoes part of the key back: it must not reach our messages.
    return Reply(
        401,
        {
            "error": {
                "message": f"Incorrect API key provided: {key[:8]}****{key[-4:]}.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
        },
    )


def quota_exhausted(provider: str) -> Reply:
    if provider == "gemini":
        return Reply(
            429,
            {
                "error": {
                    "code": 429,
                    "message": "You exceeded your current quota.",
                    "status": "RESOURCE_EXHAUSTED",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                            "violations": [
                                {"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}
                            ],
                        }
                    ],
                }
            },
        )
    if provider == "anthropic":
        return Reply(
            400,
            {
                "type": "error",
                "error": {
                    "type": "invalid_request_error",
                    "message": "Your credit balance is too low to access the Anthropic API.",
                },
            },
        )
    return Reply(
        429,
        {
            "error": {
                "message": "You exceeded your current quota, "
                "please check your plan and billing details.",
                "type": "insufficient_quota",
                "code": "insufficient_quota",
            }
        },
    )
