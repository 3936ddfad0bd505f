"""Typed judge errors, so the batch can tell "this job failed" from "stop the whole run"."""

from __future__ import annotations

import re

# Things that look like API keys, in case a provider echoes part of one in an error message.
_KEYLIKE = re.compile(
    r"(sk-[A-Za-z0-9_\-*]{6,}|AIza[0-9A-Za-z_\-]{10,}|sk-ant-[A-Za-z0-9_\-*]{6,})"
)


def redact(text: str, secret: str | None) -> str:
    """``text`` with the secret and anything key-shaped replaced by ``[redacted]``."""
    if secret:
        text = text.replace(secret, "[redacted]")
    return _KEYLIKE.sub("[redacted]", text)


class JudgeError(Exception):
    """Judging this job failed; other jobs may still succeed."""


class FatalJudgeError(JudgeError):
    """Credentials rejected or quota exhausted: no later job can succeed, stop the batch.

    ``kind`` is ``auth`` or ``quota``.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
