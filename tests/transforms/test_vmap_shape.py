"""vmap of the shape, conversion and creation functions: batched results equal a loop over
examples under several batch axes (negative, unbatched operands, nesting, gradients); the
rules keep the batch axis in place where they can; values that fix a shape raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import neurarust as nr
from neurarust.core.errors import ConcretizationError
from neurarust.core.ops import shape as shape_ops
from neurarust.core.ops.convert import convert_element_type_p

RNG = np.random.default_rng(0)
X = RNG.permutation(3 * 4 * 5).reshape(3, 4, 5).astype(np.float64) / 7 - 4
Y = RNG.standard_normal((3, 4, 5))
COL = RNG.standard_normal((3, 4, 1))
SQUARE = RNG.standard_normal((3, 4, 4))


def _leaves(x: Any) -> list[Any]:
    if isinstance(x, (tuple, list)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


def _example(a: np.ndarray, d: int | None, k: int) -> nr.Array:
    return nr.asarray(a if d is None else np.take(a, k, axis=d))


def _loop(f: Callable[..., Any], args: list[np.ndarray], in_axes: tuple[Any, ...]) -> list[Any]:
    """The leaves of ``f`` on each example (the batch axis of each argument removed), each
    stacked on axis 0."""
    size = next(a.shape[d] for a, d in zip(args, in_axes, strict=True) if d is not None)
    outs = [
        _leaves(f(*[_example(a, d, k) for a, d in zip(args, in_axes, strict=True)]))
        for k in range(size)
    ]
    return [np.stack([np.asarray(o[j]) for o in outs]) for j in range(len(outs[0]))]


def _assert_leaves(got: Any, want: list[np.ndarray]) -> None:
    got_leaves = _leaves(got)
    assert len(got_leaves) == len(want)
    for g, w in zip(got_leaves, want, strict=True):
        g = np.asarray(g)
        assert g.shape == w.shape
        assert g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def _check(f: Callable[..., Any], args: list[np.ndarray], in_axes: tuple[Any, ...]) -> None:
    got = nr.vmap(f, in_axes=in_axes)(*[nr.asarray(a) for a in args])
    _assert_leaves(got, _loop(f, args, in_axes))


def _take(x: nr.Array, axis: int, start: int, stop: int) -> nr.Array:
    """``x`` sliced along one axis through the ``slice`` primitive (no indexing)."""
    return shape_ops._slice_axis(x, axis % x.ndim, start, stop)


def _row(x: nr.Array, i: int, axis: int = 0) -> nr.Array:
    return nr.unstack(x, axis=axis)[i]


# One-argument functions of a per-example array of X's shape less one axis, i.e. (4, 5) or
# (3, 5) or (3, 4) depending on the batch axis; each must accept all of them.
UNARY = {
    "broadcast_to": lambda x: nr.broadcast_to(x, (2, *x.shape)),
    "broadcast_to_col": lambda x: nr.broadcast_to(_take(x, -1, 0, 1), (2, x.shape[0], 3)),
    "expand": lambda x: nr.expand(nr.expand_dims(x, 1), (-1, 2, -1)),
    "reshape_flat": lambda x: nr.reshape(x, (-1,)),
    "reshape_split": lambda x: nr.reshape(x, (x.shape[0], 1, -1)),
    "reshape_merge_front": lambda x: nr.reshape(x, (-1, 1)),
    "flatten": lambda x: nr.flatten(x),
    "unflatten": lambda x: nr.unflatten(nr.flatten(x), 0, (x.shape[0], -1)),
    "expand_dims_neg": lambda x: nr.expand_dims(x, -1),
    "expand_dims_front": lambda x: nr.expand_dims(x, 0),
    "squeeze": lambda x: nr.squeeze(nr.expand_dims(x, 1)),
    "squeeze_axis": lambda x: nr.squeeze(nr.expand_dims(x, -1), axis=-1),
    "permute_dims": lambda x: nr.permute_dims(nr.expand_dims(x, 0), (2, 0, 1)),
    "transpose": lambda x: nr.transpose(x),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "moveaxis": lambda x: nr.moveaxis(nr.expand_dims(x, -1), 0, -1),
    "swapaxes": lambda x: nr.swapaxes(x, 0, -1),
    "flip_neg": lambda x: nr.flip(x, axis=-1),
    "flip_all": lambda x: nr.flip(x),
    "roll": lambda x: nr.roll(x, (1, -2), axis=(0, -1)),
    "roll_flat": lambda x: nr.roll(x, 3),
    "tile": lambda x: nr.tile(x, (2, 1, 2)),
    "repeat_int": lambda x: nr.repeat(x, 2, axis=-1),
    "repeat_counts": lambda x: nr.repeat(x, list(range(x.shape[0])), axis=0),
    "repeat_flat": lambda x: nr.repeat(x, 2),
    "segment_sum": lambda x: shape_ops._segment_sum(x, (1, 0, x.shape[0] - 1), axis=0),
    "split_int": lambda x: nr.split(x, 2, axis=-1),
    "split_sizes": lambda x: nr.split(x, [1, 0, x.shape[0] - 1], axis=0),
    "chunk": lambda x: nr.chunk(x, 2, axis=1),
    "unstack": lambda x: nr.unstack(x, axis=-1),
    "pad_constant": lambda x: nr.pad(x, ((1, 0), (0, 2)), value=1.5),
    "pad_reflect": lambda x: nr.pad(x, 1, mode="reflect"),
    "pad_replicate": lambda x: nr.pad(x, (0, 2), mode="replicate"),
    "pad_circular": lambda x: nr.pad(x, ((2, 1), (1, 0)), mode="circular"),
    "pad_last_dims": lambda x: nr.pad_last_dims(x, (1, 2)),
    "slice": lambda x: shape_ops._slice(x, (1, 0), (x.shape[0], x.shape[1] - 1)),
    "tril": lambda x: nr.tril(x, k=1),
    "triu": lambda x: nr.triu(x, k=-1),
    "tril_stack": lambda x: nr.tril(nr.expand_dims(x, 0)),
    "astype_int": lambda x: nr.astype(x * 3, nr.int32),
    "astype_f32": lambda x: nr.astype(x, nr.float32),
    "stop_gradient": lambda x: nr.stop_gradient(x),
    "contiguous": lambda x: nr.contiguous(x),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unary_matches_loop(name: str, axis: int) -> None:
    _check(UNARY[name], [X], (axis,))


@pytest.mark.parametrize("axis", [0, 1, 2, -2])
def test_triangles_of_stacks_keep_batch_axis_or_move_it(axis: int) -> None:
    cube = RNG.standard_normal((3, 4, 4, 4))
    _check(lambda x: nr.triu(x, k=1) + nr.tril(x, k=-2), [cube], (axis,))


# Two-argument functions: the second operand batched along another axis or not batched.
BINARY = {
    "concat": lambda x, y: nr.concat([x, y, x], axis=-1),
    "concat_front": lambda x, y: nr.concat([y, x], axis=0),
    "concat_flat": lambda x, y: nr.concat([x, y], axis=None),
    "stack": lambda x, y: nr.stack([x, y], axis=1),
    "stack_last": lambda x, y: nr.stack([y, x], axis=-1),
    "broadcast_arrays": lambda x, y: nr.broadcast_arrays(_take(x, 1, 0, 1), nr.expand_dims(y, 0)),
    "meshgrid": lambda x, y: nr.meshgrid(_row(x, 0), _row(y, 0, 1)),
    "meshgrid_ij": lambda x, y: nr.meshgrid(_row(x, 0), _row(y, 0), _row(x, 1, 1), indexing="ij"),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("in_axes", [(0, 0), (0, 2), (-1, 1), (None, 0), (1, None)])
def test_binary_matches_loop(name: str, in_axes: tuple[Any, ...]) -> None:
    """Examples of shape (4, 5), 3 of them, stacked along each operand's own axis."""
    args = [
        a[0] if d is None else np.moveaxis(a, 0, d) for a, d in zip((X, Y), in_axes, strict=True)
    ]
    _check(BINARY[name], args, in_axes)


