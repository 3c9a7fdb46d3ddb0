"""Convolutions: conv1d/2d/3d, conv_transpose1d/2d/3d and their layers.

Values and gradients (input, weight, bias) against a NumPy reference written here that loops
over output positions, derivatives by ``check_grads`` (float64, tiny sizes, order 2 on a few
cases), hypothesis-chosen geometries against ``torch.nn.functional``, the layers' PyTorch
layouts, initialisation and padding modes, and errors."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import DTypeError, InvalidArgumentError, ShapeError
from neurarust.core.opinfo import OPINFOS
from neurarust.nn.conv import (
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
)
from neurarust.test_util import check_grads

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed: no parity checks")
FEW = settings(max_examples=10, deadline=None)
rng = np.random.default_rng(0)


# ------------------------------------------------------------ NumPy references


def _pairs(v: Any, d: int) -> tuple[int, ...]:
    return (v,) * d if isinstance(v, int) else tuple(v)


def _same_pads(kernel, dilation):
    return [
        ((di * (k - 1)) // 2, di * (k - 1) - (di * (k - 1)) // 2)
        for k, di in zip(kernel, dilation, strict=True)
    ]


def np_conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """Direct definition: one dot product per output position (loops over positions)."""
    d = w.ndim - 2
    stride, dilation = _pairs(stride, d), _pairs(dilation, d)
    kernel = w.shape[2:]
    if padding == "same":
        pads = _same_pads(kernel, dilation)
    elif padding == "valid":
        pads = [(0, 0)] * d
    else:
        pads = [(p, p) for p in _pairs(padding, d)]
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    n, c = x.shape[:2]
    o = w.shape[0]
    cg, og = c // groups, o // groups
    grid = [
        (s - di * (k - 1) - 1) // st + 1
        for s, k, st, di in zip(xp.shape[2:], kernel, stride, dilation, strict=True)
    ]
    y = np.zeros((n, o, *grid))
    for oc in range(o):
        g = oc // og
        for q in itertools.product(*map(range, grid)):
            box = tuple(
                slice(qi * st, qi * st + di * (k - 1) + 1, di)
                for qi, st, di, k in zip(q, stride, dilation, kernel, strict=True)
            )
            patch = xp[(slice(None), slice(g * cg, (g + 1) * cg), *box)]
            y[(slice(None), oc, *q)] = (patch * w[oc]).reshape(n, -1).sum(1)
    if b is not None:
        y += b.reshape((-1,) + (1,) * d)
    return y


def np_conv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Direct definition: every input element scatters ``x * w`` over its window."""
    d = w.ndim - 2
    stride, padding = _pairs(stride, d), _pairs(padding, d)
    output_padding, dilation = _pairs(output_padding, d), _pairs(dilation, d)
    kernel = w.shape[2:]
    n, cin = x.shape[:2]
    cout_g = w.shape[1]
    cin_g = cin // groups
    full = [
        (s - 1) * st + di * (k - 1) + 1 + e
        for s, k, st, di, e in zip(
            x.shape[2:], kernel, stride, dilation, output_padding, strict=True
        )
    ]
    y = np.zeros((n, cout_g * groups, *full))
    for ic in range(cin):
        g = ic // cin_g
        for q in itertools.product(*map(range, x.shape[2:])):
            box = tuple(
                slice(qi * st, qi * st + di * (k - 1) + 1, di)
                for qi, st, di, k in zip(q, stride, dilation, kernel, strict=True)
            )
            value = x[(slice(None), ic, *q)].reshape((n, 1) + (1,) * d)
            y[(slice(None), slice(g * cout_g, (g + 1) * cout_g), *box)] += value * w[ic]
    y = y[(Ellipsis, *(slice(p, f - p) for p, f in zip(padding, full, strict=True)))]
    return y if b is None else y + b.reshape((-1,) + (1,) * d)


