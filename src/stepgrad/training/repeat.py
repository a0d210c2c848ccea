"""``stepgrad train FILE --steps N``: the classic repetition of one gradient step on a file's samples.

The correct mode is the array loop of ``stepgrad.training.gradients`` (equal to
``stepgrad.core.train_step`` to the last bit); the classic mistake (hidden deltas through the
already-updated output weights, the published errata) calls ``train_step`` itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stepgrad.core.propagation import penalty_gradient, sgd_step
from stepgrad.errors import StepgradError
from stepgrad.network.model import Network, Setup
from stepgrad.training import plain_sgd
from stepgrad.training.compiled import OnlineSGD, compiled_is_cached, load_compiled, load_shaped, sgd_on_kernel
from stepgrad.training.gradients import Functions, batch_gradients, sample_losses
from stepgrad.training.gradients import forward as forward_params
from stepgrad.training.params import Params, params_of, with_params
from stepgrad.training.plain_repeat import Advance, PlainRepeat, plain_advance, repeat_plain

Array = NDArray[np.float64]


@dataclass(frozen=True)
class RepeatResult:
    """``stepgrad train FILE --steps N``: the trained network and the error along the way.

    Attributes:
        network: the network after the last step.
        steps: the step numbers at which the error was recorded (0 = before training): every report,
            and the step kept when the run diverged.
        errors: ``E_total`` (batch mean) of the network after that many steps.
        outputs: the final network's outputs ``(n_samples, n_outputs)``.
        error: the final ``E_total``.
        stop_reason: why the steps stopped early ("" when all ran): a step whose weights or error were
            no longer finite; ``network``, ``outputs`` and ``error`` are then those of the step before it,
            the last whose weights and error are finite (``steps[-1]``).
    """

    network: Network
    steps: tuple[int, ...]
    errors: tuple[float, ...]
    outputs: Array
    error: float
    stop_reason: str = ""


def _written_out(setup: Setup, shape: plain_sgd.Shape, params: Params, steps: int) -> tuple[Advance, bool]:
    """How the written-out lines (``plain_sgd``) advance this network's flat parameters, and whether numba must
    compile them first (an empty cache). As plain Python when the work is too small to pay for importing numba
    and loading the kernel (unless this process has loaded it already), else compiled for the network's shape
    (``compiled.shaped``)."""
    inputs, targets, rate = setup.inputs[0].tolist(), setup.targets[0].tolist(), float(setup.learning_rate)
    held = sys.modules.get("stepgrad.training.compiled.shaped")
    loaded = held is not None and held.is_loaded(shape)
    shaped = load_shaped() if loaded or plain_sgd.worth_compiling(params.weights, steps) else None
    if shaped is None:
        return plain_advance(shape, inputs, targets, rate), False
    compiles = not loaded and shaped.is_cached(shape) is False
    return shaped.advance(shape, inputs, targets, rate), compiles


def repeat_steps(
    setup: Setup,
    steps: int,
    hidden_deltas_from: str = "original",
    every: int = 1000,
    on_report: Callable[[int, float], None] | None = None,
    use_compiled: bool = True,
    on_compile: Callable[[], None] | None = None,
) -> RepeatResult:
    """Repeat the gradient step ``steps`` times on all of the setup's samples (full batch).

    The correct mode uses the array loop (equal to ``stepgrad.core.train_step`` to the last bit);
    ``hidden_deltas_from="updated"`` (the classic mistake, for the errata) calls ``train_step``.
    ``on_report(step, error)`` is called every ``every`` steps and at the end (a run that diverges ends at
    the step it keeps: the last whose weights and error are finite). With one sample
    (full batch = online) the compiled online-SGD kernel runs the steps between reports when
    it is available (equal to the NumPy path to 1e-12; ``use_compiled=False`` turns it off): for a
    small network and few steps (the classic example) the plain-Python loop of
    ``stepgrad.training.plain_sgd``, which needs no numba, else numba's; ``on_compile()`` is called
    before numba compiles it (an empty cache: seconds, once per installation).
    """
    if steps < 0:
        raise StepgradError("the number of steps must not be negative")
    # an overflow is found by the guard and said in words (``stop_reason``), not as a NumPy warning
    with np.errstate(all="ignore"):
        return _repeat(setup, steps, hidden_deltas_from, every, on_report, use_compiled, on_compile)


def _repeat(
    setup: Setup,
    steps: int,
    hidden_deltas_from: str,
    every: int,
    on_report: Callable[[int, float], None] | None,
    use_compiled: bool,
    on_compile: Callable[[], None] | None,
) -> RepeatResult:
    functions = Functions.of(setup.network)
    x, target = setup.inputs, setup.targets
    params = params_of(setup.network)

    def error_of(current: Params) -> float:
        return float(np.mean(sample_losses(current, functions, x, target)))

    trains_bias = [layer.trains_bias for layer in setup.network.layers]
    one_step = _one_step(setup, functions, trains_bias, hidden_deltas_from)
    advance = _numpy_advance(one_step)
    recorded_steps: list[int] = []
    recorded: list[float] = []
    # a regularized file (l1/l2) or a summed loss takes the NumPy steps: the kernels compute the mean's plain gradient
    plain_step = not setup.regularization and setup.network.reduction == "mean"
    if use_compiled and hidden_deltas_from == "original" and setup.n_samples == 1 and plain_step:
        activations, loss = functions.activation_names, functions.loss.name
        shape = None
        if plain_sgd.supports(activations, loss, params.weights):
            shape = plain_sgd.Shape.of(params.weights, params.biases, activations, trains_bias, loss)
        lines, compiles = _written_out(setup, shape, params, steps) if shape is not None else (None, False)
        kernel = None if lines is not None else load_compiled(activations, loss)
        compiles = compiles or (kernel is not None and compiled_is_cached(1) is False)
        if compiles and on_compile is not None:
            on_compile()
        if shape is not None and lines is not None:
            run = _repeat_lines(setup, shape, params, lines, steps, every, on_report)
            weights, biases = plain_sgd.unflatten(run.weights, run.biases, params.weights, params.biases)
            params = Params(tuple(weights), tuple(biases))
            if run.finished:
                outputs = np.array([run.outputs])
                return RepeatResult(with_params(setup.network, params), run.steps, run.errors, outputs, run.error)
            recorded_steps, recorded = list(run.steps), list(run.errors)  # overflowed: NumPy steps on, guarded
        elif kernel is not None:
            advance = _kernel_advance(kernel, setup, functions, trains_bias)
    if not recorded:
        recorded_steps, recorded = [0], [error_of(params)]
        if on_report is not None:
            on_report(0, recorded[0])
    stop_reason, done = "", recorded_steps[-1]
    while done < steps and not stop_reason:
        chunk = min(every - done % every, steps - done)
        moved = advance(params, chunk)
        error = error_of(moved) if moved is not None else np.nan
        if moved is None or not (_finite(moved) and np.isfinite(error)):
            # somewhere in this chunk: step it again one at a time to the last step whose weights and error are finite
            moved, reached, error, stop_reason = _last_finite(
                params, recorded[-1], done, done + chunk, one_step, error_of
            )
        else:
            reached = done + chunk
        params, done = moved, reached
        if done > recorded_steps[-1]:  # the step kept is the step the summary names
            recorded_steps.append(done)
            recorded.append(error)
            if on_report is not None:
                on_report(done, error)
    final = with_params(setup.network, params)
    outputs = forward_params(params, functions, x)[-1].out
    return RepeatResult(final, tuple(recorded_steps), tuple(recorded), outputs, recorded[-1], stop_reason)


def _repeat_lines(
    setup: Setup,
    shape: plain_sgd.Shape,
    params: Params,
    lines: Advance,
    steps: int,
    every: int,
    on_report: Callable[[int, float], None] | None,
) -> PlainRepeat:
    """``repeat_plain`` on this network's flat parameters, advanced by ``lines``."""
    weights = [float(v) for w in params.weights for v in w.ravel()]
    biases = [float(v) for b in params.biases for v in b.ravel()]
    inputs, targets = setup.inputs[0].tolist(), setup.targets[0].tolist()
    return repeat_plain(shape, weights, biases, inputs, targets, setup.learning_rate, steps, every, on_report, lines)


