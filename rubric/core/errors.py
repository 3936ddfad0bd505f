"""Typed judge errors, so the batch can tell "this job failed" from "stop the whole run", and the
one redaction every error text passes through before it reaches a file, a log or the console."""

from __future__ import annotations

import re
import threading

# Things that look like API keys, in case a provider echoes part of one in an error message.
_KEYLIKE = re.compile(
    r"(sk-[A-Za-z0-9_\-*]{6,}|AIza[0-9A-Za-z_\-]{10,}|sk-ant-[A-Za-z0-9_\-*]{6,})"
)
# The secrets this process has read (API keys); an error text never shows one of them.
_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
# Shorter strings are too likely to be ordinary words to be replaced everywhere.
_MIN_SECRET_CHARS = 6


def register_secret(value: str) -> None:
    """Remember ``value`` as a secret: :func:`redact` removes it (also as ``repr`` shows it, and
    without surrounding whitespace) from every text from now on."""
    forms = {value, value.strip(), repr(value)[1:-1], repr(value.strip())[1:-1]}
    with _SECRETS_LOCK:
        _SECRETS.update(f for f in forms if len(f) >= _MIN_SECRET_CHARS)


def redact(text: str, secret: str | None = None) -> str:
    """``text`` with every registered secret, ``secret`` and anything key-shaped replaced by
    ``[redacted]``."""
    with _SECRETS_LOCK:
        secrets = set(_SECRETS)
    if secret:
        secrets.add(secret)
    for s in sorted(secrets, key=len, reverse=True):
        text = text.replace(s, "[redacted]")
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
