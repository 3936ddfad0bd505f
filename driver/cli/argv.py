"""Command-line words before typer parses them."""

from __future__ import annotations

from collections.abc import Collection, Sequence

# Options that take several values in one go: `--refs a.jpg b.jpg` (archi3D's adapter passes
# `--ref-images R1 R2 …`); typer options take one value per occurrence.
MULTI_VALUE_OPTIONS = frozenset({"--refs", "--renders", "--ref-images"})


def expand_multi_value_options(
    argv: Sequence[str], options: Collection[str] = MULTI_VALUE_OPTIONS
) -> list[str]:
    """``--refs a b --x`` → ``--refs a --refs b --x``: every word after a multi-value option,
    up to the next word that starts with ``-``, becomes one occurrence of that option."""
    out: list[str] = []
    current: str | None = None
    for word in argv:
        if word.startswith("-"):
            current = word if word in options else None
            out.append(word)
        elif current is not None and out[-1] != current:
            out += [current, word]
        else:
            out.append(word)
    return out
