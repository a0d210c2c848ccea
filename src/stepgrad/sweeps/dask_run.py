"""Chunks as Dask tasks: on a local cluster of worker processes, or on an existing cluster.

Imported only when ``--workers`` or ``--scheduler`` asks for Dask. The spec goes to every worker
once (``scatter``); each chunk is one task, and results are handed back as they finish
(``as_completed``), so the caller keeps each chunk the moment it is done. A worker that dies
mid-chunk loses nothing: the scheduler runs its chunk again on another worker.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from concurrent.futures import CancelledError
from typing import Any

from stepgrad.errors import StepgradError
from stepgrad.sweeps.chunks import Chunk
from stepgrad.sweeps.run_chunk import ChunkResult, run_chunk
from stepgrad.sweeps.spec import SweepSpec

CONNECT_TIMEOUT = "10s"


def connect(workers: int | None, scheduler: str | None) -> Any:
    """A ``Client`` of a new ``LocalCluster`` (``workers`` processes, one thread each, 127.0.0.1),
    or of the cluster at ``scheduler``."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise StepgradError("--workers and --scheduler need Dask: pip install 'stepgrad[sweep]'") from None
    if scheduler is not None:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as error:
            raise StepgradError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({error})") from None
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,  # the progress bar and the summary are the output, not the cluster's log
        # one core per worker: the compiled kernel's own threads would otherwise fight the other workers
        env={"NUMBA_NUM_THREADS": "1"},
    )
    return Client(cluster)


def run_on_dask(
    spec: SweepSpec,
    chunks: list[Chunk],
    finished: Callable[[Chunk, ChunkResult], None],
    workers: int | None = None,
    scheduler: str | None = None,
) -> None:
    """Run ``chunks`` on Dask and call ``finished(chunk, result)`` as each one completes (in this process)."""
    client = connect(workers, scheduler)
    from dask.distributed import as_completed

    # The client logs each failed reconnection with a traceback; a lost cluster is reported once, below.
    client_log = logging.getLogger("distributed.client")
    level = client_log.level
    client_log.setLevel(logging.CRITICAL)

    run = secrets.token_hex(6)  # keys of this run only, on a cluster other sweeps may share
    cluster = getattr(client, "cluster", None)
    try:
        shared = client.scatter(spec, broadcast=True)
        futures = {
            client.submit(run_chunk, shared, chunk, pure=False, key=f"stepgrad-chunk-{chunk.index}-{run}"): chunk
            for chunk in chunks
        }
        for future in as_completed(futures):
            finished(futures[future], future.result())
            future.release()
    except (OSError, CancelledError) as error:  # the scheduler went away (CommClosedError is an OSError)
        raise StepgradError(
            f"lost the Dask cluster ({type(error).__name__}); the finished chunks are kept: "
            "rerun the same command to continue"
        ) from None
    finally:
        client.close()
        client_log.setLevel(level)
        if cluster is not None and scheduler is None:
            cluster.close()
