"""Which path trains: numba where it pays for its import, announced when it must compile first."""

import subprocess
import sys

import pytest

from stepgrad.data import load_dataset
from stepgrad.training import create_network, make_training
from stepgrad.training.compiled import compiled_pays


def test_the_one_time_compile_is_announced_and_kept_out_of_the_training(monkeypatch) -> None:
    pytest.importorskip("numba")
    from stepgrad.training import loops

    data = load_dataset("xor")
    announced = []
    monkeypatch.setattr(loops, "compiled_is_cached", lambda batch_size: False)  # as on an empty numba cache
    training = make_training(create_network([2, 2, 1]), data.inputs, data.targets, epochs=2, batch_size=2)
    training.prepare(on_compile=lambda: announced.append(True))
    assert announced == [True] and training.compile_seconds is not None and training.updates == 0
    training.run()  # prepared once: no second announcement
    assert announced == [True] and training.updates == 4


def test_a_cached_kernel_is_not_announced() -> None:
    pytest.importorskip("numba")

    data = load_dataset("xor")
    make_training(create_network([2, 2, 1]), data.inputs, data.targets, epochs=1).run()  # fills the cache
    training = make_training(create_network([2, 2, 1]), data.inputs, data.targets, epochs=1)
    announced = []
    training.prepare(on_compile=lambda: announced.append(True))
    assert announced == [] and training.compile_seconds is None


def test_auto_takes_numba_only_where_the_work_pays_for_its_import() -> None:
    assert not compiled_pays(updates=350, batch_size=32, n_weights=24)  # the default spiral run
    assert compiled_pays(updates=3900, batch_size=16, n_weights=320)  # the README's spiral run
    assert compiled_pays(updates=850, batch_size=32, n_weights=64 * 128 + 128 * 10)  # digits, 20 epochs
    data = load_dataset("xor")
    small = make_training(create_network([2, 2, 1]), data.inputs, data.targets, epochs=5, use_compiled="auto")
    assert small._compiled_kernel() is None
    large = make_training(create_network([2, 2, 1]), data.inputs, data.targets, epochs=5000, use_compiled="auto")
    assert (large._compiled_kernel() is not None) == (pytest.importorskip("numba") is not None)


def test_a_small_data_run_imports_neither_numba_nor_scipy() -> None:
    code = (
        "import sys\nfrom stepgrad.cli.main import main\n"
        "main(['train', '--data', 'xor', '--layers', '2,4,1', '--epochs', '200', '--no-progress'])\n"
        "print('HEAVY', sorted(m for m in ('numba', 'scipy', 'sklearn', 'torch', 'matplotlib') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in done.stdout
