"""vmap of the convolution and window primitives (every combination of batched operands, batch
axes anywhere, nested vmap, derivatives) and of nn layers written for one example: per-example
gradients ``vmap(grad(loss), in_axes=(None, 0, 0))``, per-example dropout keys, recurrent
layers and ensembles (a batched model)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import neurarust as nr
from neurarust.nn import conv_ops, functional

nn = nr.nn
B = 3


def _take(x: Any, axis: int | None, i: int) -> Any:
    """Example ``i`` of a (pytree of) batched value(s) along ``axis`` (None: unbatched)."""
    if axis is None:
        return x
    return nr.tree.map(lambda a: nr.asarray(np.take(np.asarray(a), i, axis=axis)), x)


def _stacked(results: list[Any]) -> list[np.ndarray]:
    leaves = [nr.tree.leaves(r) for r in results]
    return [np.stack([np.asarray(r[j]) for r in leaves]) for j in range(len(leaves[0]))]


def assert_matches_loop(
    f: Callable[..., Any],
    in_axes: Sequence[int | None],
    *args: Any,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """``vmap(f, in_axes)(*args)`` equals the stack of ``f`` on each example."""
    got = nr.tree.leaves(nr.vmap(f, in_axes=tuple(in_axes))(*args))
    want = _stacked(
        [f(*[_take(a, ax, i) for a, ax in zip(args, in_axes, strict=True)]) for i in range(B)]
    )
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        g = np.asarray(g)
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


def _batch(rng: np.random.Generator, shape: tuple[int, ...], axis: int | None) -> nr.Array:
    """Random float64 values of per-example ``shape``, with a batch of ``B`` at ``axis``."""
    if axis is None:
        return nr.asarray(rng.normal(size=shape))
    full = rng.normal(size=(B, *shape))
    return nr.asarray(np.moveaxis(full, 0, axis))


# Batch axes per operand: unbatched, first, right after N (no transpose), last, negative.
AXES = (None, 0, 1, -1)


def _axis_cases(n: int) -> list[tuple[int | None, ...]]:
    return [a for a in itertools.product(AXES, repeat=n) if any(x is not None for x in a)]


# ----------------------------------------------------------------- convolution rules


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("axes", _axis_cases(3))
def test_conv_rule_every_batched_operand(axes: tuple[int | None, ...], groups: int) -> None:
    rng = np.random.default_rng(0)
    stride, dilation = (2, 1), (1, 2)
    x = _batch(rng, (2, 2 * groups, 7, 6), axes[0])
    w = _batch(rng, (2 * groups, 2, 2, 3), axes[1])
    b = _batch(rng, (2 * groups,), axes[2])

    def f(x: Any, w: Any, b: Any) -> Any:
        return conv_ops.conv(x, w, b, stride, dilation, groups)

    assert_matches_loop(f, axes, x, w, b)


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("axes", _axis_cases(2))
def test_conv_transpose_rule(axes: tuple[int | None, ...], groups: int) -> None:
    rng = np.random.default_rng(1)
    y = _batch(rng, (2, 2 * groups, 3, 2), axes[0])
    w = _batch(rng, (2 * groups, 3, 2, 2), axes[1])

    def f(y: Any, w: Any) -> Any:
        return conv_ops.conv_transpose(y, w, (2, 1), (1, 2), groups, (7, 5))

    assert_matches_loop(f, axes, y, w)


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("axes", _axis_cases(2))
def test_conv_filter_grad_rule(axes: tuple[int | None, ...], groups: int) -> None:
    rng = np.random.default_rng(2)
    x = _batch(rng, (2, 2 * groups, 5), axes[0])
    y = _batch(rng, (2, 4 * groups, 2), axes[1])

    def f(x: Any, y: Any) -> Any:
        return conv_ops.conv_filter_grad(x, y, (2,), (1,), groups, (2,))

    assert_matches_loop(f, axes, x, y)


def test_conv_rules_fold_without_transposes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch axis right after N, or a batched weight without groups, folds with reshapes
    only (no moveaxis)."""
    import neurarust.core.ops as ops

    calls: list[tuple[Any, ...]] = []
    original = ops.moveaxis

    def spy(x: Any, *a: Any) -> Any:
        calls.append(a)
        return original(x, *a)

    rng = np.random.default_rng(3)
    x, w = _batch(rng, (2, 3, 5), 1), _batch(rng, (4, 3, 2), None)
    ws = _batch(rng, (4, 3, 2), 0)
    monkeypatch.setattr(ops, "moveaxis", spy)
    y = nr.vmap(lambda x: conv_ops.conv(x, w, None, (1,), (1,), 1), in_axes=1, out_axes=1)(x)
    y2 = nr.vmap(lambda w: conv_ops.conv(x[:, 0], w, None, (1,), (1,), 1), out_axes=1)(ws)
    assert calls == []
    monkeypatch.undo()
    assert y.shape == (2, B, 4, 4) and y2.shape == (2, B, 4, 4)
    for i in range(B):
        want = conv_ops.conv(_take(x, 1, i), w, None, (1,), (1,), 1)
        np.testing.assert_allclose(np.asarray(y[:, i]), np.asarray(want), rtol=1e-12)
        want = conv_ops.conv(x[:, 0], ws[i], None, (1,), (1,), 1)
        np.testing.assert_allclose(np.asarray(y2[:, i]), np.asarray(want), rtol=1e-12)


