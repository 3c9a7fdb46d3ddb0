"""custom_vjp, custom_jvp and checkpoint: rules used, composition, memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import neurarust as nr


@nr.custom_vjp
def log1pexp(x):
    return nr.log1p(nr.exp(x))


def _log1pexp_fwd(x):
    return log1pexp(x), x


def _log1pexp_bwd(x, g):
    return (g * nr.sigmoid(x),)


log1pexp.defvjp(_log1pexp_fwd, _log1pexp_bwd)


def test_custom_vjp_makes_log1pexp_stable():
    x = nr.asarray([0.0, 10.0, 100.0])
    naive = nr.grad(lambda x: nr.log1p(nr.exp(x)).sum())(x)
    assert not np.isfinite(naive.numpy()[2])
    g = nr.grad(lambda x: log1pexp(x).sum())(x)
    np.testing.assert_allclose(g.numpy(), [0.5, 1 / (1 + np.exp(-10.0)), 1.0], rtol=1e-6)


def test_custom_vjp_inside_grad_inside_grad():
    x = nr.asarray(0.3, dtype="float64")
    second = nr.grad(nr.grad(log1pexp))(x)
    s = 1 / (1 + np.exp(-0.3))
    assert float(second) == pytest.approx(s * (1 - s), rel=1e-10)


def test_custom_vjp_with_pytree_arguments_and_outputs():
    @nr.custom_vjp
    def f(p, y):
        return {"out": p["a"] * y}

    f.defvjp(lambda p, y: (f(p, y), (p, y)), lambda res, g: ({"a": g["out"] * res[1] * 10.0}, None))
    ga = nr.grad(lambda a: f({"a": a}, nr.asarray(2.0))["out"].sum())(nr.ones(2))
    np.testing.assert_allclose(ga.numpy(), [20.0, 20.0])


def test_custom_vjp_errors():
    @nr.custom_vjp
    def f(x):
        return x

    with pytest.raises(TypeError, match="defvjp"):
        f(nr.ones(1))
    f.defvjp(lambda x: (x, None), lambda r, g: g)
    with pytest.raises(TypeError, match="tuple"):
        nr.grad(lambda x: f(x).sum())(nr.ones(1))


def test_custom_vjp_under_forward_mode_differentiates_the_function():
    _, t = nr.jvp(log1pexp, (nr.asarray(0.0),), (nr.asarray(1.0),))
    assert float(t) == pytest.approx(0.5)


@nr.custom_jvp
def clipped_identity(x):
    return x


@clipped_identity.defjvp
def _clipped_identity_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return clipped_identity(x), t * 3.0


def test_custom_jvp_forward_and_reverse():
    x = nr.asarray([1.0, 2.0])
    _, t = nr.jvp(clipped_identity, (x,), (nr.ones(2),))
    np.testing.assert_allclose(t.numpy(), [3.0, 3.0])
    g = nr.grad(lambda x: (clipped_identity(x) * x).sum())(x)
    np.testing.assert_allclose(g.numpy(), 3.0 * x.numpy() + x.numpy())


def _chain(x, depth=40):
    for _ in range(depth):
        x = nr.sin(x) * 1.01 + 0.1
    return x


def test_checkpoint_gives_identical_gradients():
    x = nr.asarray(np.linspace(-1, 1, 16))
    plain = nr.grad(lambda x: _chain(x).sum())(x)
    ck = nr.grad(lambda x: nr.checkpoint(_chain)(x).sum())(x)
    np.testing.assert_array_equal(plain.numpy(), ck.numpy())
    remat = nr.grad(lambda x: nr.remat(_chain)(x).sum())(x)
    np.testing.assert_array_equal(plain.numpy(), remat.numpy())


def test_checkpoint_inside_grad_of_grad():
    f = nr.checkpoint(lambda x: nr.sin(x) * x)
    x = nr.asarray(0.7, dtype="float64")
    got = nr.grad(nr.grad(lambda x: f(x)))(x)
    assert float(got) == pytest.approx(2 * np.cos(0.7) - 0.7 * np.sin(0.7), rel=1e-12)


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_checkpoint_lowers_peak_memory():
    x = nr.asarray(np.linspace(-1, 1, 200_000))
    blocks = 8

    def deep(x, ck):
        block = nr.checkpoint(_chain) if ck else _chain
        for _ in range(blocks):
            x = block(x)
        return x.sum()

    plain = _peak_bytes(lambda: nr.grad(lambda x: deep(x, False))(x))
    ck = _peak_bytes(lambda: nr.grad(lambda x: deep(x, True))(x))
    assert ck < plain / 3, (ck, plain)


def test_checkpoint_rejects_unknown_policy():
    with pytest.raises(ValueError, match="policy"):
        nr.checkpoint(nr.sin, policy="dots")
