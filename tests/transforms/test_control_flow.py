"""Structured control flow eagerly, under grad, vmap and jit, and their compositions."""

from __future__ import annotations

import numpy as np
import pytest

import neurarust as nr
from neurarust.core.errors import ConcretizationError, InvalidArgumentError, ShapeError
from neurarust.test_util import check_grads

X = nr.asarray([1.0, -2.0, 3.0])


def _branchy(x):
    return nr.cond(x.sum() > 0, lambda a: a * 2, lambda a: nr.sin(a) - 1, x)


def _np_branchy(x):
    return x * 2 if x.sum() > 0 else np.sin(x) - 1


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cond_eager_jit_and_graph(sign: float) -> None:
    x = X * sign
    want = _np_branchy(np.asarray(x))
    np.testing.assert_allclose(np.asarray(_branchy(x)), want, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(nr.jit(_branchy)(x)), want, rtol=1e-6)
    graph = nr.make_graph(_branchy)(x)
    assert [e.op.name for e in graph.equations][-1] == "switch"
    assert "branches[0]:" in str(graph) and "sin" in str(graph)
    assert "const c3:f32[] = 0.0" in str(graph)  # small constants show their value


def test_cond_runs_only_the_chosen_branch_under_jit() -> None:
    # The untaken branch would produce NaN gradients if it were evaluated and masked.
    def f(x):
        return nr.cond(x > 0, lambda a: nr.sqrt(a), lambda a: a * 0.0, x)

    jf = nr.jit(f)
    assert float(jf(nr.asarray(4.0))) == 2.0
    assert float(jf(nr.asarray(-4.0))) == 0.0
    assert float(nr.grad(jf)(nr.asarray(-4.0))) == 0.0
    assert float(nr.grad(jf)(nr.asarray(4.0))) == 0.25
    jg = nr.jit(nr.grad(f))  # the pullback is a staged switch too
    assert float(jg(nr.asarray(-4.0))) == 0.0
    assert float(jg(nr.asarray(4.0))) == 0.25
    graph = jg.graph(nr.asarray(4.0))
    assert [e.op.name for e in graph.equations][-1] == "switch"
    assert "multiply a1 c" not in str(graph)  # sub-graphs are simplified (dead code dropped)


def test_second_order_through_a_staged_cond() -> None:
    h = nr.jit(nr.grad(nr.grad(lambda x: nr.cond(x > 0, lambda a: a**3, lambda a: -a, x))))
    assert float(h(nr.asarray(2.0))) == 12.0
    assert float(h(nr.asarray(-2.0))) == 0.0


@pytest.mark.parametrize("how", ["eager", "grad_of_jit", "jit_of_grad"])
def test_cond_gradients(how: str) -> None:
    def loss(x):
        return _branchy(x).sum()

    for x in (X, -X):
        want = 2.0 * np.ones(3) if float(x.sum()) > 0 else np.cos(np.asarray(x))
        if how == "eager":
            got = nr.grad(loss)(x)
        elif how == "grad_of_jit":
            got = nr.grad(nr.jit(loss))(x)
        else:
            got = nr.jit(nr.grad(loss))(x)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)


def test_cond_under_vmap_selects_per_example() -> None:
    f = nr.vmap(lambda r: nr.cond(r > 0, lambda a: a * 2, lambda a: a - 1, r))
    np.testing.assert_allclose(np.asarray(f(X)), [2.0, -3.0, 6.0])
    g = nr.vmap(nr.grad(lambda r: nr.cond(r > 0, lambda a: a**2, lambda a: -a, r)))
    np.testing.assert_allclose(np.asarray(g(X)), [2.0, -1.0, 6.0])
    np.testing.assert_allclose(np.asarray(nr.jit(f)(X)), [2.0, -3.0, 6.0])


def test_cond_check_grads() -> None:
    check_grads(lambda x: _branchy(x), (X.astype(nr.float64),), order=2)
    check_grads(lambda x: _branchy(x), (-X.astype(nr.float64),), order=2)


def test_switch_clamps_and_batches() -> None:
    branches = [lambda a: a, lambda a: a * 10, lambda a: -a]
    jf = nr.jit(lambda i, x: nr.switch(i, branches, x))
    x = np.asarray(X)
    for i, want in [(-1, x), (0, x), (1, 10 * x), (2, -x), (5, -x)]:
        np.testing.assert_allclose(np.asarray(nr.switch(i, branches, X)), want)
        np.testing.assert_allclose(np.asarray(jf(nr.asarray(i), X)), want)
    got = nr.vmap(lambda i, r: nr.switch(i, branches, r))(nr.asarray([2, 0, 1]), X)
    np.testing.assert_allclose(np.asarray(got), [-1.0, -2.0, 30.0])


