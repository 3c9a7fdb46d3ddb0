"""RNN, LSTM, GRU and their cells: forward values against NumPy references written here,
derivatives by ``check_grads`` (float64, tiny sizes), values and gradients of inputs, initial
states and every parameter against ``torch.nn`` with the same weights, PyTorch's parameter
names, initialisation bounds and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import InvalidArgumentError, ShapeError
from neurarust.nn.errors import MissingKeyError
from neurarust.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from neurarust.test_util import check_grads

try:
    import torch
except ImportError:  # pragma: no cover - depends on the environment
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed: no parity checks")
FEW = settings(max_examples=8, deadline=None)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


# ------------------------------------------------------------ NumPy references


def _np_step(mode: str, p: dict[str, np.ndarray], sfx: str, x, h, c):
    """One step of one layer/direction, straight from PyTorch's documented equations."""
    gi = x @ p[f"weight_ih{sfx}"].T + p.get(f"bias_ih{sfx}", 0)
    gh = h @ p[f"weight_hh{sfx}"].T + p.get(f"bias_hh{sfx}", 0)
    if mode == "RNN_TANH":
        return np.tanh(gi + gh), None
    if mode == "RNN_RELU":
        return np.maximum(gi + gh, 0), None
    if mode == "GRU":
        ir, iz, in_ = np.split(gi, 3, axis=-1)
        hr, hz, hn = np.split(gh, 3, axis=-1)
        r, z = _sigmoid(ir + hr), _sigmoid(iz + hz)
        n = np.tanh(in_ + r * hn)
        return (1 - z) * n + z * h, None
    i, f, g, o = np.split(gi + gh, 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h = _sigmoid(o) * np.tanh(c)
    if f"weight_hr{sfx}" in p:
        h = h @ p[f"weight_hr{sfx}"].T
    return h, c


def np_rnn(mode, p, x, h0, c0, num_layers, bidirectional):
    """Multi-layer (bi)directional recurrence on time-major ``x`` ``(L, N, H_in)``."""
    dirs = 2 if bidirectional else 1
    h_n, c_n = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            row = layer * dirs + d
            h, c = h0[row], None if c0 is None else c0[row]
            seq = [None] * len(x)
            for t in reversed(range(len(x))) if d else range(len(x)):
                h, c = _np_step(mode, p, sfx, x[t], h, c)
                seq[t] = h
            outs.append(np.stack(seq))
            h_n.append(h)
            c_n.append(c)
        x = np.concatenate(outs, axis=-1)
    return x, np.stack(h_n), None if c0 is None else np.stack(c_n)


def _params(module: nr.nn.Module) -> dict[str, np.ndarray]:
    return {name: np.asarray(v) for name, v in nr.nn.named_parameters(module)}


def _make(cls, mode_kw: dict, rng: np.random.Generator, **kw):
    """A float64 layer with random weights of scale ~0.5 (so activations are not saturated)."""
    module = cls(**kw, **mode_kw, dtype=nr.float64, key=int(rng.integers(1000)))
    leaves = [nr.asarray(rng.uniform(-0.6, 0.6, x.shape)) for x in nr.tree.leaves(module)]
    return nr.tree.unflatten(nr.tree.structure(module), leaves)


MODES = {
    "RNN_TANH": (RNN, {"nonlinearity": "tanh"}),
    "RNN_RELU": (RNN, {"nonlinearity": "relu"}),
    "LSTM": (LSTM, {}),
    "GRU": (GRU, {}),
}


@st.composite
def configs(draw, modes=tuple(MODES)):
    mode = draw(st.sampled_from(modes))
    return {
        "mode": mode,
        "num_layers": draw(st.integers(1, 2)),
        "bias": draw(st.booleans()),
        "batch_first": draw(st.booleans()),
        "bidirectional": draw(st.booleans()),
        "proj_size": draw(st.sampled_from([0, 2])) if mode == "LSTM" else 0,
        "batched": draw(st.booleans()),
        "initial_state": draw(st.booleans()),
        "seq": draw(st.integers(1, 4)),
        "batch": draw(st.integers(1, 3)),
        "seed": draw(st.integers(0, 2**16)),
    }


def _build(cfg: dict, input_size: int = 3, hidden_size: int = 4):
    rng = np.random.default_rng(cfg["seed"])
    cls, mode_kw = MODES[cfg["mode"]]
    kw = {k: cfg[k] for k in ("num_layers", "bias", "batch_first", "bidirectional")}
    if cfg["mode"] == "LSTM":
        kw["proj_size"] = cfg["proj_size"]
    module = _make(cls, mode_kw, rng, input_size=input_size, hidden_size=hidden_size, **kw)
    seq, batch = cfg["seq"], cfg["batch"]
    x_tm = rng.standard_normal((seq, batch, input_size))
    rows = cfg["num_layers"] * (2 if cfg["bidirectional"] else 1)
    h0 = rng.standard_normal((rows, batch, cfg["proj_size"] or hidden_size)) * 0.5
    c0 = rng.standard_normal((rows, batch, hidden_size)) * 0.5 if cfg["mode"] == "LSTM" else None
    if not cfg["initial_state"]:
        h0 = np.zeros_like(h0)
        c0 = None if c0 is None else np.zeros_like(c0)
    return module, x_tm, h0, c0


def _call_args(cfg: dict, x_tm, h0, c0):
    """The input and hx as the module takes them (batch_first / unbatched / hx=None)."""
    if not cfg["batched"]:
        x, h0, c0 = x_tm[:, 0], h0[:, 0], None if c0 is None else c0[:, 0]
    else:
        x = x_tm.swapaxes(0, 1) if cfg["batch_first"] else x_tm
    if not cfg["initial_state"]:
        return x, None
    return x, h0 if c0 is None else (h0, c0)


def _outputs(cfg: dict, result):
    out, state = result
    h, c = state if cfg["mode"] == "LSTM" else (state, None)
    return out, h, c


# --------------------------------------------------------------------- forward


@FEW
@given(configs())
def test_forward_matches_numpy_reference(cfg: dict) -> None:
    module, x_tm, h0, c0 = _build(cfg)
    ref_out, ref_h, ref_c = np_rnn(
        cfg["mode"], _params(module), x_tm, h0, c0, cfg["num_layers"], cfg["bidirectional"]
    )
    x, hx = _call_args(cfg, x_tm, h0, c0)
    hx = None if hx is None else nr.tree.map(nr.asarray, hx)
    out, h, c = _outputs(cfg, module(nr.asarray(x), hx))
    if not cfg["batched"]:
        ref_out, ref_h = ref_out[:, 0], ref_h[:, 0]
        ref_c = None if ref_c is None else ref_c[:, 0]
    elif cfg["batch_first"]:
        ref_out = ref_out.swapaxes(0, 1)
    np.testing.assert_allclose(np.asarray(out), ref_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(h), ref_h, rtol=1e-10, atol=1e-12)
    if ref_c is not None:
        np.testing.assert_allclose(np.asarray(c), ref_c, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["RNN_TANH", "LSTM", "GRU"])
def test_cells_match_numpy_reference(mode: str) -> None:
    rng = np.random.default_rng(0)
    cell_cls = {"RNN_TANH": RNNCell, "LSTM": LSTMCell, "GRU": GRUCell}[mode]
    cell = _make(cell_cls, {}, rng, input_size=3, hidden_size=4)
    p = {k + "_l0": v for k, v in _params(cell).items()}
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    ref_h, ref_c = _np_step(mode, p, "_l0", x, h, c if mode == "LSTM" else None)
    hx = (nr.asarray(h), nr.asarray(c)) if mode == "LSTM" else nr.asarray(h)
    got = cell(nr.asarray(x), hx)
    got_h = got[0] if mode == "LSTM" else got
    np.testing.assert_allclose(np.asarray(got_h), ref_h, rtol=1e-12)
    if mode == "LSTM":
        np.testing.assert_allclose(np.asarray(got[1]), ref_c, rtol=1e-12)
    unbatched = cell(nr.asarray(x[0]), nr.tree.map(lambda s: s[0], hx))
    np.testing.assert_allclose(
        np.asarray(unbatched[0] if mode == "LSTM" else unbatched), ref_h[0], rtol=1e-12
    )
    zero_state = cell(nr.asarray(x))
    ref_zero, _ = _np_step(mode, p, "_l0", x, np.zeros((2, 4)), np.zeros((2, 4)))
    np.testing.assert_allclose(
        np.asarray(zero_state[0] if mode == "LSTM" else zero_state), ref_zero, rtol=1e-12
    )


# ----------------------------------------------------------------- derivatives


@settings(max_examples=6, deadline=None)
@given(configs())
def test_gradients_by_finite_differences(cfg: dict) -> None:
    cfg = {**cfg, "seq": min(cfg["seq"], 3), "batch": min(cfg["batch"], 2)}
    module, x_tm, h0, c0 = _build(cfg, input_size=2, hidden_size=3)
    x, hx = _call_args(cfg, x_tm, h0, c0)
    hx = None if hx is None else nr.tree.map(nr.asarray, hx)

    def f(module, x, hx):
        out, h, c = _outputs(cfg, module(x, hx))
        return (out, h) if c is None else (out, h, c)

    check_grads(f, (module, nr.asarray(x), hx))


@pytest.mark.parametrize("bias", [True, False])
def test_second_order_through_fused_cells(bias: bool) -> None:
    rng = np.random.default_rng(1)
    x, h, c = (nr.asarray(rng.standard_normal((2, s))) for s in (2, 3, 3))
    lstm = _make(LSTMCell, {}, rng, input_size=2, hidden_size=3, bias=bias)
    check_grads(lambda cell, x, h, c: cell(x, (h, c)), (lstm, x, h, c), order=2)
    gru = _make(GRUCell, {}, rng, input_size=2, hidden_size=3, bias=bias)
    check_grads(lambda cell, x, h: cell(x, h), (gru, x, h), order=2)


def test_lstm_forward_mode_and_grad_of_grad() -> None:
    rng = np.random.default_rng(2)
    lstm = _make(LSTM, {}, rng, input_size=2, hidden_size=2)
    x = nr.asarray(rng.standard_normal((3, 2)))
    check_grads(lambda x: lstm(x)[0], (x,), order=2, modes=("fwd", "rev"))


# ----------------------------------------------------------------- PyTorch parity


def _torch_module(cfg: dict, module: nr.nn.Module, input_size: int, hidden_size: int):
    cls = {
        "RNN_TANH": torch.nn.RNN,
        "RNN_RELU": torch.nn.RNN,
        "LSTM": torch.nn.LSTM,
        "GRU": torch.nn.GRU,
    }[cfg["mode"]]
    kw = {k: cfg[k] for k in ("num_layers", "bias", "batch_first", "bidirectional")}
    if cfg["mode"].startswith("RNN"):
        kw["nonlinearity"] = cfg["mode"][4:].lower()
    if cfg["mode"] == "LSTM":
        kw["proj_size"] = cfg["proj_size"]
    tm = cls(input_size, hidden_size, **kw).double()
    tm.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in _params(module).items()})
    return tm


