"""Jacobians, Hessians and compositions of transforms, against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import neurarust as nr
from neurarust.test_util import check_grads


def rosenbrock(x):
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


def rosenbrock_hessian(x: np.ndarray) -> np.ndarray:
    n = x.size
    h = np.zeros((n, n))
    for i in range(n - 1):
        h[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        h[i, i + 1] += -400 * x[i]
        h[i + 1, i] += -400 * x[i]
        h[i + 1, i + 1] += 200
    return h


def test_hessian_of_quadratic_form():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 4))
    x = nr.asarray(rng.standard_normal(4))
    am = nr.asarray(a)
    h = nr.hessian(lambda x: x @ (am @ x))(x)
    np.testing.assert_allclose(h.numpy(), a + a.T, rtol=1e-10)


def test_hessian_of_rosenbrock():
    x = np.array([0.5, -1.2, 2.0, 0.3])
    h = nr.hessian(rosenbrock)(nr.asarray(x))
    np.testing.assert_allclose(h.numpy(), rosenbrock_hessian(x), rtol=1e-10)
    g = nr.grad(rosenbrock)(nr.asarray(x))
    want = np.zeros(4)
    want[:-1] += -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    want[1:] += 200 * (x[1:] - x[:-1] ** 2)
    np.testing.assert_allclose(g.numpy(), want, rtol=1e-10)


def test_jacfwd_equals_jacrev_with_pytrees():
    def f(p):
        return {"a": nr.sin(p["x"]) * p["y"], "b": (p["x"] * p["x"]).sum()}

    p = {"x": nr.asarray([0.1, 0.2, 0.3], dtype="float64"), "y": nr.asarray(2.0, dtype="float64")}
    jf, jr = nr.jacfwd(f)(p), nr.jacrev(f)(p)
    for out in ("a", "b"):
        for arg in ("x", "y"):
            np.testing.assert_allclose(jf[out][arg].numpy(), jr[out][arg].numpy(), rtol=1e-12)
    np.testing.assert_allclose(jr["a"]["x"].numpy(), np.diag(2 * np.cos([0.1, 0.2, 0.3])))
    assert jr["a"]["y"].shape == (3,) and jr["b"]["x"].shape == (3,)


def test_jacobian_argnums_tuple_and_shapes():
    def f(x, y):
        return x[:, None] * y[None, :]

    x, y = nr.ones(2), nr.ones(3)
    jx, jy = nr.jacrev(f, argnums=(0, 1))(x, y)
    assert jx.shape == (2, 3, 2) and jy.shape == (2, 3, 3)
    jx2, jy2 = nr.jacfwd(f, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(jx.numpy(), jx2.numpy())
    np.testing.assert_allclose(jy.numpy(), jy2.numpy())


def test_forward_over_reverse_hessian_vector_product():
    x = np.array([0.5, -1.2, 2.0])
    v = np.array([1.0, 2.0, -1.0])
    _, hvp = nr.jvp(nr.grad(rosenbrock), (nr.asarray(x),), (nr.asarray(v),))
    np.testing.assert_allclose(hvp.numpy(), rosenbrock_hessian(x) @ v, rtol=1e-10)


def test_grad_of_grad_of_grad():
    f = nr.grad(nr.grad(nr.grad(lambda x: x**4)))
    assert float(f(nr.asarray(2.0, dtype="float64"))) == pytest.approx(48.0)


def test_check_grads_composed_transforms():
    x = nr.asarray([0.3, -0.4], dtype="float64")
    check_grads(nr.grad(lambda x: (nr.sin(x) * nr.exp(x)).sum()), (x,), order=2)
    check_grads(lambda x: nr.jvp(nr.tanh, (x,), (nr.ones_like(x),))[1], (x,), order=1)


def test_check_grads_catches_a_wrong_vjp_rule(monkeypatch):
    from neurarust.core.ops import elementwise

    x = (nr.asarray([0.4, 1.1, -0.7]),)
    check_grads(nr.sin, x, order=1)
    monkeypatch.setattr(elementwise.sin_p, "vjp", (lambda g, out, x: g * nr.cos(x) * 1.01,))
    with pytest.raises(AssertionError, match="rev"):
        check_grads(nr.sin, x, order=1, modes=("rev",))
    with pytest.raises(AssertionError):
        check_grads(nr.sin, x, order=1)


def test_check_grads_catches_a_wrong_jvp_rule(monkeypatch):
    from neurarust.core.ops import elementwise

    monkeypatch.setattr(elementwise.exp_p, "jvp", (lambda t, out, x: t * out * 0.9,))
    with pytest.raises(AssertionError, match="fwd"):
        check_grads(nr.exp, (nr.asarray([0.1, 0.2]),), modes=("fwd",))


def test_check_grads_message_names_the_argument_path(monkeypatch):
    from neurarust.core.ops import elementwise

    monkeypatch.setattr(elementwise.sin_p, "vjp", (lambda g, out, x: g * 0.0,))
    params = {"layer": {"weight": nr.asarray([0.5, 1.0])}}
    with pytest.raises(AssertionError, match=r"'0\.layer\.weight'.*worst element"):
        check_grads(lambda p: nr.sin(p["layer"]["weight"]), (params,), modes=("rev",))


def test_check_grads_float32_uses_float64_differences():
    x32 = nr.asarray(np.linspace(-2, 2, 7), dtype="float32")
    check_grads(lambda x: nr.tanh(x) * nr.exp(x), (x32,), order=2)
