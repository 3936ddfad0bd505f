"""What the inspector holds while it serves one run: the run's catalog, who may call it, and
the session's skips and reveals; and the refusal every handler may raise."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from driver.agreement.store import PAIRS_CSV, RATINGS_CSV
from driver.ratings.catalog import Catalog

EXTENSION = "vfscore_inspector"  # the key of the Inspector in the Flask app's extensions


class BadRequest(ValueError):
    """A request the inspector refuses with 400 and this message; nothing was written."""


@dataclass
class Session:
    """The inspector's state beyond the tables: skips, and which scores were shown before a
    rating (such a rating is recorded as not blind). Lost on restart by design: both only steer
    what is offered next."""

    skipped: dict[tuple[str, str], set[Any]] = field(default_factory=dict)
    revealed: set[tuple[str, str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Inspector:
    """One run's inspector. ``allowed_hosts`` are the Host header values it answers."""

    catalog: Catalog
    default_rater: str
    allowed_hosts: set[str]
    session: Session = field(default_factory=Session)

    @property
    def ratings_csv(self) -> Path:
        return self.catalog.ws.root / "tables" / RATINGS_CSV

    @property
    def pairs_csv(self) -> Path:
        return self.catalog.ws.root / "tables" / PAIRS_CSV

    @property
    def dimensions(self) -> list[str]:
        return self.catalog.rubric.names


def inspector() -> Inspector:
    """The inspector of the app serving the current request."""
    state = current_app.extensions[EXTENSION]
    assert isinstance(state, Inspector)
    return state
