"""verify-torch names a reduction mismatch only for a factor a reduction can make."""

import pytest

from stepgrad.interop.torch_report import ValueComparison, _reduction_cause


def _first(stage: str, torch: float, stepgrad: float) -> ValueComparison:
    return ValueComparison("dE_total/dout_o1", stage, torch, stepgrad, False)


@pytest.mark.parametrize(
    ("batch", "outputs", "ratio", "named"),
    [
        (32, 1, 1 / 32, "1/32 of the returned loss's (32 = the batch size)"),
        (1, 3, 1 / 3, "1/3 of the returned loss's (3 = the number of outputs)"),
        (4, 3, 12, "12 × the returned loss's (12 = batch 4 × 3 outputs)"),
        (4, 3, 12 * (1 + 5e-5), "12 × the returned loss's"),
    ],
)
def test_the_batch_the_outputs_or_their_product_is_a_reduction(
    batch: int, outputs: int, ratio: float, named: str
) -> None:
    cause = _reduction_cause(_first("backward", 0.7 * ratio, 0.7), batch, outputs)
    assert cause is not None and named in cause


@pytest.mark.parametrize(
    ("torch", "stepgrad"),
    [
        (1e12, 4.49423284e307),  # a clamped log against the exact gradient: a 309-digit "factor"
        (7.0, 1.0),  # an integer, but neither the batch (4), the outputs (3) nor 12
        (1.0, 5.0),
        (-4.0, 1.0),  # the other sign is no reduction
    ],
)
def test_any_other_ratio_is_not_a_reduction(torch: float, stepgrad: float) -> None:
    for stage in ("backward", "error"):
        assert _reduction_cause(_first(stage, torch, stepgrad), 4, 3) is None
