"""The shape family against NumPy (and PyTorch's documented semantics where they differ), its
derivatives along every axis variant, the eager views, and every error path."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.test_util import check_grads

SIDES = st.integers(1, 4)


def shapes(min_ndim: int = 0, max_ndim: int = 3, max_side: int = 4) -> Any:
    return st.lists(st.integers(1, max_side), min_size=min_ndim, max_size=max_ndim).map(tuple)


def values(shape: tuple[int, ...], seed: int = 0, dtype: Any = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2, 2, size=shape).astype(dtype)


def same(got: Any, want: Any) -> None:
    """``got`` (an nr array) equals ``want`` in shape, dtype and values."""
    want = np.asarray(want)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got.numpy(), want)


def same_all(got: Any, want: Any) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        same(g, w)


def axis_of(data: st.DataObject, ndim: int) -> int:
    return data.draw(st.integers(-ndim, ndim - 1))


# ----------------------------------------------------------------- concat, stack


@given(shapes(1, 3), st.data())
def test_concat_matches_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    axis = axis_of(data, len(shape))
    sizes = data.draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
    parts = [
        values((*shape[: axis % len(shape)], s, *shape[axis % len(shape) + 1 :]), k)
        for k, s in enumerate(sizes)
    ]
    same(nr.concat([nr.asarray(p) for p in parts], axis=axis), np.concatenate(parts, axis))


@given(st.lists(shapes(0, 3), min_size=1, max_size=3))
def test_concat_axis_none_flattens(shape_list: list[tuple[int, ...]]) -> None:
    parts = [values(s, k) for k, s in enumerate(shape_list)]
    same(nr.concat([nr.asarray(p) for p in parts], axis=None), np.concatenate(parts, None))


def test_concat_promotes_dtypes() -> None:
    a = nr.asarray(np.arange(3, dtype=np.int32))
    b = nr.asarray(np.ones(2, dtype=np.float32))
    same(nr.concat((a, b)), np.array([0, 1, 2, 1, 1], dtype=np.float32))
    same(nr.concat([a, [7, 8]]), np.array([0, 1, 2, 7, 8], dtype=np.int64))


@given(shapes(0, 3), st.integers(1, 3), st.data())
def test_stack_matches_numpy(shape: tuple[int, ...], n: int, data: st.DataObject) -> None:
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    parts = [values(shape, k) for k in range(n)]
    same(nr.stack([nr.asarray(p) for p in parts], axis=axis), np.stack(parts, axis))


# ------------------------------------------------------------ split, chunk, unstack


@given(shapes(1, 3, max_side=6), st.integers(1, 7), st.data())
def test_split_by_piece_size(shape: tuple[int, ...], size: int, data: st.DataObject) -> None:
    axis = axis_of(data, len(shape))
    x = values(shape)
    d = shape[axis]
    pieces = nr.split(nr.asarray(x), size, axis=axis)
    want_sizes = [size] * (d // size) + ([d % size] if d % size else [])
    assert [p.shape[axis] for p in pieces] == want_sizes
    same_all(pieces, np.split(x, np.cumsum(want_sizes)[:-1], axis))


@given(shapes(1, 3, max_side=6), st.data())
def test_split_by_sizes(shape: tuple[int, ...], data: st.DataObject) -> None:
    axis = axis_of(data, len(shape))
    d = shape[axis]
    cuts = sorted(data.draw(st.lists(st.integers(0, d), max_size=3)))
    sizes = np.diff([0, *cuts, d]).tolist()
    x = values(shape)
    same_all(nr.split(nr.asarray(x), sizes, axis=axis), np.split(x, cuts, axis))


def test_split_and_chunk_follow_pytorch() -> None:
    x = nr.asarray(np.arange(5))
    assert [p.tolist() for p in nr.split(x, 2)] == [[0, 1], [2, 3], [4]]
    assert [p.tolist() for p in nr.split(x, [1, 4])] == [[0], [1, 2, 3, 4]]
    assert [p.tolist() for p in nr.chunk(x, 3)] == [[0, 1], [2, 3], [4]]
    six = nr.asarray(np.arange(6))
    assert [p.tolist() for p in nr.chunk(six, 4)] == [[0, 1], [2, 3], [4, 5]]
    assert [p.tolist() for p in nr.chunk(six, 10)] == [[k] for k in range(6)]


@given(shapes(1, 3, max_side=6), st.integers(1, 7), st.data())
def test_chunk_pieces(shape: tuple[int, ...], chunks: int, data: st.DataObject) -> None:
    axis = axis_of(data, len(shape))
    x = values(shape)
    pieces = nr.chunk(nr.asarray(x), chunks, axis=axis)
    size = math.ceil(shape[axis] / chunks)
    assert len(pieces) == math.ceil(shape[axis] / size) <= chunks
    assert all(p.shape[axis] == size for p in pieces[:-1])
    same(nr.concat(pieces, axis=axis), x)


@given(shapes(1, 3), st.data())
def test_unstack_and_unbind(shape: tuple[int, ...], data: st.DataObject) -> None:
    axis = axis_of(data, len(shape))
    x = values(shape)
    want = list(np.moveaxis(x, axis, 0))
    same_all(nr.unstack(nr.asarray(x), axis=axis), want)
    same_all(nr.unbind(nr.asarray(x), axis=axis), want)
    same(nr.stack(nr.unstack(nr.asarray(x), axis=axis), axis=axis), x)


def test_eager_slicing_gives_views() -> None:
    x = nr.asarray(np.arange(24.0).reshape(2, 3, 4))
    base = x.numpy()
    for piece in (*nr.split(x, 2, axis=2), *nr.unstack(x, axis=1), nr.flip(x, axis=0)):
        assert np.shares_memory(piece.numpy(), base)


# --------------------------------------------------------------- tile and repeat


@given(shapes(0, 3, max_side=3), st.lists(st.integers(0, 3), max_size=4))
def test_tile_matches_numpy(shape: tuple[int, ...], reps: list[int]) -> None:
    x = values(shape)
    same(nr.tile(nr.asarray(x), tuple(reps)), np.tile(x, tuple(reps)))


@given(shapes(1, 3), st.integers(0, 3), st.data())
def test_repeat_matches_numpy(shape: tuple[int, ...], count: int, data: st.DataObject) -> None:
    x = values(shape)
    axis = axis_of(data, len(shape))
    counts = data.draw(st.lists(st.integers(0, 3), min_size=shape[axis], max_size=shape[axis]))
    same(nr.repeat(nr.asarray(x), count), np.repeat(x, count))
    same(nr.repeat(nr.asarray(x), count, axis=axis), np.repeat(x, count, axis))
    same(nr.repeat(nr.asarray(x), counts, axis=axis), np.repeat(x, counts, axis))
    counts_array = nr.asarray(np.asarray(counts, dtype=np.int32))
    same(nr.repeat(nr.asarray(x), counts_array, axis=axis), np.repeat(x, counts, axis))


# ------------------------------------------------------------------ flip and roll


@given(shapes(0, 3), st.data())
def test_flip_matches_numpy(shape: tuple[int, ...], data: st.DataObject) -> None:
    x = values(shape)
    axes = data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True)) if shape else []
    same(nr.flip(nr.asarray(x)), np.flip(x))
    same(nr.flip(nr.asarray(x), axis=tuple(axes)), np.flip(x, tuple(axes)))
    if shape:
        axis = axis_of(data, len(shape))
        same(nr.flip(nr.asarray(x), axis=axis), np.flip(x, axis))


@given(shapes(1, 3), st.integers(-9, 9), st.data())
def test_roll_matches_numpy(shape: tuple[int, ...], shift: int, data: st.DataObject) -> None:
    x = values(shape)
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=3))
    shifts = data.draw(st.lists(st.integers(-9, 9), min_size=len(axes), max_size=len(axes)))
    same(nr.roll(nr.asarray(x), shift), np.roll(x, shift))
    same(nr.roll(nr.asarray(x), shift, axis=tuple(axes)), np.roll(x, shift, tuple(axes)))
    same(nr.roll(nr.asarray(x), tuple(shifts), axis=tuple(axes)), np.roll(x, shifts, axes))


# ---------------------------------------------------------------------------- pad

NUMPY_MODES = {
    "constant": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


@given(shapes(1, 3, max_side=5), st.sampled_from(list(NUMPY_MODES)), st.data())
def test_pad_matches_numpy(shape: tuple[int, ...], mode: str, data: st.DataObject) -> None:
    top = {"constant": 4, "reflect": min(shape) - 1, "replicate": 4, "circular": min(shape)}[mode]
    widths = [
        tuple(data.draw(st.lists(st.integers(0, top), min_size=2, max_size=2))) for _ in shape
    ]
    x = values(shape)
    kwargs = {"constant_values": 2.5} if mode == "constant" else {}
    want = np.pad(x, widths, mode=NUMPY_MODES[mode], **kwargs)
    same(nr.pad(nr.asarray(x), widths, mode=mode, value=2.5), want)
    same(
        nr.pad(nr.asarray(x), top, mode=mode, value=2.5),
        np.pad(x, top, mode=NUMPY_MODES[mode], **kwargs),
    )
    same(
        nr.pad(nr.asarray(x), widths[0], mode=mode, value=2.5),
        np.pad(x, widths[0], mode=NUMPY_MODES[mode], **kwargs),
    )
    traced = nr.jvp(
        lambda a: nr.pad(a, widths, mode=mode, value=2.5),
        (nr.asarray(x),),
        (nr.asarray(np.ones(shape)),),
    )[0]
    same(traced, want)


def test_pad_integer_and_bool_arrays() -> None:
    same(nr.pad(nr.asarray([1, 2, 3]), (1, 2), mode="reflect"), np.array([2, 1, 2, 3, 2, 1]))
    same(nr.pad(nr.asarray(np.array([True])), 1), np.array([False, True, False]))
    same(
        nr.pad(nr.asarray(np.array([1], dtype=np.int32)), 1, value=7),
        np.array([7, 1, 7], dtype=np.int32),
    )


def test_pad_last_dims_is_pytorch_order() -> None:
    x = values((2, 3, 4))
    got = nr.pad_last_dims(nr.asarray(x), (1, 2, 3, 0), mode="circular")
    same(got, np.pad(x, ((0, 0), (3, 0), (1, 2)), mode="wrap"))
    same(
        nr.pad_last_dims(nr.asarray(x), (1, 1), value=-1.0),
        np.pad(x, ((0, 0), (0, 0), (1, 1)), constant_values=-1.0),
    )


def test_pad_does_not_write_its_input() -> None:
    x = nr.asarray(np.zeros((2, 2)))
    nr.pad(x, 1, value=5.0)
    assert not x.numpy().any()


# ---------------------------------------------------------- axes and dimensions


@given(shapes(1, 4), st.data())
def test_moveaxis_and_swapaxes(shape: tuple[int, ...], data: st.DataObject) -> None:
    n = len(shape)
    x = values(shape)
    src = data.draw(st.lists(st.integers(0, n - 1), unique=True, min_size=1, max_size=n))
    dst = data.draw(st.permutations(range(n)))[: len(src)]
    same(nr.moveaxis(nr.asarray(x), tuple(src), tuple(dst)), np.moveaxis(x, src, dst))
    a, b = axis_of(data, n), axis_of(data, n)
    same(nr.moveaxis(nr.asarray(x), a, b), np.moveaxis(x, a, b))
    same(nr.swapaxes(nr.asarray(x), a, b), np.swapaxes(x, a, b))
    perm = tuple(data.draw(st.permutations(range(n))))
    same(nr.permute(nr.asarray(x), perm), np.transpose(x, perm))
    same(nr.asarray(x).permute(*perm), np.transpose(x, perm))


@given(shapes(0, 4), st.data())
def test_flatten_and_unflatten(shape: tuple[int, ...], data: st.DataObject) -> None:
    x = values(shape)
    same(nr.flatten(nr.asarray(x)), x.reshape(-1))
    if not shape:
        same(nr.asarray(x).flatten(), x.reshape(1))
        return
    n = len(shape)
    start = data.draw(st.integers(0, n - 1))
    end = data.draw(st.integers(start, n - 1))
    want = x.reshape((*shape[:start], -1, *shape[end + 1 :]))
    same(nr.flatten(nr.asarray(x), start, end - n), want)
    same(nr.asarray(x).flatten(start - n, end), want)
    same(nr.unflatten(nr.asarray(want), start, shape[start : end + 1]), x)
    same(nr.unflatten(nr.asarray(want), start - want.ndim, (-1, *shape[start + 1 : end + 1])), x)


@given(st.lists(shapes(0, 3), min_size=1, max_size=3), st.data())
def test_broadcast_arrays(base: list[tuple[int, ...]], data: st.DataObject) -> None:
    full = base[0]
    shape_list = [
        tuple(1 if data.draw(st.booleans()) else d for d in full[k:]) for k in range(len(full) + 1)
    ][: len(base)]
    arrays = [values(s, k) for k, s in enumerate(shape_list)]
    same_all(nr.broadcast_arrays(*[nr.asarray(a) for a in arrays]), np.broadcast_arrays(*arrays))


@given(st.lists(st.integers(1, 4), max_size=4), st.sampled_from(["xy", "ij"]))
def test_meshgrid_matches_numpy(lengths: list[int], indexing: str) -> None:
    vectors = [values((n,), k) for k, n in enumerate(lengths)]
    got = nr.meshgrid(*[nr.asarray(v) for v in vectors], indexing=indexing)
    same_all(got, np.meshgrid(*vectors, indexing=indexing))


@given(shapes(2, 4), st.integers(-3, 3))
def test_triangles_and_transposes(shape: tuple[int, ...], k: int) -> None:
    x = values(shape)
    same(nr.tril(nr.asarray(x), k=k), np.tril(x, k))
    same(nr.triu(nr.asarray(x), k=k), np.triu(x, k))
    same(nr.matrix_transpose(nr.asarray(x)), np.swapaxes(x, -1, -2))
    same(nr.asarray(x).mT, np.swapaxes(x, -1, -2))
    if len(shape) == 2:
        same(nr.asarray(x).T, x.T)
        same(nr.array_T(nr.asarray(x)), x.T)


def test_contiguous_is_identity() -> None:
    x = nr.asarray([1.0, 2.0])
    assert nr.contiguous(x) is x


def test_other_dtypes_move_unchanged() -> None:
    for dtype in (nr.bfloat16, nr.complex64, nr.uint8, nr.float16):
        x = np.arange(6).reshape(2, 3).astype(dtype)
        a = nr.asarray(x)
        same(nr.concat([a, a], axis=1), np.concatenate([x, x], 1))
        same(nr.pad(a, 1, mode="reflect"), np.pad(x, 1, mode="reflect"))
        same(nr.roll(nr.flip(a), 1, axis=0), np.roll(np.flip(x), 1, 0))


# ------------------------------------------------------------------- derivatives


def _grad_case(fn: Any, *shapes_: tuple[int, ...]) -> None:
    args = [nr.asarray(values(s, k)) for k, s in enumerate(shapes_)]
    check_grads(fn, args, order=2)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_grads_join_and_split_along_each_axis(axis: int) -> None:
    shape = (2, 3, 4)
    part = tuple(2 if i == axis % 3 else d for i, d in enumerate(shape))
    _grad_case(lambda a, b, c: nr.concat([a, b * c, a], axis=axis), shape, part, part)
    _grad_case(lambda a, b: nr.stack([a, b], axis=axis), shape, shape)
    _grad_case(lambda a: nr.split(a, [1, 0, shape[axis % 3] - 1], axis=axis), shape)
    _grad_case(lambda a: nr.split(nr.sin(a), 2, axis=axis)[0], shape)
    _grad_case(lambda a: nr.unstack(a, axis=axis)[-1], shape)
    _grad_case(lambda a: nr.chunk(a, 2, axis=axis), shape)
    _grad_case(lambda a: nr.repeat(a, [2, 0, 1, 3][: shape[axis]], axis=axis), shape)
    _grad_case(lambda a: nr.repeat(a, 2, axis=axis), shape)
    _grad_case(lambda a: nr.roll(a, 2, axis=axis), shape)
    _grad_case(lambda a: nr.flip(a, axis=axis), shape)


@pytest.mark.parametrize("mode", list(NUMPY_MODES))
def test_grads_pad_each_mode(mode: str) -> None:
    _grad_case(lambda a: nr.pad(a, ((1, 2), (0, 0), (2, 1)), mode=mode), (3, 2, 4))
    _grad_case(lambda a: nr.pad_last_dims(a * a, (1, 1, 1, 0), mode=mode), (3, 3))


def test_grads_of_composed_shapes() -> None:
    _grad_case(lambda a: nr.tile(a, (2, 1, 2)), (2, 3))
    _grad_case(lambda a: nr.roll(a, (1, -2), axis=(0, 2)), (2, 3, 4))
    _grad_case(lambda a: nr.flip(a, axis=(0, 2)), (2, 3, 4))
    _grad_case(lambda a: nr.tril(a * a, k=-1), (2, 3, 3))
    _grad_case(lambda a: nr.triu(a, k=1), (3, 4))
    _grad_case(lambda a, b: nr.meshgrid(a, b, a, indexing="ij"), (2,), (3,))
    _grad_case(lambda a, b: nr.broadcast_arrays(a, b), (2, 1), (3,))
    _grad_case(lambda a: nr.moveaxis(a, (0, 1), (2, 0)), (2, 3, 4))
    _grad_case(lambda a: nr.unflatten(nr.flatten(a, 1), 1, (4, 3)), (2, 3, 4))
    _grad_case(lambda a: a.mT * a.mT, (2, 3, 4))


def test_concat_gradient_flows_only_to_traced_arguments() -> None:
    const = nr.asarray(np.ones((2, 2)))

    def loss(a: nr.Array) -> nr.Array:
        joined = nr.concat([const, a, const], axis=1)
        return (joined * joined).sum()

    same(nr.grad(loss)(nr.asarray(np.full((2, 1), 3.0))), np.full((2, 1), 6.0))
    _, t = nr.jvp(
        lambda a: nr.concat([const, a]),
        (nr.asarray(np.zeros((1, 2))),),
        (nr.asarray(np.ones((1, 2))),),
    )
    same(t, np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]]))


def test_linearize_through_split_and_concat() -> None:
    x = nr.asarray(values((4, 3)))
    out, f_jvp = nr.linearize(lambda a: nr.concat(nr.split(a, [3, 1])[::-1]), x)
    v = values((4, 3), 1)
    same(f_jvp(nr.asarray(v)), np.concatenate([v[3:], v[:3]]))
    same(out, np.concatenate([x.numpy()[3:], x.numpy()[:3]]))


TRACED_CASES = {
    "concat": lambda a: nr.concat([a, nr.flip(a)], axis=-1),
    "concat_none": lambda a: nr.concat([a, a], axis=None),
    "stack": lambda a: nr.stack([a, a, a], axis=1),
    "split": lambda a: nr.split(a, [1, 0, 2], axis=1),
    "chunk": lambda a: nr.chunk(a, 2, axis=-1),
    "unstack": lambda a: nr.unstack(a, axis=2),
    "tile": lambda a: nr.tile(a, (2, 1, 1, 3)),
    "repeat_int": lambda a: nr.repeat(a, 2, axis=1),
    "repeat_counts": lambda a: nr.repeat(a, [0, 2, 1], axis=1),
    "repeat_flat": lambda a: nr.repeat(a, 3),
    "flip": lambda a: nr.flip(a, axis=(0, 2)),
    "roll": lambda a: nr.roll(a, (1, 5), axis=(1, 2)),
    "roll_flat": lambda a: nr.roll(a, -4),
    "pad_reflect": lambda a: nr.pad(a, ((1, 0), (2, 2), (0, 3)), mode="reflect"),
    "pad_replicate": lambda a: nr.pad(a, 2, mode="replicate"),
    "pad_circular": lambda a: nr.pad_last_dims(a, (4, 1, 3, 3), mode="circular"),
    "tril": lambda a: nr.tril(a, k=1),
    "triu": lambda a: nr.triu(a, k=-1),
    "moveaxis": lambda a: nr.moveaxis(a, (0, 2), (1, 0)),
    "swapaxes": lambda a: nr.swapaxes(a, 0, 2),
    "flatten": lambda a: nr.flatten(a, 1),
    "unflatten": lambda a: nr.unflatten(a, 2, (2, 2)),
    "T": lambda a: nr.reshape(a, (6, 4)).T,
    "mT": lambda a: a.mT,
    "meshgrid": lambda a: nr.meshgrid(
        nr.flatten(a), nr.split(nr.flatten(a), [3, 21])[0], indexing="ij"
    ),
    "broadcast_arrays": lambda a: nr.broadcast_arrays(a, nr.reshape(a, (2, 1, 3, 4))),
}


@pytest.mark.parametrize("name", list(TRACED_CASES))
def test_traced_path_matches_eager(name: str) -> None:
    fn = TRACED_CASES[name]
    x = nr.asarray(values((2, 3, 4)))
    eager = fn(x)
    traced, tangent = nr.jvp(fn, (x,), (x,))
    for e, t, d in zip(
        nr.tree.leaves(eager), nr.tree.leaves(traced), nr.tree.leaves(tangent), strict=True
    ):
        same(t, e.numpy())
        same(d, e.numpy())


# ------------------------------------------------------------------------ errors


def test_concat_and_stack_errors() -> None:
    a, b = nr.zeros((2, 3)), nr.zeros((2, 4))
    with pytest.raises(nr.ShapeError, match=r"concat.*axis 0.*\(2, 3\), \(2, 4\)"):
        nr.concat([a, b])
    with pytest.raises(nr.ShapeError, match=r"concat.*\(2, 3\), \(3,\)"):
        nr.concat([a, nr.zeros(3)], axis=1)
    with pytest.raises(nr.ShapeError, match=r"concat.*0-d"):
        nr.concat([nr.asarray(1.0), nr.asarray(2.0)])
    with pytest.raises(nr.ShapeError, match=r"concat.*at least one array"):
        nr.concat([])
    with pytest.raises(TypeError, match=r"concat.*list or tuple"):
        nr.concat(a)
    with pytest.raises(nr.AxisError, match=r"concat.*axis"):
        nr.concat([a, a], axis=2)
    with pytest.raises(nr.ShapeError, match=r"stack.*one shape.*\(2, 3\), \(2, 4\)"):
        nr.stack([a, b])
    with pytest.raises(nr.AxisError, match=r"stack"):
        nr.stack([a, a], axis=3)


def test_split_chunk_unstack_errors() -> None:
    x = nr.zeros((5, 2))
    with pytest.raises(nr.ShapeError, match=r"split.*summing to 5.*\(2, 2\)"):
        nr.split(x, [2, 2])
    with pytest.raises(nr.ShapeError, match=r"split.*non-negative"):
        nr.split(x, [6, -1])
    with pytest.raises(nr.ShapeError, match=r"split.*positive piece size"):
        nr.split(x, 0)
    with pytest.raises(TypeError, match=r"split.*sizes_or_sections"):
        nr.split(x, 2.5)
    with pytest.raises(nr.AxisError, match=r"split"):
        nr.split(x, 1, axis=2)
    with pytest.raises(nr.ShapeError, match=r"chunk.*positive int"):
        nr.chunk(x, 0)
    with pytest.raises(nr.AxisError, match=r"unstack"):
        nr.unstack(nr.asarray(1.0))


def test_pad_errors() -> None:
    x = nr.zeros((2, 3, 4))
    with pytest.raises(nr.ShapeError, match=r"pad.*3 pairs"):
        nr.pad(x, ((1, 1), (2, 2)))
    with pytest.raises(nr.ShapeError, match=r"pad.*non-negative"):
        nr.pad(x, -1)
    with pytest.raises(TypeError, match=r"pad.*integers"):
        nr.pad(x, 1.5)
    with pytest.raises(ValueError, match=r"pad.*mode.*'wrap'"):
        nr.pad(x, 1, mode="wrap")
    with pytest.raises(nr.ShapeError, match=r"pad.*at most 1 for mode 'reflect'.*axis 0"):
        nr.pad(x, 2, mode="reflect")
    with pytest.raises(nr.ShapeError, match=r"pad.*circular"):
        nr.pad(x, 3, mode="circular")
    with pytest.raises(nr.ShapeError, match=r"pad.*replicate"):
        nr.pad(nr.zeros((0, 2)), 1, mode="replicate")
    with pytest.raises(TypeError, match=r"pad.*value"):
        nr.pad(x, 1, value="a")
    with pytest.raises(nr.ShapeError, match=r"pad_last_dims.*even"):
        nr.pad_last_dims(x, (1, 2, 3))
    with pytest.raises(nr.ShapeError, match=r"pad_last_dims.*at most 6"):
        nr.pad_last_dims(x, (1,) * 8)
    with pytest.raises(ValueError, match=r"pad_last_dims.*mode"):
        nr.pad_last_dims(x, (1, 1), mode="edge")


def test_transpose_family_errors() -> None:
    with pytest.raises(nr.ShapeError, match=r"T: .*2-D.*\(2, 3, 4\).*mT"):
        _ = nr.zeros((2, 3, 4)).T
    with pytest.raises(nr.ShapeError, match=r"T: .*2-D"):
        _ = nr.zeros(3).T
    with pytest.raises(nr.ShapeError, match=r"matrix_transpose.*at least 2"):
        _ = nr.zeros(3).mT
    with pytest.raises(nr.ShapeError, match=r"tril.*at least 2"):
        nr.tril(nr.zeros(3))
    with pytest.raises(TypeError, match=r"triu.*'k'"):
        nr.triu(nr.zeros((2, 2)), k=1.5)
    with pytest.raises(nr.AxisError, match=r"moveaxis.*source"):
        nr.moveaxis(nr.zeros((2, 3)), 2, 0)
    with pytest.raises(nr.AxisError, match=r"moveaxis.*distinct"):
        nr.moveaxis(nr.zeros((2, 3)), (0, 0), (0, 1))
    with pytest.raises(nr.ShapeError, match=r"moveaxis.*as many"):
        nr.moveaxis(nr.zeros((2, 3)), (0, 1), (0,))
    with pytest.raises(nr.AxisError, match=r"swapaxes.*axis2"):
        nr.swapaxes(nr.zeros((2, 3)), 0, -3)
    with pytest.raises(nr.AxisError, match=r"permute_dims"):
        nr.permute(nr.zeros((2, 3)), (0, 2))
    with pytest.raises(nr.ShapeError, match=r"permute_dims.*permutation.*\(0, 0\)"):
        nr.permute_dims(nr.zeros((2, 3)), (0, 0))
    with pytest.raises(nr.ShapeError, match=r"permute_dims.*2 axes, got 1"):
        nr.permute_dims(nr.zeros((2, 3)), (0,))
    with pytest.raises(TypeError, match=r"permute_dims.*'axes'"):
        nr.permute_dims(nr.zeros((2, 3)), (0.0, 1.0))


def test_reshape_family_errors() -> None:
    x = nr.zeros((2, 3, 4))
    with pytest.raises(nr.ShapeError, match=r"reshape.*\(2, 3, 4\).*\(5, -1\)"):
        nr.reshape(x, (5, -1))
    with pytest.raises(nr.ShapeError, match=r"flatten.*start_dim"):
        nr.flatten(x, 2, 1)
    with pytest.raises(nr.AxisError, match=r"flatten.*end_dim"):
        nr.flatten(x, 0, 3)
    with pytest.raises(nr.ShapeError, match=r"unflatten.*product is 3.*\(2, 2\)"):
        nr.unflatten(x, 1, (2, 2))
    with pytest.raises(nr.AxisError, match=r"unflatten.*dim"):
        nr.unflatten(x, 3, (1, 4))
    with pytest.raises(nr.ShapeError, match=r"broadcast_arrays.*\(2,\) and \(3,\)"):
        nr.broadcast_arrays(nr.zeros(2), nr.zeros(3))
    with pytest.raises(nr.ShapeError, match=r"broadcast_to.*\(2, 3, 4\)"):
        nr.broadcast_to(x, (3, 4))
    with pytest.raises(nr.ShapeError, match=r"expand.*at least 3"):
        nr.expand(x, (-1, 4))
    with pytest.raises(nr.ShapeError, match=r"squeeze.*size 1.*axis 1 of size 3"):
        nr.squeeze(x, 1)
    with pytest.raises(nr.AxisError, match=r"expand_dims"):
        nr.expand_dims(x, 4)


def test_tile_repeat_roll_flip_meshgrid_errors() -> None:
    x = nr.zeros((2, 3))
    with pytest.raises(nr.ShapeError, match=r"tile.*non-negative"):
        nr.tile(x, (2, -1))
    with pytest.raises(TypeError, match=r"tile.*repetitions"):
        nr.tile(x, "ab")
    with pytest.raises(nr.ShapeError, match=r"repeat.*3 counts.*\(2,\)"):
        nr.repeat(x, [1, 2], axis=1)
    with pytest.raises(nr.ShapeError, match=r"repeat.*non-negative"):
        nr.repeat(x, -1)
    with pytest.raises(nr.DTypeError, match=r"repeat.*integer"):
        nr.repeat(x, nr.asarray([1.0, 2.0]), axis=0)
    with pytest.raises(nr.AxisError, match=r"repeat"):
        nr.repeat(x, 2, axis=2)
    with pytest.raises(nr.ShapeError, match=r"roll.*as many"):
        nr.roll(x, (1, 2), axis=(0, 1, 1))
    with pytest.raises(nr.ShapeError, match=r"roll.*one shift"):
        nr.roll(x, (1, 2))
    with pytest.raises(nr.AxisError, match=r"roll"):
        nr.roll(x, 1, axis=2)
    with pytest.raises(nr.AxisError, match=r"flip.*distinct"):
        nr.flip(x, axis=(0, -2))
    with pytest.raises(ValueError, match=r"meshgrid.*indexing"):
        nr.meshgrid(nr.zeros(2), indexing="ji")
    with pytest.raises(nr.ShapeError, match=r"meshgrid.*1-D.*\(2, 3\)"):
        nr.meshgrid(nr.zeros(2), x)
