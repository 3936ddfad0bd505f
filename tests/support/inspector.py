"""The rating inspector run as `vfscore rate` in its own process, as a person starts it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from tests.support.fast_workspace import RUN_ID


class Inspector:
    """``with Inspector(ws) as app: app.url``; stopped with SIGTERM on exit."""

    def __init__(self, ws: Path, port: int = 0, *args: str) -> None:
        self.cmd = [sys.executable, "-m", "driver", "rate", "--workspace", str(ws), "--run-id",
                    RUN_ID, "--port", str(port), "--no-browser", *args]  # fmt: skip
        self.url = ""
        self.port = 0
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Inspector:
        self.proc = subprocess.Popen(
            self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            found = re.search(r"inspector: (http://[^ ]+/)", line)
            if found:
                self.url = found.group(1)
                self.port = int(self.url.rsplit(":", 1)[1].rstrip("/"))
                return self
            if not line and self.proc.poll() is not None:
                break
        self.stop()
        raise AssertionError(f"the inspector did not start: {self.proc.stderr.read()}")  # type: ignore[union-attr]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