@needs_torch
@FEW
@given(configs())
def test_values_and_gradients_match_torch(cfg: dict) -> None:
    module, x_tm, h0, c0 = _build(cfg)
    tm = _torch_module(cfg, module, 3, 4)
    assert [n for n, _ in nr.nn.named_parameters(module)] == list(tm.state_dict())
    x, hx = _call_args(cfg, x_tm, h0, c0)
    rng = np.random.default_rng(cfg["seed"] + 1)
    t_x = torch.tensor(x, requires_grad=True)
    t_hx = (
        None
        if hx is None
        else tuple(
            torch.tensor(s, requires_grad=True) for s in (hx if isinstance(hx, tuple) else (hx,))
        )
    )
    t_res = tm(t_x, t_hx if t_hx is None or len(t_hx) == 2 else t_hx[0])
    t_outs = _outputs(cfg, t_res)
    weights = [rng.standard_normal(tuple(o.shape)) for o in t_outs if o is not None]
    t_loss = sum((o * torch.from_numpy(w)).sum() for o, w in zip(t_outs, weights, strict=False))
    t_loss.backward()

    def loss(module, x, hx):
        outs = [o for o in _outputs(cfg, module(x, hx)) if o is not None]
        return sum(nr.sum(o * w) for o, w in zip(outs, weights, strict=True))

    hx_nr = None if hx is None else nr.tree.map(nr.asarray, hx)
    value, (g_mod, g_x, g_hx) = nr.value_and_grad(loss, argnums=(0, 1, 2))(
        module, nr.asarray(x), hx_nr
    )
    np.testing.assert_allclose(float(value), t_loss.item(), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(g_x), t_x.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name, g in nr.nn.named_parameters(g_mod):
        want = dict(tm.named_parameters())[name].grad.numpy()
        np.testing.assert_allclose(np.asarray(g), want, rtol=1e-9, atol=1e-12, err_msg=name)
    if hx is not None:
        for g, t in zip(nr.tree.leaves(g_hx), t_hx, strict=True):
            np.testing.assert_allclose(np.asarray(g), t.grad.numpy(), rtol=1e-9, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("mode", ["RNN_RELU", "LSTM", "GRU"])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch(mode: str, bias: bool) -> None:
    rng = np.random.default_rng(3)
    cell_cls, t_cls = {
        "RNN_RELU": (RNNCell, torch.nn.RNNCell),
        "LSTM": (LSTMCell, torch.nn.LSTMCell),
        "GRU": (GRUCell, torch.nn.GRUCell),
    }[mode]
    kw = {"nonlinearity": "relu"} if mode == "RNN_RELU" else {}
    cell = _make(cell_cls, kw, rng, input_size=3, hidden_size=4, bias=bias)
    tc = t_cls(3, 4, bias=bias, **kw).double()
    tc.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in _params(cell).items()})
    assert [n for n, _ in nr.nn.named_parameters(cell)] == list(tc.state_dict())
    x = rng.standard_normal((2, 3))
    states = [rng.standard_normal((2, 4)) for _ in range(2 if mode == "LSTM" else 1)]
    t_x = torch.tensor(x, requires_grad=True)
    t_states = [torch.tensor(s, requires_grad=True) for s in states]
    t_out = tc(t_x, tuple(t_states) if mode == "LSTM" else t_states[0])
    t_out = t_out if mode == "LSTM" else (t_out,)
    weights = [rng.standard_normal(o.shape) for o in t_out]
    sum((o * torch.from_numpy(w)).sum() for o, w in zip(t_out, weights, strict=True)).backward()

    def loss(cell, x, states):
        out = cell(x, tuple(states) if mode == "LSTM" else states[0])
        out = out if mode == "LSTM" else (out,)
        return sum(nr.sum(o * w) for o, w in zip(out, weights, strict=True))

    g_cell, g_x, g_states = nr.grad(loss, argnums=(0, 1, 2))(
        cell, nr.asarray(x), [nr.asarray(s) for s in states]
    )
    np.testing.assert_allclose(np.asarray(g_x), t_x.grad.numpy(), rtol=1e-10)
    for g, t in zip(g_states, t_states, strict=True):
        np.testing.assert_allclose(np.asarray(g), t.grad.numpy(), rtol=1e-10)
    for name, g in nr.nn.named_parameters(g_cell):
        want = dict(tc.named_parameters())[name].grad.numpy()
        np.testing.assert_allclose(np.asarray(g), want, rtol=1e-10, err_msg=name)


