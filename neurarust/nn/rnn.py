"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their cells, with PyTorch's parameter
names, layouts, default initialisation and calling conventions.

Parameters are named as in PyTorch (``weight_ih_l0``, ``bias_hh_l1_reverse``,
``weight_hr_l0`` with ``proj_size``) with the gates stacked in PyTorch's order (``i, f, g, o``
for LSTM, ``r, z, n`` for GRU), so a PyTorch ``state_dict`` loads unchanged. Every weight and
bias starts from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

A layer projects the inputs of the whole sequence with one matmul per layer and direction; each
time step is then one small matmul and one fused gate update (:func:`lstm_gates`,
:func:`gru_gates`), a node of reverse mode whose derivative rules are written in neurarust
operations, so ``grad`` of ``grad`` and forward mode work through the recurrence.
"""

from __future__ import annotations

import math
from typing import Any

import neurarust as nr

from ..core.array import Array
from ..core.errors import InvalidArgumentError, ShapeError
from . import init
from .dropout import dropout as _dropout
from .errors import MissingKeyError
from .module import Module

__all__ = [
    "lstm_gates",
    "gru_gates",
    "RNN",
    "LSTM",
    "GRU",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# --------------------------------------------------------------- fused gate updates


def _lstm_forward(gx: Array, gh: Array, c: Array) -> tuple[Array, ...]:
    n = c.shape[-1]
    gates = nr.reshape(gx, gh.shape) + gh
    act = nr.sigmoid(gates)
    i, f, o = act[:, :n], act[:, n : 2 * n], act[:, 3 * n :]
    g = nr.tanh(gates[:, 2 * n : 3 * n])
    c_new = f * c + i * g
    tc = nr.tanh(c_new)
    return o * tc, c_new, (act, g, c, tc)


@nr.custom_vjp
def lstm_gates(gx: Array, gh: Array, c: Array) -> tuple[Array, Array]:
    """One LSTM update from pre-activations: ``(h, c_new)``.

    ``gx + gh`` (``gx`` is reshaped to ``gh``'s shape ``(B, 4H)``) holds the input, forget,
    cell and output gates' pre-activations in PyTorch's order ``i, f, g, o``; ``c`` is the
    cell state ``(B, H)``::

        c_new = sigmoid(f) * c + sigmoid(i) * tanh(g);   h = sigmoid(o) * tanh(c_new)

    Examples
    --------
    >>> h, c = nr.nn.rnn.lstm_gates(nr.zeros((2, 8)), nr.zeros((2, 8)), nr.ones((2, 2)))
    >>> h.shape, c.shape
    ((2, 2), (2, 2))
    """
    h, c_new, _ = _lstm_forward(gx, gh, c)
    return h, c_new


def _lstm_fwd(gx: Array, gh: Array, c: Array) -> tuple[tuple[Array, Array], Any]:
    h, c_new, saved = _lstm_forward(gx, gh, c)
    return (h, c_new), (gx.shape, saved)


def _lstm_bwd(res: Any, cotangents: tuple[Array, Array]) -> tuple[Array, Array, Array]:
    gx_shape, (act, g, c, tc) = res
    dh, dc = cotangents
    n = c.shape[-1]
    i, f, o = act[:, :n], act[:, n : 2 * n], act[:, 3 * n :]
    dc = dc + dh * o * (1 - tc * tc)
    d_act = nr.concat([dc * g, dc * c, dc * i * (1 - g * g), dh * tc], axis=-1)
    slope = act * (1 - act)
    dgates = d_act * nr.concat([slope[:, : 2 * n], nr.ones_like(g), slope[:, 3 * n :]], axis=-1)
    return nr.reshape(dgates, gx_shape), dgates, dc * f


lstm_gates.defvjp(_lstm_fwd, _lstm_bwd)


def _gru_forward(gx: Array, gh: Array, b_hh: Array | None, h: Array) -> tuple[Array, Any]:
    n = h.shape[-1]
    gx = nr.reshape(gx, gh.shape)
    if b_hh is not None:
        gh = gh + b_hh
    rz = nr.sigmoid(gx[:, : 2 * n] + gh[:, : 2 * n])
    r, z = rz[:, :n], rz[:, n:]
    hn = gh[:, 2 * n :]
    new = nr.tanh(gx[:, 2 * n :] + r * hn)
    return new + z * (h - new), (rz, hn, new, h)


@nr.custom_vjp
def gru_gates(gx: Array, gh: Array, b_hh: Array | None, h: Array) -> Array:
    """One GRU update from projections: the new hidden state ``(B, H)``.

    ``gx`` (reshaped to ``gh``'s shape ``(B, 3H)``) is ``x @ W_ih.T + b_ih``, ``gh`` is
    ``h @ W_hh.T`` and ``b_hh`` its bias (or None), gates in PyTorch's order ``r, z, n``::

        r, z = sigmoid(gx_rz + gh_rz + b_hh_rz)
        n = tanh(gx_n + r * (gh_n + b_hn));   h_new = (1 - z) * n + z * h
    """
    return _gru_forward(gx, gh, b_hh, h)[0]


def _gru_fwd(gx: Array, gh: Array, b_hh: Array | None, h: Array) -> tuple[Array, Any]:
    out, saved = _gru_forward(gx, gh, b_hh, h)
    return out, (gx.shape, b_hh is not None, saved)


def _gru_bwd(res: Any, dh: Array) -> tuple[Any, ...]:
    gx_shape, has_bias, (rz, hn, new, h) = res
    n = h.shape[-1]
    r, z = rz[:, :n], rz[:, n:]
    d_pre_n = dh * (1 - z) * (1 - new * new)
    d_rz = nr.concat([d_pre_n * hn, dh * (h - new)], axis=-1) * (rz * (1 - rz))
    dgh = nr.concat([d_rz, d_pre_n * r], axis=-1)
    dgx = nr.reshape(nr.concat([d_rz, d_pre_n], axis=-1), gx_shape)
    return dgx, dgh, nr.sum(dgh, axis=0) if has_bias else None, dh * z


gru_gates.defvjp(_gru_fwd, _gru_bwd)


# ------------------------------------------------------------------------- checks


def _check_config(
    name: str, input_size: int, hidden_size: int, num_layers: int, dropout: float, proj_size: int
) -> None:
    for arg, value, low in (
        ("input_size", input_size, 0),
        ("hidden_size", hidden_size, 1),
        ("num_layers", num_layers, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidArgumentError(
                f"{name}: argument '{arg}' expected an int >= {low}, got {value!r}"
            )
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
        raise InvalidArgumentError(
            f"{name}: argument 'dropout' expected a probability in [0, 1], got {dropout!r}"
        )
    if proj_size < 0 or proj_size >= hidden_size:
        raise InvalidArgumentError(
            f"{name}: argument 'proj_size' expected 0 (no projection) or an int in "
            f"[1, hidden_size={hidden_size}), got {proj_size!r}"
        )


def _check_input(x: Array, input_size: int, batched_ndim: int) -> None:
    if x.ndim not in (batched_ndim - 1, batched_ndim) or x.shape[-1] != input_size:
        layout = "(L, N, H_in) or (N, L, H_in)" if batched_ndim == 3 else "(N, H_in)"
        raise ShapeError(
            f"argument 'input' expected shape {layout} (batched) or with the batch dimension "
            f"left out (unbatched), H_in = input_size = {input_size}, got {tuple(x.shape)}"
        )


def _check_state(arg: str, state: Any, expected: tuple[int, ...]) -> Array:
    state = nr.asarray(state)
    if tuple(state.shape) != expected:
        raise ShapeError(
            f"argument '{arg}' expected shape {expected} for this input, got {tuple(state.shape)}"
        )
    return state


def _uniform_params(
    key: Any, name: str, shapes: dict[str, tuple[int, ...]], bound: float, dtype: Any, device: Any
) -> dict[str, Array]:
    keys = nr.random.split(init.as_key(key, name), len(shapes))
    return {
        pname: nr.asarray(init.uniform(k, shape, -bound, bound, dtype), device=device)
        for k, (pname, shape) in zip(keys, shapes.items(), strict=True)
    }


# ------------------------------------------------------------------ sequence layers


class _RNNBase(Module):
    """The multi-layer recurrence shared by RNN, LSTM and GRU (one class per mode)."""

    mode: str
    input_size: int
    hidden_size: int
    num_layers: int
    bias: bool
    batch_first: bool
    dropout: float
    bidirectional: bool
    proj_size: int

    def _setup(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        bias: bool,
        batch_first: bool,
        dropout: float,
        bidirectional: bool,
        proj_size: int,
        device: Any,
        dtype: Any,
        key: Any,
    ) -> None:
        name = type(self).__name__
        _check_config(name, input_size, hidden_size, num_layers, dropout, proj_size)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.proj_size = proj_size
        gate_size = _GATES[mode] * hidden_size
        out_size = proj_size or hidden_size
        shapes: dict[str, tuple[int, ...]] = {}
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else out_size * self.num_directions
            for suffix in self._suffixes(layer):
                shapes[f"weight_ih{suffix}"] = (gate_size, layer_input)
                shapes[f"weight_hh{suffix}"] = (gate_size, out_size)
                if bias:
                    shapes[f"bias_ih{suffix}"] = (gate_size,)
                    shapes[f"bias_hh{suffix}"] = (gate_size,)
                if proj_size:
                    shapes[f"weight_hr{suffix}"] = (proj_size, hidden_size)
        dtype = nr.float32 if dtype is None else dtype
        bound = 1 / math.sqrt(hidden_size)
        for pname, value in _uniform_params(key, name, shapes, bound, dtype, device).items():
            setattr(self, pname, value)

    @property
    def num_directions(self) -> int:
        """2 for a bidirectional layer, else 1."""
        return 2 if self.bidirectional else 1

    def _suffixes(self, layer: int) -> tuple[str, ...]:
        return (f"_l{layer}", f"_l{layer}_reverse")[: self.num_directions]

    def _param(self, prefix: str, suffix: str) -> Array | None:
        return self.__dict__.get(f"{prefix}{suffix}")

    def _initial_states(self, hx: Any, x: Array, batched: bool) -> tuple[Array, Array | None]:
        rows = self.num_layers * self.num_directions
        batch = (x.shape[1],) if batched else ()
        h_shape = (rows, *batch, self.proj_size or self.hidden_size)
        c_shape = (rows, *batch, self.hidden_size)
        lstm = self.mode == "LSTM"
        if hx is None:
            h0 = nr.zeros(h_shape, dtype=x.dtype, device=x.device)
            return h0, nr.zeros(c_shape, dtype=x.dtype, device=x.device) if lstm else None
        if lstm != isinstance(hx, (tuple, list)) or (lstm and len(hx) != 2):
            expected = f"a pair (h_0, c_0) of shapes {h_shape} and {c_shape}" if lstm else (
                f"one array of shape {h_shape}")  # fmt: skip
            raise InvalidArgumentError(
                f"argument 'hx' expected {expected}, got {type(hx).__name__}"
                + (f" of length {len(hx)}" if isinstance(hx, (tuple, list)) else "")
            )
        if lstm:
            return _check_state("h_0", hx[0], h_shape), _check_state("c_0", hx[1], c_shape)
        return _check_state("hx", hx, h_shape), None

    def _direction(
        self, x: Array, suffix: str, h: Array, c: Array | None, reverse: bool
    ) -> tuple[list[Array], Array, Array | None]:
        """Run one layer in one direction over ``x`` ``(L, N, H_in)``: the per-step outputs
        (in time order) and the final states."""
        length, batch = x.shape[0], x.shape[1]
        w_ih, w_hh = self._param("weight_ih", suffix), self._param("weight_hh", suffix)
        b_ih, b_hh = self._param("bias_ih", suffix), self._param("bias_hh", suffix)
        w_hr = self._param("weight_hr", suffix)
        if b_ih is not None and self.mode != "GRU":
            b_ih = b_ih + b_hh
        proj = nr.matmul(nr.reshape(x, (length * batch, x.shape[2])), w_ih.T)
        if b_ih is not None:
            proj = proj + b_ih
        steps = nr.split(nr.reshape(proj, (length, batch, proj.shape[-1])), 1, axis=0)
        w_hh_t = w_hh.T
        w_hr_t = None if w_hr is None else w_hr.T
        outputs: list[Array] = [None] * length  # type: ignore[list-item]
        for t in reversed(range(length)) if reverse else range(length):
            gh = nr.matmul(h, w_hh_t)
            if self.mode == "LSTM":
                h, c = lstm_gates(steps[t], gh, c)
                if w_hr_t is not None:
                    h = nr.matmul(h, w_hr_t)
            elif self.mode == "GRU":
                h = gru_gates(steps[t], gh, b_hh, h)
            else:
                pre = nr.reshape(steps[t], gh.shape) + gh
                h = nr.tanh(pre) if self.mode == "RNN_TANH" else nr.relu(pre)
            outputs[t] = h
        return outputs, h, c

    def _forward(self, input: Any, hx: Any, key: Any) -> tuple[Array, Any]:  # noqa: A002
        x = nr.asarray(input)
        _check_input(x, self.input_size, 3)
        batched = x.ndim == 3
        if not batched:
            x = nr.expand_dims(x, 1)
        elif self.batch_first:
            x = nr.swapaxes(x, 0, 1)
        h0, c0 = self._initial_states(hx, x, batched)
        if not batched:
            h0 = nr.expand_dims(h0, 1)
            c0 = None if c0 is None else nr.expand_dims(c0, 1)
        drop = self.training and self.dropout > 0 and self.num_layers > 1
        if drop and key is None:
            raise MissingKeyError(
                f"dropout={self.dropout} between layers in training mode needs a random "
                "key: call it with key=... (nr.random.key(seed), a split key or an int), or "
                "use model.eval() for inference"
            )
        keys = nr.random.split(init.as_key(key), self.num_layers) if drop else None
        h0s, c0s = nr.unstack(h0), None if c0 is None else nr.unstack(c0)
        h_n: list[Array] = []
        c_n: list[Array] = []
        for layer in range(self.num_layers):
            if layer and keys is not None:
                x = _dropout(x, self.dropout, key=keys[layer])
            outs = []
            for d, suffix in enumerate(self._suffixes(layer)):
                row = layer * self.num_directions + d
                c_init = None if c0s is None else c0s[row]
                steps, h, c = self._direction(x, suffix, h0s[row], c_init, reverse=d == 1)
                outs.append(steps)
                h_n.append(h)
                if c is not None:
                    c_n.append(c)
            x = (
                nr.stack(outs[0])
                if len(outs) == 1
                else nr.concat([nr.stack(outs[0]), nr.stack(outs[1])], axis=-1)
            )
        h_last = nr.stack(h_n)
        c_last = nr.stack(c_n) if c_n else None
        if not batched:
            x, h_last = x[:, 0], h_last[:, 0]
            c_last = None if c_last is None else c_last[:, 0]
        elif self.batch_first:
            x = nr.swapaxes(x, 0, 1)
        return x, h_last if c_last is None else (h_last, c_last)


class RNN(_RNNBase):
    """Elman RNN: ``h_t = act(x_t @ W_ih.T + b_ih + h_{t-1} @ W_hh.T + b_hh)``, ``act`` tanh
    or relu, stacked ``num_layers`` deep (optionally bidirectional).

    Called as ``rnn(input, hx=None, *, key=None)`` with ``input`` ``(L, N, H_in)``
    (``(N, L, H_in)`` with ``batch_first``, ``(L, H_in)`` unbatched) and ``hx``
    ``(D * num_layers, N, H_out)``; returns ``(output, h_n)``, ``output`` ``(L, N, D * H_out)``.
    ``key`` is needed only for ``dropout > 0`` between layers in training mode.

    Examples
    --------
    >>> rnn = nr.nn.RNN(4, 8, num_layers=2, key=0)
    >>> out, h_n = rnn(nr.ones((5, 3, 4)))
    >>> out.shape, h_n.shape
    ((5, 3, 8), (2, 3, 8))
    """

    nonlinearity: str

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise InvalidArgumentError(
                f"RNN: argument 'nonlinearity' expected 'tanh' or 'relu', got {nonlinearity!r}"
            )
        self.nonlinearity = nonlinearity
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self._setup(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                    bidirectional, 0, device, dtype, key)  # fmt: skip

    def __call__(self, input: Any, hx: Any = None, *, key: Any = None) -> tuple[Array, Array]:  # noqa: A002
        return self._forward(input, hx, key)


class LSTM(_RNNBase):
    """Long short-term memory, PyTorch's formulation (gates ``i, f, g, o``), optionally with
    a projection of the hidden state (``proj_size``, weights ``weight_hr_l*``).

    Called as ``lstm(input, (h_0, c_0)=None, *, key=None)``; returns
    ``(output, (h_n, c_n))`` with ``h_n`` ``(D * num_layers, N, H_out)`` (``H_out`` is
    ``proj_size`` or ``hidden_size``) and ``c_n`` ``(D * num_layers, N, hidden_size)``.

    Examples
    --------
    >>> lstm = nr.nn.LSTM(4, 8, batch_first=True, bidirectional=True, key=0)
    >>> out, (h_n, c_n) = lstm(nr.ones((3, 5, 4)))
    >>> out.shape, h_n.shape, c_n.shape
    ((3, 5, 16), (2, 3, 8), (2, 3, 8))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        self._setup("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                    bidirectional, proj_size, device, dtype, key)  # fmt: skip

    def __call__(
        self,
        input: Any,  # noqa: A002
        hx: Any = None,
        *,
        key: Any = None,
    ) -> tuple[Array, tuple[Array, Array]]:
        return self._forward(input, hx, key)


class GRU(_RNNBase):
    """Gated recurrent unit, PyTorch's formulation (gates ``r, z, n``, ``b_hn`` inside the
    reset gate's product).

    Called as ``gru(input, hx=None, *, key=None)``; returns ``(output, h_n)``.

    Examples
    --------
    >>> gru = nr.nn.GRU(4, 8, key=0)
    >>> out, h_n = gru(nr.ones((5, 4)))      # unbatched
    >>> out.shape, h_n.shape
    ((5, 8), (1, 8))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        self._setup("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                    bidirectional, 0, device, dtype, key)  # fmt: skip

    def __call__(self, input: Any, hx: Any = None, *, key: Any = None) -> tuple[Array, Array]:  # noqa: A002
        return self._forward(input, hx, key)


# ------------------------------------------------------------------------- cells


class _CellBase(Module):
    """One step of a recurrence; weights ``weight_ih`` ``(G * H, H_in)``, ``weight_hh``
    ``(G * H, H)``, biases ``bias_ih``/``bias_hh`` ``(G * H,)``."""

    input_size: int
    hidden_size: int
    bias: bool
    weight_ih: Array
    weight_hh: Array
    bias_ih: Array | None
    bias_hh: Array | None

    def _setup(
        self, gates: int, input_size: int, hidden_size: int, bias: bool, device: Any, dtype: Any,
        key: Any,
    ) -> None:  # fmt: skip
        name = type(self).__name__
        _check_config(name, input_size, hidden_size, 1, 0.0, 0)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bool(bias)
        shapes = {
            "weight_ih": (gates * hidden_size, input_size),
            "weight_hh": (gates * hidden_size, hidden_size),
        }
        if bias:
            shapes |= {"bias_ih": (gates * hidden_size,), "bias_hh": (gates * hidden_size,)}
        dtype = nr.float32 if dtype is None else dtype
        params = _uniform_params(key, name, shapes, 1 / math.sqrt(hidden_size), dtype, device)
        self.weight_ih = params["weight_ih"]
        self.weight_hh = params["weight_hh"]
        self.bias_ih = params.get("bias_ih")
        self.bias_hh = params.get("bias_hh")

    def _inputs(self, input: Any, hx: Any) -> tuple[Array, Any, bool]:  # noqa: A002
        """``input`` as ``(N, H_in)``, the states with a batch dimension, and whether the
        input was batched."""
        x = nr.asarray(input)
        _check_input(x, self.input_size, 2)
        batched = x.ndim == 2
        x = x if batched else nr.expand_dims(x, 0)
        shape = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        if hx is None:
            return x, None, batched
        parts = hx if isinstance(hx, (tuple, list)) else (hx,)
        names = ("h_0", "c_0") if len(parts) == 2 else ("hx",)
        states = tuple(_check_state(arg, s, shape) for arg, s in zip(names, parts, strict=True))
        if not batched:
            states = tuple(nr.expand_dims(s, 0) for s in states)
        return x, states, batched

    def _zeros(self, x: Array) -> Array:
        return nr.zeros((x.shape[0], self.hidden_size), dtype=x.dtype, device=x.device)

    def _projections(self, x: Array, h: Array) -> tuple[Array, Array]:
        gx = nr.matmul(x, self.weight_ih.T)
        if self.bias_ih is not None:
            gx = gx + self.bias_ih
        return gx, nr.matmul(h, self.weight_hh.T)


class RNNCell(_CellBase):
    """One Elman step: ``h' = act(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)``.

    Examples
    --------
    >>> cell = nr.nn.RNNCell(4, 8, key=0)
    >>> cell(nr.ones((3, 4))).shape
    (3, 8)
    """

    nonlinearity: str

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise InvalidArgumentError(
                f"RNNCell: argument 'nonlinearity' expected 'tanh' or 'relu', got {nonlinearity!r}"
            )
        self.nonlinearity = nonlinearity
        self._setup(1, input_size, hidden_size, bias, device, dtype, key)

    def __call__(self, input: Any, hx: Any = None) -> Array:  # noqa: A002
        x, states, batched = self._inputs(input, hx)
        h = self._zeros(x) if states is None else states[0]
        gx, gh = self._projections(x, h)
        pre = gx + gh if self.bias_hh is None else gx + gh + self.bias_hh
        h = nr.tanh(pre) if self.nonlinearity == "tanh" else nr.relu(pre)
        return h if batched else h[0]


class LSTMCell(_CellBase):
    """One LSTM step; ``cell(input, (h, c)=None)`` returns ``(h', c')``.

    Examples
    --------
    >>> cell = nr.nn.LSTMCell(4, 8, key=0)
    >>> h, c = cell(nr.ones((3, 4)))
    >>> h.shape, c.shape
    ((3, 8), (3, 8))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        self._setup(4, input_size, hidden_size, bias, device, dtype, key)

    def __call__(self, input: Any, hx: Any = None) -> tuple[Array, Array]:  # noqa: A002
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise InvalidArgumentError(
                f"argument 'hx' expected a pair (h_0, c_0), got {type(hx).__name__}"
            )
        x, states, batched = self._inputs(input, hx)
        h, c = (self._zeros(x), self._zeros(x)) if states is None else states
        gx, gh = self._projections(x, h)
        if self.bias_hh is not None:
            gx = gx + self.bias_hh
        h, c = lstm_gates(gx, gh, c)
        return (h, c) if batched else (h[0], c[0])


class GRUCell(_CellBase):
    """One GRU step; ``cell(input, hx=None)`` returns ``h'``.

    Examples
    --------
    >>> cell = nr.nn.GRUCell(4, 8, key=0)
    >>> cell(nr.ones(4)).shape
    (8,)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        key: Any = None,
    ) -> None:
        self._setup(3, input_size, hidden_size, bias, device, dtype, key)

    def __call__(self, input: Any, hx: Any = None) -> Array:  # noqa: A002
        x, states, batched = self._inputs(input, hx)
        h = self._zeros(x) if states is None else states[0]
        gx, gh = self._projections(x, h)
        h = gru_gates(gx, gh, self.bias_hh, h)
        return h if batched else h[0]
