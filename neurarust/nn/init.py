"""Initialisers: functions of a key and a shape that return a new array (PyTorch's formulas).

Every initialiser has the signature ``fn(key, shape, ..., dtype=nr.float32)``; ``key`` is an
``nr.random.key`` or an int seed (the deterministic ones — ``constant``, ``zeros``, ``ones``,
``eye`` — ignore it and accept ``None``). :func:`apply` re-initialises the leaves of a model
that match path patterns.

>>> w = nr.nn.init.kaiming_uniform(nr.random.key(0), (64, 32), nonlinearity="relu")
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import random, tree
from ..core.array import Array
from ..core.dtypes import canonicalize, float32
from ..core.ops import asarray, full

__all__ = [
    "calculate_gain",
    "uniform",
    "normal",
    "trunc_normal",
    "constant",
    "zeros",
    "ones",
    "eye",
    "orthogonal",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "sparse",
    "apply",
]

Initializer = Callable[..., Array]


def as_key(key: Any, op: str = "init") -> Array:
    """``key`` as a random key: an ``nr.random.key`` passes through, an int is a seed."""
    if key is None:
        raise TypeError(
            f"{op}: argument 'key' is required: pass key=nr.random.key(seed), a split key, "
            "or an int seed"
        )
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return random.key(int(key))
    return key


def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)


def _fans(op: str, shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) < 2:
        raise ValueError(
            f"{op}: argument 'shape' expected at least 2 dimensions to compute fan in and fan "
            f"out, got {shape}"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (PyTorch's table).

    Examples
    --------
    >>> nr.nn.init.calculate_gain("relu")
    1.4142135623730951
    """
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")  # fmt: skip
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: argument 'nonlinearity' expected one of {', '.join(linear)}, tanh, "
        f"relu, leaky_relu, selu, got {nonlinearity!r}"
    )


def uniform(key: Any, shape: Any, a: float = 0.0, b: float = 1.0, dtype: Any = float32) -> Array:
    """Values drawn from U(a, b)."""
    return random.uniform(as_key(key, "uniform"), _shape(shape), dtype, a, b)


def normal(
    key: Any, shape: Any, mean: float = 0.0, std: float = 1.0, dtype: Any = float32
) -> Array:
    """Values drawn from N(mean, std²)."""
    z = random.normal(as_key(key, "normal"), _shape(shape), canonicalize(dtype, "normal"))
    return z * std + mean if (mean, std) != (0.0, 1.0) else z


def trunc_normal(
    key: Any,
    shape: Any,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    dtype: Any = float32,
) -> Array:
    """Values from N(mean, std²) truncated to ``[a, b]`` (absolute bounds, as in PyTorch)."""
    k = as_key(key, "trunc_normal")
    z = random.truncated_normal(k, (a - mean) / std, (b - mean) / std, _shape(shape), "float64")
    return asarray(np.clip(np.asarray(z) * std + mean, a, b), dtype=dtype)


def constant(key: Any, shape: Any, val: float, dtype: Any = float32) -> Array:
    """An array filled with ``val`` (``key`` is unused)."""
    return full(_shape(shape), val, dtype=dtype)


def zeros(key: Any, shape: Any, dtype: Any = float32) -> Array:
    """Zeros (``key`` is unused)."""
    return full(_shape(shape), 0, dtype=dtype)


def ones(key: Any, shape: Any, dtype: Any = float32) -> Array:
    """Ones (``key`` is unused)."""
    return full(_shape(shape), 1, dtype=dtype)


def eye(key: Any, shape: Any, dtype: Any = float32) -> Array:
    """The identity matrix of a 2-D ``shape`` (``key`` is unused)."""
    shape = _shape(shape)
    if len(shape) != 2:
        raise ValueError(f"eye: argument 'shape' expected 2 dimensions, got {shape}")
    return asarray(np.eye(*shape), dtype=dtype)


