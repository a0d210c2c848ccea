"""Data sets: shapes, labels and determinism by seed; CSV files and their errors."""

import numpy as np
import pytest

from stepgrad.data import DATASETS, load_dataset
from stepgrad.errors import StepgradError

PLAYGROUND = ["circle", "xor2d", "gauss", "spiral", "plane", "multigauss"]


@pytest.mark.parametrize("name", PLAYGROUND)
def test_playground_sets_are_seeded(name) -> None:
    a = load_dataset(name, n_samples=50, noise=0.2, seed=3)
    b = load_dataset(name, n_samples=50, noise=0.2, seed=3)
    c = load_dataset(name, n_samples=50, noise=0.2, seed=4)
    np.testing.assert_array_equal(a.inputs, b.inputs)
    np.testing.assert_array_equal(a.targets, b.targets)
    assert a.inputs.shape == (50, 2) and a.targets.shape == (50, 1)
    if name != "spiral":  # the spiral without noise is fixed; with noise it moves
        assert not np.array_equal(a.inputs, c.inputs)
    assert np.abs(a.inputs).max() < 2.0


def test_classification_labels() -> None:
    circle = load_dataset("circle", n_samples=100)
    inside = np.hypot(circle.inputs[:, 0], circle.inputs[:, 1]) < 0.6
    np.testing.assert_array_equal(circle.targets[:, 0] == 1.0, inside)  # no noise: labels follow the radius
    xor2d = load_dataset("xor2d", n_samples=100)
    np.testing.assert_array_equal(xor2d.targets[:, 0] == 1.0, xor2d.inputs[:, 0] * xor2d.inputs[:, 1] > 0)
    gauss = load_dataset("gauss", n_samples=100)
    assert gauss.targets.mean() == 0.5 and gauss.task == "classification"


def test_regression_targets() -> None:
    plane = load_dataset("plane", n_samples=30)
    np.testing.assert_allclose(plane.targets[:, 0], plane.inputs.sum(axis=1) / 2)
    multigauss = load_dataset("multigauss", n_samples=300, seed=2)
    assert multigauss.task == "regression"
    assert -1.0 <= multigauss.targets.min() < -0.5 and 0.5 < multigauss.targets.max() <= 1.0


def test_blobs3_has_three_classes_around_their_centres() -> None:
    blobs = load_dataset("blobs3", n_samples=300, seed=1)
    assert blobs.task == "classification" and blobs.targets.shape == (300, 3)
    np.testing.assert_array_equal(blobs.targets.sum(axis=0), [100, 100, 100])
    labels = np.argmax(blobs.targets, axis=1)
    centres = [blobs.inputs[labels == k].mean(axis=0) for k in range(3)]
    angles = np.pi / 2 + 2 * np.pi * np.arange(3) / 3
    np.testing.assert_allclose(centres, 0.55 * np.stack([np.cos(angles), np.sin(angles)], axis=1), atol=0.05)
    np.testing.assert_array_equal(
        load_dataset("blobs3", n_samples=30, seed=1).inputs, load_dataset("blobs3", n_samples=30, seed=1).inputs
    )


def test_xor_and_classic() -> None:
    xor = load_dataset("xor")
    assert xor.inputs.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert xor.targets.ravel().tolist() == [0, 1, 1, 0]
    classic = load_dataset("classic")
    assert classic.inputs.tolist() == [[0.05, 0.10]] and classic.targets.tolist() == [[0.01, 0.99]]


def test_bundled_sklearn_sets() -> None:
    pytest.importorskip("sklearn")
    iris = load_dataset("iris")
    assert iris.inputs.shape == (150, 4) and iris.targets.shape == (150, 3)
    np.testing.assert_allclose(iris.inputs.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_array_equal(iris.targets.sum(axis=1), 1.0)
    digits = load_dataset("digits")
    assert digits.inputs.shape == (1797, 64) and digits.targets.shape == (1797, 10)
    assert digits.inputs.min() == 0.0 and digits.inputs.max() == 1.0


def test_unknown_name() -> None:
    with pytest.raises(StepgradError, match="unknown data set 'moons'"):
        load_dataset("moons")
    assert set(PLAYGROUND) <= set(DATASETS)


def test_csv_with_text_classes(tmp_path) -> None:
    path = tmp_path / "flowers.csv"
    path.write_text("length,width,kind\n1.0,2.0,b\n3.5,-1,a\n\n0,0,c\n")
    data = load_dataset(str(path), target="kind")
    assert data.inputs.tolist() == [[1.0, 2.0], [3.5, -1.0], [0.0, 0.0]]
    assert data.class_names == ("a", "b", "c")
    assert data.targets.tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 1]]
    assert data.feature_names == ("length", "width")


