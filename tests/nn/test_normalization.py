"""Normalisation layers against NumPy references, their derivatives, and the functional
running-statistics mechanism (``apply_with_state`` / ``update_state``) over a few training
steps checked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import ShapeError
from neurarust.test_util import check_grads

F = nr.nn.functional
FEW = settings(max_examples=10)  # check_grads over every parameter is the slow part


def _np_norm(x: np.ndarray, axes: tuple[int, ...], eps: float) -> np.ndarray:
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def _channel(v: np.ndarray, ndim: int) -> np.ndarray:
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _random_affine(module: nr.nn.Module, rng: np.random.Generator) -> nr.nn.Module:
    """The module with random float64 parameters (so that gradients are not trivial)."""
    module = module.astype(nr.float64)
    changes = {}
    for name in ("weight", "bias", "running_mean"):
        value = getattr(module, name, None)
        if value is not None:
            changes[name] = nr.asarray(rng.standard_normal(value.shape))
    if getattr(module, "running_var", None) is not None:
        changes["running_var"] = nr.asarray(rng.uniform(0.5, 2.0, module.running_var.shape))
    return module.replace(**changes)


BATCH_NORMS = [(nr.nn.BatchNorm1d, (4, 3)), (nr.nn.BatchNorm1d, (4, 3, 2)),
               (nr.nn.BatchNorm2d, (3, 2, 2, 3)), (nr.nn.BatchNorm3d, (2, 2, 2, 1, 2))]  # fmt: skip


@pytest.mark.parametrize("cls,shape", BATCH_NORMS)
@FEW
@given(
    seed=st.integers(0, 2**16),
    eps=st.sampled_from([1e-5, 1e-2]),
    momentum=st.sampled_from([0.1, 0.7, None]),
    affine=st.booleans(),
    track=st.booleans(),
    training=st.booleans(),
)
def test_batch_norm(cls, shape, seed, eps, momentum, affine, track, training) -> None:
    rng = np.random.default_rng(seed)
    layer = cls(shape[1], eps, momentum, affine=affine, track_running_stats=track)
    layer = _random_affine(layer, rng).train(training)
    x = rng.standard_normal(shape)
    axes = (0, *range(2, len(shape)))
    if training or not track:
        want = _np_norm(x, axes, eps)
    else:
        rm, rv = layer.running_mean.numpy(), layer.running_var.numpy()
        want = (x - _channel(rm, x.ndim)) / np.sqrt(_channel(rv, x.ndim) + eps)
    if affine:
        want = want * _channel(layer.weight.numpy(), x.ndim) + _channel(layer.bias.numpy(), x.ndim)

    def run(m: nr.nn.Module, x: nr.Array) -> nr.Array:
        return nr.nn.apply_with_state(m, x)[0]

    out, state = nr.nn.apply_with_state(layer, nr.asarray(x))
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-9, atol=1e-12)
    if training and track:
        factor = 1.0 if momentum is None else momentum  # the first batch
        mean = (1 - factor) * layer.running_mean.numpy() + factor * x.mean(axis=axes)
        var = (1 - factor) * layer.running_var.numpy() + factor * x.var(axis=axes, ddof=1)
        np.testing.assert_allclose(state["running_mean"].numpy(), mean, rtol=1e-10)
        np.testing.assert_allclose(state["running_var"].numpy(), var, rtol=1e-10)
    else:
        assert state == {}
    check_grads(run, (layer, nr.asarray(x)), eps=1e-6)


def _train_steps(momentum: float | None) -> None:
    k = nr.random.split(nr.random.key(0), 3)
    model = nr.nn.Sequential(
        nr.nn.Linear(3, 4, key=k[0]), nr.nn.BatchNorm1d(4, momentum=momentum), nr.nn.ReLU(),
        nr.nn.Linear(4, 2, key=k[1]),
    ).astype(nr.float64)  # fmt: skip
    rng = np.random.default_rng(0)
    mean, var = np.zeros(4), np.ones(4)

    def loss_fn(model: nr.nn.Module, x: nr.Array, y: nr.Array) -> tuple[nr.Array, dict]:
        logits, state = nr.nn.apply_with_state(model, x)
        return F.cross_entropy(logits, y), state

    step = nr.value_and_grad(loss_fn, has_aux=True, allow_int=True)
    for t in range(1, 4):
        x = rng.standard_normal((6, 3))
        y = rng.integers(0, 2, 6)
        h = x @ model[0].weight.numpy().T + model[0].bias.numpy()  # what BatchNorm sees
        factor = 1 / t if momentum is None else momentum
        mean = (1 - factor) * mean + factor * h.mean(axis=0)
        var = (1 - factor) * var + factor * h.var(axis=0, ddof=1)
        (_, state), grads = step(model, nr.asarray(x), nr.asarray(y))
        assert sorted(state) == ["1.num_batches_tracked", "1.running_mean", "1.running_var"]
        params = nr.nn.parameter_filter(model)
        paths = [nr.tree.keystr(p) for p, _ in nr.tree.flatten_with_path(model)[0]]
        leaves, treedef = nr.tree.flatten(model)
        grad_leaves = nr.tree.leaves(grads)
        model = nr.tree.unflatten(treedef, [
            p - 0.5 * g if params(path, p) else p
            for path, p, g in zip(paths, leaves, grad_leaves, strict=True)
        ])  # fmt: skip
        model = nr.nn.update_state(model, state)
        bn = model[1]
        np.testing.assert_allclose(bn.running_mean.numpy(), mean, rtol=1e-12)
        np.testing.assert_allclose(bn.running_var.numpy(), var, rtol=1e-12)
        assert bn.num_batches_tracked.item() == t
    x = rng.standard_normal((5, 3))
    h = x @ model[0].weight.numpy().T + model[0].bias.numpy()
    out = model.eval()[:2](nr.asarray(x)).numpy()
    want = (h - mean) / np.sqrt(var + 1e-5) * bn.weight.numpy() + bn.bias.numpy()
    np.testing.assert_allclose(out, want, rtol=1e-10)


def test_running_stats_over_training_steps() -> None:
    _train_steps(momentum=0.1)


def test_running_stats_cumulative_average() -> None:
    _train_steps(momentum=None)


def test_running_stats_need_a_collection() -> None:
    bn = nr.nn.BatchNorm1d(2)
    with pytest.raises(nr.nn.StateCollectionError, match="apply_with_state"):
        bn(nr.ones((3, 2)))
    assert bn.eval()(nr.ones((3, 2))).shape == (3, 2)
    assert nr.nn.BatchNorm1d(2, track_running_stats=False)(nr.ones((3, 2))).shape == (3, 2)
    _, state = nr.nn.apply_with_state(bn.eval(), nr.ones((3, 2)))
    assert state == {}
    with pytest.raises(nr.nn.StateDictError, match="unexpected"):
        nr.nn.update_state(bn, {"running_mean": nr.zeros(2), "nope": nr.zeros(1)})


def test_a_layer_called_twice_updates_twice() -> None:
    bn = nr.nn.BatchNorm1d(1, momentum=0.5)

    class Twice(nr.nn.Module):
        def __init__(self) -> None:
            self.bn = bn

        def __call__(self, x: nr.Array) -> nr.Array:
            return self.bn(self.bn(x) + 10.0)

    x = np.array([[0.0], [2.0]])
    _, state = nr.nn.apply_with_state(Twice(), nr.asarray(x, dtype=nr.float32))
    # first call: batch mean 1 -> 0.5; second call sees a normalised batch + 10: mean 10
    assert state["bn.running_mean"].tolist() == pytest.approx([0.5 * 0.5 + 0.5 * 10])
    assert state["bn.num_batches_tracked"].item() == 2


@pytest.mark.parametrize("cls,shape", [(nr.nn.InstanceNorm1d, (2, 3, 4)),
                                       (nr.nn.InstanceNorm1d, (3, 4)),
                                       (nr.nn.InstanceNorm2d, (2, 2, 3, 3))])  # fmt: skip
@FEW
@given(seed=st.integers(0, 2**16), affine=st.booleans(), track=st.booleans())
def test_instance_norm(cls, shape, seed, affine, track) -> None:
    rng = np.random.default_rng(seed)
    channels = shape[1] if len(shape) == cls._ranks[-1] else shape[0]
    layer = _random_affine(cls(channels, affine=affine, track_running_stats=track), rng)
    x = rng.standard_normal(shape)
    batched = x if len(shape) == cls._ranks[-1] else x[None]
    want = _np_norm(batched, tuple(range(2, batched.ndim)), 1e-5)
    if affine:
        ndim = batched.ndim
        want = want * _channel(layer.weight.numpy(), ndim) + _channel(layer.bias.numpy(), ndim)
    want = want if len(shape) == cls._ranks[-1] else want[0]
    out, state = nr.nn.apply_with_state(layer, nr.asarray(x))
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-9, atol=1e-12)
    if track:
        axes = tuple(range(2, batched.ndim))
        inst_mean = batched.mean(axis=axes).mean(axis=0)
        inst_var = batched.var(axis=axes, ddof=1).mean(axis=0)
        rm, rv = layer.running_mean.numpy(), layer.running_var.numpy()
        np.testing.assert_allclose(state["running_mean"].numpy(), 0.9 * rm + 0.1 * inst_mean)
        np.testing.assert_allclose(state["running_var"].numpy(), 0.9 * rv + 0.1 * inst_var)
    check_grads(lambda m, x: nr.nn.apply_with_state(m, x)[0], (layer, nr.asarray(x)), eps=1e-6)


@given(
    seed=st.integers(0, 2**16),
    shape=st.sampled_from([((2, 3), 3), ((2, 3, 4), (3, 4)), ((4,), [4])]),
    eps=st.sampled_from([1e-5, 0.1]),
    affine=st.booleans(),
    bias=st.booleans(),
)
def test_layer_norm(seed, shape, eps, affine, bias) -> None:
    x_shape, normalized = shape
    rng = np.random.default_rng(seed)
    layer = _random_affine(nr.nn.LayerNorm(normalized, eps, affine, bias), rng)
    x = rng.standard_normal(x_shape)
    n = len(layer.normalized_shape)
    want = _np_norm(x, tuple(range(x.ndim - n, x.ndim)), eps)
    if affine:
        want = want * layer.weight.numpy() + (layer.bias.numpy() if bias else 0)
    np.testing.assert_allclose(layer(nr.asarray(x)).numpy(), want, rtol=1e-9, atol=1e-12)
    check_grads(lambda m, x: m(x), (layer, nr.asarray(x)), eps=1e-6)


@given(seed=st.integers(0, 2**16), eps=st.sampled_from([None, 1e-3]), affine=st.booleans())
def test_rms_norm(seed, eps, affine) -> None:
    rng = np.random.default_rng(seed)
    layer = _random_affine(nr.nn.RMSNorm([2, 3], eps, affine), rng)
    x = rng.standard_normal((2, 2, 3))
    e = np.finfo(np.float64).eps if eps is None else eps
    want = x / np.sqrt((x * x).mean(axis=(1, 2), keepdims=True) + e)
    if affine:
        want = want * layer.weight.numpy()
    np.testing.assert_allclose(layer(nr.asarray(x)).numpy(), want, rtol=1e-9)
    check_grads(lambda m, x: m(x), (layer, nr.asarray(x)), eps=1e-6)


@given(seed=st.integers(0, 2**16), groups=st.sampled_from([1, 2, 4]), affine=st.booleans())
def test_group_norm(seed, groups, affine) -> None:
    rng = np.random.default_rng(seed)
    layer = _random_affine(nr.nn.GroupNorm(groups, 4, affine=affine), rng)
    x = rng.standard_normal((2, 4, 3))
    grouped = x.reshape(2, groups, -1)
    want = _np_norm(grouped, (2,), 1e-5).reshape(x.shape)
    if affine:
        want = want * _channel(layer.weight.numpy(), 3) + _channel(layer.bias.numpy(), 3)
    np.testing.assert_allclose(layer(nr.asarray(x)).numpy(), want, rtol=1e-9, atol=1e-12)
    check_grads(lambda m, x: m(x), (layer, nr.asarray(x)), eps=1e-6)


def test_functional_forms() -> None:
    x = nr.asarray(np.random.default_rng(0).standard_normal((4, 3)))
    rm, rv = nr.zeros(3, dtype=nr.float64), nr.ones(3, dtype=nr.float64) * 4
    np.testing.assert_allclose(F.batch_norm(x, rm, rv, eps=0.0).numpy(), x.numpy() / 2)
    assert F.layer_norm(x, (3,)).shape == (4, 3)
    assert F.group_norm(x[:, :, None], 3).shape == (4, 3, 1)
    assert F.instance_norm(x[:, :, None] * nr.ones(2)).shape == (4, 3, 2)
    assert F.rms_norm(x, 3).shape == (4, 3)


def test_normalization_errors() -> None:
    with pytest.raises(ShapeError, match=r"\(N, C\) or \(N, C, L\).*got shape \(2, 3, 4, 5\)"):
        nr.nn.BatchNorm1d(3).eval()(nr.ones((2, 3, 4, 5)))
    with pytest.raises(ShapeError, match=r"C=3 .*got shape \(2, 4\)"):
        nr.nn.BatchNorm1d(3).eval()(nr.ones((2, 4)))
    with pytest.raises(ShapeError, match="more than 1 value per channel"):
        nr.nn.apply_with_state(nr.nn.BatchNorm1d(3), nr.ones((1, 3)))
    with pytest.raises(ShapeError, match=r"normalized_shape=\[4\].*got \(2, 3\)"):
        nr.nn.LayerNorm(4)(nr.ones((2, 3)))
    with pytest.raises(ValueError, match="divisible"):
        nr.nn.GroupNorm(3, 4)
    with pytest.raises(ShapeError, match=r"\(N, 4, \*\).*got \(2, 3\)"):
        nr.nn.GroupNorm(2, 4)(nr.ones((2, 3)))
