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

    A chunk may hold one network: every chunk trains as an ensemble (of one, too), and a network's numbers do
    not depend on the others trained beside it, so its row does not depend on the chunking.
    """
    chunks: list[Chunk] = []
    for point in range(points):
        for start in range(0, per_point, chunk_size):
            chunks.append(Chunk(len(chunks), point, start, min(start + chunk_size, per_point)))
    return chunks