def test_concat_broadcasts_unbatched_tracers_under_grad() -> None:
    """Inside grad, an unbatched operand is a lower-level tracer: concat broadcasts it."""

    def f(w: nr.Array, xs: nr.Array) -> nr.Array:
        return nr.vmap(lambda x: nr.concat([w, x * w], axis=0))(xs).sum() * 1.0

    w = nr.asarray(Y[0, 0])
    xs = nr.asarray(X[:, 0])
    g = nr.grad(lambda w: f(w, xs) * f(w, xs))(w)
    total = X.shape[0] * Y[0, 0].sum() + (X[:, 0] * Y[0, 0]).sum()
    want = 2 * total * (X.shape[0] + X[:, 0].sum(axis=0))
    np.testing.assert_allclose(np.asarray(g), want, rtol=1e-12)


NESTED = {
    "reshape": lambda x: nr.reshape(x, (-1,)),
    "moveaxis": lambda x: nr.moveaxis(nr.expand_dims(x, 0), 0, -1),
    "concat": lambda x: nr.concat([x, nr.flip(x)], axis=0),
    "pad_reflect": lambda x: nr.pad(x, (2, 1), mode="reflect"),
    "split": lambda x: nr.split(x, [2, 1]),
    "roll": lambda x: nr.roll(x, -1),
    "broadcast_to": lambda x: nr.broadcast_to(x, (2, *x.shape)),
    "repeat": lambda x: nr.repeat(x, [1, 2, 0]),
}


