"""Pooling: max, average and adaptive pooling (1-D to 3-D) and their layers.

Values, indices and gradients against NumPy references written here that loop over output
positions (PyTorch's documented formulas: windows clipped to the padded input, divisors,
first maximum on ties), derivatives by ``check_grads``, hypothesis-chosen geometries against
``torch.nn.functional``, NaN handling, and errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import DTypeError, InvalidArgumentError, ShapeError
from neurarust.core.opinfo import OPINFOS
from neurarust.nn.pool import (
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AvgPool1d,
    AvgPool2d,
    MaxPool2d,
    MaxPool3d,
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
)
from neurarust.test_util import check_grads

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed: no parity checks")
FEW = settings(max_examples=10, deadline=None)
rng = np.random.default_rng(0)
MAX = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}
AVG = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}
ADAPTIVE_AVG = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}
ADAPTIVE_MAX = {1: adaptive_max_pool1d, 2: adaptive_max_pool2d, 3: adaptive_max_pool3d}


# ------------------------------------------------------------ NumPy references


def _tuple(v, d):
    return (v,) * d if isinstance(v, int) else tuple(v)


def _out_size(n, k, s, p, di, ceil_mode):
    span = n + 2 * p - di * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def np_max_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Per output position: the first maximum over the window's in-bounds elements, and its
    flat index into the input plane. Returns ``(values, indices)``."""
    d = x.ndim - 2
    k, p, di = _tuple(kernel_size, d), _tuple(padding, d), _tuple(dilation, d)
    s = k if stride is None else _tuple(stride, d)
    size = x.shape[2:]
    grid = [_out_size(*a, ceil_mode) for a in zip(size, k, s, p, di, strict=True)]
    values = np.zeros((*x.shape[:2], *grid), dtype=x.dtype)
    indices = np.zeros((*x.shape[:2], *grid), dtype=np.int64)
    for n, c in np.ndindex(*x.shape[:2]):
        for q in itertools.product(*map(range, grid)):
            best, where = -np.inf, -1
            for off in itertools.product(*map(range, k)):
                pos = [
                    qi * si - pi + oi * dii
                    for qi, si, pi, oi, dii in zip(q, s, p, off, di, strict=True)
                ]
                if all(0 <= a < m for a, m in zip(pos, size, strict=True)):
                    v = x[(n, c, *pos)]
                    if v > best or np.isnan(v):
                        best, where = v, int(np.ravel_multi_index(pos, size))
            values[(n, c, *q)] = best
            indices[(n, c, *q)] = where
    return values, indices


