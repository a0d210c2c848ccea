"""The finished chunks of a sweep, kept beside its output until the output is written.

``sweep.parquet.parts/`` holds ``manifest.json`` (the sweep's identity: grid, options, data) and
one ``chunk-NNNNNN.npz`` per finished chunk, each written atomically the moment its chunk
finishes. A rerun of the same command reads them and trains only the chunks that are missing; a
different sweep refuses to resume into the folder.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np

from stepgrad.errors import StepgradError
from stepgrad.network.atomic import write_atomic
from stepgrad.sweeps.chunks import Chunk
from stepgrad.sweeps.run_chunk import ChunkResult
from stepgrad.sweeps.spec import SweepSpec

MANIFEST = "manifest.json"


def parts_folder(output: str | Path) -> Path:
    """The sidecar folder of ``output``: ``sweep.parquet`` → ``sweep.parquet.parts``."""
    output = Path(output)
    return output.with_name(output.name + ".parts")


class PartStore:
    """The parts folder of one sweep (created on first use, checked against the sweep's manifest)."""

    def __init__(self, folder: Path, spec: SweepSpec) -> None:
        self.folder = folder
        self.manifest = spec.identity_json()
        if folder.exists():
            self._check_manifest()
        else:
            try:
                folder.mkdir()
            except OSError as error:
                raise StepgradError(f"cannot create the parts folder: {error.strerror}", str(folder)) from None
            write_atomic(folder / MANIFEST, self.manifest)

    def _check_manifest(self) -> None:
        path = self.folder / MANIFEST
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise StepgradError(
                "is not a sweep's parts folder (no readable manifest.json); move it away or choose another --out",
                str(self.folder),
            ) from None
        ours = json.loads(self.manifest)
        differs = sorted(key for key in ours.keys() | kept.keys() if ours.get(key) != kept.get(key))
        if differs:
            raise StepgradError(
                f"holds the finished chunks of a different sweep ({', '.join(differs)} differ); rerun that "
                "command to finish it, or delete the folder to start this one",
                str(self.folder),
            )

    def path(self, chunk: Chunk) -> Path:
        return self.folder / f"chunk-{chunk.index:06d}.npz"

    def done(self, chunks: list[Chunk]) -> dict[int, ChunkResult]:
        """The results of the chunks already finished, by chunk index."""
        return {chunk.index: self.load(chunk) for chunk in chunks if self.path(chunk).exists()}

    def load(self, chunk: Chunk) -> ChunkResult:
        try:
            with np.load(self.path(chunk), allow_pickle=False) as arrays:
                result = {name: arrays[name] for name in arrays.files}
        except (OSError, ValueError) as error:
            raise StepgradError(f"cannot read a finished chunk: {error}", str(self.path(chunk))) from None
        if any(len(column) != chunk.size for column in result.values()):
            raise StepgradError("a finished chunk has the wrong number of networks", str(self.path(chunk)))
        return result

    def save(self, chunk: Chunk, result: ChunkResult) -> None:
        """Keep ``result`` (atomically: a kill leaves the chunk finished or missing, never half)."""
        buffer = io.BytesIO()
        np.savez(buffer, **result)  # type: ignore[arg-type]
        write_atomic(self.path(chunk), buffer.getvalue())

    def remove(self) -> None:
        """Delete the folder once the output holds every row."""
        shutil.rmtree(self.folder, ignore_errors=True)
