"""Wording pydantic's validation errors for people: the key, the value given, what was expected."""

from __future__ import annotations

from pydantic import ValidationError


def describe_validation_error(exc: ValidationError, where: str) -> str:
    """One line per problem, e.g. ``[render] samples = 4.7: Input should be a valid integer``."""
    lines = []
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"{where} unknown key {key!r}")
        elif err["type"] == "missing":
            lines.append(f"{where} {key} is missing")
        else:
            lines.append(f"{where} {key} = {err['input']!r}: {err['msg']}")
    return "; ".join(lines)