def np_numeric_grads(f, args, g):
    """Gradients of ``sum(f(*args) * g)`` by central differences (the references are linear
    in each argument, so this is exact up to rounding)."""
    grads = []
    for i, a in enumerate(args):
        if a is None:
            grads.append(None)
            continue
        out = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            e = np.zeros_like(a)
            e[idx] = 1.0
            hi = list(args)
            hi[i] = a + e
            lo = list(args)
            lo[i] = a - e
            out[idx] = ((f(*hi) - f(*lo)) * g).sum() / 2
        grads.append(out)
    return grads


# ------------------------------------------------------------ geometries


@st.composite
def conv_configs(draw, d: int):
    groups = draw(st.sampled_from([1, 2]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    padding = draw(st.sampled_from(["same", "valid", "int", "tuple"]))
    stride = 1 if padding == "same" else tuple(draw(st.integers(1, 3)) for _ in range(d))
    if padding == "int":
        padding = draw(st.integers(0, 2))
    elif padding == "tuple":
        padding = tuple(draw(st.integers(0, 2)) for _ in range(d))
    size = tuple(
        di * (k - 1) + draw(st.integers(1, 4)) for k, di in zip(kernel, dilation, strict=True)
    )
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    bias = draw(st.booleans())
    return {
        **{"groups": groups, "kernel": kernel, "dilation": dilation, "stride": stride},
        **{"padding": padding, "size": size, "c_in": c_in, "c_out": c_out, "bias": bias},
    }


@st.composite
def transpose_configs(draw, d: int):
    groups = draw(st.sampled_from([1, 2]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    extra = tuple(
        draw(st.integers(0, max(s, di) - 1)) for s, di in zip(stride, dilation, strict=True)
    )
    padding = tuple(
        draw(st.integers(0, (di * (k - 1)) // 2)) for k, di in zip(kernel, dilation, strict=True)
    )
    size = tuple(draw(st.integers(1, 3)) for _ in range(d))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    return {"groups": groups, "kernel": kernel, "stride": stride, "dilation": dilation,
            "output_padding": extra, "padding": padding, "size": size, "c_in": c_in,
            "c_out": c_out, "bias": draw(st.booleans())}  # fmt: skip


def _conv_arrays(cfg: dict, n: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    x = rng.standard_normal((n, cfg["c_in"], *cfg["size"]))
    w = rng.standard_normal((cfg["c_out"], cfg["c_in"] // cfg["groups"], *cfg["kernel"]))
    b = rng.standard_normal(cfg["c_out"]) if cfg["bias"] else None
    return x, w, b


def _transpose_arrays(cfg: dict, n: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    x = rng.standard_normal((n, cfg["c_in"], *cfg["size"]))
    w = rng.standard_normal((cfg["c_in"], cfg["c_out"] // cfg["groups"], *cfg["kernel"]))
    b = rng.standard_normal(cfg["c_out"]) if cfg["bias"] else None
    return x, w, b


CONV = {1: conv1d, 2: conv2d, 3: conv3d}
TRANSPOSE = {1: conv_transpose1d, 2: conv_transpose2d, 3: conv_transpose3d}


def _conv_kwargs(cfg: dict) -> dict:
    return {k: cfg[k] for k in ("stride", "padding", "dilation", "groups")}


def _transpose_kwargs(cfg: dict) -> dict:
    return {k: cfg[k] for k in ("stride", "padding", "output_padding", "groups", "dilation")}


def _grads(fn, arrays, g):
    diff = [i for i, a in enumerate(arrays) if a is not None]

    def loss(*xs):
        full = list(arrays)
        for i, v in zip(diff, xs, strict=True):
            full[i] = v
        return nr.sum(fn(*full) * nr.asarray(g))

    return nr.grad(loss, argnums=tuple(range(len(diff))))(*(nr.asarray(arrays[i]) for i in diff))


# ------------------------------------------------------------ values and gradients


@pytest.mark.parametrize("d", [1, 2])
@FEW
@given(data=st.data())
def test_conv_matches_the_direct_definition_with_gradients(d, data) -> None:
    cfg = data.draw(conv_configs(d))
    x, w, b = _conv_arrays(cfg, n=1)
    kw = _conv_kwargs(cfg)
    got = CONV[d](nr.asarray(x), nr.asarray(w), None if b is None else nr.asarray(b), **kw)
    want = np_conv(x, w, b, **kw)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10, atol=1e-10)
    g = rng.standard_normal(want.shape)
    ours = _grads(lambda *a: CONV[d](*a, **kw), [x, w, b], g)
    theirs = [
        t for t in np_numeric_grads(lambda *a: np_conv(*a, **kw), [x, w, b], g) if t is not None
    ]
    for a, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(np.asarray(a), t, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("d", [1, 2])
@FEW
@given(data=st.data())
def test_conv_transpose_matches_the_direct_definition_with_gradients(d, data) -> None:
    cfg = data.draw(transpose_configs(d))
    x, w, b = _transpose_arrays(cfg, n=1)
    kw = _transpose_kwargs(cfg)
    got = TRANSPOSE[d](nr.asarray(x), nr.asarray(w), None if b is None else nr.asarray(b), **kw)
    want = np_conv_transpose(x, w, b, **kw)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10, atol=1e-10)
    g = rng.standard_normal(want.shape)
    ours = _grads(lambda *a: TRANSPOSE[d](*a, **kw), [x, w, b], g)
    theirs = np_numeric_grads(lambda *a: np_conv_transpose(*a, **kw), [x, w, b], g)
    for a, t in zip(ours, [t for t in theirs if t is not None], strict=True):
        np.testing.assert_allclose(np.asarray(a), t, rtol=1e-7, atol=1e-7)


def test_conv3d_and_conv_transpose3d_match_the_direct_definition() -> None:
    x = rng.standard_normal((2, 2, 4, 3, 5))
    w = rng.standard_normal((4, 1, 2, 3, 2))
    b = rng.standard_normal(4)
    kw = {"stride": (1, 2, 1), "padding": (1, 0, 1), "dilation": (1, 1, 2), "groups": 2}
    got = conv3d(nr.asarray(x), nr.asarray(w), nr.asarray(b), **kw)
    np.testing.assert_allclose(np.asarray(got), np_conv(x, w, b, **kw), rtol=1e-10, atol=1e-10)
    wt = rng.standard_normal((2, 3, 2, 2, 3))
    kt = {"stride": 2, "padding": (0, 1, 1), "output_padding": (1, 0, 1)}
    got = conv_transpose3d(nr.asarray(x), nr.asarray(wt), **kt)
    np.testing.assert_allclose(
        np.asarray(got), np_conv_transpose(x, wt, **kt), rtol=1e-10, atol=1e-10
    )


def test_float32_and_unbatched_inputs() -> None:
    x = rng.standard_normal((3, 9, 8)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    got = conv2d(nr.asarray(x), nr.asarray(w), padding=1)
    assert got.dtype == nr.float32 and got.shape == (4, 9, 8)
    want = np_conv(x[None].astype(np.float64), w.astype(np.float64), padding=1)[0]
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4)
    up = conv_transpose1d(nr.asarray(x[:, 0]), nr.asarray(w[:3, :, 0]), stride=2)
    assert up.shape == (3, 17)


def test_larger_batches_run_in_blocks() -> None:
    x = rng.standard_normal((70, 3, 10, 9))
    w = rng.standard_normal((5, 3, 3, 3))
    kw = {"padding": 1}
    got = conv2d(nr.asarray(x), nr.asarray(w), **kw)
    np.testing.assert_allclose(np.asarray(got), np_conv(x, w, **kw), rtol=1e-10, atol=1e-10)
    g = rng.standard_normal(got.shape)
    gx, gw = _grads(lambda *a: conv2d(*a, **kw), [x, w], g)
    np.testing.assert_allclose(
        np.asarray(gx), np_conv_transpose(g, w, padding=1), rtol=1e-10, atol=1e-10
    )
    padded = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    gw_want = np.zeros_like(w)
    for i, j in itertools.product(range(3), range(3)):
        gw_want[:, :, i, j] = np.einsum("nohw,nchw->oc", g, padded[:, :, i : i + 10, j : j + 9])
    np.testing.assert_allclose(np.asarray(gw), gw_want, rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize(
    "fn,args,kwargs",
    [
        (
            conv2d,
            ((1, 4, 5, 5), (4, 2, 3, 2), (4,)),
            {"stride": (2, 1), "padding": 1, "groups": 2},
        ),
        (
            conv_transpose2d,
            ((1, 2, 3, 3), (2, 2, 3, 2), (2,)),
            {"stride": 2, "padding": 1, "output_padding": 1},
        ),
        (conv1d, ((2, 2, 6), (3, 2, 3), None), {"padding": "same", "dilation": 2}),
    ],
)
def test_second_order_derivatives(fn, args, kwargs) -> None:
    arrays = [None if s is None else nr.asarray(rng.standard_normal(s)) for s in args]
    present = [a for a in arrays if a is not None]
    if len(present) == 3:
        check_grads(lambda x, w, b: fn(x, w, b, **kwargs), present, order=2)
    else:
        check_grads(lambda x, w: fn(x, w, **kwargs), present, order=2)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_first_order_derivatives_every_rank(d) -> None:
    x = nr.asarray(rng.standard_normal((2, 2, *(4,) * d)))
    w = nr.asarray(rng.standard_normal((2, 1, *(2,) * d)))
    b = nr.asarray(rng.standard_normal(2))
    check_grads(lambda x, w, b: CONV[d](x, w, b, stride=2, padding=1, groups=2), (x, w, b))
    check_grads(lambda x, w: TRANSPOSE[d](x, w, stride=2, output_padding=1), (x, w))


# ------------------------------------------------------------ OpInfos of this family


OURS = [i for i in OPINFOS if "conv" in i.name]


@pytest.mark.parametrize("info", OURS, ids=lambda i: i.name)
def test_opinfo_samples_against_references_and_check_grads(info) -> None:
    sample_rng = np.random.default_rng(1)
    for sample in info.samples(sample_rng, np.dtype(np.float64)):
        args = [nr.asarray(a) if isinstance(a, np.ndarray) else a for a in sample.args]
        got = info.fn(*args, **sample.kwargs)
        np.testing.assert_allclose(
            np.asarray(got), info.ref(*sample.args, **sample.kwargs), rtol=1e-10, atol=1e-10
        )
        diff = [i for i, a in enumerate(args) if isinstance(a, nr.Array)]

        def f(*xs, args=args, diff=diff, kwargs=sample.kwargs):
            full = list(args)
            for i, v in zip(diff, xs, strict=True):
                full[i] = v
            return info.fn(*full, **kwargs)

        check_grads(f, [args[i] for i in diff])


# ------------------------------------------------------------ PyTorch parity


def _t(a, grad=True):
    return None if a is None else torch.tensor(a, requires_grad=grad)


@needs_torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("d", [1, 2, 3])
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_conv_matches_torch(d, data) -> None:
    cfg = data.draw(conv_configs(d))
    x, w, b = _conv_arrays(cfg)
    kw = _conv_kwargs(cfg)
    tx, tw, tb = _t(x), _t(w), _t(b)
    ty = getattr(torch.nn.functional, f"conv{d}d")(tx, tw, tb, **kw)
    g = rng.standard_normal(tuple(ty.shape))
    (ty * torch.tensor(g)).sum().backward()
    got = CONV[d](nr.asarray(x), nr.asarray(w), None if b is None else nr.asarray(b), **kw)
    np.testing.assert_allclose(np.asarray(got), ty.detach().numpy(), rtol=1e-9, atol=1e-9)
    ours = _grads(lambda *a: CONV[d](*a, **kw), [x, w, b], g)
    for a, t in zip(ours, [t for t in (tx, tw, tb) if t is not None], strict=True):
        np.testing.assert_allclose(np.asarray(a), t.grad.numpy(), rtol=1e-9, atol=1e-9)


@needs_torch
@pytest.mark.parametrize("d", [1, 2, 3])
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_conv_transpose_matches_torch(d, data) -> None:
    cfg = data.draw(transpose_configs(d))
    x, w, b = _transpose_arrays(cfg)
    kw = _transpose_kwargs(cfg)
    tx, tw, tb = _t(x), _t(w), _t(b)
    ty = getattr(torch.nn.functional, f"conv_transpose{d}d")(tx, tw, tb, **kw)
    g = rng.standard_normal(tuple(ty.shape))
    (ty * torch.tensor(g)).sum().backward()
    got = TRANSPOSE[d](nr.asarray(x), nr.asarray(w), None if b is None else nr.asarray(b), **kw)
    np.testing.assert_allclose(np.asarray(got), ty.detach().numpy(), rtol=1e-9, atol=1e-9)
    ours = _grads(lambda *a: TRANSPOSE[d](*a, **kw), [x, w, b], g)
    for a, t in zip(ours, [t for t in (tx, tw, tb) if t is not None], strict=True):
        np.testing.assert_allclose(np.asarray(a), t.grad.numpy(), rtol=1e-9, atol=1e-9)


@needs_torch
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv2d_layer_matches_torch_for_every_padding_mode(mode, padding) -> None:
    layer = Conv2d(4, 6, (3, 2), padding=padding, padding_mode=mode, groups=2, key=0).astype(
        nr.float64
    )
    theirs = torch.nn.Conv2d(4, 6, (3, 2), padding=padding, padding_mode=mode, groups=2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(np.asarray(layer.weight)))
        theirs.bias.copy_(torch.tensor(np.asarray(layer.bias)))
    x = rng.standard_normal((2, 4, 6, 5))
    tx = _t(x)
    ty = theirs(tx)
    ty.sum().backward()
    np.testing.assert_allclose(
        np.asarray(layer(nr.asarray(x))), ty.detach().numpy(), rtol=1e-9, atol=1e-9
    )
    g_layer, g_x = nr.grad(lambda m, x: nr.sum(m(x)), argnums=(0, 1))(layer, nr.asarray(x))
    np.testing.assert_allclose(np.asarray(g_x), tx.grad.numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        np.asarray(g_layer.weight), theirs.weight.grad.numpy(), rtol=1e-9, atol=1e-9
    )
    np.testing.assert_allclose(
        np.asarray(g_layer.bias), theirs.bias.grad.numpy(), rtol=1e-9, atol=1e-9
    )


@needs_torch
def test_conv_transpose2d_layer_output_size_matches_torch() -> None:
    layer = ConvTranspose2d(4, 2, 3, stride=2, padding=1, key=0).astype(nr.float64)
    theirs = torch.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(np.asarray(layer.weight)))
        theirs.bias.copy_(torch.tensor(np.asarray(layer.bias)))
    x = rng.standard_normal((1, 4, 5, 5))
    for size in (None, (10, 9), (9, 10)):
        want = theirs(_t(x, False), output_size=size).detach().numpy()
        got = np.asarray(layer(nr.asarray(x), output_size=size))
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


@needs_torch
@pytest.mark.parametrize(
    "ours,theirs,args",
    [
        (Conv1d, torch.nn.Conv1d if torch else None, (3, 5, 4)),
        (Conv2d, torch.nn.Conv2d if torch else None, (3, 4, (3, 2))),
        (Conv3d, torch.nn.Conv3d if torch else None, (2, 4, 2)),
        (ConvTranspose1d, torch.nn.ConvTranspose1d if torch else None, (4, 6, 3)),
        (ConvTranspose2d, torch.nn.ConvTranspose2d if torch else None, (4, 6, 3, 1, 0, 0, 2)),
    ],
)
def test_layers_have_torch_names_layouts_and_init_bounds(ours, theirs, args) -> None:
    layer = ours(*args, key=0)
    ref = theirs(*args)
    assert [n for n, _ in nr.nn.named_parameters(layer)] == [n for n, _ in ref.named_parameters()]
    assert layer.weight.shape == tuple(ref.weight.shape)
    assert layer.bias.shape == tuple(ref.bias.shape)
    fan_in = ref.weight.shape[1] * math.prod(ref.weight.shape[2:])
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) gives the same bound
    for p in (layer.weight, layer.bias):
        values = np.asarray(p)
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.5 * bound
    assert layer.weight.dtype == nr.float32


# ------------------------------------------------------------ layers and errors


def test_layers_are_pytrees_with_static_hyper_parameters() -> None:
    layer = Conv2d(3, 8, 3, stride=2, padding=1, bias=False, key=1)
    assert layer.bias is None and layer.kernel_size == (3, 3) and layer.stride == (2, 2)
    leaves = nr.tree.leaves(layer)
    assert len(leaves) == 1 and leaves[0].shape == (8, 3, 3, 3)
    assert layer(nr.ones((2, 3, 9, 9))).shape == (2, 8, 5, 5)
    assert "Conv2d(" in repr(layer)


def test_conv_errors_name_the_layer_argument_and_shapes() -> None:
    layer = Conv2d(3, 8, 3, key=0)
    with pytest.raises(
        ShapeError,
        match=r"Conv2d: input expected 4-D \(N, C, H, W\) or 3-D \(C, H, W\) with C=3, "
        r"got shape \(8, 1, 28, 28\)",
    ):
        layer(nr.ones((8, 1, 28, 28)))
    with pytest.raises(ShapeError, match="conv1d: argument 'input' expected 3-D"):
        conv1d(nr.ones((2, 3, 4, 5)), nr.ones((1, 3, 2)))
    with pytest.raises(InvalidArgumentError, match="divisible by groups"):
        Conv2d(3, 8, 3, groups=2, key=0)
    with pytest.raises(InvalidArgumentError, match="padding='same' is not supported for strided"):
        Conv2d(3, 8, 3, stride=2, padding="same", key=0)
    with pytest.raises(InvalidArgumentError, match="padding_mode"):
        Conv2d(3, 8, 3, padding_mode="mirror", key=0)
    with pytest.raises(ShapeError, match="smaller than the dilated kernel"):
        conv2d(nr.ones((1, 1, 2, 2)), nr.ones((1, 1, 3, 3)))
    with pytest.raises(ShapeError, match="argument 'bias' expected shape \\(2,\\)"):
        conv1d(nr.ones((1, 1, 5)), nr.ones((2, 1, 3)), nr.ones(3))
    with pytest.raises(InvalidArgumentError, match="'stride' expected values >= 1"):
        conv1d(nr.ones((1, 1, 5)), nr.ones((2, 1, 3)), stride=0)
    with pytest.raises(TypeError, match="'padding' expected an int or a tuple of 2 ints"):
        conv2d(nr.ones((1, 1, 5, 5)), nr.ones((2, 1, 3, 3)), padding=(1, 1, 1))
    with pytest.raises(DTypeError, match="floating-point"):
        conv1d(nr.ones((1, 1, 5), dtype=nr.int32), nr.ones((2, 1, 3), dtype=nr.int32))
    with pytest.raises(InvalidArgumentError, match="output_padding"):
        conv_transpose1d(nr.ones((1, 1, 5)), nr.ones((1, 2, 3)), stride=2, output_padding=2)
    with pytest.raises(ShapeError, match="expected every size >= 1"):
        conv_transpose1d(nr.ones((1, 1, 1)), nr.ones((1, 2, 1)), padding=1)
    with pytest.raises(InvalidArgumentError, match="padding_mode"):
        ConvTranspose2d(2, 2, 3, padding_mode="reflect", key=0)
    with pytest.raises(ShapeError, match="output_size"):
        ConvTranspose2d(2, 2, 3, stride=2, key=0)(nr.ones((1, 2, 4, 4)), output_size=(20, 20))


def test_repeated_calls_with_one_buffer_shape_but_different_windows() -> None:
    # input gradients of stride-1 convolutions reuse a row buffer sized by the input width;
    # a narrower window count must not see the previous call's columns
    for k in (2, 3, 2, 1):
        x = rng.standard_normal((2, 2, 5, 8))
        w = rng.standard_normal((3, 2, 3, k))
        g = rng.standard_normal((2, 3, 3, 9 - k))
        (gx,) = _grads(lambda a, w=w: conv2d(a, nr.asarray(w)), [x], g)
        np.testing.assert_allclose(np.asarray(gx), np_conv_transpose(g, w), rtol=1e-10, atol=1e-10)
