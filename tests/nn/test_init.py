"""Initialisers: PyTorch's gains, bounds and standard deviations; determinism; init.apply."""

from __future__ import annotations

import math

import numpy as np
import pytest

import neurarust as nr

init = nr.nn.init
SHAPE = (300, 200)


def test_calculate_gain() -> None:
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("conv2d") == 1.0
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")


def _uniform_bound(x: nr.Array, bound: float) -> None:
    v = x.numpy()
    assert np.abs(v).max() <= bound and np.abs(v).max() > 0.98 * bound
    assert abs(v.std() - bound / math.sqrt(3)) < 0.02 * bound


def test_uniform_family() -> None:
    _uniform_bound(init.uniform(0, SHAPE, -0.5, 0.5), 0.5)
    fan_in, fan_out = 200, 300
    _uniform_bound(init.xavier_uniform(1, SHAPE, gain=2.0), 2 * math.sqrt(6 / (fan_in + fan_out)))
    _uniform_bound(init.kaiming_uniform(2, SHAPE), math.sqrt(2) * math.sqrt(3 / fan_in))
    relu_out = init.kaiming_uniform(3, SHAPE, mode="fan_out", nonlinearity="relu")
    _uniform_bound(relu_out, math.sqrt(2) * math.sqrt(3 / fan_out))
    conv = init.kaiming_uniform(4, (8, 4, 3, 3), a=math.sqrt(5))
    assert np.abs(conv.numpy()).max() <= 1 / math.sqrt(4 * 9)


def test_normal_family() -> None:
    fan_in, fan_out = 200, 300
    cases = [
        (init.normal(0, SHAPE, 1.0, 0.5), 1.0, 0.5),
        (init.xavier_normal(1, SHAPE), 0.0, math.sqrt(2 / (fan_in + fan_out))),
        (init.kaiming_normal(2, SHAPE, nonlinearity="relu"), 0.0, math.sqrt(2 / fan_in)),
    ]
    for x, mean, std in cases:
        v = x.numpy()
        assert abs(v.mean() - mean) < 0.01 * max(std, 1) and abs(v.std() - std) < 0.02 * std
    t = init.trunc_normal(3, SHAPE, mean=1.0, std=2.0, a=0.0, b=3.0).numpy()
    assert t.min() >= 0.0 and t.max() <= 3.0 and t.dtype == np.float32


def test_deterministic_ones() -> None:
    assert init.zeros(None, (2,)).tolist() == [0.0, 0.0]
    assert init.ones(None, 2, dtype=nr.float64).dtype == nr.float64
    assert init.constant(None, (1, 2), 0.5).tolist() == [[0.5, 0.5]]
    assert init.eye(None, (2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3)])
def test_orthogonal(shape) -> None:
    q = init.orthogonal(0, shape, gain=2.0, dtype=nr.float64).numpy().reshape(shape[0], -1)
    small = q @ q.T if shape[0] <= q.shape[1] else q.T @ q
    np.testing.assert_allclose(small, 4 * np.eye(min(q.shape)), atol=1e-12)


def test_sparse() -> None:
    w = init.sparse(0, (10, 4), sparsity=0.3, std=0.1).numpy()
    assert ((w == 0).sum(axis=0) == 3).all()


def test_same_key_same_values_and_int_seeds() -> None:
    a = init.kaiming_uniform(nr.random.key(7), (4, 4))
    b = init.kaiming_uniform(7, (4, 4))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="fan"):
        init.xavier_uniform(0, (5,))
    with pytest.raises(TypeError, match="key"):
        init.normal(None, (2,))


def test_apply_reinitialises_matching_leaves() -> None:
    model = nr.nn.Sequential(nr.nn.Linear(3, 4, key=0), nr.nn.ReLU(), nr.nn.Linear(4, 2, key=1))
    new = init.apply(model, 5, {"*.bias": init.zeros, "2.weight": init.ones})
    assert new[0].bias.tolist() == [0.0] * 4 and new[2].weight.tolist() == [[1.0] * 4] * 2
    np.testing.assert_array_equal(new[0].weight.numpy(), model[0].weight.numpy())
    again = init.apply(model, 5, [(lambda path, leaf: leaf.ndim == 2, init.xavier_uniform)])
    assert not np.array_equal(again[0].weight.numpy(), again[2].weight.numpy()[:, :3].T)
    assert again[0].weight.dtype == nr.float32 and again[0].bias is model[0].bias
