"""Linear, Bilinear, Identity, Flatten/Unflatten and the activations: values against NumPy
references written here, derivatives (inputs and every parameter) by ``check_grads``."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import ShapeError
from neurarust.test_util import check_grads

F = nr.nn.functional
erf = np.vectorize(math.erf)


def _np_softplus(x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    bx = beta * x
    return np.where(bx > threshold, x, np.log1p(np.exp(np.minimum(bx, threshold))) / beta)


def _np_log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


# (name, neurarust function, NumPy reference, module form, kinks to keep away from)
ACTIVATIONS = [
    ("relu", F.relu, lambda x: np.maximum(x, 0), nr.nn.ReLU(), (0.0,)),
    (
        "leaky_relu",
        lambda x: F.leaky_relu(x, 0.2),
        lambda x: np.where(x > 0, x, 0.2 * x),
        nr.nn.LeakyReLU(0.2),
        (0.0,),
    ),
    (
        "elu",
        lambda x: F.elu(x, 1.5),
        lambda x: np.where(x > 0, x, 1.5 * np.expm1(np.minimum(x, 0))),
        nr.nn.ELU(1.5),
        (0.0,),
    ),
    ("gelu", F.gelu, lambda x: 0.5 * x * (1 + erf(x / math.sqrt(2))), nr.nn.GELU(), ()),
    (
        "gelu_tanh",
        lambda x: F.gelu(x, "tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        nr.nn.GELU("tanh"),
        (),
    ),
    ("silu", F.silu, lambda x: x * _sigmoid(x), nr.nn.SiLU(), ()),
    ("mish", F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))), nr.nn.Mish(), ()),
    ("sigmoid", F.sigmoid, _sigmoid, nr.nn.Sigmoid(), ()),
    ("tanh", F.tanh, np.tanh, nr.nn.Tanh(), ()),
    (
        "softplus",
        lambda x: F.softplus(x, 2.0, 3.0),
        lambda x: _np_softplus(x, 2.0, 3.0),
        nr.nn.Softplus(2.0, 3.0),
        (1.5,),
    ),
    (
        "hardtanh",
        lambda x: F.hardtanh(x, -0.5, 1.0),
        lambda x: np.clip(x, -0.5, 1.0),
        nr.nn.Hardtanh(-0.5, 1.0),
        (-0.5, 1.0),
    ),
    (
        "softmax",
        lambda x: F.softmax(x, -1),
        lambda x: np.exp(_np_log_softmax(x, -1)),
        nr.nn.Softmax(-1),
        (),
    ),
    (
        "log_softmax",
        lambda x: F.log_softmax(x, 0),
        lambda x: _np_log_softmax(x, 0),
        nr.nn.LogSoftmax(0),
        (),
    ),
]


def _away_from(x: np.ndarray, kinks: tuple[float, ...]) -> np.ndarray:
    for k in kinks:
        x = np.where(np.abs(x - k) < 0.05, k + 0.1, x)
    return x


@pytest.mark.parametrize("name,fn,ref,module,kinks", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
@given(seed=st.integers(0, 2**16), shape=st.sampled_from([(5,), (2, 3), (2, 1, 4)]))
def test_activation(name, fn, ref, module, kinks, seed, shape) -> None:
    x = _away_from(np.random.default_rng(seed).uniform(-4, 4, shape), kinks)
    want = ref(x)
    np.testing.assert_allclose(fn(nr.asarray(x)).numpy(), want, rtol=1e-10, atol=1e-12)
    got32 = module(nr.asarray(x.astype(np.float32)))
    assert got32.dtype == nr.float32
    np.testing.assert_allclose(got32.numpy(), want, rtol=2e-5, atol=2e-6)
    check_grads(fn, (nr.asarray(x),))


def test_activation_derivatives_at_kinks_follow_pytorch() -> None:
    zero = nr.asarray(0.0)
    assert nr.grad(F.relu)(zero).item() == 0.0
    assert nr.grad(lambda x: F.leaky_relu(x, 0.1))(zero).item() == pytest.approx(0.1)
    assert nr.grad(F.hardtanh)(nr.asarray(1.0)).item() == 0.0
    assert F.softplus(nr.asarray([100.0])).tolist() == [100.0]
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(zero, "fast")
    with pytest.raises(TypeError, match="dim"):
        F.softmax(zero)


@given(
    seed=st.integers(0, 2**16),
    batch=st.sampled_from([(), (2,), (2, 3)]),
    sizes=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    bias=st.booleans(),
)
def test_linear(seed, batch, sizes, bias) -> None:
    n_in, n_out = sizes
    layer = nr.nn.Linear(n_in, n_out, bias=bias, dtype=nr.float64, key=seed)
    assert layer.weight.shape == (n_out, n_in) and (layer.bias is None) == (not bias)
    x = np.random.default_rng(seed).standard_normal((*batch, n_in))
    want = x @ layer.weight.numpy().T + (layer.bias.numpy() if bias else 0)
    np.testing.assert_allclose(layer(nr.asarray(x)).numpy(), want, rtol=1e-12, atol=1e-14)
    check_grads(lambda m, x: m(x), (layer, nr.asarray(x)))


def test_linear_default_init_matches_pytorch_bounds() -> None:
    layer = nr.nn.Linear(64, 200, key=0)
    bound = 1 / math.sqrt(64)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.95 * bound and abs(w.std() - bound / math.sqrt(3)) < 0.01
    again = nr.nn.Linear(64, 200, key=nr.random.key(0))
    np.testing.assert_array_equal(again.weight.numpy(), w)
    with pytest.raises(TypeError, match="key"):
        nr.nn.Linear(2, 3)


@given(seed=st.integers(0, 2**16), batch=st.sampled_from([(), (3,), (2, 2)]), bias=st.booleans())
def test_bilinear(seed, batch, bias) -> None:
    layer = nr.nn.Bilinear(2, 3, 4, bias=bias, dtype=nr.float64, key=seed)
    rng = np.random.default_rng(seed)
    x1, x2 = rng.standard_normal((*batch, 2)), rng.standard_normal((*batch, 3))
    w = layer.weight.numpy()
    assert w.shape == (4, 2, 3) and np.abs(w).max() <= 1 / math.sqrt(2)
    want = np.einsum("...i,oij,...j->...o", x1, w, x2) + (layer.bias.numpy() if bias else 0)
    np.testing.assert_allclose(
        layer(nr.asarray(x1), nr.asarray(x2)).numpy(), want, rtol=1e-12, atol=1e-14
    )
    check_grads(lambda m, a, b: m(a, b), (layer, nr.asarray(x1), nr.asarray(x2)))


def test_identity_flatten_unflatten() -> None:
    x = nr.asarray(np.arange(24.0).reshape(2, 3, 4))
    assert nr.nn.Identity(54, unused=1)(x) is x
    assert nr.nn.Flatten()(x).shape == (2, 12)
    assert nr.nn.Flatten(0, 1)(x).shape == (6, 4)
    np.testing.assert_array_equal(nr.nn.Unflatten(1, (3, 4))(nr.nn.Flatten()(x)).numpy(), x.numpy())
    check_grads(lambda x: nr.nn.Flatten()(x) * 2, (x,))


def test_linear_input_errors() -> None:
    layer = nr.nn.Linear(3, 2, key=0)
    with pytest.raises(
        ShapeError, match=r"Linear: linear: argument 'input' .*\(\*, 3\).*got \(4, 2\)"
    ):
        layer(nr.ones((4, 2)))
    with pytest.raises(ShapeError, match="input2"):
        nr.nn.Bilinear(2, 3, 1, key=0)(nr.ones((1, 2)), nr.ones((1, 2)))
