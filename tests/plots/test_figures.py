"""The figures draw whatever numbers training produced: losses over hundreds of decades, huge outputs."""

import warnings

import numpy as np
import pytest

from stepgrad.plots import sweep_histogram, training_figure
from stepgrad.plots.boundary import plot_decision_boundary
from stepgrad.plots.histogram import decade_window, plot_loss_histogram
from stepgrad.plots.losses import plot_losses
from stepgrad.plots.output import pyplot
from stepgrad.training import create_network

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def axes():
    plt = pyplot()
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


def test_the_decade_window_holds_everything_that_fits_else_the_fullest_twelve_decades() -> None:
    assert decade_window(np.log10([1e-3, 0.01, 0.1])) == (-3, -1)
    assert decade_window(np.log10([0.5, 0.6])) == (-1, 0)
    # the audit's sweep: ten nets near 1, ten blown up to 1e124 … 3.6e288
    blown = np.log10([0.2, 0.5, 1.2, 2.0, 3e124, 1e150, 1e200, 3.6e288])
    assert decade_window(blown) == (-1, 11)
    # one tiny outlier does not push the others off the scale
    assert decade_window(np.log10([1e-30, 1e-3, 2e-3, 0.01, 0.1])) == (-3, 9)


def test_sweep_histogram_of_losses_from_1e_3_to_3_6e288_counts_the_off_scale_ones(tmp_path, axes) -> None:
    losses = np.array([0.2, 0.5, 1.2, 2.0, 3e124, 1e150, 1e200, 3.6e288])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's log axis used to overflow here
        sweep_histogram(tmp_path / "h.png", losses)
        plot_loss_histogram(axes, losses)
    assert (tmp_path / "h.png").read_bytes()[:8] == PNG
    _, labels = axes.get_legend_handles_labels()
    assert labels == ["4 above the scale: loss > 1e11 (largest 3.6e+288)"]
    heights = [patch.get_height() for patch in axes.patches]
    assert sum(heights) == 8 and 4 in heights  # 4 in the bins, 4 in the red bar
    assert axes.get_xlim()[0] < -1 and axes.get_xlim()[1] < 13  # the axis holds decades −1 … 11 (and the bar)
    assert axes.xaxis.get_major_formatter()(2.0, 0) == "$10^{2}$"


def test_zero_and_non_finite_losses_are_counted_not_lost(axes) -> None:
    plot_loss_histogram(axes, np.array([0.0, 0.0, 1e-3, 1e-2, np.nan]))
    _, labels = axes.get_legend_handles_labels()
    assert labels == ["2 below the scale: loss < 1e-3 (smallest 0)"]
    assert [text.get_text() for text in axes.texts] == ["1 NaN/inf not shown"]
    assert sum(patch.get_height() for patch in axes.patches) == 4


@pytest.mark.parametrize(
    "history",
    [[1e-300, 1e-3, 1e249], [1e-3, 3.6e288], [1e-3, 1e50, 1e100, 1e200, 3.6e249], [5e-324, 1.0], [0.0, 1e200]],
)
def test_loss_curves_over_any_float64_range(history, tmp_path, axes) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_losses(axes, {"loss": history})
        training_figure(tmp_path / "l.png", {"loss": history})
    assert (tmp_path / "l.png").read_bytes()[:8] == PNG
    drawn = axes.lines[0].get_ydata()
    positive = min(history) > 0
    if positive and (min(history) < 1e-200 or max(history) > 1e200):
        np.testing.assert_allclose(drawn, np.log10(history))  # log₁₀ on a linear axis, ticks 10^k
    else:
        np.testing.assert_array_equal(drawn, history)
        assert axes.get_yscale() == ("log" if positive else "linear")


def test_regression_boundary_shares_the_targets_colour_scale_even_after_divergence(axes) -> None:
    rng = np.random.default_rng(0)
    inputs = rng.uniform(-1, 1, (30, 2))
    targets = (inputs[:, :1] + inputs[:, 1:]) / 2
    network = create_network([2, 3, 1], "relu", "linear", "mse", rng=rng)
    huge = network.with_parameters(
        [layer.weights * 1e35 for layer in network.layers], [layer.bias for layer in network.layers]
    )
    validation = (inputs[:5] + 0.01, targets[:5])
    plot_decision_boundary(
        axes, huge, inputs, targets, feature_names=("sqft", "rooms"), validation=validation, classification=False
    )
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("sqft", "rooms")
    from matplotlib.collections import PathCollection
    from matplotlib.contour import QuadContourSet

    (surface,) = [artist for artist in axes.collections if isinstance(artist, QuadContourSet)]
    points = [a for a in axes.collections if isinstance(a, PathCollection) and len(a.get_offsets())]  # not the key
    low, high = float(min(targets.min(), validation[1].min())), float(max(targets.max(), validation[1].max()))
    for artist in (surface, *points):  # one scale, the targets' range, for the surface and every point
        assert (artist.norm.vmin, artist.norm.vmax) == (low, high)
    colorbar = surface.colorbar
    assert colorbar.extend == "both" and colorbar.vmin == low and colorbar.vmax == high
    training_points, validation_points = points[0], points[1]
    np.testing.assert_array_equal(training_points.get_offsets(), inputs)
    np.testing.assert_array_equal(validation_points.get_offsets(), validation[0])
    _, labels = axes.get_legend_handles_labels()
    assert labels == ["validation points"]
    assert any("beyond the targets" in text.get_text() for text in axes.texts)


def test_class_boundary_marks_validation_points(axes) -> None:
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(12, 2))
    targets = np.eye(3)[np.arange(12) % 3]
    network = create_network([2, 4, 3], "tanh", loss="cross_entropy", rng=rng)
    plot_decision_boundary(
        axes, network, inputs[:9], targets[:9], ("a", "b", "c"), validation=(inputs[9:], targets[9:])
    )
    _, labels = axes.get_legend_handles_labels()
    assert labels == ["a", "b", "c", "validation points"]
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("x1", "x2")
