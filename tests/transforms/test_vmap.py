"""``vmap``'s interface: axis specifications, composition with grad and itself, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import ConcretizationError, InvalidArgumentError, ShapeError

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((4,)).astype(np.float32)


def _f(x, y):
    return nr.sin(x) * y + x * x


@given(ax=st.sampled_from([0, 1, -1, -2]), out=st.sampled_from([0, 1, -1]))
def test_in_axes_and_out_axes(ax: int, out: int) -> None:
    x = np.moveaxis(np.stack([A, A * 2, A - 1]), 0, ax)
    got = nr.vmap(_f, in_axes=(ax, None), out_axes=out)(nr.asarray(x), nr.asarray(B))
    per = [np.asarray(_f(nr.asarray(np.take(x, k, axis=ax)), nr.asarray(B))) for k in range(3)]
    np.testing.assert_allclose(np.asarray(got), np.stack(per, axis=out), rtol=1e-6)


def test_pytree_in_axes_kwargs_and_axis_size() -> None:
    params = {"w": nr.asarray(A), "b": nr.asarray(np.stack([B, B + 1]))}
    got = nr.vmap(lambda p: p["b"] * p["w"][0], in_axes=({"w": None, "b": 0},))(params)
    np.testing.assert_allclose(np.asarray(got), np.stack([B * A[0], (B + 1) * A[0]]), rtol=1e-6)
    got = nr.vmap(lambda x, *, y: x + y)(nr.asarray(A), y=nr.asarray(A))
    np.testing.assert_allclose(np.asarray(got), 2 * A)
    got = nr.vmap(lambda x: x + 1, in_axes=None, axis_size=2)(nr.asarray(B))
    np.testing.assert_allclose(np.asarray(got), np.stack([B + 1, B + 1]))


def test_out_axes_none_and_unbatched_outputs() -> None:
    got = nr.vmap(lambda x, y: (x + 1, y * 2), in_axes=(0, None), out_axes=(0, None))(
        nr.asarray(A), nr.asarray(B)
    )
    np.testing.assert_allclose(np.asarray(got[0]), A + 1)
    np.testing.assert_allclose(np.asarray(got[1]), B * 2)
    got = nr.vmap(lambda x, y: y * 2, in_axes=(0, None))(nr.asarray(A), nr.asarray(B))
    np.testing.assert_allclose(np.asarray(got), np.stack([B * 2] * 3))


def test_nested_vmap_is_an_outer_product() -> None:
    outer = nr.vmap(nr.vmap(lambda a, b: a * b, in_axes=(None, 0)), in_axes=(0, None))
    got = outer(nr.asarray(A[:, 0]), nr.asarray(B))
    np.testing.assert_allclose(np.asarray(got), np.outer(A[:, 0], B), rtol=1e-6)


def _mlp_loss(params, x, y):
    h = nr.tanh(x @ params["w1"] + params["b1"])
    return ((h @ params["w2"] - y) ** 2).sum()


def _mlp_params():
    return {
        "w1": nr.asarray(RNG.standard_normal((4, 5)) * 0.5),
        "b1": nr.asarray(RNG.standard_normal(5) * 0.1),
        "w2": nr.asarray(RNG.standard_normal((5, 2)) * 0.5),
    }


def test_per_example_gradients_equal_a_loop() -> None:
    params = _mlp_params()
    xs = nr.asarray(RNG.standard_normal((6, 4)))
    ys = nr.asarray(RNG.standard_normal((6, 2)))
    batched = nr.vmap(nr.grad(_mlp_loss), in_axes=(None, 0, 0))(params, xs, ys)
    for k in range(6):
        single = nr.grad(_mlp_loss)(params, xs[k], ys[k])
        for name in params:
            np.testing.assert_allclose(
                np.asarray(batched[name][k]), np.asarray(single[name]), rtol=1e-10, atol=1e-12
            )


def test_grad_of_vmap_equals_grad_of_the_sum() -> None:
    params = _mlp_params()
    xs = nr.asarray(RNG.standard_normal((6, 4)))
    ys = nr.asarray(RNG.standard_normal((6, 2)))

    def batched_loss(p):
        return nr.vmap(_mlp_loss, in_axes=(None, 0, 0))(p, xs, ys).sum()

    def looped_loss(p):
        return sum(_mlp_loss(p, xs[k], ys[k]) for k in range(6))

    got, want = nr.grad(batched_loss)(params), nr.grad(looped_loss)(params)
    for name in params:
        np.testing.assert_allclose(np.asarray(got[name]), np.asarray(want[name]), rtol=1e-10)


def test_jacobian_rows_by_vmapping_vjp() -> None:
    x = nr.asarray(B.astype(np.float64))
    _, pullback = nr.vjp(lambda v: nr.sin(v) * v.sum(), x)
    jac = nr.vmap(lambda ct: pullback(ct)[0])(nr.eye(4, dtype=nr.float64))
    np.testing.assert_allclose(
        np.asarray(jac), np.asarray(nr.jacrev(lambda v: nr.sin(v) * v.sum())(x))
    )


def test_errors() -> None:
    with pytest.raises(ShapeError, match="argument 0 has 3, argument 1 has 4"):
        nr.vmap(_f)(nr.asarray(A), nr.asarray(B))
    with pytest.raises(ShapeError, match="axis 2 for argument 0"):
        nr.vmap(_f, in_axes=(2, None))(nr.asarray(A), nr.asarray(B))
    with pytest.raises(InvalidArgumentError, match="axis_size"):
        nr.vmap(_f, in_axes=None)(nr.asarray(A), nr.asarray(B))
    with pytest.raises(ShapeError, match="axis_size=5"):
        nr.vmap(lambda x: x, axis_size=5)(nr.asarray(A))
    with pytest.raises(InvalidArgumentError, match="one entry per positional argument"):
        nr.vmap(_f, in_axes=(0,))(nr.asarray(A), nr.asarray(B))
    with pytest.raises(InvalidArgumentError, match="an int, None"):
        nr.vmap(_f, in_axes=(0.5, None))
    with pytest.raises(InvalidArgumentError, match="out_axes is None"):
        nr.vmap(lambda x: x * 2, out_axes=None)(nr.asarray(A))
    with pytest.raises(InvalidArgumentError, match="pytree prefix"):
        nr.vmap(lambda p: p, in_axes=({"zz": 0},))({"w": nr.asarray(A)})


def test_python_control_flow_on_a_batched_value_is_an_error() -> None:
    def f(x):
        return x if x.sum() > 0 else -x

    with pytest.raises(ConcretizationError, match=r"nr\.where, nr\.cond or nr\.while_loop"):
        nr.vmap(f)(nr.asarray(A))
    with pytest.raises(ConcretizationError):
        nr.vmap(lambda x: float(x))(nr.asarray(B))
