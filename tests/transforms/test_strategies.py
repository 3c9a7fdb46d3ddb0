"""The user-facing hypothesis strategies, used the way docs/property_testing.md shows."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.test_util import check_grads
from neurarust.test_util import strategies as nst


@given(nst.arrays(shape=nst.shapes(max_ndim=2), elements=(-2.0, 2.0)))
def test_user_style_property_test_of_a_gradient(x):
    check_grads(lambda x: nr.tanh(x) * nr.sin(x), (x,), order=2)


@given(nst.broadcastable_shapes(n=3))
def test_broadcastable_shapes_really_broadcast(shapes):
    np.broadcast_shapes(*shapes)
    out = nr.add(nr.add(nr.zeros(shapes[0]), nr.zeros(shapes[1])), nr.zeros(shapes[2]))
    assert out.shape == np.broadcast_shapes(*shapes)


@given(nst.arrays(dtype=nst.dtypes(("int", "uint", "bool")), shape=nst.shapes(), elements=(0, 5)))
def test_integer_arrays_respect_the_range(x):
    values = x.numpy()
    assert values.min(initial=0) >= 0 and values.max(initial=0) <= 5


@given(nst.pytrees())
def test_pytrees_round_trip_through_grad(tree):
    grads = nr.grad(lambda t: sum((nr.sin(leaf) ** 2).sum() for leaf in nr.tree.leaves(t)))(tree)
    assert nr.tree.structure(grads) == nr.tree.structure(tree)
    for g, leaf in zip(nr.tree.leaves(grads), nr.tree.leaves(tree), strict=True):
        np.testing.assert_allclose(g.numpy(), np.sin(2 * leaf.numpy()), rtol=1e-10, atol=1e-12)


@given(nst.keys(), st.integers(1, 5))
def test_keys_strategy_gives_usable_keys(key, n):
    assert nr.random.uniform(key, (n,)).shape == (n,)
