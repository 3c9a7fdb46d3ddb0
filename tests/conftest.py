"""Shared test configuration: hypothesis profiles (``HYPOTHESIS_PROFILE=ci`` keeps CI short)."""

import os

from hypothesis import HealthCheck, settings
from threadpoolctl import threadpool_limits

# Modules that register primitives and OpInfos beyond the top-level namespace: imported so the
# registry-driven suite (tests/core/test_opinfo.py) covers their primitives too.
import neurarust.linalg
import neurarust.nn  # noqa: F401

# One BLAS thread per test process: pytest -n 2 already uses both cores, and OpenBLAS thread
# pools collapse when oversubscribed.
threadpool_limits(1)

settings.register_profile(
    "ci",
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
settings.register_profile(
    "dev",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