def test_cond_and_switch_errors() -> None:
    with pytest.raises(ShapeError, match="scalar"):
        nr.cond(X > 0, lambda a: a, lambda a: a, X)
    with pytest.raises(InvalidArgumentError, match="callable"):
        nr.cond(True, 1, lambda a: a, X)
    with pytest.raises(InvalidArgumentError, match="branches"):
        nr.switch(0, [], X)
    with pytest.raises(InvalidArgumentError, match="integer or bool"):
        nr.switch(nr.asarray(0.5), [lambda a: a], X)
    mismatched = nr.jit(lambda x: nr.cond(x.sum() > 0, lambda a: a, lambda a: a[:2], x))
    with pytest.raises(
        ShapeError, match=r"branch 0 returns .*f32\[2\].* branch 1 returns .*f32\[3\]"
    ):
        mismatched(X)
    with pytest.raises(ShapeError, match="branch 0 and branch 1 differ"):
        nr.vmap(lambda r: nr.cond(r > 0, lambda a: a, lambda a: a.astype(nr.float64), r))(X)


def _doubling(x):
    return nr.while_loop(lambda v: v.sum() < 100, lambda v: v * 2, x)


def test_while_loop_eager_jit_graph() -> None:
    x = nr.asarray([1.0, 2.0])
    want = np.asarray([64.0, 128.0])  # sum 3 -> 6 -> ... -> 192
    np.testing.assert_allclose(np.asarray(_doubling(x)), want)
    jf = nr.jit(_doubling)
    np.testing.assert_allclose(np.asarray(jf(x)), want)
    np.testing.assert_allclose(np.asarray(jf(x * 40)), [40.0, 80.0])  # no iteration
    assert "while_loop" in [e.op.name for e in jf.graph(x).equations]


def test_while_loop_grad_eagerly_and_tuple_carry() -> None:
    def loss(x):
        _, y = nr.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * x), (0, x))
        return y

    assert float(nr.grad(loss)(nr.asarray(2.0))) == pytest.approx(4 * 2.0**3)
    assert float(nr.jit(loss)(nr.asarray(2.0))) == 16.0


def test_while_loop_under_vmap_has_per_example_trip_counts() -> None:
    f = nr.vmap(lambda v: nr.while_loop(lambda a: a < 10, lambda a: a * 2, v))
    np.testing.assert_allclose(np.asarray(f(nr.asarray([1.0, 3.0, 20.0]))), [16.0, 12.0, 20.0])


def test_while_loop_under_vmap_inside_jit_is_one_staged_loop() -> None:
    def f(x, limit):  # the limit is a per-example value the loop closes over
        return nr.while_loop(lambda v: v < limit, lambda v: v * 2, x)

    xs, limits = nr.asarray([1.0, 3.0, 20.0]), nr.asarray([10.0, 50.0, 5.0])
    jitted = nr.jit(nr.vmap(f))
    np.testing.assert_allclose(np.asarray(jitted(xs, limits)), [16.0, 96.0, 20.0])
    np.testing.assert_allclose(np.asarray(jitted(xs * 2, limits)), [16.0, 96.0, 40.0])
    np.testing.assert_allclose(np.asarray(nr.vmap(f)(xs, limits)), [16.0, 96.0, 20.0])
    assert [e.op.name for e in jitted.graph(xs, limits).equations] == ["while_loop"]
    shared = nr.jit(nr.vmap(f, in_axes=(0, None)))(xs, nr.asarray(10.0))
    np.testing.assert_allclose(np.asarray(shared), [16.0, 12.0, 20.0])


def test_while_loop_errors() -> None:
    with pytest.raises(ShapeError, match="carry leaf 0"):
        nr.while_loop(lambda v: v.sum() < 10, lambda v: nr.concat([v, v]), X)
    with pytest.raises(ShapeError, match="loop body must return"):
        nr.jit(lambda x: nr.while_loop(lambda v: v.sum() < 10, lambda v: v[:2], x))(X)
    with pytest.raises(ShapeError, match="scalar"):
        nr.while_loop(lambda v: v < 10, lambda v: v * 2, X)
    with pytest.raises(ConcretizationError, match="fori_loop"):
        nr.jit(nr.grad(lambda x: _doubling(x).sum()))(X)


