"""A network's row depends only on its grid point and seed: not on the chunking, and it equals the
same network trained alone with ``fit_ensemble``."""

import numpy as np

from stepgrad.sweeps import run_grid
from stepgrad.sweeps.seeds import network_seeds
from stepgrad.training import fit_ensemble
from support.sweeps import xor_spec

GRID = ["lr=0.5,4", "init-scale=1,2", "activation=sigmoid,tanh"]


def test_every_chunking_gives_the_same_rows() -> None:
    whole = run_grid(xor_spec(GRID, per_point=7, chunk_size=1000))
    for chunk_size in (1, 3, 5):
        cut = run_grid(xor_spec(GRID, per_point=7, chunk_size=chunk_size))
        assert cut.keys() == whole.keys()
        for name, column in whole.items():
            assert np.array_equal(cut[name], column), name
    assert len(whole["point"]) == 8 * 7
    # the grid really changes the networks: sigmoid at η 0.5 converges less often than at η 4
    assert whole["loss"].std() > 0


def test_a_row_is_the_network_trained_alone_with_its_seed() -> None:
    spec = xor_spec(["lr=0.5,4", "activation=sigmoid,tanh"], per_point=4)
    table = run_grid(spec)
    point = 3  # lr 4, tanh
    rows = table["point"] == point
    seeds = network_seeds(spec.seed, point, 0, 4)
    assert np.array_equal(table["seed"][rows], seeds)
    alone = fit_ensemble(
        [2, 2, 1],
        spec.inputs,
        spec.targets,
        seeds=[int(s) for s in seeds],
        learning_rates=4.0,
        activation="tanh",
        output_activation="sigmoid",
        epochs=300,
        batch_size=None,
        task="classification",
    )
    assert np.allclose(table["loss"][rows], alone.loss, rtol=0, atol=1e-12)
    assert np.array_equal(table["converged"][rows], alone.converged())


def test_seeds_differ_between_points_and_depend_on_the_base_seed() -> None:
    assert not np.array_equal(network_seeds(0, 0, 0, 5), network_seeds(0, 1, 0, 5))
    assert not np.array_equal(network_seeds(0, 0, 0, 5), network_seeds(1, 0, 0, 5))
    assert np.array_equal(network_seeds(0, 2, 0, 5)[3:], network_seeds(0, 2, 3, 5))
    assert ((network_seeds(9, 9, 0, 100) >= 0) & (network_seeds(9, 9, 0, 100) < 2**32)).all()


def test_init_scale_multiplies_the_initial_weights() -> None:
    spec = xor_spec(["init-scale=1,3"], per_point=3, epochs=1)
    one_epoch = run_grid(spec)
    # after one small step from 3× larger weights the sigmoid saturates more: a different loss per seed
    assert not np.allclose(one_epoch["loss"][:3], one_epoch["loss"][3:])
