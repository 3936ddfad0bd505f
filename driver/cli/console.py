"""The commands' consoles: plain text, never rich markup.

Messages quote config tables (``[judge]``), extras (``[render]``) and users' file names; with
markup on, rich would take those for style tags and silently drop them from the line.
"""

from __future__ import annotations

from rich.console import Console


def stderr_console() -> Console:
    """Where progress, warnings and errors go."""
    return Console(stderr=True, soft_wrap=True, markup=False, highlight=False)


def stdout_console() -> Console:
    """Where a command's result goes."""
    return Console(soft_wrap=True, markup=False, highlight=False)
