"""Elementwise primitives and their public functions.

Each primitive is declared once: kernel, shape rule, derivative rules (written in neurarust
ops), and its OpInfo. The public function promotes dtypes (weak Python scalars), broadcasts,
and takes a fast path straight to the kernel when no transform is active.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..errors import DTypeError
from ..opinfo import OpInfo, Sample, binary_samples, rand, rand_shape, register, unary_samples
from ..primitive import Primitive
from .arguments import (
    astype,
    broadcast_args,
    broadcast_shapes,
    promote_args,
    to_array,
)
from .rules import linear, multilinear, same_shape, same_shape_as, unary_derivative

__all__ = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "negative",
    "exp",
    "log",
    "sin",
    "cos",
    "tanh",
    "sqrt",
    "greater",
    "where",
]


# Argument kinds: what dtypes a function accepts and how it treats integers.
ANY = "any"  # every dtype, computed in the promoted dtype
FLOAT = "float"  # integers and bools are computed in the default float dtype
INTEGER = "integer"  # integers and bools only
LOGICAL = "logical"  # everything viewed as bool
COMPARE = "compare"  # every dtype in, bool out

_INT_KINDS = "biu"


def ufunc(name: str) -> Callable[..., Any]:
    """A kernel calling ``xp.<name>`` with floating-point warnings silenced; bfloat16 falls
    back to float32 where the backend has no bfloat16 loop."""

    def kernel(*args: Any) -> Any:
        xp = namespace(args[0])
        f = getattr(xp, name)
        with np.errstate(all="ignore"):
            try:
                return f(*args)
            except TypeError:
                if args[0].dtype != dtypes.bfloat16:
                    raise
                r = f(*(a.astype(np.float32) for a in args))
                return r.astype(dtypes.bfloat16) if r.dtype.kind == "f" else r

    kernel.__name__ = name
    return kernel


def _prepare(op: str, kind: str, x: Array) -> Array:
    """``x`` cast as ``kind`` needs (integers to float for FLOAT, ...)."""
    d = x.dtype
    if kind == FLOAT and not dtypes.is_inexact(d):
        return astype(x, dtypes.default_float)
    if kind == INTEGER and d.kind not in _INT_KINDS:
        raise DTypeError(f"{op}: argument 'x' expected an integer or bool array, got dtype {d}")
    if kind == LOGICAL and d is not dtypes.bool_:
        return astype(x, dtypes.bool_)
    return x


def unary(prim: Primitive, kind: str, doc: str) -> Callable[[Any], Array]:
    """The public function of a unary elementwise primitive."""
    name = prim.name
    fast_kinds = "fc" if kind == FLOAT else ("biufc" if kind in (ANY, COMPARE) else "biu")
    impl = prim.impl

    def fn(x: Any, /) -> Array:
        if x.__class__ is Array and x._v.dtype.kind in fast_kinds and kind != LOGICAL:
            return wrap(impl(x._v))
        x = _prepare(name, kind, to_array(name, "x", x))
        if x.__class__ is Array:
            return wrap(impl(x._v))
        return prim.bind(x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def binary(
    prim: Primitive, kind: str, doc: str, name: str | None = None
) -> Callable[[Any, Any], Array]:
    """The public function of a binary elementwise primitive."""
    name = name or prim.name
    impl = prim.impl

    def fn(x1: Any, x2: Any, /) -> Array:
        c1, c2 = x1.__class__, x2.__class__
        if c1 is Array and c2 is Array:
            a, b = x1._v, x2._v
            if (
                a.dtype is b.dtype
                and a.shape == b.shape
                and (kind != FLOAT or a.dtype.kind in "fc")
                and kind not in (LOGICAL, INTEGER)
            ):
                return wrap(impl(a, b))
        a, b = promote_args(name, x1, x2)
        a = _prepare(name, kind, a)
        b = _prepare(name, kind, b)
        if a.__class__ is Array and b.__class__ is Array:
            if a.shape != b.shape:
                broadcast_shapes(name, a.shape, b.shape)
            return wrap(impl(a._v, b._v))
        a, b = broadcast_args(name, a, b)
        return prim.bind(a, b)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _zero_cotangent(*args: Any, **params: Any) -> None:
    return None


# ------------------------------------------------------------------ arithmetic

add_p = Primitive("add", ufunc("add"), same_shape)
add_p.defjvp(lambda t, out, x, y: t, lambda t, out, x, y: t)
add_p.defvjp(lambda g, out, x, y: g, lambda g, out, x, y: g)
subtract_p = Primitive("subtract", ufunc("subtract"), same_shape)
subtract_p.defjvp(lambda t, out, x, y: t, lambda t, out, x, y: negative(t))
subtract_p.defvjp(lambda g, out, x, y: g, lambda g, out, x, y: negative(g))
multiply_p = multilinear(
    Primitive("multiply", ufunc("multiply"), same_shape),
    lambda g, out, x, y: g * y,
    lambda g, out, x, y: x * g,
)
divide_p = Primitive("divide", ufunc("divide"), same_shape)
divide_p.defjvp(lambda t, out, x, y: t / y, lambda t, out, x, y: negative(t * out / y))
divide_p.defvjp(lambda g, out, x, y: g / y, lambda g, out, x, y: negative(g * out / y))
negative_p = linear(
    Primitive("negative", ufunc("negative"), same_shape), lambda g, out, x: negative(g)
)

add = binary(add_p, ANY, "Elementwise ``x1 + x2``.")
subtract = binary(subtract_p, ANY, "Elementwise ``x1 - x2``.")
multiply = binary(multiply_p, ANY, "Elementwise ``x1 * x2``.")
divide = binary(divide_p, FLOAT, "Elementwise true division ``x1 / x2`` (integers give floats).")
negative = unary(negative_p, ANY, "Elementwise ``-x``.")

# -------------------------------------------------------------- transcendental

exp_p = unary_derivative(Primitive("exp", ufunc("exp"), same_shape), lambda x, y: y)
log_p = unary_derivative(Primitive("log", ufunc("log"), same_shape), lambda x, y: 1 / x)
sin_p = unary_derivative(Primitive("sin", ufunc("sin"), same_shape), lambda x, y: cos(x))
cos_p = unary_derivative(Primitive("cos", ufunc("cos"), same_shape), lambda x, y: negative(sin(x)))
tanh_p = unary_derivative(Primitive("tanh", ufunc("tanh"), same_shape), lambda x, y: 1 - y * y)
sqrt_p = unary_derivative(Primitive("sqrt", ufunc("sqrt"), same_shape), lambda x, y: 0.5 / y)

exp = unary(exp_p, FLOAT, "Elementwise natural exponential.")
log = unary(log_p, FLOAT, "Elementwise natural logarithm.")
sin = unary(sin_p, FLOAT, "Elementwise sine.")
cos = unary(cos_p, FLOAT, "Elementwise cosine.")
tanh = unary(tanh_p, FLOAT, "Elementwise hyperbolic tangent.")
sqrt = unary(sqrt_p, FLOAT, "Elementwise square root.")

# ------------------------------------------------------------------ comparisons

greater_p = Primitive(
    "greater", ufunc("greater"), same_shape_as(dtypes.bool_), differentiable=False
)
greater = binary(greater_p, COMPARE, "Elementwise ``x1 > x2``.")


def _select(c: Any, x: Any, y: Any) -> Any:
    return namespace(x).where(c, x, y)


select_p = Primitive("select", _select, lambda c, x, y: same_shape(x))
select_p.defjvp(
    None,
    lambda t, out, c, x, y: select_p.bind(c, t, zeros_like(t)),
    lambda t, out, c, x, y: select_p.bind(c, zeros_like(t), t),
)
select_p.defvjp(
    None,
    lambda g, out, c, x, y: select_p.bind(c, g, zeros_like(g)),
    lambda g, out, c, x, y: select_p.bind(c, zeros_like(g), g),
)


def where(condition: Any, x1: Any = None, x2: Any = None, /) -> Any:
    """Elements of ``x1`` where ``condition`` is true, else of ``x2`` (broadcast together).

    With only ``condition``, the indices of its true elements (as :func:`nonzero`).
    """
    if x1 is None and x2 is None:
        from .indexing import nonzero

        return nonzero(condition)
    c = to_array("where", "condition", condition)
    if c.dtype is not dtypes.bool_:
        c = astype(c, dtypes.bool_)
    a, b = promote_args("where", x1, x2)
    if c.__class__ is Array and a.__class__ is Array and b.__class__ is Array:
        broadcast_shapes("where", c.shape, a.shape, b.shape)
        return wrap(_select(c._v, a._v, b._v))
    c, a, b = broadcast_args("where", c, a, b)
    return select_p.bind(c, a, b)


def zeros_like(x: Any, /, *, dtype: Any = None, device: Any = None) -> Array:
    """Zeros with the shape (and dtype, unless given) of ``x``."""
    from .creation import zeros_like as _zeros_like

    return _zeros_like(x, dtype=dtype, device=device)


_float_dtypes = (dtypes.float32, dtypes.float64)

register(
    OpInfo(
        "add",
        add,
        np.add,
        ("add",),
        binary_samples(),
        dtypes=(*_float_dtypes, dtypes.int32, dtypes.int64, dtypes.complex64),
    ),
    OpInfo("subtract", subtract, np.subtract, ("subtract",), binary_samples()),
    OpInfo("multiply", multiply, np.multiply, ("multiply",), binary_samples()),
    OpInfo("divide", divide, np.divide, ("divide",), binary_samples(low2=0.5, high2=2.0)),
    OpInfo("negative", negative, np.negative, ("negative",), unary_samples()),
    OpInfo("exp", exp, np.exp, ("exp",), unary_samples()),
    OpInfo("log", log, np.log, ("log",), unary_samples(0.5, 3.0)),
    OpInfo("sin", sin, np.sin, ("sin",), unary_samples()),
    OpInfo("cos", cos, np.cos, ("cos",), unary_samples()),
    OpInfo("tanh", tanh, np.tanh, ("tanh",), unary_samples()),
    OpInfo("sqrt", sqrt, np.sqrt, ("sqrt",), unary_samples(0.5, 3.0)),
    OpInfo("greater", greater, np.greater, ("greater",), binary_samples(), grad=False),
    OpInfo(
        "where",
        where,
        np.where,
        ("select",),
        lambda rng, dtype: [
            Sample((rand(rng, s, np.bool_), rand(rng, s, dtype), rand(rng, s, dtype)))
            for s in [rand_shape(rng)]
        ],
        grad_argnums=(1, 2),
    ),
)
