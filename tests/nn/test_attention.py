"""MultiheadAttention, TransformerEncoderLayer and TransformerEncoder: values against NumPy
references written here, derivatives by ``check_grads`` (float64, tiny sizes), values and
gradients of inputs and every parameter against ``torch.nn`` with the same weights, PyTorch's
parameter names, masks, dropout keys and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import InvalidArgumentError, ShapeError
from neurarust.nn.attention import MultiheadAttention
from neurarust.nn.errors import MissingKeyError
from neurarust.nn.transformer import TransformerEncoder, TransformerEncoderLayer
from neurarust.test_util import check_grads

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed: no parity checks")
FEW = settings(max_examples=10, deadline=None)


# ------------------------------------------------------------ NumPy references


def _additive(mask: np.ndarray | None) -> np.ndarray | float:
    if mask is None:
        return 0.0
    return np.where(mask, -np.inf, 0.0) if mask.dtype == bool else mask


def np_mha(p, q, k, v, heads, kpm=None, attn_mask=None, bias_kv=False, zero_attn=False):
    """Batch-first multi-head attention, one head and one batch element at a time.

    Returns the output ``(N, L, E)`` and the per-head weights ``(N, heads, L, S')``."""
    n, length, e = q.shape
    hd = e // heads
    if "in_proj_weight" in p:
        wq, wk, wv = np.split(p["in_proj_weight"], 3)
    else:
        wq, wk, wv = p["q_proj_weight"], p["k_proj_weight"], p["v_proj_weight"]
    bq, bk, bv = np.split(p["in_proj_bias"], 3) if "in_proj_bias" in p else (0, 0, 0)
    q, k, v = q @ wq.T + bq, k @ wk.T + bk, v @ wv.T + bv
    source = k.shape[1]
    mask = np.zeros((n, heads, length, source))
    if attn_mask is not None:
        am = _additive(attn_mask)
        mask = mask + (am if am.ndim == 2 else am.reshape(n, heads, length, source))
    if kpm is not None:
        mask = mask + _additive(kpm)[:, None, None, :]
    extra = []
    if bias_kv:
        k = np.concatenate([k, np.broadcast_to(p["bias_k"], (n, 1, e))], axis=1)
        v = np.concatenate([v, np.broadcast_to(p["bias_v"], (n, 1, e))], axis=1)
        extra.append(0)
    out = np.zeros((n, length, e))
    weights = []
    for b in range(n):
        per_head = []
        for h in range(heads):
            sl = slice(h * hd, (h + 1) * hd)
            kh, vh = k[b, :, sl], v[b, :, sl]
            m = mask[b, h]
            if bias_kv:
                m = np.concatenate([m, np.zeros((length, 1))], axis=1)
            if zero_attn:
                kh = np.concatenate([kh, np.zeros((1, hd))])
                vh = np.concatenate([vh, np.zeros((1, hd))])
                m = np.concatenate([m, np.zeros((length, 1))], axis=1)
            s = q[b, :, sl] @ kh.T / math.sqrt(hd) + m
            w = np.exp(s - s.max(-1, keepdims=True))
            w = w / w.sum(-1, keepdims=True)
            out[b, :, sl] = w @ vh
            per_head.append(w)
        weights.append(per_head)
    out = out @ p["out_proj.weight"].T + p.get("out_proj.bias", 0)
    return out, np.array(weights)


def _layer_norm(x, w, b, eps):
    y = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


def np_encoder_layer(p, x, heads, norm_first, act, src_mask=None, kpm=None, prefix=""):
    """Batch-first TransformerEncoderLayer (eval mode) from PyTorch's definition."""

    def g(name):
        return p.get(prefix + name)

    attn = {k[len(prefix) + 10 :]: v for k, v in p.items() if k.startswith(prefix + "self_attn.")}

    def sa(y):
        return np_mha(attn, y, y, y, heads, kpm, src_mask)[0]

    def ff(y):
        h = act(
            y @ g("linear1.weight").T + (g("linear1.bias") if g("linear1.bias") is not None else 0)
        )
        return h @ g("linear2.weight").T + (0 if g("linear2.bias") is None else g("linear2.bias"))

    def n1(y):
        return _layer_norm(y, g("norm1.weight"), g("norm1.bias"), 1e-5)

    def n2(y):
        return _layer_norm(y, g("norm2.weight"), g("norm2.bias"), 1e-5)

    if norm_first:
        x = x + sa(n1(x))
        return x + ff(n2(x))
    x = n1(x + sa(x))
    return n2(x + ff(x))


def _params(module: nr.nn.Module) -> dict[str, np.ndarray]:
    return {name: np.asarray(v) for name, v in nr.nn.named_parameters(module)}


def _randomized(module: nr.nn.Module, rng: np.random.Generator) -> nr.nn.Module:
    """The module in float64 with random parameters of scale ~0.5."""
    leaves = [nr.asarray(rng.uniform(-0.7, 0.7, x.shape)) for x in nr.tree.leaves(module)]
    return nr.tree.unflatten(nr.tree.structure(module), leaves)


# --------------------------------------------------------------- configurations


@st.composite
def mha_configs(draw):
    cross = draw(st.booleans())
    cfg = {
        "heads": draw(st.sampled_from([1, 2])),
        "batch": draw(st.integers(1, 2)),
        "length": draw(st.integers(1, 3)),
        "source": draw(st.integers(1, 4)) if cross else None,
        "kdim": draw(st.sampled_from([None, 3])) if cross else None,
        "vdim": draw(st.sampled_from([None, 5])) if cross else None,
        "bias": draw(st.booleans()),
        "add_bias_kv": draw(st.booleans()),
        "add_zero_attn": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "batched": draw(st.booleans()),
        "kpm": draw(st.sampled_from([None, "bool", "float"])),
        "attn_mask": draw(st.sampled_from([None, "bool", "float", "bool3d", "float3d"])),
        "is_causal": draw(st.booleans()),
        "need_weights": draw(st.booleans()),
        "average": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }
    if cfg["is_causal"]:
        cfg["attn_mask"] = None
    if not cfg["batched"]:
        cfg["batch"] = 1
    return cfg


def _mha_case(cfg: dict, embed: int = 4):
    """The module, batch-first NumPy inputs and masks of one configuration."""
    rng = np.random.default_rng(cfg["seed"])
    mha = MultiheadAttention(
        embed,
        cfg["heads"],
        bias=cfg["bias"],
        add_bias_kv=cfg["add_bias_kv"],
        add_zero_attn=cfg["add_zero_attn"],
        kdim=cfg["kdim"],
        vdim=cfg["vdim"],
        batch_first=cfg["batch_first"],
        key=0,
    )
    mha = _randomized(mha, rng)
    n, length = cfg["batch"], cfg["length"]
    source = cfg["source"] or length
    q = rng.standard_normal((n, length, embed))
    if cfg["source"] is None:
        k = v = q
    else:
        k = rng.standard_normal((n, source, cfg["kdim"] or embed))
        v = rng.standard_normal((n, source, cfg["vdim"] or embed))
    kpm = am = None
    if cfg["kpm"] == "bool":
        kpm = rng.random((n, source)) < 0.4
        kpm[:, 0] = False  # keep a position per row, or the row is NaN (as in PyTorch)
    elif cfg["kpm"] == "float":
        kpm = rng.standard_normal((n, source))
    if cfg["attn_mask"] is not None:
        shape = (n * cfg["heads"], length, source) if "3d" in cfg["attn_mask"] else (length, source)
        if cfg["attn_mask"].startswith("bool"):
            am = rng.random(shape) < 0.4
            am[..., 0] = False
        else:
            am = rng.standard_normal(shape)
    if cfg["is_causal"]:
        cfg = {**cfg, "causal_mask": np.triu(np.ones((length, source), bool), 1)}
    return mha, q, k, v, kpm, am, cfg


def _layout(cfg: dict, x: np.ndarray) -> np.ndarray:
    """A batch-first array in the configuration's layout (time-major or unbatched)."""
    if not cfg["batched"]:
        return x[0]
    return x if cfg["batch_first"] else x.swapaxes(0, 1)


def _mha_call(mha, cfg, q, k, v, kpm, am):
    same = k is q and v is q
    qa = nr.asarray(_layout(cfg, q))
    ka, va = (qa, qa) if same else (nr.asarray(_layout(cfg, k)), nr.asarray(_layout(cfg, v)))
    kpm = None if kpm is None else nr.asarray(kpm if cfg["batched"] else kpm[0])
    return mha(
        qa,
        ka,
        va,
        key_padding_mask=kpm,
        need_weights=cfg["need_weights"],
        attn_mask=None if am is None else nr.asarray(am),
        average_attn_weights=cfg["average"],
        is_causal=cfg["is_causal"],
    )


# --------------------------------------------------------------------- forward


@FEW
@given(mha_configs())
def test_mha_matches_numpy_reference(cfg: dict) -> None:
    mha, q, k, v, kpm, am, cfg = _mha_case(cfg)
    mask = cfg.get("causal_mask", am)
    ref_out, ref_w = np_mha(
        _params(mha), q, k, v, cfg["heads"], kpm, mask, cfg["add_bias_kv"], cfg["add_zero_attn"]
    )
    out, weights = _mha_call(mha, cfg, q, k, v, kpm, am)
    np.testing.assert_allclose(np.asarray(out), _layout(cfg, ref_out), rtol=1e-10, atol=1e-12)
    if not cfg["need_weights"]:
        assert weights is None
        return
    ref_w = ref_w.mean(1) if cfg["average"] else ref_w
    ref_w = ref_w if cfg["batched"] else ref_w[0]
    np.testing.assert_allclose(np.asarray(weights), ref_w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_matches_numpy_reference(norm_first: bool) -> None:
    rng = np.random.default_rng(0)
    layer = TransformerEncoderLayer(
        4, 2, dim_feedforward=6, norm_first=norm_first, activation="gelu", batch_first=True, key=0
    )
    encoder = _randomized(TransformerEncoder(layer, 2, norm=nr.nn.LayerNorm(4)), rng).eval()
    x = rng.standard_normal((2, 3, 4))
    kpm = np.array([[False, False, True], [False, False, False]])
    src_mask = rng.standard_normal((3, 3))
    p = _params(encoder)
    erf = np.vectorize(math.erf)

    def gelu(y):
        return 0.5 * y * (1 + erf(y / math.sqrt(2)))

    ref = x
    for i in range(2):
        ref = np_encoder_layer(p, ref, 2, norm_first, gelu, src_mask, kpm, f"layers.{i}.")
    ref = _layer_norm(ref, p["norm.weight"], p["norm.bias"], 1e-5)
    got = encoder(nr.asarray(x), nr.asarray(src_mask), nr.asarray(kpm))
    np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------- derivatives


@settings(max_examples=5, deadline=None)
@given(mha_configs())
def test_mha_gradients_by_finite_differences(cfg: dict) -> None:
    cfg = {**cfg, "batched": True, "batch_first": True}
    cfg["kpm"] = None if cfg["kpm"] == "bool" else cfg["kpm"]  # -inf entries: no finite diffs
    mha, q, k, v, kpm, am, cfg = _mha_case(cfg)
    if am is not None and am.dtype == bool:
        am = None
    same = k is q

    def f(mha, q, k, v):
        k, v = (q, q) if same else (k, v)
        return _mha_call(mha, cfg, q, k, v, kpm, am)

    check_grads(f, (mha, nr.asarray(q), nr.asarray(k), nr.asarray(v)), modes=("rev",))


def test_encoder_layer_gradients_by_finite_differences() -> None:
    rng = np.random.default_rng(4)
    layer = _randomized(
        TransformerEncoderLayer(4, 2, dim_feedforward=3, dropout=0.0, batch_first=True, key=0), rng
    )
    x = nr.asarray(rng.standard_normal((1, 3, 4)))
    check_grads(lambda layer, x: layer(x, is_causal=True), (layer, x), modes=("rev",))


# ----------------------------------------------------------------- PyTorch parity


def _load_torch(tm, module: nr.nn.Module) -> None:
    assert [n for n, _ in nr.nn.named_parameters(module)] == list(tm.state_dict())
    tm.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in _params(module).items()})


