"""vmap, jit and control flow on a CUDA device (CuPy buffers) against the same on the CPU."""

from __future__ import annotations

import numpy as np
import pytest

import neurarust as nr
from neurarust.core.backend import devices

pytestmark = pytest.mark.skipif(
    not any(d.platform == "cuda" for d in devices()),
    reason="no CUDA device (CuPy with a GPU) is available",
)

RNG = np.random.default_rng(0)


def _both(*arrays: np.ndarray) -> tuple[list[nr.Array], list[nr.Array]]:
    cpu = [nr.asarray(a) for a in arrays]
    return cpu, [nr.asarray(a, device="cuda") for a in arrays]


def _close(gpu: nr.Array, cpu: nr.Array, rtol: float = 1e-5) -> None:
    assert gpu.device.platform == "cuda"
    np.testing.assert_allclose(np.asarray(gpu), np.asarray(cpu), rtol=rtol, atol=1e-6)


def _loss(params, x, y):
    h = nr.tanh(x @ params["w1"] + params["b1"])
    return ((h @ params["w2"] - y) ** 2).mean()


RNG_FIXED = {
    "w1": RNG.standard_normal((8, 16)).astype(np.float32) * 0.3,
    "b1": RNG.standard_normal(16).astype(np.float32) * 0.1,
    "w2": RNG.standard_normal((16, 3)).astype(np.float32) * 0.3,
}


def _params(device: str) -> dict:
    return {k: nr.asarray(v, device=device) for k, v in RNG_FIXED.items()}


def test_jit_sgd_step_matches_cpu() -> None:
    def step(params, x, y):
        grads = nr.grad(_loss)(params, x, y)
        return nr.tree.map(lambda p, g: p - 0.1 * g, params, grads)

    (xc, yc), (xg, yg) = _both(
        RNG.standard_normal((32, 8)).astype(np.float32),
        RNG.standard_normal((32, 3)).astype(np.float32),
    )
    jitted = nr.jit(step)
    pc, pg = _params("cpu"), _params("cuda")
    for _ in range(3):
        pc, pg = jitted(pc, xc, yc), jitted(pg, xg, yg)
    for k in pc:
        _close(pg[k], pc[k])
    assert jitted.cache_info().misses == 2  # one trace per device


def test_per_example_gradients_match_cpu() -> None:
    (xc, yc), (xg, yg) = _both(
        RNG.standard_normal((16, 8)).astype(np.float32),
        RNG.standard_normal((16, 3)).astype(np.float32),
    )
    per_example = nr.vmap(nr.grad(_loss), in_axes=(None, 0, 0))
    gc, gg = per_example(_params("cpu"), xc, yc), per_example(_params("cuda"), xg, yg)
    for k in gc:
        _close(gg[k], gc[k])
    gj = nr.jit(per_example)(_params("cuda"), xg, yg)
    for k in gc:
        _close(gj[k], gc[k])


def test_control_flow_under_jit_on_gpu() -> None:
    def f(x):
        y = nr.cond(x.sum() > 0, lambda a: a * 2, lambda a: -a, x)
        y = nr.while_loop(lambda v: v.sum() < 100, lambda v: v * 2, y)
        carry, ys = nr.scan(lambda c, v: (c + v, c * v), nr.zeros_like(y[0]), y)
        return carry, ys

    (xc,), (xg,) = _both(np.abs(RNG.standard_normal((4, 3))).astype(np.float32) + 0.5)
    jitted = nr.jit(f)
    for got, want in zip(jitted(xg), f(xc), strict=True):
        _close(got, want)
    graph = nr.make_graph(f)(xg)
    assert [e.op.name for e in graph.equations][-1] == "scan"