def test_csv_binary_and_regression_targets(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("y,x1,x2\n1,0.5,0.5\n0,0.1,0.2\n")
    binary = load_dataset(str(path), target="y")
    assert binary.task == "classification" and binary.targets.tolist() == [[1.0], [0.0]]
    assert binary.inputs.tolist() == [[0.5, 0.5], [0.1, 0.2]]
    path.write_text("x1,x2,y\n1,2,0.25\n3,4,7\n")
    regression = load_dataset(str(path))  # the last column by default
    assert regression.task == "regression" and regression.targets.ravel().tolist() == [0.25, 7.0]


@pytest.mark.parametrize(
    ("text", "target", "message"),
    [
        ("a,b,y\n1,2,0\n3,x,1\n", "y", r"line 3: column 'b': 'x' is not a finite number"),
        ("a,b,y\n1,2,0\n3,1\n", "y", "line 3: expected 3 fields as in the header, found 2"),
        ("1,2,3\n4,5,6\n", None, "line 1: the first row holds numbers; a header row"),
        ("a,b,y\n1,2,0\n", "z", "no column 'z'; the columns are a, b, y"),
        ("a,b,y\n", "y", "no data rows"),
        ("", None, "the file is empty"),
        ("a,b,y\n1,inf,0\n", "y", "line 2: column 'b': 'inf' is not a finite number"),
        ("a,b,y\n1,2,yes\n3,4,\n5,6,no\n", "y", "line 3: the target column 'y' is empty"),
        ("a,b,y\n1,2,0.5\n3,4,1e400\n", "y", "line 3: the target column 'y': '1e400' is not a finite number"),
        ("a,b,y\n1,2,nan\n", "y", "line 2: the target column 'y': 'nan' is not a finite number"),
    ],
)
def test_csv_errors_name_file_and_line(tmp_path, text, target, message) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(StepgradError, match=message) as caught:
        load_dataset(str(path), target=target)
    assert caught.value.source == str(path)


def test_missing_csv(tmp_path) -> None:
    with pytest.raises(StepgradError, match="no such file"):
        load_dataset(str(tmp_path / "missing.csv"))


def test_csv_whole_number_targets_with_few_values_are_classes(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("x,label\n0.1,2\n0.2,0\n0.3,1\n0.4,10\n")
    data = load_dataset(str(path))
    assert data.task == "classification" and data.class_names == ("0", "1", "2", "10")  # sorted as numbers
    assert data.targets.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    assert data.task_reason == "auto: whole numbers with 4 distinct values; --task regress to change"
    regress = load_dataset(str(path), task="regress")
    assert regress.task == "regression" and regress.targets.ravel().tolist() == [2.0, 0.0, 1.0, 10.0]
    many = tmp_path / "many.csv"
    many.write_text("x,y\n" + "".join(f"{i},{i}\n" for i in range(11)))
    assert load_dataset(str(many)).task == "regression"  # 11 distinct whole numbers: a quantity
    classified = load_dataset(str(many), task="classify")
    assert classified.targets.shape == (11, 11)


def test_csv_task_choices_that_cannot_apply_are_errors(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("x,label\n0.1,cat\n0.2,dog\n")
    with pytest.raises(StepgradError, match="line 2: --task regress needs numbers in the target column 'label'"):
        load_dataset(str(path), task="regress")
    with pytest.raises(StepgradError, match="only one class"):
        path.write_text("x,label\n0.1,cat\n0.2,cat\n")
        load_dataset(str(path))


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("circle", {"n_samples": 0}, "at least 1, got 0"),
        ("circle", {"n_samples": -5}, "at least 1, got -5"),
        ("circle", {"noise": -0.1}, "the noise must be a finite number ≥ 0"),
        ("xor", {"n_samples": 10}, "xor is a fixed data set: samples can only be set for the generated sets"),
        ("classic", {"noise": 0.1}, "classic is a fixed data set: noise can only be set"),
        ("xor", {"target": "y"}, "the target column can be chosen for CSV files only"),
        ("xor", {"task": "regress"}, "the task can be chosen for CSV files only"),
    ],
)
def test_options_that_do_not_apply_are_errors_not_ignored(name, options, message) -> None:
    with pytest.raises(StepgradError, match=message):
        load_dataset(name, **options)


def test_a_csv_file_takes_no_samples_or_noise(tmp_path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("x,y\n1,2\n")
    with pytest.raises(StepgradError, match="read from a file: samples and noise can only be set"):
        load_dataset(str(path), n_samples=3, noise=0.1)