# ------------------------------------------------------------- names, init, keys


def test_lstm_parameter_names_and_shapes_follow_pytorch() -> None:
    lstm = LSTM(5, 4, num_layers=2, bidirectional=True, proj_size=3, key=0)
    expected = [
        ("weight_ih_l0", (16, 5)),
        ("weight_hh_l0", (16, 3)),
        ("bias_ih_l0", (16,)),
        ("bias_hh_l0", (16,)),
        ("weight_hr_l0", (3, 4)),
        ("weight_ih_l0_reverse", (16, 5)),
        ("weight_hh_l0_reverse", (16, 3)),
        ("bias_ih_l0_reverse", (16,)),
        ("bias_hh_l0_reverse", (16,)),
        ("weight_hr_l0_reverse", (3, 4)),
        ("weight_ih_l1", (16, 6)),
        ("weight_hh_l1", (16, 3)),
        ("bias_ih_l1", (16,)),
        ("bias_hh_l1", (16,)),
        ("weight_hr_l1", (3, 4)),
        ("weight_ih_l1_reverse", (16, 6)),
        ("weight_hh_l1_reverse", (16, 3)),
        ("bias_ih_l1_reverse", (16,)),
        ("bias_hh_l1_reverse", (16,)),
        ("weight_hr_l1_reverse", (3, 4)),
    ]
    assert [(n, tuple(p.shape)) for n, p in nr.nn.named_parameters(lstm)] == expected
    out, (h_n, c_n) = lstm(nr.ones((7, 2, 5)))
    assert (out.shape, h_n.shape, c_n.shape) == ((7, 2, 6), (4, 2, 3), (4, 2, 4))
    gru = GRU(5, 4, bias=False, key=0)
    assert [n for n, _ in nr.nn.named_parameters(gru)] == ["weight_ih_l0", "weight_hh_l0"]


