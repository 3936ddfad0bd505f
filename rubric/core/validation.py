"""Wording pydantic's validation errors for people: the key, the value given, what was expected."""

from __future__ import annotations

import re

from pydantic import ValidationError

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def describe_validation_error(exc: ValidationError, where: str) -> str:
    """One line per problem, e.g. ``[render] samples = 4.7: Input should be a valid integer``."""
    lines = []
    for err in exc.errors():
        # Union members add type tags ("constrained-int", "list[int]") to the location.
        parts = [str(p) for p in err["loc"] if isinstance(p, int) or _KEY.match(str(p))]
        key = ".".join(parts) or "(top level)"
        if err["type"] == "extra_forbidden":
            lines.append(f"{where} unknown key {key!r}")
        elif err["type"] == "missing":
            lines.append(f"{where} {key} is missing")
        else:
            lines.append(f"{where} {key} = {err['input']!r}: {err['msg']}")
    return "; ".join(lines)