def test_fori_loop_everywhere() -> None:
    def f(x):
        return nr.fori_loop(0, 5, lambda i, v: v * 1.5 + i, x)

    def np_f(x):
        for i in range(5):
            x = x * 1.5 + i
        return x

    want = np_f(np.asarray(X))
    np.testing.assert_allclose(np.asarray(f(X)), want, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(nr.jit(f)(X)), want, rtol=1e-6)
    assert "scan" in [e.op.name for e in nr.make_graph(f)(X).equations]
    np.testing.assert_allclose(np.asarray(nr.vmap(f)(X)), want, rtol=1e-6)
    dwant = np.full(3, 1.5**5)
    np.testing.assert_allclose(np.asarray(nr.grad(lambda x: f(x).sum())(X)), dwant, rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(nr.jit(nr.grad(lambda x: f(x).sum()))(X)), dwant, rtol=1e-6
    )
    np.testing.assert_allclose(
        np.asarray(nr.grad(lambda x: nr.jit(f)(x).sum())(X)), dwant, rtol=1e-6
    )


def test_fori_loop_with_traced_bounds_is_a_while_loop() -> None:
    jf = nr.jit(lambda n, x: nr.fori_loop(0, n, lambda i, v: v + i, x))
    assert float(jf(nr.asarray(4), nr.asarray(0.0))) == 6.0
    assert float(jf(nr.asarray(5), nr.asarray(0.0))) == 10.0
    assert jf.cache_info().misses == 1
    with pytest.raises(InvalidArgumentError, match="'upper' expected an integer scalar"):
        nr.fori_loop(0, 2.5, lambda i, v: v, X)


def _cumulative(c, xs):
    return nr.scan(lambda c, x: (c * x + 1, c), c, xs)


def _np_cumulative(c, xs):
    ys = []
    for x in xs:
        ys.append(c)
        c = c * x + 1
    return c, np.asarray(ys)


@pytest.mark.parametrize("how", ["eager", "jit", "vmap"])
def test_scan_values(how: str) -> None:
    c0, xs = nr.asarray(1.0), X
    want_c, want_ys = _np_cumulative(1.0, np.asarray(xs))
    if how == "eager":
        c, ys = _cumulative(c0, xs)
    elif how == "jit":
        c, ys = nr.jit(_cumulative)(c0, xs)
    else:
        c, ys = nr.vmap(_cumulative, in_axes=(None, 0))(c0, nr.stack([xs, xs]))
        c, ys = c[1], ys[1]
    assert float(c) == pytest.approx(want_c)
    np.testing.assert_allclose(np.asarray(ys), want_ys)


def test_scan_reverse_pytrees_and_length() -> None:
    xs = {"a": nr.arange(4.0), "b": nr.ones((4, 2))}

    def body(c, x):
        return c + x["a"] * x["b"], {"seen": c.sum()}

    for run in (nr.scan, nr.jit(nr.scan, static_argnums=(0, 3, 4))):
        c, ys = run(body, nr.zeros(2), xs, None, True)
        np.testing.assert_allclose(np.asarray(c), [6.0, 6.0])
        np.testing.assert_allclose(np.asarray(ys["seen"]), [12.0, 10.0, 6.0, 0.0])
    c, ys = nr.scan(lambda c, _: (c + 1, None), nr.asarray(0), None, length=3)
    assert int(c) == 3 and ys is None


def test_scan_gradients() -> None:
    def loss(c0, xs):
        c, ys = _cumulative(c0, xs)
        return c + ys.sum()

    args = (nr.asarray(0.7, dtype=nr.float64), X.astype(nr.float64))
    check_grads(loss, args, order=2)
    want = nr.grad(loss, argnums=(0, 1))(*args)
    for got in (
        nr.jit(nr.grad(loss, argnums=(0, 1)))(*args),
        nr.grad(nr.jit(loss), argnums=(0, 1))(*args),
    ):
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-12)


def test_scan_errors() -> None:
    with pytest.raises(ShapeError, match="one leading size"):
        nr.scan(lambda c, x: (c, x), 0.0, (nr.ones(3), nr.ones(4)))
    with pytest.raises(ShapeError, match="one leading size"):
        nr.scan(lambda c, x: (c, x), 0.0, nr.ones(3), length=4)
    with pytest.raises(InvalidArgumentError, match="length"):
        nr.scan(lambda c, x: (c, x), 0.0)
    with pytest.raises(ShapeError, match="carry leaf 0"):
        nr.scan(lambda c, x: (c.astype(nr.float64), x), nr.asarray(0.0), nr.ones(3))
    with pytest.raises(ShapeError, match="carry with the structure"):
        nr.jit(lambda xs: nr.scan(lambda c, x: (nr.stack([c, x]), x), nr.asarray(0.0), xs))(X)