# ------------------------------------------------------------------ window rules


@pytest.mark.parametrize("axis", [0, 1, 2, 3, -1, -2])
def test_window_sum_and_max_rules(axis: int) -> None:
    rng = np.random.default_rng(4)
    x = _batch(rng, (2, 3, 6, 5), axis)
    params = ((2, 2), (2, 1), (1, 2))
    assert_matches_loop(lambda x: conv_ops.window_sum(x, *params), [axis], x)
    assert_matches_loop(lambda x: conv_ops.window_max(x, *params), [axis], x)
    g = _batch(rng, (2, 3, 3, 3), axis)
    assert_matches_loop(lambda g: conv_ops.window_sum_transpose(g, *params, (6, 5)), [axis], g)


@pytest.mark.parametrize("axes", [(0, None), (None, 0), (1, 1), (0, 2), (-1, None), (2, -1)])
def test_window_take_and_put_rules(axes: tuple[int | None, int | None]) -> None:
    rng = np.random.default_rng(5)
    kernel, stride, dilation = (2, 2), (2, 2), (1, 1)
    x = _batch(rng, (2, 3, 4, 4), axes[0])
    g = _batch(rng, (2, 3, 2, 2), axes[0])
    per_example = rng.integers(0, 4, size=(B, 2, 3, 2, 2)).astype(np.int8)
    if axes[1] is None:
        arg = nr.asarray(per_example[0])
    else:
        arg = nr.asarray(np.moveaxis(per_example, 0, axes[1]))
    assert_matches_loop(
        lambda x, a: conv_ops.window_take(x, a, kernel, stride, dilation), axes, x, arg
    )
    assert_matches_loop(
        lambda g, a: conv_ops.window_put(g, a, kernel, stride, dilation, (4, 4)), axes, g, arg
    )


# ------------------------------------------------------- public functions, transforms


def test_conv2d_nested_vmap_with_per_example_filters() -> None:
    rng = np.random.default_rng(6)
    x = nr.asarray(rng.normal(size=(2, B, 1, 3, 6, 6)))
    w = nr.asarray(rng.normal(size=(B, 4, 3, 3, 3)))

    def f(x: Any, w: Any) -> Any:
        return functional.conv2d(x, w, stride=2, padding=1)

    got = nr.vmap(nr.vmap(f, in_axes=(0, 0)), in_axes=(0, None))(x, w)
    want = np.stack([np.stack([np.asarray(f(x[i, j], w[j])) for j in range(B)]) for i in range(2)])
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-10)


@pytest.mark.parametrize("pool", ["max", "avg", "adaptive_max", "adaptive_avg"])
def test_vmap_of_grad_and_grad_of_vmap_through_conv_and_pooling(pool: str) -> None:
    rng = np.random.default_rng(7)
    xs = nr.asarray(rng.normal(size=(B, 1, 2, 7, 7)))
    w = nr.asarray(rng.normal(size=(3, 2, 3, 3)))
    pooling = {
        "max": lambda y: functional.max_pool2d(y, 2, padding=1),
        "avg": lambda y: functional.avg_pool2d(y, 3, stride=2, count_include_pad=False),
        "adaptive_max": lambda y: functional.adaptive_max_pool2d(y, 2),
        "adaptive_avg": lambda y: functional.adaptive_avg_pool2d(y, (2, 3)),
    }[pool]

    def loss(w: Any, x: Any) -> Any:
        return nr.sum(pooling(nr.tanh(functional.conv2d(x, w, padding=1))) ** 2)

    assert_matches_loop(nr.grad(loss, argnums=(0, 1)), (None, 0), w, xs, rtol=1e-10)
    total = nr.grad(lambda w: nr.sum(nr.vmap(loss, in_axes=(None, 0))(w, xs)))(w)
    want = sum(np.asarray(nr.grad(loss)(w, xs[i])) for i in range(B))
    np.testing.assert_allclose(np.asarray(total), want, rtol=1e-10)


