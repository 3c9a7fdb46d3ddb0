"""Parity with PyTorch (skipped when it is not installed): a PyTorch state dict loads into
the same architecture unchanged, and layers and losses give the same values and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import neurarust as nr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: no parity checks")
TF = torch.nn.functional
F = nr.nn.functional
rng = np.random.default_rng(0)


def _t(x: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=grad)


def _close(a: nr.Array, b: torch.Tensor) -> None:
    np.testing.assert_allclose(np.asarray(a), b.detach().numpy(), rtol=1e-9, atol=1e-11)


def test_state_dict_from_pytorch_loads_unchanged() -> None:
    tm = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Dropout(0.1),
        torch.nn.LayerNorm(4), torch.nn.Linear(4, 2), torch.nn.Embedding(5, 2, padding_idx=0),
    ).double()  # fmt: skip
    tm[1].train()
    tm[1](torch.randn(8, 4, dtype=torch.float64))  # non-trivial running statistics
    model = nr.nn.Sequential(
        nr.nn.Linear(3, 4, key=0), nr.nn.BatchNorm1d(4), nr.nn.ReLU(), nr.nn.Dropout(0.1),
        nr.nn.LayerNorm(4), nr.nn.Linear(4, 2, key=1), nr.nn.Embedding(5, 2, padding_idx=0, key=2),
    ).astype(nr.float64)  # fmt: skip
    sd = {k: v.numpy() for k, v in tm.state_dict().items()}
    assert list(sd) == list(nr.nn.state_dict(model))
    model = nr.nn.load_state_dict(model, sd).eval()
    tm.eval()
    x = rng.standard_normal((5, 3))
    _close(model[:6](nr.asarray(x)), tm[:6](_t(x)))


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (lambda x: F.gelu(x), lambda x: TF.gelu(x)),
        (lambda x: F.gelu(x, "tanh"), lambda x: TF.gelu(x, approximate="tanh")),
        (lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7)),
        (F.mish, TF.mish),
        (lambda x: F.softplus(x, 2.0, 1.0), lambda x: TF.softplus(x, 2.0, 1.0)),
        (lambda x: F.log_softmax(x, 1), lambda x: TF.log_softmax(x, 1)),
        (lambda x: F.layer_norm(x, (3,)), lambda x: TF.layer_norm(x, (3,))),
        (lambda x: F.group_norm(x, 2), lambda x: TF.group_norm(x, 2)),
        (lambda x: F.rms_norm(x, (3,)), lambda x: TF.rms_norm(x, (3,))),
        (lambda x: F.normalize(x, 3.0), lambda x: TF.normalize(x, 3.0)),
        (
            lambda x: F.interpolate(x, scale_factor=2.5, mode="linear"),
            lambda x: TF.interpolate(x, scale_factor=2.5, mode="linear"),
        ),
        (
            lambda x: F.interpolate(x, size=5, mode="nearest"),
            lambda x: TF.interpolate(x, size=5, mode="nearest"),
        ),
        (
            lambda x: F.interpolate(x[None], size=(3, 5), mode="bilinear", align_corners=True),
            lambda x: TF.interpolate(x[None], size=(3, 5), mode="bilinear", align_corners=True),
        ),
    ],
)
def test_functions_match(ours, theirs) -> None:
    x = rng.standard_normal((4, 4, 3))
    tx = _t(x, grad=True)
    out = theirs(tx)
    ct = rng.standard_normal(tuple(out.shape))
    (out * _t(ct)).sum().backward()
    got, pull = nr.vjp(ours, nr.asarray(x))
    _close(got, out)
    _close(pull(nr.asarray(ct))[0], tx.grad)


W = np.array([0.5, 1.0, 2.0])


def _bce_logits(x, t):
    return F.binary_cross_entropy_with_logits(
        x, F.sigmoid(x.mT).mT, pos_weight=nr.asarray(W)[:, None]
    )


def _torch_bce_logits(x, t):
    target = torch.sigmoid(x.mT).mT
    return TF.binary_cross_entropy_with_logits(x, target, pos_weight=_t(W)[:, None])


LOSSES = [
    ("ce", lambda x, t: F.cross_entropy(x, t, label_smoothing=0.2, ignore_index=1),
     lambda x, t: TF.cross_entropy(x, t, label_smoothing=0.2, ignore_index=1)),
    ("ce_w", lambda x, t: F.cross_entropy(x, t, nr.asarray(W), label_smoothing=0.3),
     lambda x, t: TF.cross_entropy(x, t, _t(W), label_smoothing=0.3)),
    ("ce_prob", lambda x, t: F.cross_entropy(x, F.softmax(x / 2, 1), nr.asarray(W), 0, "mean", 0.1),
     lambda x, t: TF.cross_entropy(x, TF.softmax(x / 2, 1), _t(W), label_smoothing=0.1)),
    ("kl", lambda x, t: F.kl_div(F.log_softmax(x, 1), F.softmax(x.mT, 1).mT, "batchmean"),
     lambda x, t: TF.kl_div(TF.log_softmax(x, 1), TF.softmax(x.mT, 1).mT, reduction="batchmean")),
    ("bce_logits", _bce_logits, _torch_bce_logits),
]  # fmt: skip


@pytest.mark.parametrize("name,ours,theirs", LOSSES, ids=[loss[0] for loss in LOSSES])
def test_losses_match(name, ours, theirs) -> None:
    x = rng.standard_normal((4, 3, 2)) * 2
    t = rng.integers(0, 3, (4, 2))
    tx = _t(x, grad=True)
    want = theirs(tx, torch.tensor(t))
    want.backward()
    value, grad = nr.value_and_grad(ours)(nr.asarray(x), nr.asarray(t))
    _close(value, want)
    _close(grad, tx.grad)


def test_batch_norm_running_stats_match() -> None:
    for momentum in (0.1, None):
        tbn = torch.nn.BatchNorm2d(3, momentum=momentum).double()
        bn = nr.nn.BatchNorm2d(3, momentum=momentum).astype(nr.float64)
        for _ in range(3):
            x = rng.standard_normal((4, 3, 2, 2))
            _, state = nr.nn.apply_with_state(bn, nr.asarray(x))
            bn = nr.nn.update_state(bn, state)
            tbn(_t(x))
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            np.testing.assert_allclose(getattr(bn, name).numpy(), getattr(tbn, name).numpy())
