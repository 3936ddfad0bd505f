"""The one check for unknown keys in the contract's JSON documents."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any


def reject_unknown_keys(
    data: Any, allowed: Collection[str], where: str, error: Callable[[str], Exception]
) -> None:
    """Raise ``error(message)`` if ``data`` is not an object or has keys outside ``allowed``."""
    if not isinstance(data, dict):
        raise error(f"{where} must be an object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise error(f"unknown key(s) in {where}: {', '.join(unknown)}")