def test_max_pool_indices_under_vmap() -> None:
    rng = np.random.default_rng(8)
    xs = nr.asarray(rng.permutation(B * 2 * 25).reshape(B, 2, 5, 5).astype(np.float32))
    assert_matches_loop(lambda x: functional.max_pool2d(x, 2, return_indices=True), [0], xs)
    last = nr.moveaxis(xs, 0, -1)
    assert_matches_loop(
        lambda x: functional.adaptive_max_pool2d(x, 3, return_indices=True), [-1], last
    )


# -------------------------------------------------------------- per-example gradients


def _per_example_grads(
    model: Any, xs: nr.Array, ys: nr.Array, loss: Callable[..., Any], **grad_kw: Any
) -> None:
    def example_loss(m: Any, x: Any, y: Any) -> Any:
        return loss(m(x[None]), y[None])

    grads = nr.vmap(nr.grad(example_loss, **grad_kw), in_axes=(None, 0, 0))(model, xs, ys)
    loops = [nr.grad(example_loss, **grad_kw)(model, xs[i], ys[i]) for i in range(B)]
    for got, want in zip(nr.tree.leaves(grads), _stacked(loops), strict=True):
        assert got.shape == want.shape
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-6)
    # the per-example gradients differ from example to example and average to the batch's
    first = np.asarray(nr.tree.leaves(grads)[0])
    assert not np.allclose(first[0], first[1])


def test_per_example_gradients_of_an_mlp() -> None:
    key = nr.random.key(0)
    k1, k2 = nr.random.split(key)
    model = nn.Sequential(nn.Linear(5, 8, key=k1), nn.ReLU(), nn.Linear(8, 3, key=k2))
    rng = np.random.default_rng(9)
    xs = nr.asarray(rng.normal(size=(B, 5)).astype(np.float32))
    ys = nr.asarray(rng.integers(0, 3, B))
    _per_example_grads(model, xs, ys, functional.cross_entropy)
    targets = nr.asarray(rng.normal(size=(B, 3)).astype(np.float32))
    _per_example_grads(model, xs, targets, functional.mse_loss)


def test_per_example_gradients_of_a_cnn_with_batchnorm_in_eval_mode() -> None:
    keys = nr.random.split(nr.random.key(1), 3)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, key=keys[0]),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, groups=2, key=keys[1]),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(4, 3, key=keys[2]),
    ).eval()
    rng = np.random.default_rng(10)
    xs = nr.asarray(rng.normal(size=(B, 2, 8, 8)).astype(np.float32))
    ys = nr.asarray(rng.integers(0, 3, B))
    _per_example_grads(model, xs, ys, functional.cross_entropy, allow_int=True)


def test_per_example_dropout_keys_match_a_loop() -> None:
    k1, k2 = nr.random.split(nr.random.key(2))
    model = nn.Sequential(
        nn.Linear(4, 16, key=k1), nn.ReLU(), nn.Dropout(0.5), nn.Linear(16, 2, key=k2)
    )
    rng = np.random.default_rng(11)
    xs = nr.asarray(rng.normal(size=(B, 4)).astype(np.float32))
    ys = nr.asarray(rng.integers(0, 2, B))
    keys = nr.random.split(nr.random.key(3), B)

    def loss(m: Any, x: Any, y: Any, k: Any) -> Any:
        return functional.cross_entropy(m(x[None], key=k), y[None])

    assert_matches_loop(nr.grad(loss), (None, 0, 0, 0), model, xs, ys, keys, rtol=1e-5)
    outs = nr.vmap(lambda x, k: model(x, key=k))(xs, keys)
    # distinct keys drop distinct units; one shared key (in_axes None) drops the same ones
    shared = nr.vmap(lambda x: model(x, key=keys[0]))(xs)
    loop = np.stack([np.asarray(model(xs[i], key=keys[0])) for i in range(B)])
    np.testing.assert_allclose(np.asarray(shared), loop, rtol=1e-6)
    assert not np.allclose(np.asarray(outs), np.asarray(shared))


@pytest.mark.parametrize("layer", [nn.LSTM, nn.GRU, nn.RNN])
def test_recurrent_layers_per_example_gradients_and_ensembles(layer: type) -> None:
    model = layer(3, 4, num_layers=2, key=nr.random.key(4))
    rng = np.random.default_rng(12)
    xs = nr.asarray(rng.normal(size=(B, 5, 3)).astype(np.float32))

    def loss(m: Any, x: Any) -> Any:
        out, _ = m(x)
        return nr.sum(out * out)

    assert_matches_loop(nr.grad(loss), (None, 0), model, xs, rtol=1e-4, atol=1e-6)
    ensemble = nr.tree.map(lambda a: nr.stack([a * (1.0 - 0.2 * i) for i in range(B)]), model)
    assert_matches_loop(loss, (0, None), ensemble, xs[0], rtol=1e-5)