@needs_torch
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
def test_state_dict_from_torch_loads_unchanged() -> None:
    tm = torch.nn.LSTM(5, 4, num_layers=2, bidirectional=True, proj_size=3)
    sd = {k: nr.asarray(v.detach().numpy()) for k, v in tm.state_dict().items()}
    lstm = nr.nn.load_state_dict(
        LSTM(5, 4, num_layers=2, bidirectional=True, proj_size=3, key=0), sd
    )
    x = np.random.default_rng(0).standard_normal((4, 2, 5)).astype(np.float32)
    out, (h, c) = lstm(nr.asarray(x))
    t_out, (t_h, t_c) = tm(torch.from_numpy(x))
    for a, b in ((out, t_out), (h, t_h), (c, t_c)):
        np.testing.assert_allclose(np.asarray(a), b.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "layer", [RNN(3, 16, key=0), LSTM(3, 16, key=0), GRU(3, 16, key=0), LSTMCell(3, 16, key=0)]
)
def test_default_init_is_pytorch_uniform(layer: nr.nn.Module) -> None:
    bound = 1 / math.sqrt(16)
    for name, p in nr.nn.named_parameters(layer):
        values = np.asarray(p)
        assert p.dtype == nr.float32, name
        assert np.abs(values).max() <= bound, name
        assert np.abs(values).max() > 0.8 * bound, name
    a, b = LSTM(3, 16, key=0), LSTM(3, 16, key=1)
    assert not np.array_equal(np.asarray(a.weight_ih_l0), np.asarray(b.weight_ih_l0))