def orthogonal(key: Any, shape: Any, gain: float = 1.0, dtype: Any = float32) -> Array:
    """A (semi-)orthogonal matrix, reshaped to ``shape`` (Saxe et al. 2013, PyTorch's recipe)."""
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(
            f"orthogonal: argument 'shape' expected at least 2 dimensions, got {shape}"
        )
    rows, cols = shape[0], math.prod(shape[1:])
    flat = np.asarray(random.normal(as_key(key, "orthogonal"), (rows, cols), "float64"))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return asarray(gain * q.reshape(shape), dtype=dtype)


def xavier_uniform(key: Any, shape: Any, gain: float = 1.0, dtype: Any = float32) -> Array:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio 2010)."""
    fan_in, fan_out = _fans("xavier_uniform", _shape(shape))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(key, shape, -bound, bound, dtype)


def xavier_normal(key: Any, shape: Any, gain: float = 1.0, dtype: Any = float32) -> Array:
    """N(0, std²) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans("xavier_normal", _shape(shape))
    return normal(key, shape, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), dtype)


def _kaiming_std(op: str, shape: Any, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{op}: argument 'mode' expected 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(op, _shape(shape))
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform(
    key: Any,
    shape: Any,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    dtype: Any = float32,
) -> Array:
    """U(-b, b) with ``b = gain * sqrt(3 / fan)`` (He et al. 2015); ``a`` is the leaky slope."""
    bound = math.sqrt(3.0) * _kaiming_std("kaiming_uniform", shape, a, mode, nonlinearity)
    return uniform(key, shape, -bound, bound, dtype)


def kaiming_normal(
    key: Any,
    shape: Any,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    dtype: Any = float32,
) -> Array:
    """N(0, std²) with ``std = gain / sqrt(fan)`` (He et al. 2015)."""
    return normal(
        key, shape, 0.0, _kaiming_std("kaiming_normal", shape, a, mode, nonlinearity), dtype
    )


def sparse(key: Any, shape: Any, sparsity: float, std: float = 0.01, dtype: Any = float32) -> Array:
    """A 2-D matrix from N(0, std²) with a fraction ``sparsity`` of each column set to zero."""
    shape = _shape(shape)
    if len(shape) != 2:
        raise ValueError(f"sparse: argument 'shape' expected 2 dimensions, got {shape}")
    rows, cols = shape
    k_values, k_zeros = random.split(as_key(key, "sparse"))
    values = np.array(normal(k_values, shape, 0.0, std, "float64"))
    zeros_per_col = math.ceil(sparsity * rows)
    order = np.argsort(np.asarray(random.uniform(k_zeros, (rows, cols))), axis=0)
    np.put_along_axis(values, order[:zeros_per_col], 0.0, axis=0)
    return asarray(values, dtype=dtype)


def apply(
    model: Any,
    key: Any,
    rules: Mapping[Any, Initializer] | Sequence[tuple[Any, Initializer]],
) -> Any:
    """A copy of ``model`` whose leaves matching a rule are re-initialised.

    ``rules`` maps filters (glob patterns such as ``"*.weight"`` or predicates
    ``(path, leaf) -> bool``) to initialisers ``fn(key, shape, dtype=...)``; the first
    matching rule wins and each leaf gets its own key (``fold_in`` of its position).

    Examples
    --------
    >>> model = nr.nn.init.apply(model, key, {
    ...     "*.weight": nr.nn.init.xavier_uniform, "*.bias": nr.nn.init.zeros})
    """
    pairs = list(rules.items()) if isinstance(rules, Mapping) else list(rules)
    matchers = [(tree.path_filter(spec), fn) for spec, fn in pairs]
    base = as_key(key, "init.apply")
    leaves_with_path, treedef = tree.flatten_with_path(model)
    new = []
    for i, (path, leaf) in enumerate(leaves_with_path):
        name = tree.keystr(path)
        fn = next((fn for keep, fn in matchers if keep(name, leaf)), None)
        if fn is None or not isinstance(leaf, Array):
            new.append(leaf)
            continue
        value = fn(random.fold_in(base, i), tuple(leaf.shape), dtype=leaf.dtype)
        new.append(value if value.device == leaf.device else value.to(leaf.device))
    return tree.unflatten(treedef, new)
