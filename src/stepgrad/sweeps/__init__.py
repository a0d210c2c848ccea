"""Grid sweeps: many ensembles over a grid of settings, resumable, on one process or a Dask cluster.

``SweepSpec`` says what to train (data, shape, ``Grid``, networks per point); ``run_grid`` trains it
chunk by chunk and returns (and writes) one row per network. Dask is imported only by
``dask_run``, when a sweep asks for workers or a scheduler.
"""

from stepgrad.sweeps.chunks import Chunk, plan_chunks
from stepgrad.sweeps.execute import run_grid
from stepgrad.sweeps.grid import AXES, Grid, GridAxis, parse_axis
from stepgrad.sweeps.spec import SweepSpec
from stepgrad.sweeps.summary import PointSummary, summarise

__all__ = [
    "AXES",
    "Chunk",
    "Grid",
    "GridAxis",
    "PointSummary",
    "SweepSpec",
    "parse_axis",
    "plan_chunks",
    "run_grid",
    "summarise",
]