def test_dropout_between_layers_needs_a_key_in_training() -> None:
    lstm = LSTM(3, 4, num_layers=2, dropout=0.5, key=0)
    x = nr.ones((5, 2, 3))
    with pytest.raises(MissingKeyError, match=r"LSTM: dropout=0.5 between layers .* key="):
        lstm(x)
    a, _ = lstm(x, key=0)
    b, _ = lstm(x, key=1)
    assert not np.allclose(np.asarray(a), np.asarray(b))
    eval_out, _ = lstm.eval()(x)
    no_drop, _ = lstm.replace(dropout=0.0)(x)
    np.testing.assert_array_equal(np.asarray(eval_out), np.asarray(no_drop))
    with pytest.warns(UserWarning, match="num_layers=1"):
        one_layer = LSTM(3, 4, dropout=0.5, key=0)
    single, _ = one_layer(x)  # one layer: no dropout, no key needed
    assert single.shape == (5, 2, 4)


def test_dropout_gradient_uses_the_same_mask() -> None:
    gru = GRU(2, 3, num_layers=2, dropout=0.5, dtype=nr.float64, key=0)
    x = nr.asarray(np.random.default_rng(0).standard_normal((3, 2)))
    check_grads(lambda x: gru(x, key=7)[0], (x,), modes=("rev",))


@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
def test_float64_inputs_leave_float32_gradients(cls) -> None:
    layer = cls(3, 4, key=0)
    x = nr.asarray(np.random.default_rng(0).standard_normal((5, 2, 3)))
    out, _ = layer(x)
    assert out.dtype == nr.float64
    grads = nr.grad(lambda layer, x: nr.sum(layer(x)[0]))(layer, x)
    assert {g.dtype for g in nr.nn.parameters(grads)} == {nr.float32}


def test_bad_arguments_raise_clear_errors() -> None:
    lstm = LSTM(3, 4, num_layers=2, key=0)
    with pytest.raises(ShapeError, match=r"LSTM: argument 'input' expected .*input_size = 3"):
        lstm(nr.ones((5, 2, 7)))
    with pytest.raises(ShapeError, match=r"argument 'h_0' expected shape \(2, 2, 4\)"):
        lstm(nr.ones((5, 2, 3)), (nr.zeros((1, 2, 4)), nr.zeros((2, 2, 4))))
    with pytest.raises(ShapeError, match=r"argument 'c_0' expected shape \(2, 2, 4\)"):
        lstm(nr.ones((5, 2, 3)), (nr.zeros((2, 2, 4)), nr.zeros((2, 3, 4))))
    with pytest.raises(InvalidArgumentError, match=r"argument 'hx' expected a pair"):
        lstm(nr.ones((5, 2, 3)), nr.zeros((2, 2, 4)))
    with pytest.raises(InvalidArgumentError, match=r"argument 'hx' expected one array"):
        GRU(3, 4, key=0)(nr.ones((5, 2, 3)), (nr.zeros((1, 2, 4)), nr.zeros((1, 2, 4))))
    with pytest.raises(ShapeError, match=r"GRUCell: argument 'hx' expected shape \(2, 4\)"):
        GRUCell(3, 4, key=0)(nr.ones((2, 3)), nr.zeros((3, 4)))
    with pytest.raises(InvalidArgumentError, match="'nonlinearity' expected 'tanh' or 'relu'"):
        RNN(3, 4, nonlinearity="gelu", key=0)
    with pytest.raises(InvalidArgumentError, match=r"'proj_size' expected 0 .*hidden_size=4"):
        LSTM(3, 4, proj_size=4, key=0)
    with pytest.raises(InvalidArgumentError, match="'dropout' expected a probability"):
        GRU(3, 4, dropout=1.5, key=0)
    with pytest.raises(TypeError, match="'key' is required"):
        LSTM(3, 4)
