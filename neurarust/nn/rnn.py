"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their cells, with PyTorch's parameter
names, layouts, default initialisation and calling conventions.

Parameters are named as in PyTorch (``weight_ih_l0``, ``bias_hh_l1_reverse``,
``weight_hr_l0`` with ``proj_size``) with the gates stacked in PyTorch's order (``i, f, g, o``
for LSTM, ``r, z, n`` for GRU), so a PyTorch ``state_dict`` loads unchanged. Every weight and
bias starts from ``U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``.

A layer projects the inputs of the whole sequence with one matmul per layer and direction; each
time step is then one node of reverse mode (``_lstm_cell``, ``_gru_cell``, ``custom_vjp``
functions): the small recurrent matmul and the fused gate math, with its hand-derived
derivative rule. On plain float32/float64 arrays both run as kernels on the backend buffers;
under an outer transform they run as neurarust operations, so ``grad`` of ``grad`` and forward
mode work through the recurrence. RNN steps are plain operations.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any

import numpy as np

import neurarust as nr

from ..core.array import Array, wrap
from ..core.backend import namespace
from ..core.errors import InvalidArgumentError, ShapeError
from ..core.ops.arguments import device_of
from . import init
from .dropout import dropout as _dropout
from .errors import MissingKeyError
from .module import Module