@pytest.mark.parametrize("name", sorted(NESTED))
def test_nested_vmap_matches_double_loop(name: str) -> None:
    f = NESTED[name]
    got = nr.vmap(nr.vmap(f, in_axes=1), in_axes=-1)(nr.asarray(X))
    # outer batch: X's last axis (5); inner batch: axis 1 of the (3, 4) example (4).
    want_rows = [
        [_leaves(f(nr.asarray(X[:, j, i]))) for j in range(X.shape[1])] for i in range(X.shape[2])
    ]
    want = [
        np.stack([np.stack([np.asarray(r[j][n]) for j in range(len(r))]) for r in want_rows])
        for n in range(len(want_rows[0][0]))
    ]
    _assert_leaves(got, want)


GRADS = {
    "reshape": lambda x: nr.reshape(x, (-1, 2)),
    "transpose": lambda x: nr.transpose(x),
    "broadcast_to": lambda x: nr.broadcast_to(x, (3, *x.shape)),
    "expand_dims": lambda x: nr.expand_dims(x, -1),
    "concat": lambda x: nr.concat([x, _take(x, 0, 1, 4) * 2.0], axis=0),
    "stack": lambda x: nr.stack([x, x * x], axis=-1),
    "split": lambda x: nr.split(x, [1, 3])[1] * nr.split(x, [3, 1])[0],
    "pad_constant": lambda x: nr.pad(x, ((1, 2), (0, 1)), value=2.0),
    "pad_reflect": lambda x: nr.pad(x, 1, mode="reflect"),
    "repeat": lambda x: nr.repeat(x, [1, 3, 0, 2], axis=0),
    "flip": lambda x: nr.flip(x, axis=0) * x,
    "roll": lambda x: nr.roll(x, 1, axis=-1) * x,
    "tril": lambda x: nr.tril(x) * x,
    "triu": lambda x: nr.triu(x, k=1),
    "astype": lambda x: nr.astype(x, nr.float32) * nr.astype(x, nr.float32),
    "stop_gradient": lambda x: nr.stop_gradient(x) * x,
    "tile": lambda x: nr.tile(x, (2, 1)),
}


def _weights(f: Callable[..., Any], x: np.ndarray) -> np.ndarray:
    shape = np.asarray(f(nr.asarray(x))).shape
    return np.linspace(-1.0, 2.0, int(np.prod(shape))).reshape(shape)


