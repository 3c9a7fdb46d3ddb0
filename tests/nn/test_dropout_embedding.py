"""Dropout (element-wise, channel-wise, alpha) and Embedding: values, keys, gradients."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import ShapeError
from neurarust.test_util import check_grads

F = nr.nn.functional


@given(seed=st.integers(0, 2**16), p=st.sampled_from([0.0, 0.2, 0.5, 0.9, 1.0]))
def test_dropout_values_and_gradient(seed, p) -> None:
    x = np.random.default_rng(seed).standard_normal((4, 5))
    y = F.dropout(nr.asarray(x), p, key=seed).numpy()
    kept = y != 0
    if p < 1:
        np.testing.assert_allclose(y[kept], x[kept] / (1 - p), rtol=1e-12)
    else:
        assert not kept.any()
    np.testing.assert_array_equal(F.dropout(nr.asarray(x), p, key=seed).numpy(), y)
    g = nr.grad(lambda x: nr.sum(F.dropout(x, p, key=seed)))(nr.asarray(x)).numpy()
    np.testing.assert_allclose(g, np.where(kept, 1 / (1 - p) if p < 1 else 0, 0), rtol=1e-12)
    check_grads(lambda x: F.dropout(x, p, key=seed), (nr.asarray(x),))


def test_dropout_rate_and_eval() -> None:
    y = F.dropout(nr.ones(20000), 0.3, key=0).numpy()
    assert abs((y == 0).mean() - 0.3) < 0.02
    layer = nr.nn.Dropout(0.3)
    x = nr.ones((3, 3))
    assert layer.eval()(x) is x
    assert F.dropout(x, 0.3, training=False) is x
    with pytest.raises(nr.nn.MissingKeyError, match=r"^Dropout: dropout: .*key="):
        layer(x)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        nr.nn.Dropout(1.5)


@pytest.mark.parametrize(
    "fn,module,shape,spatial",
    [
        (F.dropout1d, nr.nn.Dropout1d, (3, 4, 5), 1),
        (F.dropout1d, nr.nn.Dropout1d, (4, 5), 1),
        (F.dropout2d, nr.nn.Dropout2d, (2, 6, 2, 3), 2),
        (F.dropout3d, nr.nn.Dropout3d, (2, 3, 2, 2, 2), 3),
    ],
)
def test_channel_dropout(fn, module, shape, spatial) -> None:
    x = np.random.default_rng(0).uniform(1, 2, shape)
    y = module(0.5)(nr.asarray(x), key=3).numpy()
    assert np.array_equal(fn(nr.asarray(x), 0.5, key=3).numpy(), y)
    flat = y.reshape(*shape[: len(shape) - spatial], -1)
    zero_channels = (flat == 0).all(axis=-1)
    assert ((flat == 0).any(axis=-1) == zero_channels).all()  # whole channels or nothing
    np.testing.assert_allclose(flat[~zero_channels], 2 * x.reshape(flat.shape)[~zero_channels])
    with pytest.raises(ShapeError, match="got shape"):
        fn(nr.ones((2,) * (spatial + 3)), key=0)


def test_alpha_dropout_keeps_mean_and_variance() -> None:
    x = nr.random.normal(nr.random.key(1), (200000,), dtype=nr.float64)
    y = nr.nn.AlphaDropout(0.2)(x, key=2).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01
    alpha = 1.7580993408473766
    a = ((alpha**2 * 0.2 + 1) * 0.8) ** -0.5
    dropped = np.isclose(y, -alpha * a + alpha * a * 0.2)
    assert abs(dropped.mean() - 0.2) < 0.01
    np.testing.assert_allclose(y[~dropped], a * x.numpy()[~dropped] + alpha * a * 0.2)
    assert F.alpha_dropout(x, 0.2) is x  # PyTorch's default: training=False


@given(seed=st.integers(0, 2**16), padding_idx=st.sampled_from([None, 0, -1]))
def test_embedding(seed, padding_idx) -> None:
    emb = nr.nn.Embedding(6, 3, padding_idx=padding_idx, dtype=nr.float64, key=seed)
    w = emb.weight.numpy()
    if padding_idx is not None:
        assert emb.padding_idx == padding_idx % 6 and not w[padding_idx].any()
    idx = np.random.default_rng(seed).integers(0, 6, (2, 4))
    np.testing.assert_array_equal(emb(nr.asarray(idx)).numpy(), w[idx])
    g = nr.grad(lambda m: nr.sum(m(nr.asarray(idx)) * 2.0))(emb).weight.numpy()
    want = np.zeros_like(w)
    np.add.at(want, idx, 2.0)
    if padding_idx is not None:
        want[padding_idx] = 0
    np.testing.assert_allclose(g, want)
    if padding_idx is None:  # the padding row's zero gradient is deliberately not the true one
        check_grads(lambda m: m(nr.asarray(idx)), (emb,))


def test_embedding_max_norm() -> None:
    w = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 1.0]])
    out = F.embedding(nr.asarray([0, 1]), nr.asarray(w), max_norm=1.0).numpy()
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    g = nr.grad(lambda w: nr.sum(F.embedding(nr.asarray([0]), w, max_norm=1.0)))(nr.asarray(w))
    np.testing.assert_allclose(g.numpy()[0], [1 / (5 + 1e-7)] * 2)
    assert nr.nn.Embedding(4, 2, max_norm=1.0, key=0)(nr.asarray([1, 2])).shape == (2, 2)
    assert F.one_hot(nr.asarray([1, 0])).tolist() == [[0, 1], [1, 0]]
    with pytest.raises(TypeError, match="integer"):
        F.embedding(nr.asarray([0.5]), nr.asarray(w))
    with pytest.raises(ValueError, match="padding_idx"):
        nr.nn.Embedding(3, 2, padding_idx=3, key=0)