def _one_step(
    setup: Setup, functions: Functions, trains_bias: list[bool], hidden_deltas_from: str
) -> Callable[[Params], Params]:
    """One full-batch gradient step with NumPy: the array loop, or for the classic mistake the traced step."""
    x, target, rate = setup.inputs, setup.targets, setup.learning_rate
    if hidden_deltas_from == "updated":
        from stepgrad.core.step import train_step  # the traced step: only the classic mistake needs it

        def mistaken_step(params: Params) -> Params:
            network = with_params(setup.network, params)
            return params_of(train_step(network, x, target, rate, "updated", setup.regularization).network_new)

        return mistaken_step

    l1, l2 = setup.regularization.l1, setup.regularization.l2

    def step(params: Params) -> Params:
        grads = batch_gradients(params, functions, x, target).grads
        # dE/dw + dE_reg/dw (the term is 0 without regularization and then not added)
        weight_steps = [
            g + penalty_gradient(w, l1, l2) if setup.regularization else g
            for w, g in zip(params.weights, grads.weights, strict=True)
        ]
        return Params(
            tuple(sgd_step(w, g, rate) for w, g in zip(params.weights, weight_steps, strict=True)),
            tuple(
                sgd_step(b, g, rate) if t else b
                for b, g, t in zip(params.biases, grads.biases, trains_bias, strict=True)
            ),
        )

    return step


