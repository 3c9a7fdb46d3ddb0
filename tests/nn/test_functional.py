"""interpolate, scaled_dot_product_attention, distances and pad against NumPy references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import ShapeError
from neurarust.test_util import check_grads

F = nr.nn.functional


def _np_linear_1d(x: np.ndarray, out: int, scale: float | None, align: bool) -> np.ndarray:
    """Linear resize of the last axis by PyTorch's source-index rule, element by element."""
    n = x.shape[-1]
    result = np.empty((*x.shape[:-1], out))
    for j in range(out):
        if align:
            src = j * (n - 1) / (out - 1) if out > 1 else 0.0
        else:
            step = 1 / scale if scale else n / out
            src = max(step * (j + 0.5) - 0.5, 0.0)
        i0 = min(math.floor(src), n - 1)
        i1 = min(i0 + 1, n - 1)
        lam = src - i0
        result[..., j] = (1 - lam) * x[..., i0] + lam * x[..., i1]
    return result


@given(
    seed=st.integers(0, 2**16),
    n=st.integers(1, 5),
    spec=st.sampled_from([("size", 7), ("size", 3), ("scale", 2.0), ("scale", 1.5)]),
    align=st.booleans(),
)
def test_interpolate_linear_and_bilinear(seed, n, spec, align) -> None:
    rng = np.random.default_rng(seed)
    kind, value = spec
    kwargs = {"size": value} if kind == "size" else {"scale_factor": value}
    out = value if kind == "size" else math.floor(n * value)
    scale = value if kind == "scale" else None
    x = rng.standard_normal((2, 3, n))
    got = F.interpolate(nr.asarray(x), mode="linear", align_corners=align, **kwargs)
    np.testing.assert_allclose(got.numpy(), _np_linear_1d(x, out, scale, align), rtol=1e-10)
    x2 = rng.standard_normal((1, 2, n, n + 1))
    out_w = value if kind == "size" else math.floor((n + 1) * value)
    want = _np_linear_1d(x2, out_w, scale, align)
    want = np.swapaxes(_np_linear_1d(np.swapaxes(want, 2, 3), out, scale, align), 2, 3)
    got2 = F.interpolate(nr.asarray(x2), mode="bilinear", align_corners=align, **kwargs)
    np.testing.assert_allclose(got2.numpy(), want, rtol=1e-10, atol=1e-12)
    check_grads(
        lambda x: F.interpolate(x, mode="bilinear", align_corners=align, **kwargs),
        (nr.asarray(x2),),
    )


def test_interpolate_nearest() -> None:
    x = nr.asarray(np.arange(6.0).reshape(1, 1, 2, 3))
    assert F.interpolate(x, scale_factor=2).numpy()[0, 0].tolist() == [
        [0, 0, 1, 1, 2, 2],
        [0, 0, 1, 1, 2, 2],
        [3, 3, 4, 4, 5, 5],
        [3, 3, 4, 4, 5, 5],
    ]
    row = nr.asarray(np.arange(5.0).reshape(1, 1, 5))
    assert F.interpolate(row, size=3).numpy()[0, 0].tolist() == [0, 1, 3]  # floor(j * 5 / 3)
    assert F.interpolate(row, size=3, mode="nearest-exact").numpy()[0, 0].tolist() == [0, 2, 4]
    g = nr.grad(lambda x: nr.sum(F.interpolate(x, scale_factor=2)))(x)
    assert g.numpy().tolist() == [[[[4.0] * 3] * 2]]
    with pytest.raises(ShapeError, match="4-D"):
        F.interpolate(row, size=3, mode="bilinear")
    with pytest.raises(ValueError, match="exactly one"):
        F.interpolate(row)