__all__ = [
    "RNN",
    "LSTM",
    "GRU",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# --------------------------------------------------------------- fused gate updates
#
# Each cell update is a ``custom_vjp`` with two implementations of the same formulas: a kernel
# on the backend buffers (fused, with in-place temporaries) when every argument is a plain
# float32/float64 array, and neurarust operations otherwise (tracers of an outer transform, so
# that grad of grad and forward mode see every operation). The sigmoid gates are computed as
# ``sigmoid(x) = tanh(x / 2) / 2 + 1 / 2``, so one ``tanh`` over the gate block gives them all.

_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _plain(*xs: Array | None) -> bool:
    """Whether every array is a plain Array (no tracer) whose dtype the kernels handle."""
    return all(x is None or (x.__class__ is Array and x._v.dtype in _KERNEL_DTYPES) for x in xs)


@functools.lru_cache(maxsize=64)
def _gate_scales(n: int, dtype: Any, device: Any) -> tuple[Array, Array]:
    """``(scale, scale**2)`` over the ``i, f, g, o`` columns: 1/2 for the sigmoid gates, 1
    for ``g``, so that ``tanh(scale * gates)`` holds every activation."""
    scale = np.full(4 * n, 0.5)
    scale[2 * n : 3 * n] = 1.0
    return (
        nr.asarray(scale, dtype=dtype, device=device),
        nr.asarray(scale * scale, dtype=dtype, device=device),
    )


def _with_step_axis(h: Array) -> Array:
    return nr.reshape(h, (1, *h.shape))


def _dtypes(*xs: Array | None) -> tuple[Any, ...]:
    return tuple(None if x is None else x.dtype for x in xs)


def _cast(dtypes: tuple[Any, ...], *cotangents: Array | None) -> tuple[Array | None, ...]:
    """Each cotangent in the dtype of its primal (inputs of mixed precision promote)."""
    return tuple(
        ct if ct is None or ct.dtype == dt else ct.astype(dt)
        for ct, dt in zip(cotangents, dtypes, strict=True)
    )


def _contiguous(w: Array) -> Array:
    """A C-contiguous copy of ``w``'s value, a constant for every transform."""
    buffer = w._buffer()
    return wrap(namespace(buffer).ascontiguousarray(buffer))


def _lstm_kernel(gx: Any, h: Any, w_t: Any, c: Any, scale: Any) -> tuple[Any, ...]:
    xp = namespace(h)
    n = c.shape[-1]
    t = xp.matmul(h, w_t)
    t += gx.reshape(t.shape)
    t *= scale
    xp.tanh(t, out=t)
    act = t * 0.5
    act += 0.5
    c_new = act[:, n : 2 * n] * c
    c_new += act[:, :n] * t[:, 2 * n : 3 * n]
    tc = xp.tanh(c_new)
    h_new = act[:, 3 * n :] * tc
    return h_new, c_new, h_new.reshape((1, *h_new.shape)), t, act, tc


def _lstm_backward_kernel(
    h: Any, w_t: Any, t: Any, act: Any, c: Any, tc: Any, cotangents: tuple[Any, ...], scale2: Any
) -> tuple[Any, ...]:
    xp = namespace(t)
    n = c.shape[-1]
    dh, dc, dh_step = cotangents
    dh = dh + dh_step.reshape(dh.shape)
    dc_total = tc * tc
    xp.subtract(1, dc_total, out=dc_total)
    dc_total *= act[:, 3 * n :]
    dc_total *= dh
    dc_total += dc
    dgates = xp.empty_like(t)
    xp.multiply(dc_total, t[:, 2 * n : 3 * n], out=dgates[:, :n])
    xp.multiply(dc_total, c, out=dgates[:, n : 2 * n])
    xp.multiply(dc_total, act[:, :n], out=dgates[:, 2 * n : 3 * n])
    xp.multiply(dh, tc, out=dgates[:, 3 * n :])
    dgates *= scale2
    slope = t * t
    xp.subtract(1, slope, out=slope)
    dgates *= slope
    dc_total *= act[:, n : 2 * n]
    return dgates, xp.matmul(dgates, w_t.T), xp.matmul(h.T, dgates), dc_total


def _lstm_forward(
    gx: Array, h: Array, w_t: Array, c: Array, w_c: Array | None
) -> tuple[tuple[Array, ...], Any]:
    n = c.shape[-1]
    scale, _ = _gate_scales(n, c.dtype, device_of(c))
    if _plain(gx, h, w_t, c):
        buffers = _lstm_kernel(gx._v, h._v, (w_t if w_c is None else w_c)._v, c._v, scale._v)
        h_new, c_new, h_step, t, act, tc = (wrap(b) for b in buffers)
        return (h_new, c_new, h_step), (h, w_t, t, act, c, tc)
    gh = nr.matmul(h, w_t)
    t = nr.tanh((nr.reshape(gx, gh.shape) + gh) * scale)
    act = t * 0.5 + 0.5
    c_new = act[:, n : 2 * n] * c + act[:, :n] * t[:, 2 * n : 3 * n]
    tc = nr.tanh(c_new)
    h_new = act[:, 3 * n :] * tc
    return (h_new, c_new, _with_step_axis(h_new)), (h, w_t, t, act, c, tc)


@nr.custom_vjp
def _lstm_cell(
    gx: Array, h: Array, w_t: Array, c: Array, w_c: Array | None
) -> tuple[Array, Array, Array]:
    """One LSTM step: ``(h_new, c_new, h_new[None])`` from the input projection ``gx``
    (reshaped to ``(N, 4H)``), the state ``h`` ``(N, H_out)`` and ``c`` ``(N, H)``, and
    ``w_t = weight_hh.T`` ``(H_out, 4H)``; gates in PyTorch's order ``i, f, g, o``::

        i, f, g, o = gx + h @ w_t
        c_new = sigmoid(f) * c + sigmoid(i) * tanh(g);   h_new = sigmoid(o) * tanh(c_new)

    ``h_new[None]`` (a view) is the step's slice of the layer output, so that collecting the
    outputs costs one concatenation instead of one node per step. ``w_c``, a C-contiguous copy
    of ``w_t`` without derivatives, speeds up the matmul of the buffer kernel.
    """
    return _lstm_forward(gx, h, w_t, c, w_c)[0]


def _lstm_fwd(
    gx: Array, h: Array, w_t: Array, c: Array, w_c: Array | None
) -> tuple[tuple[Array, ...], Any]:
    out, saved = _lstm_forward(gx, h, w_t, c, w_c)
    return out, (gx.shape, _dtypes(gx, h, w_t, c, w_c), saved)


def _lstm_bwd(res: Any, cotangents: tuple[Array, ...]) -> tuple[Array, ...]:
    gx_shape, dtypes, (h, w_t, t, act, c, tc) = res
    n = c.shape[-1]
    scale2 = _gate_scales(n, t.dtype, device_of(t))[1]
    if _plain(h, w_t, t, act, c, tc, *cotangents):
        buffers = _lstm_backward_kernel(
            h._v, w_t._v, t._v, act._v, c._v, tc._v, tuple(g._v for g in cotangents), scale2._v
        )
        dgates, dh_prev, dw_t, dc_prev = (wrap(b) for b in buffers)
    else:
        dh, dc, dh_step = cotangents
        dh = dh + nr.reshape(dh_step, dh.shape)
        i, f, g, o = act[:, :n], act[:, n : 2 * n], t[:, 2 * n : 3 * n], act[:, 3 * n :]
        dc = dc + dh * o * (1 - tc * tc)
        d_act = nr.concat([dc * g, dc * c, dc * i, dh * tc], axis=-1)
        dgates, dc_prev = d_act * scale2 * (1 - t * t), dc * f
        dh_prev, dw_t = nr.matmul(dgates, w_t.mT), nr.matmul(h.mT, dgates)
    return _cast(dtypes, nr.reshape(dgates, gx_shape), dh_prev, dw_t, dc_prev, None)


_lstm_cell.defvjp(_lstm_fwd, _lstm_bwd)


def _gru_kernel(gx: Any, h: Any, w_t: Any, b_hh: Any) -> tuple[Any, ...]:
    xp = namespace(h)
    n = h.shape[-1]
    gh = xp.matmul(h, w_t)
    gx = gx.reshape(gh.shape)
    if b_hh is not None:
        gh += b_hh
    rz = gx[:, : 2 * n] + gh[:, : 2 * n]
    rz *= 0.5
    xp.tanh(rz, out=rz)
    rz *= 0.5
    rz += 0.5
    hn = gh[:, 2 * n :]
    new = rz[:, :n] * hn
    new += gx[:, 2 * n :]
    xp.tanh(new, out=new)
    h_new = h - new
    h_new *= rz[:, n:]
    h_new += new
    return h_new, h_new.reshape((1, *h_new.shape)), rz, hn, new


def _gru_backward_kernel(
    w_t: Any, rz: Any, hn: Any, new: Any, h: Any, cotangents: tuple[Any, Any]
) -> tuple[Any, ...]:
    xp = namespace(h)
    n = h.shape[-1]
    dh = cotangents[0] + cotangents[1].reshape(h.shape)
    r, z = rz[:, :n], rz[:, n:]
    dgh = xp.empty((h.shape[0], 3 * n), dtype=h.dtype)
    d_pre_n = new * new
    xp.subtract(1, d_pre_n, out=d_pre_n)
    d_pre_n *= 1 - z
    d_pre_n *= dh
    d_rz = dgh[:, : 2 * n]
    xp.multiply(d_pre_n, hn, out=d_rz[:, :n])
    xp.subtract(h, new, out=d_rz[:, n:])
    d_rz[:, n:] *= dh
    d_rz *= rz * (1 - rz)
    xp.multiply(d_pre_n, r, out=dgh[:, 2 * n :])
    dgx = xp.concatenate([d_rz, d_pre_n], axis=-1)
    dh_prev = dh * z
    dh_prev += xp.matmul(dgh, w_t.T)
    return dgx, dgh, dh_prev, xp.matmul(h.T, dgh)


def _gru_forward(
    gx: Array, h: Array, w_t: Array, b_hh: Array | None, w_c: Array | None
) -> tuple[tuple[Array, Array], Any]:
    n = h.shape[-1]
    if _plain(gx, h, w_t, b_hh):
        bias = None if b_hh is None else b_hh._v
        buffers = _gru_kernel(gx._v, h._v, (w_t if w_c is None else w_c)._v, bias)
        h_new, h_step, rz, hn, new = (wrap(b) for b in buffers)
        return (h_new, h_step), (w_t, rz, hn, new, h)
    gh = nr.matmul(h, w_t)
    gx = nr.reshape(gx, gh.shape)
    if b_hh is not None:
        gh = gh + b_hh
    rz = nr.sigmoid(gx[:, : 2 * n] + gh[:, : 2 * n])
    hn = gh[:, 2 * n :]
    new = nr.tanh(gx[:, 2 * n :] + rz[:, :n] * hn)
    h_new = new + rz[:, n:] * (h - new)
    return (h_new, _with_step_axis(h_new)), (w_t, rz, hn, new, h)


@nr.custom_vjp
def _gru_cell(
    gx: Array, h: Array, w_t: Array, b_hh: Array | None, w_c: Array | None
) -> tuple[Array, Array]:
    """One GRU step: ``(h_new, h_new[None])`` from the input projection ``gx = x @ W_ih.T +
    b_ih`` (reshaped to ``(N, 3H)``), the state ``h`` ``(N, H)``, ``w_t = weight_hh.T`` and
    ``b_hh`` (or None); gates in PyTorch's order ``r, z, n``::

        r, z = sigmoid(gx_rz + (h @ w_t + b_hh)_rz)
        n = tanh(gx_n + r * (h @ w_t + b_hh)_n);   h_new = (1 - z) * n + z * h

    ``w_c`` as in :func:`_lstm_cell`.
    """
    return _gru_forward(gx, h, w_t, b_hh, w_c)[0]


def _gru_fwd(
    gx: Array, h: Array, w_t: Array, b_hh: Array | None, w_c: Array | None
) -> tuple[Any, Any]:
    out, saved = _gru_forward(gx, h, w_t, b_hh, w_c)
    return out, (gx.shape, _dtypes(gx, h, w_t, b_hh, w_c), saved)


def _gru_bwd(res: Any, cotangents: tuple[Array, Array]) -> tuple[Any, ...]:
    gx_shape, dtypes, (w_t, rz, hn, new, h) = res
    n = h.shape[-1]
    if _plain(w_t, rz, hn, new, h, *cotangents):
        buffers = _gru_backward_kernel(
            w_t._v, rz._v, hn._v, new._v, h._v, tuple(g._v for g in cotangents)
        )
        dgx, dgh, dh_prev, dw_t = (wrap(b) for b in buffers)
    else:
        dh, dh_step = cotangents
        dh = dh + nr.reshape(dh_step, dh.shape)
        r, z = rz[:, :n], rz[:, n:]
        d_pre_n = dh * (1 - z) * (1 - new * new)
        d_rz = nr.concat([d_pre_n * hn, dh * (h - new)], axis=-1) * (rz * (1 - rz))
        dgh = nr.concat([d_rz, d_pre_n * r], axis=-1)
        dgx = nr.concat([d_rz, d_pre_n], axis=-1)
        dh_prev, dw_t = dh * z + nr.matmul(dgh, w_t.mT), nr.matmul(h.mT, dgh)
    bias = None if dtypes[3] is None else nr.sum(dgh, axis=0)
    return _cast(dtypes, nr.reshape(dgx, gx_shape), dh_prev, dw_t, bias, None)


_gru_cell.defvjp(_gru_fwd, _gru_bwd)


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
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                f"{name}: dropout={dropout} acts between recurrent layers, so with num_layers=1 "
                "it has no effect",
                stacklevel=3,
            )
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
            h0 = nr.zeros(h_shape, dtype=x.dtype, device=device_of(x))
            return h0, nr.zeros(c_shape, dtype=x.dtype, device=device_of(x)) if lstm else None
        if lstm != isinstance(hx, (tuple, list)) or (lstm and len(hx) != 2):
            pair = f"a pair (h_0, c_0) of shapes {h_shape} and {c_shape}"
            expected = pair if lstm else f"one array of shape {h_shape}"
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
        ``(1, N, H_out)`` in time order, and the final states."""
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
        w_c = _contiguous(w_hh_t) if _plain(w_hh_t) else None  # used by the buffer kernels only
        w_hr_t = None if w_hr is None else w_hr.T
        outputs: list[Array] = [None] * length  # type: ignore[list-item]
        for t in reversed(range(length)) if reverse else range(length):
            if self.mode == "LSTM":
                h, c, out = _lstm_cell(steps[t], h, w_hh_t, c, w_c)
                if w_hr_t is not None:
                    h = nr.matmul(h, w_hr_t)
                    out = _with_step_axis(h)
            elif self.mode == "GRU":
                h, out = _gru_cell(steps[t], h, w_hh_t, b_hh, w_c)
            else:
                out = steps[t] + nr.matmul(h, w_hh_t)
                out = nr.tanh(out) if self.mode == "RNN_TANH" else nr.relu(out)
                h = nr.reshape(out, h.shape)
            outputs[t] = out
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
            x = nr.concat([nr.concat(seq, axis=0) for seq in outs], axis=-1)
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
        self._setup(
            mode,
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            0,
            device,
            dtype,
            key,
        )

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
        self._setup(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device,
            dtype,
            key,
        )

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
        self._setup(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            0,
            device,
            dtype,
            key,
        )

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
        self,
        gates: int,
        input_size: int,
        hidden_size: int,
        bias: bool,
        device: Any,
        dtype: Any,
        key: Any,
    ) -> None:
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
        return nr.zeros((x.shape[0], self.hidden_size), dtype=x.dtype, device=device_of(x))

    def _input_projection(self, x: Array, fold_bias_hh: bool) -> Array:
        """``x @ weight_ih.T + bias_ih`` (``+ bias_hh`` too when ``fold_bias_hh``)."""
        gx = nr.matmul(x, self.weight_ih.T)
        if self.bias_ih is None:
            return gx
        return gx + (self.bias_ih + self.bias_hh if fold_bias_hh else self.bias_ih)


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
        pre = self._input_projection(x, True) + nr.matmul(h, self.weight_hh.T)
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
        h, c, _ = _lstm_cell(self._input_projection(x, True), h, self.weight_hh.T, c, None)
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
        h, _ = _gru_cell(self._input_projection(x, False), h, self.weight_hh.T, self.bias_hh, None)
        return h if batched else h[0]