def _compare_grads(g_module, tm) -> None:
    t_params = dict(tm.named_parameters())
    for name, g in nr.nn.named_parameters(g_module):
        np.testing.assert_allclose(
            np.asarray(g), t_params[name].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name
        )


@needs_torch
@pytest.mark.filterwarnings("ignore:Support for mismatched")
@FEW
@given(mha_configs())
def test_mha_values_and_gradients_match_torch(cfg: dict) -> None:
    mha, q, k, v, kpm, am, cfg = _mha_case(cfg)
    tm = torch.nn.MultiheadAttention(
        4,
        cfg["heads"],
        bias=cfg["bias"],
        add_bias_kv=cfg["add_bias_kv"],
        add_zero_attn=cfg["add_zero_attn"],
        kdim=cfg["kdim"],
        vdim=cfg["vdim"],
        batch_first=cfg["batch_first"],
    ).double()
    _load_torch(tm, mha)
    same = k is q
    tq = torch.tensor(_layout(cfg, q), requires_grad=True)
    tk, tv = (
        (tq, tq) if same else (torch.tensor(_layout(cfg, a), requires_grad=True) for a in (k, v))
    )
    t_kpm = None if kpm is None else torch.from_numpy(kpm if cfg["batched"] else kpm[0])
    t_am = (
        torch.from_numpy(cfg["causal_mask"] if cfg["is_causal"] else am)
        if (cfg["is_causal"] or am is not None)
        else None
    )
    # With is_causal, need_weights=False and no padding mask PyTorch hands the causal flag to
    # SDPA, which also masks the bias_kv / zero_attn positions; its weights path does not.
    extra = cfg["add_bias_kv"] or cfg["add_zero_attn"]
    t_need = cfg["need_weights"] or (cfg["is_causal"] and extra)
    t_out, t_w = tm(
        tq,
        tk,
        tv,
        key_padding_mask=t_kpm,
        need_weights=t_need,
        attn_mask=t_am,
        average_attn_weights=cfg["average"],
        is_causal=cfg["is_causal"],
    )
    rng = np.random.default_rng(cfg["seed"] + 1)
    w_out = rng.standard_normal(tuple(t_out.shape))
    t_loss = (t_out * torch.from_numpy(w_out)).sum()
    if cfg["need_weights"]:
        w_w = rng.standard_normal(tuple(t_w.shape))
        t_loss = t_loss + (t_w * torch.from_numpy(w_w)).sum()
    t_loss.backward()

    def loss(mha, q, k, v):
        k, v = (q, q) if same else (k, v)
        out, weights = mha(
            q,
            k,
            v,
            key_padding_mask=None if t_kpm is None else nr.asarray(t_kpm.numpy()),
            need_weights=cfg["need_weights"],
            attn_mask=None if am is None else nr.asarray(am),
            average_attn_weights=cfg["average"],
            is_causal=cfg["is_causal"],
        )
        total = nr.sum(out * w_out)
        return total if weights is None else total + nr.sum(weights * w_w)

    args = [nr.asarray(t.detach().numpy()) for t in (tq, tk, tv)]
    value, (g_mha, *g_in) = nr.value_and_grad(loss, argnums=(0, 1, 2, 3))(mha, *args)
    np.testing.assert_allclose(float(value), t_loss.item(), rtol=1e-10)
    _compare_grads(g_mha, tm)
    np.testing.assert_allclose(np.asarray(g_in[0]), tq.grad.numpy(), rtol=1e-9, atol=1e-12)
    if not same:
        np.testing.assert_allclose(np.asarray(g_in[1]), tk.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(np.asarray(g_in[2]), tv.grad.numpy(), rtol=1e-9, atol=1e-12)


@st.composite
def encoder_configs(draw):
    return {
        "norm_first": draw(st.booleans()),
        "activation": draw(st.sampled_from(["relu", "gelu", "callable"])),
        "batch_first": draw(st.booleans()),
        "bias": draw(st.booleans()),
        "src_mask": draw(st.sampled_from([None, "bool", "float", "causal"])),
        "kpm": draw(st.booleans()),
        "final_norm": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }


@needs_torch
@pytest.mark.filterwarnings("ignore:Support for mismatched")
@FEW
@given(encoder_configs())
def test_encoder_values_and_gradients_match_torch(cfg: dict) -> None:
    rng = np.random.default_rng(cfg["seed"])
    act = cfg["activation"]
    nr_act = nr.tanh if act == "callable" else act
    t_act = torch.tanh if act == "callable" else act
    common = {
        "dim_feedforward": 6,
        "dropout": 0.0,
        "norm_first": cfg["norm_first"],
        "batch_first": cfg["batch_first"],
        "bias": cfg["bias"],
    }
    layer = TransformerEncoderLayer(4, 2, activation=nr_act, **common, key=0)
    norm = nr.nn.LayerNorm(4) if cfg["final_norm"] else None
    encoder = _randomized(TransformerEncoder(layer, 2, norm=norm), rng)
    t_layer = torch.nn.TransformerEncoderLayer(4, 2, activation=t_act, **common)
    t_norm = torch.nn.LayerNorm(4) if cfg["final_norm"] else None
    te = torch.nn.TransformerEncoder(t_layer, 2, norm=t_norm, enable_nested_tensor=False)
    te = te.double()
    _load_torch(te, encoder)
    x = rng.standard_normal((2, 3, 4))
    x = x if cfg["batch_first"] else x.swapaxes(0, 1)
    mask = {
        None: None,
        "bool": rng.random((3, 3)) < 0.3,
        "float": rng.standard_normal((3, 3)),
        "causal": np.triu(np.ones((3, 3), bool), 1),
    }[cfg["src_mask"]]
    if mask is not None and mask.dtype == bool:
        mask[:, 0] = False
    kpm = np.array([[False, False, True], [False, True, False]]) if cfg["kpm"] else None
    causal = cfg["src_mask"] == "causal"
    tx = torch.tensor(x, requires_grad=True)
    t_out = te(
        tx,
        None if mask is None else torch.from_numpy(mask),
        None if kpm is None else torch.from_numpy(kpm),
        is_causal=causal,
    )
    w = rng.standard_normal(tuple(t_out.shape))
    (t_out * torch.from_numpy(w)).sum().backward()

    def loss(encoder, x):
        m = None if mask is None or causal else nr.asarray(mask)
        out = encoder(x, m, None if kpm is None else nr.asarray(kpm), is_causal=causal)
        return nr.sum(out * w)

    g_enc, g_x = nr.grad(loss, argnums=(0, 1))(encoder, nr.asarray(x))
    np.testing.assert_allclose(np.asarray(g_x), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    _compare_grads(g_enc, te)
    te.eval()  # an input that requires grad keeps PyTorch off its fused inference path
    t_eval = te(
        torch.tensor(x, requires_grad=True),
        None if mask is None else torch.from_numpy(mask),
        None if kpm is None else torch.from_numpy(kpm),
    )
    got = encoder.eval()(
        nr.asarray(x),
        None if mask is None else nr.asarray(mask),
        None if kpm is None else nr.asarray(kpm),
    )
    np.testing.assert_allclose(np.asarray(got), t_eval.detach().numpy(), rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------- names, keys, errors


def test_encoder_parameter_names_follow_pytorch() -> None:
    layer = TransformerEncoderLayer(8, 2, dim_feedforward=16, key=0)
    encoder = TransformerEncoder(layer, 2, norm=nr.nn.LayerNorm(8))
    per_layer = [
        ("self_attn.in_proj_weight", (24, 8)),
        ("self_attn.in_proj_bias", (24,)),
        ("self_attn.out_proj.weight", (8, 8)),
        ("self_attn.out_proj.bias", (8,)),
        ("linear1.weight", (16, 8)),
        ("linear1.bias", (16,)),
        ("linear2.weight", (8, 16)),
        ("linear2.bias", (8,)),
        ("norm1.weight", (8,)),
        ("norm1.bias", (8,)),
        ("norm2.weight", (8,)),
        ("norm2.bias", (8,)),
    ]
    expected = [(f"layers.{i}.{n}", s) for i in range(2) for n, s in per_layer]
    expected += [("norm.weight", (8,)), ("norm.bias", (8,))]
    assert [(n, tuple(p.shape)) for n, p in nr.nn.named_parameters(encoder)] == expected
    cross = MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True, key=0)
    assert [n for n, _ in nr.nn.named_parameters(cross)] == [
        "q_proj_weight",
        "k_proj_weight",
        "v_proj_weight",
        "in_proj_bias",
        "bias_k",
        "bias_v",
        "out_proj.weight",
        "out_proj.bias",
    ]


def test_mha_default_init_follows_pytorch() -> None:
    mha = MultiheadAttention(64, 4, key=0)
    bound = math.sqrt(6 / (64 + 192))  # xavier_uniform over (3E, E)
    w = np.asarray(mha.in_proj_weight)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not np.asarray(mha.in_proj_bias).any() and not np.asarray(mha.out_proj.bias).any()
    assert np.abs(np.asarray(mha.out_proj.weight)).max() <= 1 / math.sqrt(64)


def test_dropout_needs_a_key_in_training_mode() -> None:
    layer = TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True, key=0)
    x = nr.ones((2, 3, 8))
    with pytest.raises(MissingKeyError, match=r"TransformerEncoderLayer: dropout=0.1 .*key="):
        layer(x)
    encoder = TransformerEncoder(layer, 2)
    with pytest.raises(MissingKeyError, match=r"TransformerEncoderLayer at 'layers.0'"):
        encoder(x)
    a, b = encoder(x, key=0), encoder(x, key=1)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(encoder(x, key=0)))
    assert not np.allclose(np.asarray(a), np.asarray(b))
    assert encoder.eval()(x).shape == (2, 3, 8)
    mha = MultiheadAttention(8, 2, dropout=0.5, key=0)
    with pytest.raises(MissingKeyError, match=r"MultiheadAttention: .*dropout_key="):
        mha(x, x, x)
    out, weights = mha(x, x, x, dropout_key=3, average_attn_weights=False)
    kept = np.asarray(weights) != 0
    assert 0 < kept.mean() < 1  # dropped weights are zero, the kept ones scaled by 2
    np.testing.assert_array_equal(np.asarray(mha(x, x, x, dropout_key=3)[0]), np.asarray(out))
    eval_out, _ = mha.eval()(x, x, x)
    assert out.shape == eval_out.shape == (2, 3, 8)


