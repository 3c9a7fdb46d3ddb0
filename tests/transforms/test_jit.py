"""``jit`` and ``make_graph``: caching, simplification passes, composition, errors."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import ConcretizationError, InvalidArgumentError
from neurarust.transforms.graph import Graph, Var, eval_graph
from neurarust.transforms.jit import DonatedArrayError, RetraceWarning
from neurarust.transforms.passes import eliminate_common_subexpressions, eliminate_dead_code

X = nr.asarray(np.linspace(-1.0, 2.0, 6, dtype=np.float32).reshape(2, 3))


def test_results_bitwise_equal_to_eager_and_cached() -> None:
    def f(x, y):
        return nr.tanh(x @ y.T) * 3 - nr.exp(x).sum(axis=1, keepdims=True)

    y = X * 0.5 + 1
    jf = nr.jit(f)
    np.testing.assert_array_equal(np.asarray(jf(X, y)), np.asarray(f(X, y)))
    np.testing.assert_array_equal(np.asarray(jf(X, y)), np.asarray(f(X, y)))
    assert jf.cache_info() == (1, 1, 1)
    jf(X[:1], y[:1])  # new shape: a new trace
    jf(X.astype(nr.float64), y.astype(nr.float64))  # new dtype: another
    assert jf.cache_info() == (1, 3, 3)
    jf.clear_cache()
    jf(X, y)
    assert jf.cache_info().misses == 4


def test_pytree_arguments_and_outputs() -> None:
    @nr.jit
    def f(params, x):
        return {"out": x @ params["w"] + params["b"], "norm": (params["w"] ** 2).sum()}

    params = {"w": nr.ones((3, 2)), "b": nr.asarray([1.0, -1.0])}
    out = f(params, X)
    np.testing.assert_allclose(
        np.asarray(out["out"]), np.asarray(X) @ np.ones((3, 2)) + [1, -1], rtol=1e-6
    )
    assert float(out["norm"]) == 6.0
    f({"w": nr.zeros((3, 2)), "b": nr.zeros(2)}, X)
    assert f.cache_info().hits == 1


def test_python_side_effects_run_only_while_tracing() -> None:
    calls = []

    @nr.jit
    def f(x):
        calls.append(x.shape)
        return x + 1

    f(X)
    f(X)
    f(X + 1)
    assert calls == [(2, 3)]


def test_static_argnums_and_argnames() -> None:
    def f(x, n, *, mode="sum"):
        y = x**n
        return y.sum() if mode == "sum" else y.max()

    jf = nr.jit(f, static_argnums=1, static_argnames="mode")
    assert float(jf(X, 2)) == pytest.approx(float(f(X, 2)))
    assert float(jf(X, 3, mode="max")) == pytest.approx(8.0)
    assert float(jf(X, 2)) == pytest.approx(float(f(X, 2)))
    assert jf.cache_info() == (1, 2, 2)


def test_unhashable_static_argument_is_an_error() -> None:
    jf = nr.jit(lambda x, sizes: x.reshape(sizes), static_argnums=1)
    with pytest.raises(
        InvalidArgumentError, match=r"static argument 'sizes' \(position 1\).*hashable"
    ):
        jf(X, [3, 2])
    assert jf(X, (3, 2)).shape == (3, 2)


def test_python_control_flow_on_a_traced_value_names_it() -> None:
    def f(x):
        if x.sum() > 0:
            return x
        return -x

    with pytest.raises(ConcretizationError) as err:
        nr.jit(f)(X)
    message = str(err.value)
    assert "greater" in message and "nr.cond" in message and "nr.while_loop" in message
    with pytest.raises(ConcretizationError, match="an argument of jit"):
        nr.jit(lambda x: float(x))(nr.asarray(1.0))


def test_retrace_storm_warns_once_naming_the_argument() -> None:
    jf = nr.jit(lambda x, scale: x * scale)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for k in range(12):
            jf(X, float(k))
    storms = [w for w in caught if issubclass(w.category, RetraceWarning)]
    assert len(storms) == 1
    text = str(storms[0].message)
    assert "argument 'scale' (position 1)" in text and "from value 7.0 to value 8.0" in text
    assert jf.cache_info().misses == 12


def test_dead_code_and_common_subexpressions_are_removed() -> None:
    def f(x):
        unused = nr.exp(x) * 5  # noqa: F841 - dead on purpose
        a = nr.sin(x) + 1
        b = nr.sin(x) + 1
        return a * b

    graph = nr.make_graph(f)(X)
    names = [e.op.name for e in graph.equations]
    assert names.count("sin") == 1 and "exp" not in names
    assert names.count("add") == 1


def test_constants_fold_while_tracing() -> None:
    def f(x):
        c = nr.sin(nr.ones(3)) * 2 + nr.arange(3.0)
        return x + c

    graph = nr.make_graph(f)(nr.zeros(3))
    assert [e.op.name for e in graph.equations] == ["add"]
    (const,) = graph.constants.values()
    np.testing.assert_allclose(np.asarray(const), np.sin(1.0) * 2 + np.arange(3.0), rtol=1e-6)


def test_passes_directly() -> None:
    add = nr.core.primitive.REGISTRY["add"]
    sin = nr.core.primitive.REGISTRY["sin"]
    from neurarust.core.primitive import ShapedArray
    from neurarust.transforms.graph import Equation

    aval = ShapedArray((2,), np.dtype(np.float32))
    a, s1, s2, out, dead = (Var(n, aval) for n in ("a", "s1", "s2", "out", "dead"))
    graph = Graph(
        inputs=[a],
        equations=[
            Equation(sin, [a], {}, [s1]),
            Equation(sin, [a], {}, [s2]),
            Equation(add, [a, a], {}, [dead]),
            Equation(add, [s1, s2], {}, [out]),
        ],
        outputs=[out],
    )
    simplified = eliminate_dead_code(eliminate_common_subexpressions(graph))
    assert [e.op.name for e in simplified.equations] == ["sin", "add"]
    assert simplified.equations[1].inputs == [s1, s1]
    x = nr.asarray([0.5, 1.0])
    np.testing.assert_allclose(np.asarray(eval_graph(simplified, [x])[0]), 2 * np.sin([0.5, 1.0]))


def test_graph_text_form() -> None:
    graph = nr.make_graph(lambda x, y: (x * y).sum(axis=1))(X, X)
    text = str(graph)
    assert text.splitlines()[0] == "graph(a1:f32[2,3], a2:f32[2,3])"
    assert "v3:f32[2,3] = multiply a1 a2" in text
    assert "reduce_sum[axes=(1,)] v3" in text
    assert text.splitlines()[-1].strip().startswith("return (")
    assert graph.in_avals[0].shape == (2, 3) and graph.out_avals[0].shape == (2,)


@pytest.mark.parametrize("order", ["grad_of_jit", "jit_of_grad", "jit_of_jit"])
def test_composes_with_grad_and_itself(order: str) -> None:
    def loss(w, x):
        return (nr.tanh(x @ w) ** 2).mean()

    w = nr.asarray(np.array([[0.3, -0.2], [0.1, 0.5], [-0.4, 0.2]], np.float32))
    want = nr.grad(loss)(w, X)
    if order == "grad_of_jit":
        got = nr.grad(nr.jit(loss))(w, X)
    elif order == "jit_of_grad":
        got = nr.jit(nr.grad(loss))(w, X)
    else:
        got = nr.jit(nr.jit(nr.grad(nr.jit(loss))))(w, X)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6, atol=1e-7)


def test_composes_with_vmap_both_ways() -> None:
    def f(row):
        return (row * nr.arange(3.0)).sum() + nr.sin(row[0])

    want = np.stack([np.asarray(f(X[i])) for i in range(2)])
    np.testing.assert_allclose(np.asarray(nr.vmap(nr.jit(f))(X)), want, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(nr.jit(nr.vmap(f))(X)), want, rtol=1e-6)


def test_second_order_through_jit() -> None:
    f = nr.jit(lambda x: (x**3).sum())
    h = nr.grad(lambda x: nr.grad(f)(x).sum())(X)
    np.testing.assert_allclose(np.asarray(h), 6 * np.asarray(X), rtol=1e-6)


def test_closed_over_tracer_of_an_outer_grad() -> None:
    def outer(a):
        inner = nr.jit(lambda x: x * a)
        return inner(nr.asarray([1.0, 2.0])).sum()

    assert float(nr.grad(outer)(nr.asarray(3.0))) == pytest.approx(3.0)


def test_donated_arguments_are_reused_and_then_unusable() -> None:
    step = nr.jit(lambda p, g: p - 0.5 * g, donate_argnums=0)
    p = nr.asarray(np.ones((64, 64), np.float32))
    g = nr.asarray(np.full((64, 64), 2.0, np.float32))
    new = step(p, g)
    np.testing.assert_array_equal(np.asarray(new), np.zeros((64, 64), np.float32))
    with pytest.raises(DonatedArrayError, match="donated"):
        _ = p + 1
    again = step(new, g)
    np.testing.assert_array_equal(np.asarray(again), np.full((64, 64), -1.0, np.float32))
    np.testing.assert_array_equal(np.asarray(g), np.full((64, 64), 2.0, np.float32))


def test_donating_a_view_does_not_write_into_the_base() -> None:
    base = np.ones((4, 4), np.float32)
    step = nr.jit(lambda p: p * 3, donate_argnums=0)
    out = step(nr.asarray(base))
    np.testing.assert_array_equal(np.asarray(out), np.full((4, 4), 3.0))
    np.testing.assert_array_equal(base, np.ones((4, 4)))


def test_elementwise_chains_reuse_buffers_without_changing_results() -> None:
    def f(x, y):
        for _ in range(5):
            x = x * y + 1
        return x, x - y

    x = nr.asarray(np.arange(12, dtype=np.float32).reshape(3, 4))
    y = nr.asarray(np.full((3, 4), 0.5, np.float32))
    jf = nr.jit(f)
    got, want = jf(x, y), f(x, y)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(np.asarray(g), np.asarray(w))
    np.testing.assert_array_equal(np.asarray(x), np.arange(12, dtype=np.float32).reshape(3, 4))
    source = next(iter(jf._cache.values())).run.source
    assert re.search(r"= u\d+\(\w+, \w+, out=\w+\)", source)  # a ufunc writing into an operand


def test_bad_arguments() -> None:
    with pytest.raises(InvalidArgumentError, match="callable"):
        nr.jit(3)
    with pytest.raises(InvalidArgumentError, match="static_argnums"):
        nr.jit(lambda x: x, static_argnums=(-1,))
    with pytest.raises(InvalidArgumentError, match="both static and donated"):
        nr.jit(lambda x: x, static_argnums=0, donate_argnums=0)


def test_decorator_with_options() -> None:
    @nr.jit(static_argnames=("k",))
    def f(x, k):
        return x * k

    assert f(X, k=2).shape == (2, 3)
    assert float(f(X, k=2)[1, 2]) == 4.0


_OPS = {
    "add": (2, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b),
    "mul": (2, lambda a, b: a * b),
    "neg": (1, lambda a: -a),
    "sin": (1, nr.sin),
    "transpose": (1, lambda a: a.T),
    "flip_rows": (1, lambda a: a[::-1]),
    "reshape": (1, lambda a: a.reshape(-1).reshape(a.shape)),
    "matmul": (2, lambda a, b: a @ b),
}


@given(
    program=st.lists(
        st.tuples(st.sampled_from(sorted(_OPS)), st.integers(0, 50), st.integers(0, 50)),
        min_size=1,
        max_size=12,
    ),
    outputs=st.lists(st.integers(0, 50), min_size=1, max_size=3),
)
def test_random_programs_equal_eager_and_leave_inputs_intact(program, outputs) -> None:
    """Buffer reuse never writes into a value that is still needed, an input, or a view."""

    def f(x, y):
        values = [x, y]
        for name, i, j in program:
            arity, fn = _OPS[name]
            args = [values[i % len(values)], values[j % len(values)]][:arity]
            values.append(fn(*args))
        return [values[k % len(values)] for k in outputs]

    x_np = np.arange(9, dtype=np.float32).reshape(3, 3) / 7
    y_np = np.linspace(-1, 1, 9, dtype=np.float32).reshape(3, 3)
    x, y = nr.asarray(x_np.copy()), nr.asarray(y_np.copy())
    jitted = nr.jit(f)
    for _ in range(2):  # the second call runs the cached executor
        for g, w in zip(jitted(x, y), f(x, y), strict=True):
            np.testing.assert_array_equal(np.asarray(g), np.asarray(w))
    np.testing.assert_array_equal(np.asarray(x), x_np)
    np.testing.assert_array_equal(np.asarray(y), y_np)


def test_no_write_into_a_buffer_whose_view_is_still_needed() -> None:
    def f(x):
        doubled = x + x
        flipped = doubled[::-1]  # a view of doubled's buffer
        return x + doubled, flipped  # doubled dies here, but its view is returned

    x = nr.asarray(np.arange(6, dtype=np.float32).reshape(3, 2))
    jitted = nr.jit(f)
    for _ in range(2):
        for g, w in zip(jitted(x), f(x), strict=True):
            np.testing.assert_array_equal(np.asarray(g), np.asarray(w))
