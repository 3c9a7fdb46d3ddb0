"""Products of arrays: ``matmul``, ``tensordot``, ``vecdot``, ``outer`` and ``einsum``.

Two primitives carry them all: ``matmul`` (stacks of matrices with equal batch dimensions)
and ``einsum`` (explicit subscripts, operands already broadcast to the sizes of their labels).
The public functions promote dtypes, apply NumPy's 1-D and broadcasting rules, validate, and
call the kernel straight away on plain arrays. ``tensordot``, ``vecdot`` and ``outer`` are
``einsum`` under transforms, so their derivatives come from ``einsum``'s rules.

bfloat16 products are computed in float32 and rounded back (NumPy has no bfloat16 loops).
"""

from __future__ import annotations

import functools
import string
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..batching import Dims, move_axis
from ..errors import ShapeError
from ..opinfo import OpInfo, Sample, rand, register
from ..primitive import Primitive, ShapedArray
from .arguments import broadcast_shapes, normalize_axis, promote_args
from .creation import eye, ones
from .elementwise import conj
from .rules import multilinear
from .shape import broadcast_to, matrix_transpose, moveaxis, reshape

__all__ = [
    "matmul",
    "tensordot",
    "vecdot",
    "outer",
    "einsum",
]


_MAX_OPERANDS = 64  # NumPy's limit on einsum operands
_OPTIMIZE_SIZE = 4096  # operands at least this large make einsum's path search pay off


def _float32_for_bfloat16(buffers: Sequence[Any]) -> tuple[np.dtype, list[Any]]:
    """The input dtype, and the buffers in a dtype the backend multiplies (bfloat16 ->
    float32)."""
    dt = buffers[0].dtype
    if dt == dtypes.bfloat16:
        return dt, [b.astype(np.float32) for b in buffers]
    return dt, list(buffers)


def promote_arrays(op: str, *xs: Any) -> list[Any]:
    """``xs`` as arrays of one dtype: unchanged when they already are, else
    :func:`promote_args` (which also accepts scalars and nested lists)."""
    first = xs[0]
    if isinstance(first, Array):
        dt = first.dtype
        if all(isinstance(x, Array) and x.dtype is dt for x in xs):
            return list(xs)
    return promote_args(op, *xs)


# ------------------------------------------------------------------------- matmul


def _matmul(a: Any, b: Any) -> Any:
    dt, (a, b) = _float32_for_bfloat16((a, b))
    if a.ndim >= 2 and b.ndim >= 2 and a.shape[-1] == 1:
        out = a * b  # outer products (per-example weight gradients): the same single products
    else:
        out = namespace(a).matmul(a, b)
    return out if out.dtype == dt else out.astype(dt)


_matmul.fresh_output = True  # type: ignore[attr-defined]  # jit may write into its result


matmul_p = multilinear(
    Primitive(
        "matmul",
        _matmul,
        lambda a, b: ShapedArray((*a.shape[:-1], b.shape[-1]), a.dtype),
    ),
    lambda g, out, a, b: matmul(g, matrix_transpose(b)),
    lambda g, out, a, b: matmul(matrix_transpose(a), g),
)


def _matmul_batch(args: Sequence[Any], dims: Dims) -> tuple[Any, int]:
    """vmap of ``matmul`` (operands ``(*lead, n, k)`` and ``(*lead, k, m)`` per example).

    One batched operand against an unbatched one is a single product with the batch merged
    into the rows of ``x1`` (``(B, n, k) @ (k, m)`` is ``(B*n, k) @ (k, m)``: one GEMM, the
    weight is never broadcast) or into the columns of ``x2``. Two batched operands are a
    batched product, the batch axis aligned among the leading dimensions.
    """
    a, b = args
    da, db = dims
    lead = len(a.shape) - 2 - (da is not None)
    if da is not None and db is not None:
        target = da if da <= lead else db if db <= lead else 0
        return matmul_p.bind(move_axis(a, da, target), move_axis(b, db, target)), target
    if db is None:
        if da not in (lead, lead + 1):
            a, da = move_axis(a, da, lead), lead
        s = tuple(a.shape)
        rows = reshape(a, (*s[:lead], s[lead] * s[lead + 1], s[lead + 2]))
        return reshape(matmul_p.bind(rows, b), (*s[:-1], b.shape[-1])), da
    if db <= lead:
        b, db = move_axis(b, db, lead + 1), lead + 1
    s = tuple(b.shape)
    cols = reshape(b, (*s[: lead + 1], s[lead + 1] * s[lead + 2]))
    return reshape(matmul_p.bind(a, cols), (*a.shape[:-1], *s[-2:])), db