def _np_attention(q, k, v, mask, causal, scale):
    scores = q @ np.swapaxes(k, -1, -2) * (1 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if causal:
        mask = np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=bool))
    if mask is not None:
        scores = np.where(mask, scores, -np.inf) if mask.dtype == bool else scores + mask
    w = np.exp(scores - scores.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ v


@given(
    seed=st.integers(0, 2**16),
    mask_kind=st.sampled_from(["none", "bool", "float", "causal"]),
    scale=st.sampled_from([None, 0.3]),
)
def test_scaled_dot_product_attention(seed, mask_kind, scale) -> None:
    rng = np.random.default_rng(seed)
    q, k, v = (
        rng.standard_normal((2, 3, 4)),
        rng.standard_normal((2, 5, 4)),
        rng.standard_normal((2, 5, 2)),
    )
    if mask_kind == "causal":
        k, v = k[:, :3], v[:, :3]
    mask = None
    if mask_kind == "bool":
        mask = rng.uniform(size=(3, 5)) < 0.7
        mask[:, 0] = True  # no fully masked row
    elif mask_kind == "float":
        mask = rng.standard_normal((2, 3, 5))
    want = _np_attention(q, k, v, mask, mask_kind == "causal", scale)
    m = None if mask is None else nr.asarray(mask)

    def attend(q, k, v):
        return F.scaled_dot_product_attention(
            q, k, v, attn_mask=m, is_causal=mask_kind == "causal", scale=scale
        )

    args = (nr.asarray(q), nr.asarray(k), nr.asarray(v))
    np.testing.assert_allclose(attend(*args).numpy(), want, rtol=1e-10)
    check_grads(attend, args)


def test_attention_dropout_needs_a_key() -> None:
    q = nr.ones((1, 2, 4))
    out = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5, dropout_key=0)
    assert out.shape == (1, 2, 4)
    with pytest.raises(nr.nn.MissingKeyError):
        F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)


@given(seed=st.integers(0, 2**16), dim=st.sampled_from([0, 1, -1]))
def test_cosine_similarity_and_normalize(seed, dim) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((1, 4))
    a += 0.1 * np.sign(a)  # keep |a| off the p=1 norm's kink at 0 (finite differences cross it)
    a_b, b_b = np.broadcast_arrays(a, b)
    want = (a_b * b_b).sum(dim) / (np.linalg.norm(a_b, axis=dim) * np.linalg.norm(b_b, axis=dim))
    got = F.cosine_similarity(nr.asarray(a), nr.asarray(b), dim)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10)
    check_grads(lambda a, b: F.cosine_similarity(a, b, dim), (nr.asarray(a), nr.asarray(b)))
    for p in (1.0, 2.0, 3.0, math.inf):
        norm = np.linalg.norm(a, ord=p, axis=dim, keepdims=True)
        got = F.normalize(nr.asarray(a), p, dim)
        np.testing.assert_allclose(got.numpy(), a / norm, rtol=1e-10)
        check_grads(lambda a, p=p: F.normalize(a, p, dim), (nr.asarray(a),))


def test_normalize_zero_vector_has_a_finite_gradient() -> None:
    g = nr.grad(lambda x: nr.sum(F.normalize(x, dim=0)))(nr.zeros(3, dtype=nr.float64))
    assert g.tolist() == [1e12, 1e12, 1e12]  # 1 / eps, as in PyTorch (the norm's derivative is 0)


@given(seed=st.integers(0, 2**16), p=st.sampled_from([1.0, 2.0, 3.0]), keepdim=st.booleans())
def test_pairwise_distance(seed, p, keepdim) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    want = np.linalg.norm(a - b + 1e-6, ord=p, axis=-1, keepdims=keepdim)
    got = F.pairwise_distance(nr.asarray(a), nr.asarray(b), p, keepdim=keepdim)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10)
    check_grads(lambda a, b: F.pairwise_distance(a, b, p), (nr.asarray(a), nr.asarray(b)))


def test_pad_uses_pytorch_order() -> None:
    x = nr.ones((2, 3))
    assert F.pad(x, (1, 2)).shape == (2, 6)
    assert F.pad(x, (0, 0, 1, 0), value=5.0).numpy()[0].tolist() == [5.0, 5.0, 5.0]