def test_bad_arguments_raise_clear_errors() -> None:
    with pytest.raises(InvalidArgumentError, match="positive divisor of embed_dim=6"):
        MultiheadAttention(6, 4, key=0)
    mha = MultiheadAttention(8, 2, key=0)
    x = nr.ones((3, 2, 8))
    with pytest.raises(ShapeError, match=r"MultiheadAttention: argument 'key' expected shape"):
        mha(x, nr.ones((3, 2, 5)), x)
    with pytest.raises(ShapeError, match=r"argument 'attn_mask' expected shape \(3, 3\) or"):
        mha(x, x, x, attn_mask=nr.zeros((3, 4)))
    with pytest.raises(ShapeError, match=r"argument 'key_padding_mask' expected shape \(2, 3\)"):
        mha(x, x, x, key_padding_mask=nr.zeros((3, 2), dtype=nr.bool))
    with pytest.raises(InvalidArgumentError, match="bool or floating-point mask"):
        mha(x, x, x, attn_mask=nr.zeros((3, 3), dtype=nr.int32))
    with pytest.raises(InvalidArgumentError, match="'activation' expected 'relu', 'gelu'"):
        TransformerEncoderLayer(8, 2, activation="swish", key=0)
    with pytest.raises(InvalidArgumentError, match="'num_layers' expected a positive int"):
        TransformerEncoder(TransformerEncoderLayer(8, 2, key=0), 0)