def np_avg_pool(
    x,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """PyTorch's average: the sum over the window's in-bounds elements divided by the window
    clipped to the padded input (``count_include_pad``) or to the input."""
    d = x.ndim - 2
    k, p = _tuple(kernel_size, d), _tuple(padding, d)
    s = k if stride is None else _tuple(stride, d)
    size = x.shape[2:]
    grid = [
        _out_size(n, ki, si, pi, 1, ceil_mode) for n, ki, si, pi in zip(size, k, s, p, strict=True)
    ]
    out = np.zeros((*x.shape[:2], *grid), dtype=x.dtype)
    for q in itertools.product(*map(range, grid)):
        start = [qi * si - pi for qi, si, pi in zip(q, s, p, strict=True)]
        stop = [min(a + ki, n + pi) for a, ki, n, pi in zip(start, k, size, p, strict=True)]
        padded_count = math.prod(b - a for a, b in zip(start, stop, strict=True))
        lo = [max(a, 0) for a in start]
        hi = [min(b, n) for b, n in zip(stop, size, strict=True)]
        box = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
        total = x[(Ellipsis, *box)].reshape(*x.shape[:2], -1).sum(-1)
        count = math.prod(b - a for a, b in zip(lo, hi, strict=True))
        divisor = divisor_override or (padded_count if count_include_pad else count)
        out[(Ellipsis, *q)] = total / divisor
    return out


def np_adaptive(x, output_size, reduce):
    """Window ``i`` of ``n`` inputs to ``o`` outputs is ``[floor(i n / o), ceil((i+1) n / o))``."""
    size = x.shape[2:]
    grid = _tuple(output_size, len(size))
    grid = tuple(n if g is None else g for g, n in zip(grid, size, strict=True))
    out = np.zeros((*x.shape[:2], *grid), dtype=x.dtype)
    idx = np.zeros((*x.shape[:2], *grid), dtype=np.int64)
    for q in itertools.product(*map(range, grid)):
        box = [(i * n // o, -(-(i + 1) * n // o)) for i, n, o in zip(q, size, grid, strict=True)]
        window = x[(Ellipsis, *(slice(a, b) for a, b in box))].reshape(*x.shape[:2], -1)
        if reduce == "mean":
            out[(Ellipsis, *q)] = window.mean(-1)
        else:
            best = window.argmax(-1)
            out[(Ellipsis, *q)] = window.max(-1)
            local = np.unravel_index(best, [b - a for a, b in box])
            pos = [a + li for (a, _), li in zip(box, local, strict=True)]
            idx[(Ellipsis, *q)] = np.ravel_multi_index(pos, size)
    return out, idx


# ------------------------------------------------------------ geometries


@st.composite
def pool_configs(draw, d: int, kind: str):
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = draw(st.one_of(st.none(), st.tuples(*[st.integers(1, 3)] * d)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d)) if kind == "max" else (1,) * d
    size = tuple(
        di * (k - 1) + 1 + draw(st.integers(0, 3)) for k, di in zip(kernel, dilation, strict=True)
    )
    cfg = {
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "ceil_mode": draw(st.booleans()),
    }
    if kind == "max":
        cfg["dilation"] = dilation
    else:
        cfg["count_include_pad"] = draw(st.booleans())
        cfg["divisor_override"] = draw(st.one_of(st.none(), st.integers(1, 5)))
    return cfg, size


def _grad(fn, x, g):
    return np.asarray(nr.grad(lambda v: nr.sum(fn(v) * nr.asarray(g)))(nr.asarray(x)))


# ------------------------------------------------------------ max pooling


@pytest.mark.parametrize("d", [1, 2, 3])
@FEW
@given(data=st.data())
def test_max_pool_values_indices_and_gradient_match_the_definition(d, data) -> None:
    cfg, size = data.draw(pool_configs(d, "max"))
    x = rng.integers(-3, 4, size=(2, 2, *size)).astype(np.float64)  # integers: many ties
    values, indices = MAX[d](nr.asarray(x), **cfg, return_indices=True)
    want_values, want_indices = np_max_pool(x, **cfg)
    np.testing.assert_array_equal(np.asarray(values), want_values)
    np.testing.assert_array_equal(np.asarray(indices), want_indices)
    assert indices.dtype == nr.int64
    g = rng.standard_normal(want_values.shape)
    want = np.zeros(x.size)
    flat = (want_indices + np.arange(4).reshape(2, 2, *(1,) * d) * math.prod(size)).reshape(-1)
    np.add.at(want, flat, g.reshape(-1))  # each window's gradient to its first maximum
    np.testing.assert_allclose(_grad(lambda v: MAX[d](v, **cfg), x, g), want.reshape(x.shape))


def test_max_pool_nan_propagates_as_in_torch() -> None:
    x = np.array([[[1.0, np.nan, 3.0, np.nan, 2.0, 5.0]]])
    values, indices = max_pool1d(nr.asarray(x), 2, return_indices=True)
    np.testing.assert_array_equal(np.asarray(values), [[[np.nan, np.nan, 5.0]]])
    np.testing.assert_array_equal(np.asarray(indices), [[[1, 3, 5]]])
    values, indices = max_pool1d(nr.asarray(x), 3, stride=1, return_indices=True)
    np.testing.assert_array_equal(np.asarray(indices), np_max_pool(x, 3, 1)[1])


def test_max_pool_integers_and_float32_keep_their_dtype() -> None:
    x = rng.integers(-50, 50, size=(2, 3, 6, 7)).astype(np.int32)
    out = max_pool2d(nr.asarray(x), 3, 2, 1, ceil_mode=True)
    assert out.dtype == nr.int32
    np.testing.assert_array_equal(np.asarray(out), np_max_pool(x, 3, 2, 1, ceil_mode=True)[0])
    out = max_pool2d(nr.asarray(x.astype(np.float32)), 2)
    assert out.dtype == nr.float32


def test_max_pool_second_order_and_forward_mode() -> None:
    x = nr.asarray(rng.standard_normal((1, 2, 5, 5)))
    check_grads(lambda v: max_pool2d(v, 3, 2, 1, ceil_mode=True), (x,), order=2)
    check_grads(lambda v: max_pool2d(v, 2, 1, dilation=2), (x,))
    check_grads(lambda v: max_pool3d(v[None], (1, 2, 2)), (x,))


# ------------------------------------------------------------ average pooling


@pytest.mark.parametrize("d", [1, 2, 3])
@FEW
@given(data=st.data())
def test_avg_pool_values_and_gradient_match_the_definition(d, data) -> None:
    cfg, size = data.draw(pool_configs(d, "avg"))
    x = rng.standard_normal((2, 2, *size))
    want = np_avg_pool(x, **cfg)
    got = AVG[d](nr.asarray(x), **cfg)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-12)
    # avg pooling is linear: its gradient is the reference applied to the basis vectors
    g = rng.standard_normal(want.shape)
    basis = np.eye(x.size).reshape(x.size, *x.shape)
    want_grad = np.array([(np_avg_pool(e, **cfg) * g).sum() for e in basis]).reshape(x.shape)
    np.testing.assert_allclose(
        _grad(lambda v: AVG[d](v, **cfg), x, g), want_grad, rtol=1e-10, atol=1e-12
    )


def test_avg_pool_second_order_and_float32() -> None:
    x = nr.asarray(rng.standard_normal((1, 2, 5, 6)))
    check_grads(
        lambda v: avg_pool2d(v, 3, 2, 1, ceil_mode=True, count_include_pad=False), (x,), order=2
    )
    y = avg_pool1d(nr.asarray(rng.standard_normal((2, 3, 8)).astype(np.float32)), 4)
    assert y.dtype == nr.float32 and y.shape == (2, 3, 2)


# ------------------------------------------------------------ adaptive pooling


@pytest.mark.parametrize("d", [1, 2, 3])
@FEW
@given(data=st.data())
def test_adaptive_pools_match_the_definition(d, data) -> None:
    size = tuple(data.draw(st.integers(1, 6)) for _ in range(d))
    out = tuple(data.draw(st.one_of(st.none(), st.integers(1, 7))) for _ in range(d))
    x = rng.integers(-3, 4, size=(2, 2, *size)).astype(np.float64)
    want_avg, _ = np_adaptive(x, out, "mean")
    np.testing.assert_allclose(
        np.asarray(ADAPTIVE_AVG[d](nr.asarray(x), out)), want_avg, rtol=1e-12, atol=1e-12
    )
    want_max, want_idx = np_adaptive(x, out, "max")
    values, indices = ADAPTIVE_MAX[d](nr.asarray(x), out, return_indices=True)
    np.testing.assert_array_equal(np.asarray(values), want_max)
    np.testing.assert_array_equal(np.asarray(indices), want_idx)
    g = rng.standard_normal(want_max.shape)
    want = np.zeros(x.size)
    flat = (want_idx + np.arange(4).reshape(2, 2, *(1,) * d) * math.prod(size)).reshape(-1)
    np.add.at(want, flat, g.reshape(-1))
    np.testing.assert_allclose(
        _grad(lambda v: ADAPTIVE_MAX[d](v, out), x, g), want.reshape(x.shape)
    )


def test_adaptive_pool_derivatives() -> None:
    x = nr.asarray(rng.standard_normal((1, 2, 5, 7)))
    check_grads(lambda v: adaptive_avg_pool2d(v, (3, 4)), (x,), order=2)
    check_grads(lambda v: adaptive_max_pool2d(v, (2, 3)), (x,))
    check_grads(lambda v: adaptive_avg_pool2d(v, (5, 1)), (x,))


# ------------------------------------------------------------ OpInfos of this family


OURS = [i for i in OPINFOS if "pool" in i.name or i.name.startswith("window")]


@pytest.mark.parametrize("info", OURS, ids=lambda i: i.name)
def test_opinfo_samples_against_references_and_check_grads(info) -> None:
    for sample in info.samples(np.random.default_rng(2), np.dtype(np.float64)):
        args = [nr.asarray(a) if isinstance(a, np.ndarray) else a for a in sample.args]
        got = info.fn(*args, **sample.kwargs)
        want = info.ref(*sample.args, **sample.kwargs)
        for a, b in zip(
            got if isinstance(got, tuple) else (got,),
            want if isinstance(want, tuple) else (want,),
            strict=True,
        ):
            np.testing.assert_allclose(np.asarray(a), b, rtol=1e-10, atol=1e-12)
        if info.grad:
            check_grads(
                lambda v, args=args, kw=sample.kwargs: info.fn(v, *args[1:], **kw), [args[0]]
            )


# ------------------------------------------------------------ PyTorch parity


@needs_torch
@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("kind", ["max", "avg"])
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_pools_match_torch(d, kind, data) -> None:
    cfg, size = data.draw(pool_configs(d, kind))
    if kind == "avg" and d == 1:
        cfg.pop("divisor_override")  # PyTorch's avg_pool1d has no divisor_override
    x = rng.integers(-3, 4, size=(2, 3, *size)).astype(np.float64)
    tx = torch.tensor(x, requires_grad=True)
    fn = getattr(torch.nn.functional, f"{kind}_pool{d}d")
    ty = fn(tx, **cfg)
    g = rng.standard_normal(tuple(ty.shape))
    (ty * torch.tensor(g)).sum().backward()
    ours = (MAX if kind == "max" else AVG)[d]
    np.testing.assert_allclose(
        np.asarray(ours(nr.asarray(x), **cfg)), ty.detach().numpy(), rtol=1e-12
    )
    np.testing.assert_allclose(
        _grad(lambda v: ours(v, **cfg), x, g), tx.grad.numpy(), rtol=1e-12, atol=1e-12
    )
    if kind == "max":
        _, ti = fn(tx, **cfg, return_indices=True)
        np.testing.assert_array_equal(
            np.asarray(ours(nr.asarray(x), **cfg, return_indices=True)[1]), ti.numpy()
        )


@needs_torch
@pytest.mark.parametrize("d", [1, 2, 3])
def test_adaptive_pools_match_torch(d) -> None:
    x = rng.integers(-3, 4, size=(2, 3, *(7, 5, 6)[:d])).astype(np.float64)
    for out in [(3, 2, 4)[:d], (7, 1, 6)[:d], (4, 5, 2)[:d]]:
        tx = torch.tensor(x)
        want = getattr(torch.nn.functional, f"adaptive_avg_pool{d}d")(tx, out).numpy()
        np.testing.assert_allclose(
            np.asarray(ADAPTIVE_AVG[d](nr.asarray(x), out)), want, rtol=1e-12, atol=1e-14
        )
        tv, ti = getattr(torch.nn.functional, f"adaptive_max_pool{d}d")(
            tx, out, return_indices=True
        )
        values, indices = ADAPTIVE_MAX[d](nr.asarray(x), out, return_indices=True)
        np.testing.assert_array_equal(np.asarray(values), tv.numpy())
        np.testing.assert_array_equal(np.asarray(indices), ti.numpy())


@needs_torch
def test_layers_match_torch_modules() -> None:
    x = rng.standard_normal((2, 3, 9, 8))
    tx = torch.tensor(x)
    pairs = [
        (MaxPool2d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
        (
            AvgPool2d(3, 2, 1, count_include_pad=False),
            torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False),
        ),
        (AdaptiveAvgPool2d((4, None)), torch.nn.AdaptiveAvgPool2d((4, None))),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(np.asarray(ours(nr.asarray(x))), theirs(tx).numpy(), rtol=1e-12)
    v, i = AdaptiveMaxPool1d(3, return_indices=True)(nr.asarray(x[:, :, 0]))
    tv, ti = torch.nn.AdaptiveMaxPool1d(3, return_indices=True)(tx[:, :, 0])
    np.testing.assert_array_equal(np.asarray(i), ti.numpy())
    np.testing.assert_array_equal(np.asarray(v), tv.numpy())
    np.testing.assert_allclose(
        np.asarray(AvgPool1d(3)(nr.asarray(x[0]))), torch.nn.AvgPool1d(3)(tx[0]).numpy()
    )


# ------------------------------------------------------------ layers and errors


def test_pool_layers_are_static_pytrees() -> None:
    layer = MaxPool3d(2)
    assert nr.tree.leaves(layer) == [] and layer.stride == 2
    assert layer(nr.ones((1, 2, 4, 4, 4))).shape == (1, 2, 2, 2, 2)
    assert layer(nr.ones((2, 4, 4, 4))).shape == (2, 2, 2, 2)  # unbatched


def test_pool_errors_name_the_op_argument_and_values() -> None:
    with pytest.raises(
        InvalidArgumentError, match="max_pool2d: argument 'padding' expected at most half"
    ):
        max_pool2d(nr.ones((1, 1, 8, 8)), 3, padding=2)
    with pytest.raises(
        ShapeError, match="max_pool2d: input spatial size \\(2, 2\\) gives output size"
    ):
        max_pool2d(nr.ones((1, 1, 2, 2)), 3)
    with pytest.raises(ShapeError, match="avg_pool1d: argument 'input' expected 3-D \\(N, C, L\\)"):
        avg_pool1d(nr.ones((1, 1, 2, 8)), 2)
    with pytest.raises(DTypeError, match="avg_pool2d: argument 'input' expected a floating-point"):
        avg_pool2d(nr.ones((1, 1, 4, 4), dtype=nr.int32), 2)
    with pytest.raises(InvalidArgumentError, match="divisor_override"):
        avg_pool2d(nr.ones((1, 1, 4, 4)), 2, divisor_override=0)
    with pytest.raises(InvalidArgumentError, match="'kernel_size' expected values >= 1"):
        MaxPool2d(0)
    with pytest.raises(InvalidArgumentError, match="adaptive_avg_pool2d: argument 'output_size'"):
        adaptive_avg_pool2d(nr.ones((1, 1, 4, 4)), (0, 2))
    with pytest.raises(DTypeError, match="max_pool1d"):
        max_pool1d(nr.ones((1, 1, 4), dtype=nr.bool), 2)