matmul_p.defbatch(_matmul_batch)


def _matmul_shape(s1: tuple[int, ...], s2: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of ``matmul`` for operands of shapes ``s1`` and ``s2`` (NumPy rules)."""
    if not s1 or not s2:
        raise ShapeError(
            f"matmul: arguments expected at least 1 dimension each, got shapes {s1} and {s2} "
            "(use multiply for scalars)"
        )
    k1 = s1[-1]
    k2 = s2[-2] if len(s2) > 1 else s2[0]
    if k1 != k2:
        raise ShapeError(
            f"matmul: shapes {s1} and {s2} cannot be multiplied: contracted dimensions {k1} != {k2}"
        )
    try:
        batch = broadcast_shapes("matmul", s1[:-2], s2[:-2])
    except ShapeError:
        raise ShapeError(
            f"matmul: shapes {s1} and {s2} cannot be multiplied: batch dimensions "
            f"{s1[:-2]} and {s2[:-2]} do not broadcast"
        ) from None
    return batch + s1[-2:-1] + s2[-1:] if len(s2) > 1 else batch + s1[-2:-1]


def matmul(x1: Any, x2: Any, /) -> Array:
    """The matrix product of ``x1`` and ``x2`` (NumPy's ``matmul`` rules).

    Arrays of two or more dimensions are stacks of matrices whose batch dimensions broadcast;
    a 1-D first argument is a row vector and a 1-D second argument a column vector, their
    added dimension removed from the result. Dtypes promote as for ``multiply``.

    Examples
    --------
    >>> a = nr.ones((2, 3, 4))
    >>> (a @ nr.ones((4,))).shape
    (2, 3)
    >>> nr.matmul(nr.ones((5, 1, 2, 3)), nr.ones((4, 3, 2))).shape
    (5, 4, 2, 2)
    """
    if x1.__class__ is Array and x2.__class__ is Array:
        a, b = x1._v, x2._v
        if a.dtype is b.dtype:
            try:
                out = namespace(a).matmul(a, b)
            except ValueError:
                pass
            else:
                if out.dtype is a.dtype:
                    return wrap(out)
    a, b = promote_arrays("matmul", x1, x2)
    shape = _matmul_shape(tuple(a.shape), tuple(b.shape))
    if a.__class__ is Array and b.__class__ is Array:
        return wrap(_matmul(a._v, b._v))
    m1 = a if a.ndim > 1 else reshape(a, (1, a.shape[0]))
    m2 = b if b.ndim > 1 else reshape(b, (b.shape[0], 1))
    batch = broadcast_shapes("matmul", m1.shape[:-2], m2.shape[:-2])
    m1 = broadcast_to(m1, batch + tuple(m1.shape[-2:]))
    m2 = broadcast_to(m2, batch + tuple(m2.shape[-2:]))
    return reshape(matmul_p.bind(m1, m2), shape)


# ------------------------------------------------------------------------- einsum


class _Plan(NamedTuple):
    """A checked einsum: explicit labels, the shapes operands broadcast to, the result."""

    subscripts: str  # explicit, without ellipses: "ab,bc->ac"
    shapes: tuple[tuple[int, ...], ...]  # each operand broadcast to its labels' sizes


def _split(subscripts: str) -> tuple[list[str], str]:
    """The input terms and the output term of explicit subscripts ``"ab,bc->ac"``."""
    lhs, out = subscripts.split("->")
    return lhs.split(","), out


def _bad(subscripts: str, why: str) -> ShapeError:
    return ShapeError(f"einsum: argument 'subscripts' {why}, got {subscripts!r}")


def _labels(subscripts: str, term: str) -> tuple[str, str, bool]:
    """The letters before and after a term's ellipsis, and whether it has one."""
    head, dots, tail = term.partition("...")
    if not all(c in string.ascii_letters for c in head + tail):
        raise _bad(subscripts, "expected letters, ',', '->' and at most one '...' per term")
    return head, tail, bool(dots)


@functools.lru_cache(maxsize=512)
def _plan(subscripts: str, shapes: tuple[tuple[int, ...], ...]) -> _Plan:
    """Check ``subscripts`` against the operands' ``shapes`` and make them explicit."""
    text = subscripts.replace(" ", "")
    if text.count("->") > 1:
        raise _bad(subscripts, "expected at most one '->'")
    lhs, arrow, rhs = text.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ShapeError(
            f"einsum: subscripts {subscripts!r} name {len(terms)} operand(s), got "
            f"{len(shapes)} operand(s)"
        )
    parsed = [_labels(subscripts, t) for t in terms]
    fresh = [c for c in string.ascii_letters if c not in text]
    ell_ndim = 0
    for k, ((head, tail, dots), shape) in enumerate(zip(parsed, shapes, strict=True)):
        named = len(head) + len(tail)
        if len(shape) < named or (len(shape) != named and not dots):
            raise ShapeError(
                f"einsum: operand {k} has shape {shape} ({len(shape)} dimensions) but its "
                f"subscripts {terms[k]!r} name {named}"
            )
        ell_ndim = max(ell_ndim, len(shape) - named)
    ell = "".join(fresh[:ell_ndim])
    inputs = []
    for (head, tail, _), shape in zip(parsed, shapes, strict=True):
        k = len(shape) - len(head) - len(tail)
        inputs.append(head + ell[ell_ndim - k :] + tail)
    sizes = _label_sizes(inputs, shapes)
    if arrow:
        head, tail, dots = _labels(subscripts, rhs)
        if ell_ndim and not dots:
            raise _bad(subscripts, "expected '...' in the output when operands have '...'")
        out = head + ell + tail if dots else head + tail
        for c in out:
            if c not in sizes:
                raise _bad(subscripts, f"expected output labels that appear in the inputs ({c!r})")
            if out.count(c) > 1:
                raise _bad(subscripts, f"expected each output label once ({c!r} repeats)")
    else:
        letters = "".join(head + tail for head, tail, _ in parsed)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    targets = tuple(tuple(sizes[c] for c in labels) for labels in inputs)
    return _Plan(",".join(inputs) + "->" + out, targets)


def _label_sizes(inputs: list[str], shapes: tuple[tuple[int, ...], ...]) -> dict[str, int]:
    """The size of each label; sizes of 1 broadcast, other mismatches raise ShapeError."""
    sizes: dict[str, int] = {}
    for k, (labels, shape) in enumerate(zip(inputs, shapes, strict=True)):
        mine: dict[str, int] = {}
        for c, d in zip(labels, shape, strict=True):
            if mine.setdefault(c, d) != d:
                raise ShapeError(
                    f"einsum: label {c!r} repeats in operand {k} (shape {shape}) with different "
                    f"sizes {mine[c]} and {d}"
                )
            known = sizes.setdefault(c, d)
            if known == 1:
                sizes[c] = d
            elif d not in (1, known):
                raise ShapeError(
                    f"einsum: label {c!r} has size {known} in an earlier operand and {d} in "
                    f"operand {k} (shape {shape}); sizes must match or be 1"
                )
    return sizes


def _einsum(*operands: Any, subscripts: str) -> Any:
    dt = operands[0].dtype
    if dt == dtypes.bfloat16:
        operands = tuple(b.astype(np.float32) for b in operands)
    n = len(operands)
    big = n > 2 or (n == 2 and max(operands[0].size, operands[1].size) >= _OPTIMIZE_SIZE)
    out = namespace(operands[0]).einsum(subscripts, *operands, optimize=big)
    return out if out.dtype == dt else out.astype(dt)


def _einsum_shape(*avals: ShapedArray, subscripts: str) -> ShapedArray:
    inputs, out = _split(subscripts)
    sizes = {}
    for labels, a in zip(inputs, avals, strict=True):
        sizes.update(zip(labels, a.shape, strict=True))
    return ShapedArray(tuple(sizes[c] for c in out), avals[0].dtype)


def _einsum_transpose(i: int) -> Any:
    """The VJP for operand ``i``: an einsum of the cotangent with the other operands.

    Labels of operand ``i`` found nowhere else are restored with a vector of ones, and a label
    repeated in operand ``i`` (a diagonal) with identity matrices, so every case is one einsum.
    """

    def rule(g: Array, out: Array, *operands: Array, subscripts: str) -> Array:
        inputs, output = _split(subscripts)
        target = inputs[i]
        terms = [output] + [t for j, t in enumerate(inputs) if j != i]
        arrays = [g] + [a for j, a in enumerate(operands) if j != i]
        size = dict(zip(target, operands[i].shape, strict=True))
        present = set("".join(terms))
        fresh = iter(c for c in string.ascii_letters if c not in subscripts)
        result = ""
        for c in target:
            if c in result:
                new = next(fresh)
                terms.append(c + new)
                arrays.append(eye(size[c], dtype=g.dtype, device=g.device))
                result += new
            else:
                result += c
        for c in dict.fromkeys(target):
            if c not in present:
                terms.append(c)
                arrays.append(ones((size[c],), dtype=g.dtype, device=g.device))
        return einsum(",".join(terms) + "->" + result, *arrays)

    return rule


def _einsum_batch(args: Sequence[Any], dims: Dims, *, subscripts: str) -> tuple[Any, int]:
    """vmap of ``einsum``: one einsum with a new label for the batch axis, placed where each
    batched operand has it (unbatched operands go without it) and first in the result."""
    inputs, output = _split(subscripts)
    free = [c for c in string.ascii_letters if c not in subscripts]
    if not free:
        raise ShapeError(
            f"einsum: vmap needs a label for the batch axis, but subscripts {subscripts!r} "
            f"use all {len(string.ascii_letters)} letters; use fewer labels (or split the "
            "einsum in two) inside vmap"
        )
    z = free[0]
    terms = [t if d is None else t[:d] + z + t[d:] for t, d in zip(inputs, dims, strict=True)]
    return einsum_p.bind(*args, subscripts=",".join(terms) + "->" + z + output), 0


einsum_p = multilinear(
    Primitive("einsum", _einsum, _einsum_shape),
    *(_einsum_transpose(i) for i in range(_MAX_OPERANDS)),
).defbatch(_einsum_batch)


def einsum(subscripts: str, /, *operands: Any) -> Array:
    """Einstein summation: the sum of products of ``operands`` over the labels that
    ``subscripts`` leaves out of the result (NumPy's ``einsum`` in string form).

    ``"ij,jk->ik"`` is a matrix product, ``"ii->"`` a trace, ``"ii->i"`` a diagonal,
    ``"...ij->...ji"`` a batched transpose, ``"i,j->ij"`` an outer product. Without ``->``
    the result has the labels that appear once, in alphabetical order. Dimensions under the
    same label (and under ``...``) broadcast when one of them has size 1. Differentiable in
    every operand, repeated labels included. Only the string form is supported, not NumPy's
    interleaved ``einsum(op, [0, 1], ...)`` form.

    Examples
    --------
    >>> nr.einsum("ij,jk->ik", nr.ones((2, 3)), nr.ones((3, 4))).shape
    (2, 4)
    >>> float(nr.einsum("ii", nr.eye(3)))
    3.0
    """
    if not isinstance(subscripts, str):
        raise TypeError(
            f"einsum: argument 'subscripts' expected a string such as 'ij,jk->ik', got "
            f"{type(subscripts).__name__} (only the string form is supported)"
        )
    if not operands or len(operands) > _MAX_OPERANDS:
        raise ShapeError(
            f"einsum: expected 1 to {_MAX_OPERANDS} operands, got {len(operands)} operands"
        )
    arrays = promote_arrays("einsum", *operands)
    plan = _plan(subscripts, tuple(tuple(a.shape) for a in arrays))
    targets = plan.shapes
    if all(a.__class__ is Array for a in arrays):
        bufs = [a._v for a in arrays]
        if any(b.shape != t for b, t in zip(bufs, targets, strict=True)):
            xp = namespace(bufs[0])
            bufs = [xp.broadcast_to(b, t) for b, t in zip(bufs, targets, strict=True)]
        return wrap(_einsum(*bufs, subscripts=plan.subscripts))
    arrays = [broadcast_to(a, t) for a, t in zip(arrays, targets, strict=True)]
    return einsum_p.bind(*arrays, subscripts=plan.subscripts)


# ------------------------------------------------------------ tensordot, vecdot, outer


def _tensordot_axes(
    op: str, s1: tuple[int, ...], s2: tuple[int, ...], axes: Any
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        n = int(axes)
        if n < 0 or n > min(len(s1), len(s2)):
            raise ShapeError(
                f"{op}: argument 'axes' expected an int in [0, {min(len(s1), len(s2))}] for "
                f"shapes {s1} and {s2}, got {n}"
            )
        ax1, ax2 = tuple(range(len(s1) - n, len(s1))), tuple(range(n))
    else:
        try:
            first, second = axes
            first = (first,) if isinstance(first, (int, np.integer)) else tuple(first)
            second = (second,) if isinstance(second, (int, np.integer)) else tuple(second)
        except (TypeError, ValueError):
            raise TypeError(
                f"{op}: argument 'axes' expected an int or a pair of axis sequences, got {axes!r}"
            ) from None
        if len(first) != len(second):
            raise ShapeError(
                f"{op}: argument 'axes' expected sequences of equal length, got {axes!r}"
            )
        ax1 = tuple(normalize_axis(op, a, len(s1), "axes") for a in first)
        ax2 = tuple(normalize_axis(op, a, len(s2), "axes") for a in second)
        if len(set(ax1)) != len(ax1) or len(set(ax2)) != len(ax2):
            raise ShapeError(f"{op}: argument 'axes' expected distinct axes, got {axes!r}")
    for a1, a2 in zip(ax1, ax2, strict=True):
        if s1[a1] != s2[a2]:
            raise ShapeError(
                f"{op}: shapes {s1} and {s2} cannot be contracted over axes {ax1} and {ax2}: "
                f"contracted dimensions {s1[a1]} != {s2[a2]}"
            )
    return ax1, ax2


def tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Array:
    """The sum of products of ``x1`` and ``x2`` over the given axes.

    ``axes=N`` contracts the last ``N`` axes of ``x1`` with the first ``N`` of ``x2``; a pair
    ``(axes1, axes2)`` names them. The result has the remaining axes of ``x1``, then those of
    ``x2``.

    Examples
    --------
    >>> nr.tensordot(nr.ones((2, 3, 4)), nr.ones((3, 4, 5))).shape
    (2, 5)
    >>> nr.tensordot(nr.ones((2, 3)), nr.ones((3, 2)), axes=([0], [1])).shape
    (3, 3)
    """
    a, b = promote_arrays("tensordot", x1, x2)
    ax1, ax2 = _tensordot_axes("tensordot", tuple(a.shape), tuple(b.shape), axes)
    if a.__class__ is Array and b.__class__ is Array:
        dt, (u, v) = _float32_for_bfloat16((a._v, b._v))
        out = namespace(u).tensordot(u, v, axes=(ax1, ax2))
        return wrap(out if out.dtype == dt else out.astype(dt))
    letters = string.ascii_letters
    l1 = letters[: a.ndim]
    free2 = iter(letters[a.ndim :])
    l2 = "".join(l1[ax1[ax2.index(k)]] if k in ax2 else next(free2) for k in range(b.ndim))
    out = "".join(c for k, c in enumerate(l1) if k not in ax1)
    out += "".join(c for k, c in enumerate(l2) if k not in ax2)
    return einsum(f"{l1},{l2}->{out}", a, b)


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Array:
    """The dot product of vectors along ``axis`` (the other dimensions broadcast).

    Complex ``x1`` is conjugated, as in the array API: ``sum(conj(x1) * x2, axis)``. ``axis``
    counts from the end of each array.

    Examples
    --------
    >>> nr.vecdot(nr.ones((2, 3)), nr.ones((3,))).tolist()
    [3.0, 3.0]
    """
    a, b = promote_arrays("vecdot", x1, x2)
    n = min(a.ndim, b.ndim)
    if n == 0:
        raise ShapeError(
            f"vecdot: arguments expected at least 1 dimension each, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    back = normalize_axis("vecdot", axis, n) - n
    if a.shape[back] != b.shape[back]:
        raise ShapeError(
            f"vecdot: shapes {tuple(a.shape)} and {tuple(b.shape)} have different sizes along "
            f"axis {axis}: {a.shape[back]} != {b.shape[back]}"
        )
    if a.dtype.kind == "c":
        a = conj(a)
    if back != -1:
        a, b = moveaxis(a, back, -1), moveaxis(b, back, -1)
    return einsum("...i,...i->...", a, b)


def outer(x1: Any, x2: Any, /) -> Array:
    """The outer product of two vectors: ``out[i, j] = x1[i] * x2[j]``.

    Examples
    --------
    >>> nr.outer(nr.asarray([1.0, 2.0]), nr.asarray([1.0, 10.0, 100.0])).shape
    (2, 3)
    """
    a, b = promote_arrays("outer", x1, x2)
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(
            f"outer: arguments expected 1-D arrays, got shapes {tuple(a.shape)} and "
            f"{tuple(b.shape)}"
        )
    return einsum("i,j->ij", a, b)


# ------------------------------------------------------------------------- OpInfos


def _batch(rng: np.random.Generator) -> tuple[int, ...]:
    return (int(rng.integers(1, 4)),) if rng.random() < 0.5 else ()


def _matmul_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    n, k, m = (int(d) for d in rng.integers(1, 5, size=3))
    b = int(rng.integers(2, 4))
    return [
        Sample((rand(rng, (n, k), dtype), rand(rng, (k, m), dtype))),
        Sample((rand(rng, (b, n, k), dtype), rand(rng, (k, m), dtype))),
        Sample((rand(rng, (b, 1, n, k), dtype), rand(rng, (2, k, m), dtype))),
        Sample((rand(rng, (k,), dtype), rand(rng, (b, k, m), dtype))),
        Sample((rand(rng, (b, n, k), dtype), rand(rng, (k,), dtype))),
        Sample((rand(rng, (k,), dtype), rand(rng, (k,), dtype))),
    ]


_EINSUM_CASES = (
    ("ij,jk->ik", ((2, 3), (3, 4))),
    ("bij,bjk->bik", ((2, 2, 3), (2, 3, 2))),
    ("...ij,...jk", ((2, 1, 2, 3), (4, 3, 2))),
    ("ii->", ((3, 3),)),
    ("ii->i", ((3, 3),)),
    ("ij->ji", ((2, 3),)),
    ("ij->i", ((2, 3),)),
    ("i,j->ij", ((2,), (3,))),
    ("ij,ij->", ((2, 3), (2, 3))),
    ("ij,j->ij", ((2, 3), (1,))),
    ("iij,jk->ik", ((2, 2, 3), (3, 2))),
    ("ij,jk,kl->il", ((2, 3), (3, 2), (2, 2))),
    ("i,i,i->", ((3,), (3,), (3,))),
    ("", ((),)),
)


def _einsum_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    return [
        Sample((subs, *(rand(rng, s, dtype) for s in shapes))) for subs, shapes in _EINSUM_CASES
    ]


def _tensordot_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    return [
        Sample((rand(rng, (2, 3, 4), dtype), rand(rng, (3, 4, 2), dtype))),
        Sample((rand(rng, (2, 3), dtype), rand(rng, (3, 2), dtype)), {"axes": 1}),
        Sample((rand(rng, (2, 3), dtype), rand(rng, (4,), dtype)), {"axes": 0}),
        Sample(
            (rand(rng, (2, 3, 4), dtype), rand(rng, (4, 2, 3), dtype)), {"axes": ([1, 2], [2, 0])}
        ),
    ]


def _vecdot_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    b = _batch(rng)
    return [
        Sample((rand(rng, (*b, 2, 3), dtype), rand(rng, (3,), dtype))),
        Sample((rand(rng, (2, 3), dtype), rand(rng, (4, 1, 3), dtype))),
        Sample((rand(rng, (3, 2), dtype), rand(rng, (3, 2), dtype)), {"axis": -2}),
    ]


def _outer_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    n, m = (int(d) for d in rng.integers(1, 5, size=2))
    return [Sample((rand(rng, (n,), dtype), rand(rng, (m,), dtype)))]


def _np_vecdot(x1: np.ndarray, x2: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.vecdot(x1, x2, axis=axis)


def _np_tensordot(x1: np.ndarray, x2: np.ndarray, axes: Any = 2) -> np.ndarray:
    return np.tensordot(x1, x2, axes=axes)


_NUMERIC = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.complex64)

register(
    OpInfo("matmul", matmul, np.matmul, ("matmul",), _matmul_samples, dtypes=_NUMERIC),
    OpInfo("einsum", einsum, np.einsum, ("einsum",), _einsum_samples, dtypes=_NUMERIC),
    OpInfo("tensordot", tensordot, _np_tensordot, ("einsum",), _tensordot_samples, dtypes=_NUMERIC),
    OpInfo("vecdot", vecdot, _np_vecdot, ("einsum",), _vecdot_samples, dtypes=_NUMERIC),
    OpInfo("outer", outer, np.outer, ("einsum",), _outer_samples, dtypes=_NUMERIC),
)
