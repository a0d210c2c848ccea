"""``stepgrad train FILE --steps N``: the classic repetition of one gradient step on a file's samples.

The correct mode is the array loop of ``stepgrad.training.gradients`` (equal to
``stepgrad.core.train_step`` to the last bit); the classic mistake (hidden deltas through the
already-updated output weights, the published errata) calls ``train_step`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from stepgrad.core.propagation import penalty_gradient, sgd_step
from stepgrad.errors import StepgradError
from stepgrad.network.model import Network, Setup
from stepgrad.training import plain_sgd
from stepgrad.training.compiled import OnlineSGD, compiled_is_cached, compiled_loaded, load_compiled, sgd_on_kernel
from stepgrad.training.gradients import Functions, batch_gradients, sample_losses
from stepgrad.training.gradients import forward as forward_params
from stepgrad.training.params import Params, params_of, with_params

Array = NDArray[np.float64]


@dataclass(frozen=True)
class RepeatResult:
    """``stepgrad train FILE --steps N``: the trained network and the error along the way.

    Attributes:
        network: the network after the last step.
        steps: the step numbers at which the error was recorded (0 = before training).
        errors: ``E_total`` (batch mean) of the network after that many steps.
        outputs: the final network's outputs ``(n_samples, n_outputs)``.
        error: the final ``E_total``.
        stop_reason: why the steps stopped early ("" when all ran): a step whose weights or error were
            no longer finite; ``network`` then holds the last finite weights.
    """

    network: Network
    steps: tuple[int, ...]
    errors: tuple[float, ...]
    outputs: Array
    error: float
    stop_reason: str = ""


def _online_kernel(params: Params, functions: Functions, steps: int) -> OnlineSGD | None:
    """The fastest online-SGD loop for ``steps`` updates of this network: plain Python when the work is too
    small to pay for importing numba and loading its kernel (unless this process has loaded it already),
    else the compiled one (None: the NumPy path)."""
    activations, loss = [a.name for a in functions.activations], functions.loss.name
    small = not plain_sgd.worth_compiling(params.weights, steps)
    if small and plain_sgd.supports(activations, loss, params.weights) and not compiled_loaded(1):
        return plain_sgd.online_sgd
    return load_compiled(activations, loss)


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
    ``on_report(step, error)`` is called every ``every`` steps and at the end. With one sample
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
    network = setup.network
    functions = Functions.of(network)
    x, target = setup.inputs, setup.targets
    trains_bias = [layer.trains_bias for layer in network.layers]
    params = params_of(network)

    def error_of(current: Params) -> float:
        return float(np.mean(sample_losses(current, functions, x, target)))

    kernel = None
    # a regularized file (l1/l2) takes the NumPy steps: the kernels compute the plain gradient only
    if use_compiled and hidden_deltas_from == "original" and setup.n_samples == 1 and not setup.regularization:
        kernel = _online_kernel(params, functions, steps)
        compiles = kernel not in (None, plain_sgd.online_sgd) and compiled_is_cached(1) is False
        if compiles and on_compile is not None:
            on_compile()
    recorded_steps, recorded = [0], [error_of(params)]
    if on_report is not None:
        on_report(0, recorded[0])
    stop_reason = ""
    if kernel is not None:
        done = 0
        while done < steps:
            chunk = min(every - done % every, steps - done)
            order = np.zeros(chunk, dtype=np.int64)  # the one sample, ``chunk`` times
            try:
                moved, _ = sgd_on_kernel(kernel, params, functions, trains_bias, x, target, order, setup.learning_rate)
            except OverflowError:  # the plain-Python loop's floats (math.exp) overflow where NumPy gives inf
                stop_reason = _stopped(done + 1, done + chunk, "a value overflowed", done)
                break
            error = error_of(moved)
            stop_reason = _diverged(moved, error, done + 1, done + chunk, done)
            if stop_reason:
                break
            params, done = moved, done + chunk
            recorded_steps.append(done)
            recorded.append(error)
            if on_report is not None:
                on_report(done, recorded[-1])
    else:
        params, stop_reason = _numpy_steps(
            params,
            setup,
            functions,
            trains_bias,
            steps,
            hidden_deltas_from,
            every,
            error_of,
            on_report,
            (recorded_steps, recorded),
        )
    final = with_params(setup.network, params)
    outputs = forward_params(params, functions, x)[-1].out
    return RepeatResult(final, tuple(recorded_steps), tuple(recorded), outputs, recorded[-1], stop_reason)


def _finite(params: Params) -> bool:
    return all(np.all(np.isfinite(w)) for w in params.weights) and all(np.all(np.isfinite(b)) for b in params.biases)


def _diverged(params: Params, error: float, first: int, last: int, kept: int) -> str:
    """Why steps ``first``..``last`` diverged ("" when their weights and error are finite); ``kept`` is the step
    whose weights are kept."""
    if _finite(params) and np.isfinite(error):
        return ""
    return _stopped(first, last, "the weights overflowed" if not _finite(params) else f"E_total became {error}", kept)


def _stopped(first: int, last: int, what: str, kept: int) -> str:
    """``diverged in steps 1–5: <what>; kept the weights of step 0 (…)``."""
    where = f"step {first}" if first == last else f"steps {first}–{last}"
    return f"diverged in {where}: {what}; kept the weights of step {kept} (try a smaller learning rate)"


def _numpy_steps(
    params: Params,
    setup: Setup,
    functions: Functions,
    trains_bias: list[bool],
    steps: int,
    hidden_deltas_from: str,
    every: int,
    error_of: Callable[[Params], float],
    on_report: Callable[[int, float], None] | None,
    recorded: tuple[list[int], list[float]],
) -> tuple[Params, str]:
    """The steps one at a time (several samples, the classic mistake, or no kernel); stops at the first step
    whose weights or error are not finite, keeping the step before."""
    network, x, target = setup.network, setup.inputs, setup.targets
    recorded_steps, errors = recorded
    for step in range(1, steps + 1):
        if hidden_deltas_from == "updated":
            from stepgrad.core.step import train_step  # the traced step: only the classic mistake needs it

            network = train_step(
                with_params(network, params), x, target, setup.learning_rate, "updated", setup.regularization
            ).network_new
            moved = params_of(network)
        else:
            grads = batch_gradients(params, functions, x, target).grads
            l1, l2 = setup.regularization.l1, setup.regularization.l2
            # dE/dw + dE_reg/dw (the term is 0 without regularization and then not added)
            steps_w = [
                g + penalty_gradient(w, l1, l2) if setup.regularization else g
                for w, g in zip(params.weights, grads.weights, strict=True)
            ]
            moved = Params(
                tuple(sgd_step(w, g, setup.learning_rate) for w, g in zip(params.weights, steps_w, strict=True)),
                tuple(
                    sgd_step(b, g, setup.learning_rate) if t else b
                    for b, g, t in zip(params.biases, grads.biases, trains_bias, strict=True)
                ),
            )
        # the weights every step (cheap); the error where it is recorded
        stop_reason = "" if _finite(moved) else _diverged(moved, 0.0, step, step, step - 1)
        if stop_reason:
            return params, stop_reason
        params = moved
        if step % every == 0 or step == steps:
            error = error_of(params)
            stop_reason = _diverged(params, error, step, step, step)
            if stop_reason:
                return params, stop_reason
            recorded_steps.append(step)
            errors.append(error)
            if on_report is not None:
                on_report(step, errors[-1])
    return params, ""
