"""A sweep cut into chunks: the tasks that run, finish and are kept one at a time.

A chunk is networks ``start … stop−1`` of one grid point (one ensemble, one set of settings).
The plan depends only on the grid's size, the networks per point and the chunk size, so
chunk ``k`` of a rerun is chunk ``k`` of the run it resumes.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CHUNK = 1000


@dataclass(frozen=True)
class Chunk:
    """Networks ``start … stop−1`` (seed indices) of grid point ``point``; ``index`` numbers the chunk."""

    index: int
    point: int
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


def plan_chunks(points: int, per_point: int, chunk_size: int = DEFAULT_CHUNK) -> list[Chunk]:
    """Every chunk of ``points`` grid points × ``per_point`` networks, at most ``chunk_size`` networks each.

    No chunk holds one network alone unless its point has only one: a lone network trains on the
    single-network path, whose rounding differs from the ensemble kernel's in the last bit, and a
    network's row must not depend on the chunking. So chunks hold at least two (a last chunk of one
    joins the chunk before it, which then holds ``chunk_size + 1``).
    """
    size = max(chunk_size, 2)
    chunks: list[Chunk] = []
    for point in range(points):
        starts = list(range(0, per_point, size))
        if len(starts) > 1 and per_point - starts[-1] == 1:
            starts.pop()
        for start, stop in zip(starts, [*starts[1:], per_point], strict=True):
            chunks.append(Chunk(len(chunks), point, start, stop))
    return chunks