def _numpy_advance(one_step: Callable[[Params], Params]) -> Callable[[Params, int], Params | None]:
    """``count`` steps one at a time, stopping early at weights that are no longer finite."""

    def advance(params: Params, count: int) -> Params | None:
        for _ in range(count):
            params = one_step(params)
            if not _finite(params):
                break
        return params

    return advance


def _kernel_advance(
    kernel: OnlineSGD, setup: Setup, functions: Functions, trains_bias: list[bool]
) -> Callable[[Params, int], Params | None]:
    """``count`` online-SGD steps on the one sample in the kernel (None: the plain-Python loop's floats
    overflowed, where NumPy gives inf)."""

    def advance(params: Params, count: int) -> Params | None:
        order = np.zeros(count, dtype=np.int64)  # the one sample, ``count`` times
        try:
            moved, _ = sgd_on_kernel(
                kernel, params, functions, trains_bias, setup.inputs, setup.targets, order, setup.learning_rate
            )
        except OverflowError:
            return None
        return moved

    return advance


def _finite(params: Params) -> bool:
    return all(np.all(np.isfinite(w)) for w in params.weights) and all(np.all(np.isfinite(b)) for b in params.biases)


def _last_finite(
    params: Params,
    error: float,
    start: int,
    stop: int,
    one_step: Callable[[Params], Params],
    error_of: Callable[[Params], float],
) -> tuple[Params, int, float, str]:
    """From ``params`` after step ``start`` (error ``error``), the steps up to ``stop`` one at a time: the
    weights, step number and error of the last step whose weights and error are finite, and why the step
    after it diverged ("" when none did)."""
    for step in range(start + 1, stop + 1):
        moved = one_step(params)
        if not _finite(moved):
            return params, step - 1, error, _stopped(step, "the weights overflowed")
        moved_error = error_of(moved)
        if not np.isfinite(moved_error):
            return params, step - 1, error, _stopped(step, f"E_total became {moved_error}")
        params, error = moved, moved_error
    return params, stop, error, ""


def _stopped(step: int, what: str) -> str:
    """``diverged in step 6: <what>; kept the weights of step 5 (…)``."""
    return f"diverged in step {step}: {what}; kept the weights of step {step - 1} (try a smaller learning rate)"
