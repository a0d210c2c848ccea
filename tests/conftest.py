"""Shared test settings: hypothesis profiles sized for a 2-core CI machine."""

from hypothesis import HealthCheck, settings

# Derandomized: every run (and CI) tries the same examples, so a result is reproducible.
# `pytest --hypothesis-profile explore` draws fresh examples, many more of them.
settings.register_profile(
    "stepgrad", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("explore", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("stepgrad")
