"""Losses against NumPy references written here, over hypothesis-chosen reductions, weights,
ignore_index and label smoothing; derivatives by ``check_grads``; module forms; stability."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import ShapeError
from neurarust.test_util import check_grads

F = nr.nn.functional
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": loss.mean, "sum": loss.sum, "none": lambda: loss}[reduction]()


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _away(d: np.ndarray, kinks: tuple[float, ...]) -> np.ndarray:
    for k in kinks:
        d = np.where(np.abs(np.abs(d) - k) < 0.05, np.sign(d) * (k + 0.1) + (d == 0) * 0.1, d)
    return d


def _check(nr_value: nr.Array, want: np.ndarray) -> None:
    np.testing.assert_allclose(nr_value.numpy(), want, rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------- regression losses
REGRESSION = [
    ("mse", lambda x, t, r: F.mse_loss(x, t, r), lambda d: d * d, (), nr.nn.MSELoss),
    ("l1", lambda x, t, r: F.l1_loss(x, t, r), np.abs, (0.0,), nr.nn.L1Loss),
    (
        "smooth_l1",
        lambda x, t, r: F.smooth_l1_loss(x, t, r, beta=0.5),
        lambda d: np.where(np.abs(d) < 0.5, 0.5 * d * d / 0.5, np.abs(d) - 0.25),
        (0.0, 0.5),
        lambda reduction: nr.nn.SmoothL1Loss(reduction, beta=0.5),
    ),
    (
        "huber",
        lambda x, t, r: F.huber_loss(x, t, r, delta=0.7),
        lambda d: np.where(np.abs(d) < 0.7, 0.5 * d * d, 0.7 * (np.abs(d) - 0.35)),
        (0.0, 0.7),
        lambda reduction: nr.nn.HuberLoss(reduction, delta=0.7),
    ),
]


@pytest.mark.parametrize("name,fn,ref,kinks,module", REGRESSION, ids=[r[0] for r in REGRESSION])
@given(seed=st.integers(0, 2**16), reduction=REDUCTIONS, shape=st.sampled_from([(4,), (2, 3)]))
def test_regression_losses(name, fn, ref, kinks, module, seed, reduction, shape) -> None:
    rng = np.random.default_rng(seed)
    t = rng.standard_normal(shape)
    x = t + _away(rng.standard_normal(shape), kinks)
    _check(fn(nr.asarray(x), nr.asarray(t), reduction), _reduce(ref(x - t), reduction))
    _check(
        module(reduction=reduction)(nr.asarray(x), nr.asarray(t)), _reduce(ref(x - t), reduction)
    )
    check_grads(lambda x, t: fn(x, t, reduction), (nr.asarray(x), nr.asarray(t)))


def test_smooth_l1_with_beta_zero_is_l1() -> None:
    x, t = nr.asarray([1.0, -2.0]), nr.asarray([0.0, 0.0])
    assert F.smooth_l1_loss(x, t, beta=0.0).item() == F.l1_loss(x, t).item() == 1.5


# ------------------------------------------------------------------------ cross entropy
def _np_cross_entropy(x, t, w, ignore_index, reduction, smoothing):
    axis = 0 if x.ndim == 1 else 1
    classes = x.shape[axis]
    lp = np.moveaxis(_log_softmax(x, axis), axis, -1)
    wc = np.ones(classes) if w is None else w
    if t.dtype.kind == "f":
        tt = np.moveaxis(t, axis, -1) * (1 - smoothing) + smoothing / classes
        loss = -(lp * tt * wc).sum(-1)
        if reduction == "mean":
            return loss.sum() / (x.size / classes)
        return _reduce(loss, reduction)
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    weights = wc[safe] * valid
    nll = -np.take_along_axis(lp, safe[..., None], -1)[..., 0] * weights
    smooth = -(lp * wc).sum(-1) * valid
    if reduction == "mean":
        return ((1 - smoothing) * nll.sum() + smoothing / classes * smooth.sum()) / weights.sum()
    return _reduce((1 - smoothing) * nll + smoothing / classes * smooth, reduction)


@given(
    seed=st.integers(0, 2**16),
    shape=st.sampled_from([(4, 3), (2, 3, 2), (3,), (2, 4, 1, 2)]),
    reduction=REDUCTIONS,
    weighted=st.booleans(),
    ignore_index=st.sampled_from([-100, 1]),
    smoothing=st.sampled_from([0.0, 0.1, 0.5]),
    probabilities=st.booleans(),
)
def test_cross_entropy(seed, shape, reduction, weighted, ignore_index, smoothing, probabilities):
    rng = np.random.default_rng(seed)
    axis = 0 if len(shape) == 1 else 1
    classes = shape[axis]
    x = rng.standard_normal(shape) * 2
    w = rng.uniform(0.5, 2.0, classes) if weighted else None
    if probabilities:
        t = np.moveaxis(np.exp(_log_softmax(rng.standard_normal(shape), axis)), axis, axis)
    else:
        t = rng.integers(0, classes, shape[:axis] + shape[axis + 1 :])
        t.reshape(-1)[0] = 0  # at least one target is not ignored
    want = _np_cross_entropy(x, t, w, ignore_index, reduction, smoothing)
    args = (nr.asarray(x), nr.asarray(t), None if w is None else nr.asarray(w))

    def loss(x, t, w):
        return F.cross_entropy(x, t, w, ignore_index, reduction, smoothing)

    _check(loss(*args), want)
    module = nr.nn.CrossEntropyLoss(args[2], ignore_index, reduction, smoothing)
    _check(module(args[0], args[1]), want)
    assert nr.nn.named_parameters(module) == []
    check_grads(loss, args)
    if not probabilities and smoothing == 0:
        lp = nr.asarray(_log_softmax(x, axis))
        _check(F.nll_loss(lp, args[1], args[2], ignore_index, reduction), want)
        _check(nr.nn.NLLLoss(args[2], ignore_index, reduction)(lp, args[1]), want)


def test_cross_entropy_is_stable_and_checks_shapes() -> None:
    logits = nr.asarray([[1000.0, -1000.0], [-1e30, 1e30]])
    loss = F.cross_entropy(logits, nr.asarray([1, 1]), reduction="none")
    assert loss.tolist() == [2000.0, 0.0]
    g = nr.grad(lambda x: F.cross_entropy(x, nr.asarray([1, 1])))(logits)
    assert np.isfinite(g.numpy()).all()
    with pytest.raises(ShapeError, match=r"expected shape \(2,\) .*got \(3,\)"):
        F.cross_entropy(nr.zeros((2, 4)), nr.asarray([0, 1, 2]))
    with pytest.raises(ShapeError, match="one weight per class"):
        F.cross_entropy(nr.zeros((2, 4)), nr.asarray([0, 1]), weight=nr.ones(3))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(nr.zeros((2, 4)), nr.asarray([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        nr.nn.MSELoss("avg")


# ------------------------------------------------------------------ binary and the rest
@given(seed=st.integers(0, 2**16), reduction=REDUCTIONS, weighted=st.booleans())
def test_binary_cross_entropy(seed, reduction, weighted) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.05, 0.95, (3, 4))
    t = rng.uniform(0, 1, (3, 4))
    w = rng.uniform(0.5, 2, 4) if weighted else None
    loss = -(t * np.log(x) + (1 - t) * np.log(1 - x)) * (1 if w is None else w)
    args = (nr.asarray(x), nr.asarray(t), None if w is None else nr.asarray(w))
    _check(F.binary_cross_entropy(*args, reduction=reduction), _reduce(loss, reduction))
    _check(nr.nn.BCELoss(args[2], reduction)(args[0], args[1]), _reduce(loss, reduction))
    check_grads(lambda x, t, w: F.binary_cross_entropy(x, t, w, reduction), args)
    edge = F.binary_cross_entropy(nr.asarray([0.0, 1.0]), nr.asarray([1.0, 0.0]), reduction="none")
    assert edge.tolist() == [100.0, 100.0]


@given(seed=st.integers(0, 2**16), reduction=REDUCTIONS, weighted=st.booleans(), pos=st.booleans())
def test_binary_cross_entropy_with_logits(seed, reduction, weighted, pos) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 4)) * 3
    t = rng.uniform(0, 1, (3, 4))
    w = rng.uniform(0.5, 2, (3, 4)) if weighted else None
    pw = rng.uniform(0.5, 3, 4) if pos else None
    log_sig, log_1m_sig = -np.logaddexp(0, -x), -np.logaddexp(0, x)
    loss = -((1 if pw is None else pw) * t * log_sig + (1 - t) * log_1m_sig)
    loss = loss * (1 if w is None else w)
    args = [nr.asarray(a) if a is not None else None for a in (x, t, w, pw)]

    def fn(x, t, w, pw):
        return F.binary_cross_entropy_with_logits(x, t, w, reduction, pw)

    _check(fn(*args), _reduce(loss, reduction))
    module = nr.nn.BCEWithLogitsLoss(args[2], reduction, args[3])
    _check(module(args[0], args[1]), _reduce(loss, reduction))
    check_grads(fn, tuple(args))
    extreme = F.binary_cross_entropy_with_logits(
        nr.asarray([100.0, -100.0]), nr.asarray([0.0, 1.0]), reduction="none"
    )
    assert extreme.tolist() == [100.0, 100.0]


@given(seed=st.integers(0, 2**16), reduction=st.sampled_from(["mean", "sum", "none", "batchmean"]),
       log_target=st.booleans())  # fmt: skip
def test_kl_div(seed, reduction, log_target) -> None:
    rng = np.random.default_rng(seed)
    x = _log_softmax(rng.standard_normal((3, 4)), 1)
    p = np.exp(_log_softmax(rng.standard_normal((3, 4)), 1))
    p[0, 0] = 0.0  # a zero target contributes nothing
    t = np.log(np.maximum(p, 1e-300)) if log_target else p
    safe = np.where(p > 0, p, 1.0)
    pointwise = np.where(p > 0, p * np.log(safe), 0) - p * x
    want = pointwise.sum() / 3 if reduction == "batchmean" else _reduce(pointwise, reduction)
    got = F.kl_div(nr.asarray(x), nr.asarray(t), reduction, log_target)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-9, atol=1e-12)
    _check(nr.nn.KLDivLoss(reduction, log_target)(nr.asarray(x), nr.asarray(t)), got.numpy())
    check_grads(lambda x: F.kl_div(x, nr.asarray(t), reduction, log_target), (nr.asarray(x),))


@given(seed=st.integers(0, 2**16), reduction=REDUCTIONS, margin=st.sampled_from([0.0, 0.3]),
       batched=st.booleans())  # fmt: skip
def test_cosine_embedding_loss(seed, reduction, margin, batched) -> None:
    rng = np.random.default_rng(seed)
    shape = (4, 3) if batched else (3,)
    x1, x2 = rng.standard_normal(shape), rng.standard_normal(shape)
    y = rng.choice([-1.0, 1.0], 4) if batched else np.array(rng.choice([-1.0, 1.0]))
    dim = y.ndim
    mags = ((x1 * x1).sum(dim) + 1e-12) * ((x2 * x2).sum(dim) + 1e-12)
    cos = (x1 * x2).sum(dim) / np.sqrt(mags)
    assume(np.all(np.abs(cos - margin) > 0.02))  # off the kink of max(0, cos - margin)
    loss = np.where(y == 1, 1 - cos, np.maximum(cos - margin, 0))
    args = (nr.asarray(x1), nr.asarray(x2), nr.asarray(y))
    _check(
        F.cosine_embedding_loss(*args, margin=margin, reduction=reduction), _reduce(loss, reduction)
    )
    _check(nr.nn.CosineEmbeddingLoss(margin, reduction)(*args), _reduce(loss, reduction))
    check_grads(lambda a, b: F.cosine_embedding_loss(a, b, args[2], margin, reduction), args[:2])


@given(seed=st.integers(0, 2**16), reduction=REDUCTIONS, margin=st.sampled_from([0.0, 0.5]))
def test_margin_ranking_loss(seed, reduction, margin) -> None:
    rng = np.random.default_rng(seed)
    x1, y = rng.standard_normal(5), rng.choice([-1.0, 1.0], 5)
    x2 = x1 - y * (_away(rng.standard_normal(5), (0.0,)) + margin)  # off the kink
    loss = np.maximum(-y * (x1 - x2) + margin, 0)
    args = (nr.asarray(x1), nr.asarray(x2), nr.asarray(y))
    _check(
        F.margin_ranking_loss(*args, margin=margin, reduction=reduction), _reduce(loss, reduction)
    )
    _check(nr.nn.MarginRankingLoss(margin, reduction)(*args), _reduce(loss, reduction))
    check_grads(lambda a, b: F.margin_ranking_loss(a, b, args[2], margin, reduction), args[:2])


def test_shape_errors() -> None:
    with pytest.raises(ShapeError, match=r"mse_loss: .*same shape, got \(3, 1\) and \(3,\)"):
        F.mse_loss(nr.zeros((3, 1)), nr.zeros(3))
    with pytest.raises(ShapeError, match="cosine_embedding_loss"):
        F.cosine_embedding_loss(nr.zeros((3, 2)), nr.zeros((3, 2)), nr.ones(2))
    with pytest.raises(ShapeError, match="margin_ranking_loss"):
        F.margin_ranking_loss(nr.zeros(3), nr.zeros(3), nr.ones(2))
