"""Rendering on a Dask cluster: the same render jobs, run by Dask workers.

The coordinator stays where it is: it selects, judges and is the only writer of the table and of
the job folders' records. Only the render job travels. When the workers see the workspace at the
same absolute path (checked with a probe file, never assumed) they render in place; otherwise
the model and its side files go to the worker as bytes and the PNGs and the render result come
back as bytes. A worker renders one job per declared ``render`` resource (``dask worker
--resources render=1``); a worker that dies mid-render has its task retried elsewhere by Dask.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from blender_addon.contract.files import read_regular_bytes
from blender_addon.contract.model_format import side_files
from blender_addon.contract.pose_match import PoseTarget
from blender_addon.contract.render_job import RESULT_FILE, RenderJob
from blender_addon.contract.spec import RenderSpec
from driver.pipeline.launcher import (
    RenderCancelled,
    RenderOutcome,
    RenderTimeout,
    blender_binary,
    run_render,
)
from driver.pipeline.stages import EvaluationError

RENDER_RESOURCE = "render"
_POLL_S = 0.1
LOGS = ("blender_stdout.txt", "blender_stderr.txt")


class ClusterError(Exception):
    """The cluster cannot be used (no distributed package, no workers, scheduler unreachable)."""


class ClusterLost(BaseException):
    """The scheduler went away mid-run: the run stops like an interruption (finished jobs are
    written; a rerun continues). A BaseException so that no job turns it into its own error."""

    signal_name = "scheduler lost"


class NoBlenderOnWorker(RuntimeError):
    """This worker cannot render: neither $VFSCORE_BLENDER nor the bpy wheel is there."""


@dataclass(frozen=True)
class RemoteJob:
    """A render job as bytes: the model and its side files by relative path, the spec."""

    model: str  # relative path of the model among ``files``
    files: dict[str, bytes]
    spec: dict[str, Any]
    allow_missing_textures: bool
    match: tuple[dict[str, Any], ...] = ()  # the pose targets, as the job document has them


def _check_worker() -> None:
    if not blender_binary() and find_spec("bpy") is None:
        raise NoBlenderOnWorker(
            f"worker on {os.uname().nodename} has no Blender: install vfscore[render] (the bpy "
            "wheel) or set VFSCORE_BLENDER there"
        )


def render_in_place(job: RenderJob, timeout_s: float | None, log_dir: Path) -> RenderOutcome:
    """On a worker that shares the workspace: the job exactly as it would run locally."""
    _check_worker()
    return run_render(job, timeout_s, log_dir)


def render_from_bytes(remote: RemoteJob, timeout_s: float | None) -> dict[str, Any]:
    """On a worker without the workspace: write the files to a scratch folder, render, and
    return the outcome with every output file's bytes."""
    _check_worker()
    scratch = Path(tempfile.mkdtemp(prefix="vfscore-remote-"))
    try:
        for rel, data in remote.files.items():
            target = scratch / "model" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        spec = RenderSpec.from_dict(remote.spec)
        job = RenderJob(
            scratch / "model" / remote.model,
            scratch / "out",
            spec,
            remote.allow_missing_textures,
            match=tuple(PoseTarget.from_dict(t) for t in remote.match),
        )
        try:
            outcome = run_render(job, timeout_s, scratch)
        except RenderTimeout:
            return {"timeout": True}
        outputs = {p.name: p.read_bytes() for p in (scratch / "out").iterdir() if p.is_file()}
        logs = {name: (scratch / name).read_bytes() for name in LOGS if (scratch / name).exists()}
        return {
            "returncode": outcome.returncode,
            "seconds": outcome.seconds,
            "outputs": outputs,
            "logs": logs,
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def pack_job(job: RenderJob) -> RemoteJob:
    """The job's model and side files as bytes, paths relative to the model's folder."""
    folder = job.glb.resolve().parent
    files = {job.glb.name: read_regular_bytes(job.glb, "model")}
    for path in side_files(job.glb):
        files[path.relative_to(folder).as_posix()] = read_regular_bytes(path, "model file")
    return RemoteJob(
        job.glb.name,
        files,
        job.spec.to_dict(),
        job.allow_missing_textures,
        tuple(t.to_dict() for t in job.match),
    )


def _probe(path: str, token: str) -> bool:
    try:
        return Path(path).read_text(encoding="utf-8") == token
    except OSError:
        return False


def shares_filesystem(client: Any, root: Path) -> bool:
    """Whether every worker sees ``root`` at the same absolute path (a probe file is written
    there and read back on each worker)."""
    token = secrets.token_hex(16)
    probe = root / f".vfscore-probe-{token}"
    probe.write_text(token, encoding="utf-8")
    try:
        seen = client.run(_probe, str(probe), token)
    finally:
        probe.unlink(missing_ok=True)
    return bool(seen) and all(seen.values())


class ClusterRunner:
    """A :data:`driver.pipeline.stages.Runner` that submits render jobs to Dask workers."""

    def __init__(self, client: Any, shared: bool, retries: int = 2) -> None:
        self.client = client
        self.shared = shared
        self.retries = retries

    def __call__(
        self,
        job: RenderJob,
        timeout_s: float | None,
        log_dir: Path,
        cancel: threading.Event | None,
    ) -> RenderOutcome:
        start = time.perf_counter()
        resources = {RENDER_RESOURCE: 1}
        if self.shared:
            future = self.client.submit(
                render_in_place, job, timeout_s, log_dir, resources=resources,
                retries=self.retries, pure=False,
            )  # fmt: skip
        else:
            future = self.client.submit(
                render_from_bytes, pack_job(job), timeout_s, resources=resources,
                retries=self.retries, pure=False,
            )  # fmt: skip
        value = self._wait(future, cancel)
        if self.shared:
            return value  # type: ignore[no-any-return]
        if value.get("timeout"):
            raise RenderTimeout(f"render exceeded {timeout_s:g}s and was killed")
        job.out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in value["outputs"].items():
            (job.out_dir / name).write_bytes(data)
        for name, data in value["logs"].items():
            (log_dir / name).write_bytes(data)
        path = job.out_dir / RESULT_FILE
        result = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        return RenderOutcome(value["returncode"], result, time.perf_counter() - start)

    def _wait(self, future: Any, cancel: threading.Event | None) -> Any:
        while not future.done():
            if cancel is not None and cancel.is_set():
                future.cancel()
                raise RenderCancelled("render cancelled")
            if self.client.status not in ("running", "connecting"):
                raise ClusterLost()
            time.sleep(_POLL_S)
        if future.status == "cancelled":  # the scheduler dropped it: it is gone or restarting
            raise ClusterLost()
        try:
            return future.result()
        except NoBlenderOnWorker as exc:
            raise EvaluationError(str(exc)) from None


@contextmanager
def open_cluster(address: str, root: Path, local_workers: int) -> Iterator[dict[str, Any]]:
    """A Dask client on ``address`` (``local``: a LocalCluster of ``local_workers`` processes,
    one render slot each) and what the run needs of it: ``runner``, ``slots`` (render slots),
    ``info`` (for the log). Raises :class:`ClusterError` with the reason it cannot be used."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError(
            "--scheduler needs the distributed package: pip install 'vfscore[cluster]'"
        ) from None
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=local_workers, threads_per_worker=1, processes=True,
                resources={RENDER_RESOURCE: 1}, dashboard_address=None,
                silence_logs=logging.ERROR,
            )  # fmt: skip
            client = Client(cluster)
        else:
            client = Client(address, timeout=10)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        try:
            client.wait_for_workers(1, timeout=30)
        except TimeoutError:
            raise ClusterError(f"no Dask worker joined {address} within 30 s") from None
        workers = client.scheduler_info()["workers"]
        slots = sum(int((w.get("resources") or {}).get(RENDER_RESOURCE, 0)) for w in
                    workers.values())  # fmt: skip
        if not slots:
            raise ClusterError(
                f"no worker of {address} declares the {RENDER_RESOURCE!r} resource: start "
                f"workers with `dask worker {address} --resources {RENDER_RESOURCE}=1`"
            )
        shared = shares_filesystem(client, root)
        yield {
            "runner": ClusterRunner(client, shared),
            "slots": slots,
            "info": {
                "scheduler": address,
                "workers": len(workers),
                "render_slots": slots,
                "shared_filesystem": shared,
            },
        }
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