@pytest.mark.parametrize("name", sorted(GRADS))
def test_vmap_of_grad_matches_loop(name: str) -> None:
    f = GRADS[name]
    w = nr.asarray(_weights(f, SQUARE[0]))

    def loss(x: nr.Array) -> nr.Array:
        return nr.sum(nr.astype(f(x), nr.float64) * w)

    got = nr.vmap(nr.grad(loss), in_axes=1)(nr.asarray(SQUARE.transpose(1, 0, 2)))
    want = np.stack([np.asarray(nr.grad(loss)(nr.asarray(s))) for s in SQUARE])
    assert np.abs(want).sum() > 0
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(GRADS))
def test_grad_of_vmap_matches_loop(name: str) -> None:
    f = GRADS[name]
    ws = np.stack([_weights(f, SQUARE[0]) * (k + 1) for k in range(SQUARE.shape[0])])

    def loss(xs: nr.Array) -> nr.Array:
        out = nr.vmap(f, in_axes=-1)(xs)
        return nr.sum(nr.astype(out, nr.float64) * nr.asarray(ws))

    got = nr.grad(loss)(nr.asarray(np.moveaxis(SQUARE, 0, -1)))
    want = np.stack(
        [
            np.asarray(
                nr.grad(lambda x, k=k: nr.sum(nr.astype(f(x), nr.float64) * nr.asarray(ws[k])))(
                    nr.asarray(SQUARE[k])
                )
            )
            for k in range(SQUARE.shape[0])
        ]
    )
    np.testing.assert_allclose(np.asarray(got), np.moveaxis(want, 0, -1), rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------ rules keep the batch axis


def _rule(prim: Any, x: np.ndarray, d: int, **params: Any) -> tuple[np.ndarray, Any]:
    out, out_dim = prim.batch([nr.asarray(x)], [d], **params)
    return np.asarray(out) if not isinstance(out, tuple) else out, out_dim


def test_broadcast_rule_keeps_batch_axis_in_place() -> None:
    x = RNG.standard_normal((4, 3, 1))  # per example (4, 1), batched along axis 1
    out, d = _rule(shape_ops.broadcast_to_p, x, 1, shape=(2, 4, 5))
    assert d == 2
    want = np.broadcast_to(np.moveaxis(x, 1, 0)[:, None], (3, 2, 4, 5))
    np.testing.assert_array_equal(np.moveaxis(out, d, 0), want)


@pytest.mark.parametrize(
    ("d", "shape", "out_dim"),
    [(1, (4, 6, 1), 1), (2, (4 * 6,), 1), (2, (2, 12), None), (0, (24,), 0), (3, (2, 3, 4), 3)],
)
def test_reshape_rule_in_place_when_the_prefix_fits(
    d: int, shape: tuple[int, ...], out_dim: int | None
) -> None:
    """Per-example shape (4, 6), or (4, 3, 2) when ``d`` is 3: the batch axis (size 5) stays
    where the elements before it fill whole leading dimensions (``out_dim`` None: any way)."""
    per = (4, 3, 2) if d == 3 else (4, 6)
    x = RNG.standard_normal((*per[:d], 5, *per[d:]))
    out, got_dim = _rule(shape_ops.reshape_p, x, d, shape=shape)
    if out_dim is not None:
        assert got_dim == out_dim
    want = np.moveaxis(x, d, 0).reshape((5, *shape))
    np.testing.assert_array_equal(np.moveaxis(out, got_dim, 0), want)


def test_reshape_rule_moves_batch_when_prefix_does_not_fit() -> None:
    x = RNG.standard_normal((4, 5, 6))  # per example (4, 6), batched along axis 1
    out, d = _rule(shape_ops.reshape_p, x, 1, shape=(3, 8))
    assert d == 0
    np.testing.assert_array_equal(out, np.moveaxis(x, 1, 0).reshape(5, 3, 8))


def test_axis_rules_keep_batch_axis() -> None:
    x = RNG.standard_normal((4, 5, 6))  # per example (4, 6), batched along axis 1
    per = [x[:, k] for k in range(5)]
    out, d = _rule(shape_ops.transpose_p, x, 1, axes=(1, 0))
    assert d == 1
    np.testing.assert_array_equal(out, np.stack([p.T for p in per], axis=1))
    out, d = _rule(shape_ops.flip_p, x, 1, axes=(1,))
    assert d == 1
    np.testing.assert_array_equal(out, np.stack([p[:, ::-1] for p in per], axis=1))
    out, d = _rule(shape_ops.slice_p, x, 1, starts=(1, 2), stops=(3, 6))
    assert d == 1
    np.testing.assert_array_equal(out, np.stack([p[1:3, 2:6] for p in per], axis=1))
    pieces, dims = _rule(shape_ops.split_p, x, 1, axis=-1, sizes=(2, 4))
    assert dims == (1, 1)
    np.testing.assert_array_equal(np.asarray(pieces[1]), x[:, :, 2:])
    out, d = _rule(shape_ops.tril_p, x, 2, k=0)  # batch among the matrix axes: to the front
    assert d == 0
    np.testing.assert_array_equal(out, np.stack([np.tril(x[:, :, k]) for k in range(6)]))
    out, d = _rule(convert_element_type_p, x, 2, new_dtype=np.dtype(np.int32))
    assert d == 2
    np.testing.assert_array_equal(out, x.astype(np.int32))


def test_concat_rule_broadcasts_unbatched_operands_at_the_batch_axis() -> None:
    x = RNG.standard_normal((4, 5, 6))  # per example (4, 6), batched along axis 1
    y = RNG.standard_normal((4, 2))  # unbatched
    z = RNG.standard_normal((5, 4, 1))  # batched along axis 0
    out, d = shape_ops.concatenate_p.batch(
        [nr.asarray(x), nr.asarray(y), nr.asarray(z)], [1, None, 0], axis=-1
    )
    assert d == 1
    want = np.stack([np.concatenate([x[:, k], y, z[k]], axis=-1) for k in range(5)], axis=1)
    np.testing.assert_array_equal(np.asarray(out), want)


# ---------------------------------------------------------------- creation under vmap


@pytest.mark.parametrize(
    "make",
    [
        lambda x: nr.zeros_like(x),
        lambda x: nr.ones_like(x, dtype=nr.int32),
        lambda x: nr.empty_like(x),
        lambda x: nr.full_like(x, 2.5),
        lambda x: nr.full_like(x, nr.asarray(7, dtype=nr.int64)),
    ],
)
def test_like_functions_give_unbatched_constants(make: Callable[..., Any]) -> None:
    seen = []

    def f(x: nr.Array) -> nr.Array:
        out = make(x)
        seen.append((out.__class__ is nr.Array, out.shape))
        return out + nr.astype(x > 100, out.dtype)

    got = nr.vmap(f, in_axes=-1)(nr.asarray(X))
    assert seen == [(True, (3, 4))]
    want = np.stack([np.asarray(make(nr.asarray(X[..., k]))) for k in range(5)])
    np.testing.assert_array_equal(np.asarray(got), want)


def test_device_is_known_without_a_concrete_value() -> None:
    def f(x: nr.Array) -> nr.Array:
        return nr.asarray(x, device="cpu") + nr.asarray(1.0, dtype=nr.float64)

    got = nr.vmap(f)(nr.asarray(X))
    np.testing.assert_array_equal(np.asarray(got), X + 1.0)


# ------------------------------------------------------------------------------ errors


def test_batched_repeat_counts_raise() -> None:
    counts = nr.asarray(np.array([[1, 2, 0], [0, 1, 1]]))
    with pytest.raises(ConcretizationError, match=r"repeat: argument 'repeats'.*shape of the"):
        nr.vmap(lambda x, r: nr.repeat(x, r, axis=0))(nr.asarray(X[:2, :, 0]), counts)
    unbatched = nr.vmap(lambda x, r: nr.repeat(x, r, axis=0), in_axes=(0, None))
    got = unbatched(nr.asarray(X[:2, :3, 0]), counts[0])
    np.testing.assert_array_equal(np.asarray(got), np.repeat(X[:2, :3, 0], [1, 2, 0], axis=1))


def test_batched_pad_width_raises() -> None:
    widths = nr.asarray(np.array([[1, 2], [0, 1], [2, 2]]))
    with pytest.raises(ConcretizationError, match=r"pad: argument 'pad_width'.*shape of the"):
        nr.vmap(lambda x, w: nr.pad(x, w))(nr.asarray(X[:, :, 0]), widths)


def test_batched_pad_value_raises_with_the_alternative() -> None:
    with pytest.raises(ConcretizationError, match=r"pad: argument 'value'.*nr\.pad\(x - value"):
        nr.vmap(lambda x: nr.pad(x, 1, value=_row(x, 0)))(nr.asarray(X[:, :, 0]))
    got = nr.vmap(lambda x: nr.pad(x - _row(x, 0), 1) + _row(x, 0))(nr.asarray(X[:, :, 0]))
    want = np.stack([np.pad(r, 1, constant_values=r[0]) for r in X[:, :, 0]])
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12)


def test_batched_fill_value_raises() -> None:
    with pytest.raises(ConcretizationError, match=r"argument 'fill_value'.*broadcast_to"):
        nr.vmap(lambda x: nr.full_like(x, _row(x, 0)))(nr.asarray(X[:, :, 0]))


def test_batched_range_bounds_raise() -> None:
    xs = nr.asarray(X[:, :, 0])
    with pytest.raises(ConcretizationError, match=r"arange: argument 'stop'.*length of a range"):
        nr.vmap(lambda x: nr.arange(0, nr.astype(_row(x, 0), nr.int64)))(xs)
    with pytest.raises(ConcretizationError, match=r"linspace: argument 'start'.*start \+"):
        nr.vmap(lambda x: nr.linspace(_row(x, 0), 1.0, 3))(xs)
    got = nr.vmap(lambda x: _row(x, 0) + (1.0 - _row(x, 0)) * nr.linspace(0, 1, 3))(xs)
    want = np.stack([np.linspace(r[0], 1.0, 3) for r in X[:, :, 0]])
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
