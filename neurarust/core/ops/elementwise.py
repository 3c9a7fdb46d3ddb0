"""Elementwise primitives and their public functions: the array API standard set (abs ...
trunc) plus ``sigmoid``, ``logit``, ``erf``, ``erfc``, ``softplus``, ``relu``, ``rsqrt``,
``nan_to_num``, ``lerp``, ``clamp`` and ``where``.

Each primitive is declared once: kernel, shape rule, derivative rules (written in neurarust
ops, so they differentiate again), and its OpInfo. The public function promotes dtypes (weak
Python scalars), checks them against the function's :class:`Kind`, broadcasts, and takes a fast
path straight to the kernel when every argument is a plain Array of an accepted dtype.

Derivatives at non-smooth points: ``abs'(0) = relu'(0) = 0``; ``maximum``/``minimum`` split a
tie 0.5/0.5 (as JAX); ``clip`` passes the gradient to ``x`` on the closed interval
``[min, max]``; ``floor``, ``ceil``, ``round``, ``trunc``, ``sign``, ``floor_divide`` and
``nextafter`` are constants to every transform (zero derivatives). Complex derivatives follow
JAX: holomorphic rules are not conjugated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes
from ..array import Array, wrap
from ..backend import namespace
from ..batching import defelementwise
from ..errors import DTypeError, message
from ..opinfo import OpInfo, Sample, binary_samples, rand, rand_shape, register, unary_samples
from ..primitive import NOTHING, REGISTRY, Primitive, ShapedArray, bind
from .arguments import astype, broadcast_args, broadcast_shapes, promote_args, to_array
from .creation import full_like, zeros_like
from .rules import linear, multilinear, same_shape, same_shape_as, unary_derivative

__all__ = [
    "abs",
    "acos",
    "acosh",
    "add",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_invert",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "ceil",
    "clip",
    "conj",
    "copysign",
    "cos",
    "cosh",
    "divide",
    "equal",
    "exp",
    "expm1",
    "floor",
    "floor_divide",
    "greater",
    "greater_equal",
    "hypot",
    "imag",
    "isfinite",
    "isinf",
    "isnan",
    "less",
    "less_equal",
    "log",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "maximum",
    "minimum",
    "multiply",
    "negative",
    "nextafter",
    "not_equal",
    "positive",
    "pow",
    "real",
    "reciprocal",
    "remainder",
    "round",
    "sign",
    "signbit",
    "sin",
    "sinh",
    "square",
    "sqrt",
    "subtract",
    "tan",
    "tanh",
    "trunc",
    "sigmoid",
    "logit",
    "erf",
    "erfc",
    "softplus",
    "relu",
    "rsqrt",
    "nan_to_num",
    "lerp",
    "clamp",
    "where",
]

# ------------------------------------------------------------------ kernels
#
# add, subtract and multiply use NumPy's ufunc objects as kernels directly: they are the
# hottest ops, and CuPy arrays reach CuPy's kernels through the ufunc protocol (NEP 13).
#
# NumPy's floating-point warnings (overflow, division by zero, invalid value) raised by these
# kernels are filtered by module (see core/backend.py): results stay NumPy's (inf, nan,
# integer wrap-around) and no warning reaches the user, at no cost per call.


def ufunc(name: str) -> Callable[..., Any]:
    """A kernel calling ``xp.<name>`` of its inputs' namespace; bfloat16 falls back to float32
    where the backend has no bfloat16 loop."""
    np_fn = getattr(np, name)

    def kernel(*args: Any) -> Any:
        x = args[0]
        fn = np_fn if x.__class__ is np.ndarray else getattr(namespace(x), name)
        try:
            return fn(*args)
        except TypeError:
            if x.dtype != dtypes.bfloat16:
                raise
            r = fn(*(a.astype(np.float32) for a in args))
            return r.astype(dtypes.bfloat16) if r.dtype.kind == "f" else r

    kernel.ufunc = np_fn  # type: ignore[attr-defined]  # lets jit write results in place

    kernel.__name__ = kernel.__qualname__ = name
    return kernel


# ------------------------------------------------------------------ argument kinds


class Kind(NamedTuple):
    """The dtypes a function takes, as NumPy kind characters (bfloat16's is ``"V"``):
    ``accepts`` as they are, ``casts`` converted to ``cast`` first; the rest is a DTypeError
    saying the function expected ``expected``."""

    accepts: str
    casts: str
    cast: np.dtype | None
    expected: str


ANY = Kind("biufcV", "", None, "an array")
NUMERIC = Kind("iufcV", "", None, "a numeric (non-bool) array")
REAL = Kind("biufV", "", None, "a real (non-complex) array")
REAL_NUMERIC = Kind("iufV", "", None, "a real numeric (non-bool, non-complex) array")
FLOAT = Kind("fcV", "biu", dtypes.default_float, "a numeric array")
REAL_FLOAT = Kind("fV", "biu", dtypes.default_float, "a real (non-complex) array")
INTEGER = Kind("biu", "", None, "an integer or bool array")
SHIFT = Kind("iu", "", None, "an integer (non-bool) array")
LOGICAL = Kind("b", "iufcV", dtypes.bool_, "an array")

_OPERANDS = (Array, np.ndarray, np.generic, bool, int, float, complex, list, tuple)
# The array kinds a weak Python scalar of each type leaves unchanged.
_WEAK_KEEPS = {bool: "biufcV", int: "iufcV", float: "fcV", complex: "c"}
_SCALAR_KINDS = {bool: "b", int: "i", float: "f", complex: "c"}


def _kind_of(value: Any) -> str | None:
    """The kind character of an argument before promotion (None for nested lists)."""
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        return dtype.kind
    return _SCALAR_KINDS.get(type(value))


def _describe(value: Any) -> str:
    dtype = getattr(value, "dtype", None)
    return f"dtype {dtype}" if dtype is not None else f"a Python {type(value).__name__}"


def _dtype_error(
    op: str, kind: Kind, names: Sequence[str], args: Sequence[Any], dtype: np.dtype
) -> DTypeError:
    """The DTypeError for arguments promoted to ``dtype``, naming the argument to blame."""
    for name, value in zip(names, args, strict=True):
        k = _kind_of(value)
        if k is not None and k not in kind.accepts and k not in kind.casts:
            return DTypeError(message(op, name, kind.expected, _describe(value)))
    return DTypeError(message(op, names[0], kind.expected, f"dtype {dtype}"))


def _check_types(op: str, names: Sequence[str], args: Sequence[Any]) -> None:
    for name, value in zip(names, args, strict=True):
        if not isinstance(value, _OPERANDS):
            raise TypeError(message(op, name, "an array or a Python scalar", type(value).__name__))


def _prepare(op: str, kind: Kind, x: Any, name: str = "x") -> Array:
    """``x`` as an Array of a dtype ``kind`` accepts (converting the kinds it casts)."""
    x = to_array(op, name, x)
    k = x.dtype.kind
    if k in kind.accepts:
        return x
    if k in kind.casts:
        return astype(x, kind.cast)
    raise DTypeError(message(op, name, kind.expected, f"dtype {x.dtype}"))


def _apply(
    op: str, kind: Kind, prim: Primitive, names: Sequence[str], args: Sequence[Any], **params: Any
) -> Array:
    """Promote, check, broadcast and apply ``prim`` (eagerly when no argument is traced)."""
    _check_types(op, names, args)
    arrays = promote_args(op, *args)
    dtype = arrays[0].dtype
    k = dtype.kind
    if k not in kind.accepts:
        if k not in kind.casts:
            raise _dtype_error(op, kind, names, args, dtype)
        arrays = [astype(a, kind.cast) for a in arrays]
    if all(a.__class__ is Array for a in arrays):
        shapes = [a.shape for a in arrays]
        if any(s != shapes[0] for s in shapes):
            broadcast_shapes(op, *shapes)
        return wrap(prim.impl(*[a._v for a in arrays], **params))
    return prim.bind(*broadcast_args(op, *arrays), **params)


def unary(prim: Primitive, kind: Kind, doc: str, name: str | None = None) -> Callable[[Any], Array]:
    """The public function of a unary elementwise primitive taking ``kind`` dtypes."""
    name = name or prim.name
    impl = prim.impl
    fast = kind.accepts

    def fn(x: Any, /) -> Array:
        if x.__class__ is Array:
            if x._v.dtype.kind in fast:
                return wrap(impl(x._v))
        elif isinstance(x, Array) and x.dtype.kind in fast:
            return bind(prim, (x,), _NO_PARAMS)
        x = _prepare(name, kind, x)
        if x.__class__ is Array:
            return wrap(impl(x._v))
        return prim.bind(x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


_NO_PARAMS: dict[str, Any] = {}


def _scalar_like(x: Array, value: Any) -> Array:
    """``value`` as a constant of ``x``'s shape and dtype (a broadcast view, no copy)."""
    xp = x._namespace()
    return wrap(xp.broadcast_to(xp.asarray(value, dtype=x.dtype), x.shape))


def _traced_operands(x1: Any, x2: Any, fast: str) -> tuple[Array, Array] | None:
    """The operands ready for the primitive when a tracer meets an array of its dtype and
    shape, or a Python scalar that keeps its dtype (the common cases under a transform);
    None when promotion or broadcasting is needed."""
    if isinstance(x1, Array):
        d = x1.dtype
        if d.kind not in fast:
            return None
        if isinstance(x2, Array):
            return (x1, x2) if x2.dtype is d and x1.shape == x2.shape else None
        if d.kind in _WEAK_KEEPS.get(x2.__class__, ""):
            return x1, _scalar_like(x1, x2)
    elif isinstance(x2, Array):
        d = x2.dtype
        if d.kind in fast and d.kind in _WEAK_KEEPS.get(x1.__class__, ""):
            return _scalar_like(x2, x1), x2
    return None


def binary(
    prim: Primitive, kind: Kind, doc: str, name: str | None = None
) -> Callable[[Any, Any], Array]:
    """The public function of a binary elementwise primitive taking ``kind`` dtypes.

    Plain arrays of one accepted dtype, or one such array with a Python scalar that keeps its
    dtype, go straight to the kernel (which broadcasts); everything else is promoted, checked
    and broadcast first.
    """
    name = name or prim.name
    impl = prim.impl
    fast = kind.accepts
    names = ("x1", "x2")

    def fn(x1: Any, x2: Any, /) -> Array:
        c1, c2 = x1.__class__, x2.__class__
        if c1 is Array:
            a = x1._v
            k = a.dtype.kind
            if k in fast:
                if c2 is Array:
                    b = x2._v
                    if a.dtype is b.dtype:
                        try:
                            return wrap(impl(a, b))
                        except ValueError:
                            broadcast_shapes(name, a.shape, b.shape)
                            raise
                elif k in _WEAK_KEEPS.get(c2, ""):
                    return wrap(impl(a, namespace(a).asarray(x2, dtype=a.dtype)))
        elif c2 is Array:
            b = x2._v
            k = b.dtype.kind
            if k in fast and k in _WEAK_KEEPS.get(c1, ""):
                return wrap(impl(namespace(b).asarray(x1, dtype=b.dtype), b))
        traced = _traced_operands(x1, x2, fast)
        if traced is not None:
            return bind(prim, traced, _NO_PARAMS)
        return _apply(name, kind, prim, names, (x1, x2))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _same_rules(prim: Primitive, *rules: Callable[..., Any] | None) -> Primitive:
    """Give ``prim`` the same rule per argument in both modes.

    An elementwise Jacobian is diagonal, and with JAX's convention (no conjugation for
    holomorphic functions) ``t -> t * d`` is its own transpose, so one rule serves the JVP
    and the VJP: ``rule(t_or_g, out, *primals, **params)``.
    """
    prim.defjvp(*rules)
    prim.defvjp(*rules)
    return prim


def _safe_div(a: Any, b: Any) -> Any:
    """``a / b`` with 0 where ``b == 0`` (and no NaN in the derivatives of either branch)."""
    zero = b == 0
    return where(zero, 0, a / where(zero, 1, b))


def _real_dtype(dtype: np.dtype) -> np.dtype:
    return dtypes.float64 if dtype is dtypes.complex128 else dtypes.float32


def _real_shape(x: ShapedArray, **params: Any) -> ShapedArray:
    """Shape rule of ops taking complex to real (abs, real, imag); real dtypes stay."""
    dtype = _real_dtype(x.dtype) if x.dtype.kind == "c" else x.dtype
    return ShapedArray(tuple(x.shape), dtype)


_bool_shape = same_shape_as(dtypes.bool_)

# ------------------------------------------------------------------ arithmetic

_FIRST_PRIMITIVE = len(REGISTRY)  # every primitive declared below is elementwise
add_p = Primitive("add", np.add, same_shape)
add_p.defjvp(lambda t, out, x, y: t, lambda t, out, x, y: t)
add_p.defvjp(lambda g, out, x, y: g, lambda g, out, x, y: g)
add_p.residuals = NOTHING
subtract_p = Primitive("subtract", np.subtract, same_shape)
subtract_p.defjvp(lambda t, out, x, y: t, lambda t, out, x, y: negative(t))
subtract_p.defvjp(lambda g, out, x, y: g, lambda g, out, x, y: negative(g))
subtract_p.residuals = NOTHING
multiply_p = multilinear(
    Primitive("multiply", np.multiply, same_shape),
    lambda g, out, x, y: g * y,
    lambda g, out, x, y: x * g,
)
divide_p = _same_rules(
    Primitive("divide", ufunc("divide"), same_shape),
    lambda g, out, x, y: g / y,
    lambda g, out, x, y: negative(g * out / y),
)
negative_p = linear(
    Primitive("negative", ufunc("negative"), same_shape), lambda g, out, x: negative(g)
)
floor_divide_p = Primitive("floor_divide", ufunc("floor_divide"), same_shape, differentiable=False)
remainder_p = _same_rules(
    Primitive("remainder", ufunc("remainder"), same_shape),
    lambda g, out, x, y: g,
    lambda g, out, x, y: negative(g * floor_divide(x, y)),
)


def _int_pow(x: Any, y: Any) -> Any:
    """Integer power; a negative exponent gives ``1/x**|y|`` truncated toward zero (as JAX):
    1 for x == 1, +-1 for x == -1, 0 otherwise."""
    xp = namespace(x)
    if y.dtype.kind != "i":
        return xp.power(x, y)
    negative_exp = y < 0
    if not negative_exp.any():
        return xp.power(x, y)
    powered = xp.power(x, xp.where(negative_exp, 0, y))
    minus_one = xp.where(y % 2 == 0, 1, -1).astype(x.dtype)
    inverse = xp.where(x == 1, 1, xp.where(x == -1, minus_one, 0)).astype(x.dtype)
    return xp.where(negative_exp, inverse, powered)


def _pow(x: Any, y: Any) -> Any:
    if x.dtype.kind in "iu":
        return _int_pow(x, y)
    if y.__class__ is np.ndarray and y.size and not any(y.strides):
        y = y.reshape(-1)[0]  # a broadcast scalar: NumPy's fast paths (square, sqrt) apply
    return namespace(x).power(x, y)


pow_p = _same_rules(
    Primitive("pow", _pow, same_shape),
    lambda g, out, x, y: g * where(y == 0, 0, multiply(y, pow(x, y - 1))),
    lambda g, out, x, y: g * log(where(x == 0, 1, x)) * out,
)

add = binary(add_p, ANY, "Elementwise ``x1 + x2``.")
subtract = binary(subtract_p, NUMERIC, "Elementwise ``x1 - x2``.")
multiply = binary(multiply_p, ANY, "Elementwise ``x1 * x2``.")
divide = binary(divide_p, FLOAT, "Elementwise true division ``x1 / x2`` (integers give floats).")
negative = unary(negative_p, NUMERIC, "Elementwise ``-x``.")
floor_divide = binary(
    floor_divide_p,
    REAL_NUMERIC,
    "Elementwise ``floor(x1 / x2)`` (``x1 // x2``); integer division by zero gives 0.",
)
remainder = binary(
    remainder_p,
    REAL_NUMERIC,
    "Elementwise ``x1 - floor_divide(x1, x2) * x2`` (``x1 % x2``, the sign of ``x2``).",
)
pow = binary(  # noqa: A001 - the array API name
    pow_p,
    NUMERIC,
    """Elementwise ``x1 ** x2``.

    The derivative in ``x2`` is ``log(x1) * x1 ** x2`` (taken as 0 where ``x1 == 0``, as JAX).
    Integers to negative integer powers give ``1 / x1 ** -x2`` truncated toward zero.
    """,
)


def positive(x: Any, /) -> Array:
    """Elementwise ``+x`` (``x`` itself: arrays are immutable)."""
    return _prepare("positive", NUMERIC, x)


# ------------------------------------------------------------------ exponentials and logs

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _smooth_unary(
    name: str,
    derivative: Callable[[Any, Any], Any],
    doc: str,
    kind: Kind = FLOAT,
    np_name: str | None = None,
) -> tuple[Primitive, Callable[[Any], Array]]:
    """A differentiable unary primitive on a NumPy ufunc, and its public function."""
    prim = unary_derivative(Primitive(name, ufunc(np_name or name), same_shape), derivative)
    return prim, unary(prim, kind, doc)


exp_p, exp = _smooth_unary("exp", lambda x, y: y, "Elementwise natural exponential ``e**x``.")
expm1_p, expm1 = _smooth_unary(
    "expm1", lambda x, y: y + 1, "Elementwise ``exp(x) - 1``, accurate for small ``x``."
)
log_p, log = _smooth_unary("log", lambda x, y: 1 / x, "Elementwise natural logarithm.")
log1p_p, log1p = _smooth_unary(
    "log1p", lambda x, y: 1 / (x + 1), "Elementwise ``log(1 + x)``, accurate for small ``x``."
)
log2_p, log2 = _smooth_unary("log2", lambda x, y: 1 / (x * _LN2), "Elementwise base-2 logarithm.")
log10_p, log10 = _smooth_unary(
    "log10", lambda x, y: 1 / (x * _LN10), "Elementwise base-10 logarithm."
)
sqrt_p, sqrt = _smooth_unary("sqrt", lambda x, y: 0.5 / y, "Elementwise square root.")
rsqrt_p = unary_derivative(
    Primitive("rsqrt", lambda x: namespace(x).reciprocal(namespace(x).sqrt(x)), same_shape),
    lambda x, y: -0.5 * y * y * y,
)
rsqrt = unary(rsqrt_p, FLOAT, "Elementwise reciprocal square root ``1 / sqrt(x)``.")
reciprocal_p, reciprocal = _smooth_unary(
    "reciprocal", lambda x, y: negative(y * y), "Elementwise ``1 / x`` (integers give floats)."
)
square_p, square = _smooth_unary(
    "square", lambda x, y: 2 * x, "Elementwise ``x * x`` (keeps integer dtypes).", NUMERIC
)
logaddexp_p = _same_rules(
    Primitive("logaddexp", ufunc("logaddexp"), same_shape),
    lambda g, out, x, y: g * where(x == y, 0.5, sigmoid(subtract(x, y))),
    lambda g, out, x, y: g * where(x == y, 0.5, sigmoid(subtract(y, x))),
)
logaddexp = binary(
    logaddexp_p, REAL_FLOAT, "Elementwise ``log(exp(x1) + exp(x2))`` without overflow."
)

# ------------------------------------------------------------------ trigonometric, hyperbolic

sin_p, sin = _smooth_unary("sin", lambda x, y: cos(x), "Elementwise sine.")
cos_p, cos = _smooth_unary("cos", lambda x, y: negative(sin(x)), "Elementwise cosine.")
tan_p, tan = _smooth_unary("tan", lambda x, y: 1 + y * y, "Elementwise tangent.")
asin_p, asin = _smooth_unary(
    "asin", lambda x, y: rsqrt(1 - x * x), "Elementwise inverse sine.", np_name="arcsin"
)
acos_p, acos = _smooth_unary(
    "acos",
    lambda x, y: negative(rsqrt(1 - x * x)),
    "Elementwise inverse cosine.",
    np_name="arccos",
)
atan_p, atan = _smooth_unary(
    "atan", lambda x, y: 1 / (1 + x * x), "Elementwise inverse tangent.", np_name="arctan"
)
sinh_p, sinh = _smooth_unary("sinh", lambda x, y: cosh(x), "Elementwise hyperbolic sine.")
cosh_p, cosh = _smooth_unary("cosh", lambda x, y: sinh(x), "Elementwise hyperbolic cosine.")
tanh_p, tanh = _smooth_unary("tanh", lambda x, y: 1 - y * y, "Elementwise hyperbolic tangent.")
asinh_p, asinh = _smooth_unary(
    "asinh",
    lambda x, y: rsqrt(x * x + 1),
    "Elementwise inverse hyperbolic sine.",
    np_name="arcsinh",
)
acosh_p, acosh = _smooth_unary(
    "acosh",
    lambda x, y: 1 / (sqrt(x - 1) * sqrt(x + 1)),
    "Elementwise inverse hyperbolic cosine.",
    np_name="arccosh",
)
atanh_p, atanh = _smooth_unary(
    "atanh",
    lambda x, y: 1 / (1 - x * x),
    "Elementwise inverse hyperbolic tangent.",
    np_name="arctanh",
)
atan2_p = _same_rules(
    Primitive("atan2", ufunc("arctan2"), same_shape),
    lambda g, out, y, x: g * _safe_div(x, x * x + y * y),
    lambda g, out, y, x: g * _safe_div(negative(y), x * x + y * y),
)
atan2 = binary(
    atan2_p,
    REAL_FLOAT,
    "Elementwise angle of the point ``(x2, x1)``: ``atan(x1 / x2)`` in the right quadrant.",
)
hypot_p = _same_rules(
    Primitive("hypot", ufunc("hypot"), same_shape),
    lambda g, out, x, y: g * _safe_div(x, out),
    lambda g, out, x, y: g * _safe_div(y, out),
)
hypot = binary(hypot_p, REAL_FLOAT, "Elementwise ``sqrt(x1**2 + x2**2)`` without overflow.")

# ------------------------------------------------------------------ special functions

# W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969; SPECFUN CALERF):
# erf on |x| <= 0.46875, erfc on 0.46875 < |x| <= 4 and on |x| > 4; about 1e-16 relative.
_ERF_A = (
    3.16112374387056560e00,
    1.13864154151050156e02,
    3.77485237685302021e02,
    3.20937758913846947e03,
    1.85777706184603153e-1,
)
_ERF_B = (
    2.36012909523441209e01,
    2.44024637934444173e02,
    1.28261652607737228e03,
    2.84423683343917062e03,
)
_ERFC_C = (
    5.64188496988670089e-1,
    8.88314979438837594e00,
    6.61191906371416295e01,
    2.98635138197400131e02,
    8.81952221241769090e02,
    1.71204761263407058e03,
    2.05107837782607147e03,
    1.23033935479799725e03,
    2.15311535474403846e-8,
)
_ERFC_D = (
    1.57449261107098347e01,
    1.17693950891312499e02,
    5.37181101862009858e02,
    1.62138957456669019e03,
    3.29079923573345963e03,
    4.36261909014324716e03,
    3.43936767414372164e03,
    1.23033935480374942e03,
)
_ERFC_P = (
    3.05326634961232344e-1,
    3.60344899949804439e-1,
    1.25781726111229246e-1,
    1.60837851487422766e-2,
    6.58749161529837803e-4,
    1.63153871373020978e-2,
)
_ERFC_Q = (
    2.56852019228982242e00,
    1.87295284992346725e00,
    5.27905102951428412e-1,
    6.05183413124413191e-2,
    2.33520497626869185e-3,
)
_ERF_SMALL = 0.46875
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _rational(t: Any, p: Sequence[float], q: Sequence[float], n: int) -> Any:
    """Cody's nested evaluation: ``(p[n+1] t^(n+1) + ... ) / (t^(n+1) + q ...)``."""
    num = p[-1] * t
    den = t
    for i in range(n):
        num = (num + p[i]) * t
        den = (den + q[i]) * t
    return (num + p[n]) / (den + q[n])


def _erf_small(x: Any) -> Any:
    """erf(x) for |x| <= 0.46875."""
    return x * _rational(x * x, _ERF_A, _ERF_B, 3)


def _exp_minus_square(y: Any) -> Any:
    """``exp(-y*y)`` as ``exp(-t*t) * exp(-(y-t)(y+t))`` with ``t`` = ``y`` cut to 1/16, so
    that the rounding error of ``y*y`` is not amplified."""
    xp = namespace(y)
    t = xp.trunc(y * 16) / 16
    return xp.exp(-t * t) * xp.exp(-(y - t) * (y + t))


def _erfc_medium(y: Any) -> Any:
    """erfc(y) for 0.46875 < y <= 4."""
    return _exp_minus_square(y) * _rational(y, _ERFC_C, _ERFC_D, 7)


def _erfc_large(y: Any) -> Any:
    """erfc(y) for y > 4 (and NaN); 0 beyond 28, where it underflows."""
    y = namespace(y).minimum(y, 28.0)
    z = 1 / (y * y)
    return _exp_minus_square(y) * (_INV_SQRT_PI - z * _rational(z, _ERFC_P, _ERFC_Q, 4)) / y


def _by_range(x: Any, small: Callable[[Any], Any], tail: Callable[[Any, Any], Any]) -> Any:
    """Evaluate piecewise on float64 ``x``: ``small(x)`` where |x| <= 0.46875, else
    ``tail(x, erfc(|x|))``; each approximation runs only on its own elements."""
    xp = namespace(x)
    y = xp.abs(x)
    out = xp.empty_like(x)
    is_small = y <= _ERF_SMALL
    is_medium = (y > _ERF_SMALL) & (y <= 4)
    is_large = ~(is_small | is_medium)
    for mask, piece in ((is_small, None), (is_medium, _erfc_medium), (is_large, _erfc_large)):
        if mask.any():
            xs = x[mask]
            out[mask] = small(xs) if piece is None else tail(xs, piece(y[mask]))
    return out


def _in_float64(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A kernel computing ``fn`` in float64 and returning its input's float dtype."""

    def kernel(x: Any) -> Any:
        return fn(x.astype(np.float64, copy=False)).astype(x.dtype, copy=False)

    kernel.__name__ = fn.__name__
    return kernel


def _erf(x: Any) -> Any:
    xp = namespace(x)
    return _by_range(x, _erf_small, lambda xs, tail: xp.copysign(1 - tail, xs))


def _erfc(x: Any) -> Any:
    xp = namespace(x)
    return _by_range(
        x, lambda xs: 1 - _erf_small(xs), lambda xs, tail: xp.where(xs < 0, 2 - tail, tail)
    )


erf_p = unary_derivative(
    Primitive("erf", _in_float64(_erf), same_shape),
    lambda x, y: _TWO_OVER_SQRT_PI * exp(negative(x * x)),
)
erfc_p = unary_derivative(
    Primitive("erfc", _in_float64(_erfc), same_shape),
    lambda x, y: -_TWO_OVER_SQRT_PI * exp(negative(x * x)),
)
erf = unary(
    erf_p,
    REAL_FLOAT,
    """Elementwise error function ``2/sqrt(pi) * integral_0^x exp(-t**2) dt``.

    Computed in float64 with W. J. Cody's rational approximations (about 1e-16 relative).

    >>> nr.erf(nr.asarray([0.0, 1.0]))
    Array([0.       , 0.8427008], dtype=float32)
    """,
)
erfc = unary(
    erfc_p,
    REAL_FLOAT,
    "Elementwise complementary error function ``1 - erf(x)``, accurate where it is tiny.",
)


def _sigmoid(x: Any) -> Any:
    # exp(-x) overflows to inf for very negative x, giving the correct limit 0
    return 1 / (1 + namespace(x).exp(-x))


sigmoid_p = unary_derivative(Primitive("sigmoid", _sigmoid, same_shape), lambda x, y: y * (1 - y))
sigmoid = unary(
    sigmoid_p,
    FLOAT,
    "Elementwise logistic function ``1 / (1 + exp(-x))`` (saturating to 0 and 1 silently).",
)


def _logit(x: Any) -> Any:
    return namespace(x).log(x / (1 - x))


logit_p = unary_derivative(Primitive("logit", _logit, same_shape), lambda x, y: 1 / (x * (1 - x)))


def logit(x: Any, /, eps: float | None = None) -> Array:
    """Elementwise ``log(x / (1 - x))``, the inverse of :func:`sigmoid`.

    With ``eps`` (PyTorch's argument), ``x`` is first clipped to ``[eps, 1 - eps]``.
    """
    x = _prepare("logit", REAL_FLOAT, x)
    if eps is not None:
        x = clip(x, eps, 1 - eps)
    if x.__class__ is Array:
        return wrap(logit_p.impl(x._v))
    return logit_p.bind(x)


def _softplus(x: Any, *, beta: float, threshold: float) -> Any:
    xp = namespace(x)
    z = x * beta
    smooth = (xp.log1p(xp.exp(-xp.abs(z))) + xp.maximum(z, 0)) / beta
    return xp.where(z > threshold, x, smooth).astype(x.dtype, copy=False)


softplus_p = _same_rules(
    Primitive("softplus", _softplus, same_shape),
    lambda g, out, x, *, beta, threshold: where(x * beta > threshold, g, g * sigmoid(x * beta)),
)


def softplus(x: Any, /, beta: float = 1.0, threshold: float = 20.0) -> Array:
    """Elementwise ``log(1 + exp(beta * x)) / beta``, computed without overflow.

    As in PyTorch, the result is ``x`` itself where ``beta * x > threshold``.
    """
    x = _prepare("softplus", REAL_FLOAT, x)
    beta, threshold = float(beta), float(threshold)
    if x.__class__ is Array:
        return wrap(softplus_p.impl(x._v, beta=beta, threshold=threshold))
    return softplus_p.bind(x, beta=beta, threshold=threshold)


relu_p = _same_rules(
    Primitive("relu", (lambda x: namespace(x).maximum(x, x.dtype.type(0))), same_shape),
    # A multiply by the 0/1 mask: NumPy's `where` branches per element and costs ~20x more on
    # the unpredictable masks of activations. (An inf or NaN cotangent at an inactive unit
    # gives NaN here, where a select would give 0.)
    lambda g, out, x: g * astype(x > 0, g.dtype),
)
relu = unary(
    relu_p,
    REAL_NUMERIC,
    "Elementwise ``max(x, 0)`` (keeps integer dtypes; its derivative at 0 is 0).",
)


def _nan_to_num(x: Any, *, nan: float, posinf: float, neginf: float) -> Any:
    return namespace(x).nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


nan_to_num_p = _same_rules(
    Primitive("nan_to_num", _nan_to_num, same_shape),
    lambda g, out, x, **params: where(isfinite(x), g, 0),
)


def nan_to_num(
    x: Any, /, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Array:
    """``x`` with NaN replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (by
    default the largest and lowest finite values of the dtype); complex parts separately.

    The derivative passes where ``x`` is finite and is 0 where a value was replaced (for
    complex ``x``: where either part was).
    """
    x = _prepare("nan_to_num", ANY, x)
    if not dtypes.is_inexact(x.dtype):
        return x
    info = dtypes.finfo(x.dtype)
    params = {
        "nan": float(nan),
        "posinf": info.max if posinf is None else float(posinf),
        "neginf": info.min if neginf is None else float(neginf),
    }
    if x.__class__ is Array:
        return wrap(nan_to_num_p.impl(x._v, **params))
    return nan_to_num_p.bind(x, **params)


def _lerp(start: Any, end: Any, weight: Any) -> Any:
    xp = namespace(start)
    step = end - start
    near_start = xp.abs(weight) < 0.5
    return xp.where(near_start, start + weight * step, end - step * (1 - weight))


lerp_p = _same_rules(
    Primitive("lerp", _lerp, same_shape),
    lambda g, out, start, end, weight: g * (1 - weight),
    lambda g, out, start, end, weight: g * weight,
    lambda g, out, start, end, weight: g * (end - start),
)


def lerp(start: Any, end: Any, weight: Any) -> Array:
    """Linear interpolation ``start + weight * (end - start)`` (PyTorch's ``lerp``), exact at
    ``weight == 0`` and ``weight == 1``; the arguments broadcast together."""
    return _apply("lerp", FLOAT, lerp_p, ("start", "end", "weight"), (start, end, weight))


# ------------------------------------------------------------------ rounding and signs


def _integral_identity(prim: Primitive, kind: Kind, doc: str) -> Callable[[Any], Array]:
    """A rounding function: integers and bools are returned unchanged."""
    name = prim.name
    impl = prim.impl

    def fn(x: Any, /) -> Array:
        if x.__class__ is Array and x._v.dtype.kind == "f":
            return wrap(impl(x._v))
        x = _prepare(name, kind, x)
        if x.dtype.kind in "biu":
            return x
        if x.__class__ is Array:
            return wrap(impl(x._v))
        return prim.bind(x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


floor_p = Primitive("floor", ufunc("floor"), same_shape, differentiable=False)
ceil_p = Primitive("ceil", ufunc("ceil"), same_shape, differentiable=False)
trunc_p = Primitive("trunc", ufunc("trunc"), same_shape, differentiable=False)
floor = _integral_identity(floor_p, REAL, "Elementwise largest integer ``<= x``.")
ceil = _integral_identity(ceil_p, REAL, "Elementwise smallest integer ``>= x``.")
trunc = _integral_identity(trunc_p, REAL, "Elementwise rounding toward zero.")

round_p = Primitive(
    "round",
    (lambda x, *, decimals: namespace(x).round(x, decimals)),
    same_shape,
    differentiable=False,
)


def round(x: Any, /, decimals: int = 0) -> Array:  # noqa: A001 - the array API name
    """Elementwise rounding to ``decimals`` decimal places, halves to even (NumPy's rule).

    Integers stay unchanged unless ``decimals`` is negative; complex numbers round both parts.
    """
    x = _prepare("round", ANY, x)
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool):
        raise TypeError(message("round", "decimals", "an int", type(decimals).__name__))
    decimals = int(decimals)
    if x.dtype.kind in "biu" and decimals >= 0:
        return x
    if x.__class__ is Array:
        return wrap(round_p.impl(x._v, decimals=decimals))
    return round_p.bind(x, decimals=decimals)


_real_sign = ufunc("sign")


def _sign(x: Any) -> Any:
    if x.dtype.kind != "c":
        return _real_sign(x)
    xp = namespace(x)
    magnitude = xp.abs(x)
    return xp.where(magnitude == 0, 0, x / xp.where(magnitude == 0, 1, magnitude))


sign_p = Primitive("sign", _sign, same_shape, differentiable=False)
sign = unary(sign_p, NUMERIC, "Elementwise sign: -1, 0 or 1 (``x / abs(x)`` for complex, 0 at 0).")
signbit_p = Primitive("signbit", ufunc("signbit"), _bool_shape, differentiable=False)
signbit = unary(signbit_p, REAL, "Elementwise test of the sign bit (true for -0.0 too).")


def _copysign_x1(g: Any, out: Any, x: Any, y: Any) -> Any:
    return where(signbit(x) == signbit(y), g, negative(g))


copysign_p = _same_rules(Primitive("copysign", ufunc("copysign"), same_shape), _copysign_x1, None)
copysign = binary(copysign_p, REAL_FLOAT, "Elementwise ``abs(x1)`` with the sign of ``x2``.")
nextafter_p = Primitive("nextafter", ufunc("nextafter"), same_shape, differentiable=False)
nextafter = binary(
    nextafter_p, REAL_FLOAT, "Elementwise next representable value after ``x1`` toward ``x2``."
)

# ------------------------------------------------------------------ absolute value, complex parts


def _abs_jvp(t: Any, out: Any, x: Any) -> Any:
    if x.dtype.kind != "c":
        return t * sign(x)
    return real(conj(x) * t) * _safe_div(1, out)


def _abs_vjp(g: Any, out: Any, x: Any) -> Any:
    if x.dtype.kind != "c":
        return g * sign(x)
    return g * _safe_div(conj(x), out)


abs_p = Primitive("abs", ufunc("absolute"), _real_shape).defjvp(_abs_jvp).defvjp(_abs_vjp)
abs = unary(  # noqa: A001 - the array API name
    abs_p, ANY, "Elementwise absolute value (real for complex input; its derivative at 0 is 0)."
)

real_p = linear(
    Primitive("real", lambda x: namespace(x).real(x), _real_shape),
    lambda g, out, x: astype(g, x.dtype),
)
imag_p = linear(
    Primitive("imag", lambda x: namespace(x).imag(x), _real_shape),
    lambda g, out, x: astype(g, x.dtype) * -1j,
)
conj_p = linear(Primitive("conj", ufunc("conjugate"), same_shape), lambda g, out, x: conj(g))


def real(x: Any, /) -> Array:
    """The real part (``x`` itself for real dtypes)."""
    x = _prepare("real", ANY, x)
    if x.dtype.kind != "c":
        return x
    return wrap(real_p.impl(x._v)) if x.__class__ is Array else real_p.bind(x)


def imag(x: Any, /) -> Array:
    """The imaginary part (zeros of ``x``'s dtype for real dtypes)."""
    x = _prepare("imag", ANY, x)
    if x.dtype.kind != "c":
        return zeros_like(x)
    return wrap(imag_p.impl(x._v)) if x.__class__ is Array else imag_p.bind(x)


def conj(x: Any, /) -> Array:
    """The complex conjugate (``x`` itself for real dtypes)."""
    x = _prepare("conj", ANY, x)
    if x.dtype.kind != "c":
        return x
    return wrap(conj_p.impl(x._v)) if x.__class__ is Array else conj_p.bind(x)


# ------------------------------------------------------------------ maximum, minimum, clip


def _tie_share(g: Any, out: Any, x: Any, y: Any) -> Any:
    """The part of ``g`` going to ``x`` when ``out`` is ``x`` or ``y``: all of it when only
    ``x`` equals ``out``, half on a tie."""
    return where(x == out, where(y == out, g * 0.5, g), 0)


maximum_p = _same_rules(
    Primitive("maximum", ufunc("maximum"), same_shape),
    _tie_share,
    lambda g, out, x, y: _tie_share(g, out, y, x),
)
minimum_p = _same_rules(
    Primitive("minimum", ufunc("minimum"), same_shape),
    _tie_share,
    lambda g, out, x, y: _tie_share(g, out, y, x),
)
maximum = binary(
    maximum_p, REAL, "Elementwise larger value (NaN propagates; a tie splits the gradient)."
)
minimum = binary(
    minimum_p, REAL, "Elementwise smaller value (NaN propagates; a tie splits the gradient)."
)


def _clip(x: Any, lo: Any, hi: Any) -> Any:
    out = namespace(x).clip(x, lo, hi)
    return out if out.dtype == x.dtype else out.astype(x.dtype)


clip_p = _same_rules(
    Primitive("clip", _clip, same_shape),
    lambda g, out, x, lo, hi: where((x >= lo) & (x <= hi), g, 0),
    lambda g, out, x, lo, hi: where((x < lo) & (lo <= hi), g, 0),
    lambda g, out, x, lo, hi: where((x > hi) | (lo > hi), g, 0),
)


def _unbounded(x: Array, low: bool) -> Array:
    """The bound that never clips ``x``: -inf/inf, or the integer dtype's limits."""
    d = x.dtype
    if d.kind == "b":
        value: Any = not low
    elif d.kind in "iu":
        info = dtypes.iinfo(d)
        value = info.min if low else info.max
    else:
        value = -math.inf if low else math.inf
    return full_like(x, value)


def clip(x: Any, /, min: Any = None, max: Any = None) -> Array:  # noqa: A002 - API names
    """Elementwise ``x`` limited to ``[min, max]``; either bound may be None, a Python number
    or an array broadcasting with ``x``. Where ``min > max`` the result is ``max`` (NumPy).

    The derivative goes to ``x`` on the closed interval ``min <= x <= max``, to ``min``
    where ``x < min`` and to ``max`` where ``x > max``.

    >>> nr.clip(nr.asarray([-2.0, 0.5, 3.0]), -1.0, 1.0)
    Array([-1. ,  0.5,  1. ], dtype=float32)
    """
    if x.__class__ is Array:
        a = x._v
        k = a.dtype.kind
        if (
            k in REAL.accepts
            and (min is None or k in _WEAK_KEEPS.get(min.__class__, ""))
            and (max is None or k in _WEAK_KEEPS.get(max.__class__, ""))
        ):
            if min is None and max is None:
                return x
            xp = namespace(a)
            lo = None if min is None else xp.asarray(min, dtype=a.dtype)
            hi = None if max is None else xp.asarray(max, dtype=a.dtype)
            return wrap(clip_p.impl(a, lo, hi))
    _check_types("clip", ("x",), (x,))
    names = ["x"] + [n for n, v in (("min", min), ("max", max)) if v is not None]
    given = [x] + [v for v in (min, max) if v is not None]
    _check_types("clip", names, given)
    arrays = dict(zip(names, promote_args("clip", *given), strict=True))
    dtype = arrays["x"].dtype
    if dtype.kind not in REAL.accepts:
        raise _dtype_error("clip", REAL, names, given, dtype)
    x = arrays["x"]
    lo, hi = arrays.get("min"), arrays.get("max")
    if lo is None and hi is None:
        return x
    bounds = [b for b in (lo, hi) if b is not None]
    if x.__class__ is Array and all(b.__class__ is Array for b in bounds):
        broadcast_shapes("clip", x.shape, *(b.shape for b in bounds))
        return wrap(clip_p.impl(x._v, None if lo is None else lo._v, None if hi is None else hi._v))
    lo = _unbounded(x, low=True) if lo is None else lo
    hi = _unbounded(x, low=False) if hi is None else hi
    return clip_p.bind(*broadcast_args("clip", x, lo, hi))


def clamp(x: Any, /, min: Any = None, max: Any = None) -> Array:  # noqa: A002 - torch names
    """PyTorch's name for :func:`clip`: ``x`` limited to ``[min, max]`` (either may be None or
    an array)."""
    return clip(x, min, max)


# ------------------------------------------------------------------ comparisons, predicates


def _predicate(
    name: str, np_name: str, kind: Kind, doc: str, nin: int = 2
) -> tuple[Primitive, Any]:
    prim = Primitive(name, ufunc(np_name), _bool_shape, differentiable=False)
    make = binary if nin == 2 else unary
    return prim, make(prim, kind, doc)


equal_p, equal = _predicate("equal", "equal", ANY, "Elementwise ``x1 == x2``.")
not_equal_p, not_equal = _predicate("not_equal", "not_equal", ANY, "Elementwise ``x1 != x2``.")
less_p, less = _predicate("less", "less", REAL, "Elementwise ``x1 < x2``.")
less_equal_p, less_equal = _predicate("less_equal", "less_equal", REAL, "Elementwise ``x1 <= x2``.")
greater_p, greater = _predicate("greater", "greater", REAL, "Elementwise ``x1 > x2``.")
greater_equal_p, greater_equal = _predicate(
    "greater_equal", "greater_equal", REAL, "Elementwise ``x1 >= x2``."
)
logical_and_p, logical_and = _predicate(
    "logical_and", "logical_and", LOGICAL, "Elementwise logical AND (inputs read as bool)."
)
logical_or_p, logical_or = _predicate(
    "logical_or", "logical_or", LOGICAL, "Elementwise logical OR (inputs read as bool)."
)
logical_xor_p, logical_xor = _predicate(
    "logical_xor", "logical_xor", LOGICAL, "Elementwise logical XOR (inputs read as bool)."
)
logical_not_p, logical_not = _predicate(
    "logical_not", "logical_not", LOGICAL, "Elementwise logical NOT (input read as bool).", 1
)
isnan_p, isnan = _predicate("isnan", "isnan", ANY, "Elementwise test for NaN.", 1)
isinf_p, isinf = _predicate("isinf", "isinf", ANY, "Elementwise test for +-infinity.", 1)
isfinite_p, isfinite = _predicate(
    "isfinite", "isfinite", ANY, "Elementwise test for finite values (not NaN, not inf).", 1
)

# ------------------------------------------------------------------ bitwise


def _bitwise(name: str, np_name: str, kind: Kind, doc: str, nin: int = 2) -> tuple[Primitive, Any]:
    prim = Primitive(name, ufunc(np_name), same_shape, differentiable=False)
    make = binary if nin == 2 else unary
    return prim, make(prim, kind, doc)


bitwise_and_p, bitwise_and = _bitwise(
    "bitwise_and", "bitwise_and", INTEGER, "Elementwise bitwise AND (``x1 & x2``)."
)
bitwise_or_p, bitwise_or = _bitwise(
    "bitwise_or", "bitwise_or", INTEGER, "Elementwise bitwise OR (``x1 | x2``)."
)
bitwise_xor_p, bitwise_xor = _bitwise(
    "bitwise_xor", "bitwise_xor", INTEGER, "Elementwise bitwise XOR (``x1 ^ x2``)."
)
bitwise_invert_p, bitwise_invert = _bitwise(
    "bitwise_invert", "invert", INTEGER, "Elementwise bitwise NOT (``~x``; logical for bool).", 1
)
bitwise_left_shift_p, bitwise_left_shift = _bitwise(
    "bitwise_left_shift", "left_shift", SHIFT, "Elementwise ``x1 << x2``."
)
bitwise_right_shift_p, bitwise_right_shift = _bitwise(
    "bitwise_right_shift",
    "right_shift",
    SHIFT,
    "Elementwise ``x1 >> x2`` (arithmetic shift for signed integers).",
)

# ------------------------------------------------------------------ where


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


# ------------------------------------------------------------------ OpInfos

_F32, _F64, _F16, _BF16 = dtypes.float32, dtypes.float64, dtypes.float16, dtypes.bfloat16
_C64, _I8, _I32, _I64, _U8 = dtypes.complex64, dtypes.int8, dtypes.int32, dtypes.int64, dtypes.uint8
_FLOAT_IN = (_F32, _F64, _F16, _BF16, _C64, _I32)
_REAL_IN = (_F32, _F64, _F16, _BF16, _I32)
_NUMBERS = (_F32, _F64, _F16, _BF16, _C64, _I8, _I64, _U8)
_REALS = (_F32, _F64, _F16, _BF16, _I8, _I64, _U8)
_INTEGERS = (_I8, _I32, _I64, _U8, dtypes.uint64, dtypes.bool_)


def _in_float64_ref(fn: Callable[[float], float]) -> Callable[[np.ndarray], np.ndarray]:
    """A NumPy reference applying scalar ``fn`` in float64, returning NumPy's float dtype."""

    def ref(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        out = np.vectorize(fn, otypes=[np.float64])(x.astype(np.float64))
        return out.astype(x.dtype) if dtypes.is_inexact(x.dtype) else out

    return ref


def _signed(rng: np.random.Generator, shape: tuple[int, ...], low: float, high: float) -> Any:
    """Values with magnitudes in ``[low, high)`` and random signs."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def _away_from_zero(low: float = 0.1, high: float = 2.0) -> Callable[..., list[Sample]]:
    """Samples of one array whose values keep ``low`` away from the kink at 0."""

    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        return [Sample((_signed(rng, rand_shape(rng), low, high).astype(dtype),))]

    return samples


def _away_from_zero_pairs(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    """Two arrays with values at least 0.3 from 0 (the kinks and poles of copysign, atan2,
    hypot)."""
    shape = rand_shape(rng)
    return [Sample(tuple(_signed(rng, shape, 0.3, 2.0).astype(dtype) for _ in range(2)))]


def _tie_free_pairs(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    """Two arrays that differ by at least 0.1 everywhere (no ties for maximum/minimum)."""
    shape = rand_shape(rng)
    x = rand(rng, shape, dtype)
    gap = _signed(rng, shape, 0.1, 1.0)
    return [Sample((x, (x + gap).astype(dtype)))]


def _ties(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = rand(rng, rand_shape(rng), dtype)
    return [Sample((x, x.copy()))]


def _pow_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    s1, s2 = rand_shape(rng), rand_shape(rng)
    if np.dtype(dtype).kind in "iu":
        return [Sample((rand(rng, s1, dtype, -3, 3), rand(rng, s1, dtype, 0, 4)))]
    shapes = [(s1, s1), (s2, s2[1:])]
    return [Sample((rand(rng, a, dtype, 0.5, 2.0), rand(rng, b, dtype))) for a, b in shapes]


def _remainder_grad_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    """``x1 = q * x2`` with ``q`` at least 0.2 from an integer: far from the jumps."""
    shape = rand_shape(rng)
    x2 = _signed(rng, shape, 0.5, 2.0)
    q = rng.integers(-2, 3, size=shape) + rng.uniform(0.2, 0.8, size=shape)
    return [Sample(((q * x2).astype(dtype), x2.astype(dtype)))]


def _int_pairs(low: int, high: int, low2: int, high2: int) -> Callable[..., list[Sample]]:
    def samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
        shape = rand_shape(rng)
        return [Sample((rand(rng, shape, dtype, low, high), rand(rng, shape, dtype, low2, high2)))]

    return samples


def _with_specials(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    x = rand(rng, (7,), dtype)
    x[:3] = [np.nan, np.inf, -np.inf]
    return [Sample((x,)), Sample((x,), {"nan": 1.0, "posinf": 2.0, "neginf": -3.0})]


def _clip_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    s1, s2 = broadcastable_pair(rng)
    x = rand(rng, s1, dtype, -3, 3)
    lo, hi = rand(rng, s2, dtype, -2, 0), rand(rng, s2, dtype, 0, 2)
    return [
        Sample((x, lo, hi)),
        Sample((x, hi, lo)),
        Sample((x,), {"min": 1}),
        Sample((x,), {"max": 1}),
        Sample((x, None, hi)),
    ]


def broadcastable_pair(rng: np.random.Generator) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A shape and a shape that broadcasts to it."""
    s1 = rand_shape(rng, 1)
    return s1, tuple(d if rng.random() < 0.6 else 1 for d in s1[int(rng.integers(0, len(s1))) :])


def _clip_grad_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    """Bounds and values at least 0.1 apart: below, inside and above the interval."""
    shape = rand_shape(rng)
    lo = rng.uniform(-1.5, -0.5, size=shape)
    hi = rng.uniform(0.5, 1.5, size=shape)
    region = rng.integers(0, 3, size=shape)
    below = lo - rng.uniform(0.1, 1.0, size=shape)
    inside = lo + 0.1 + (hi - lo - 0.2) * rng.random(size=shape)
    above = hi + rng.uniform(0.1, 1.0, size=shape)
    x = np.choose(region, [below, inside, above])
    return [Sample((x.astype(dtype), lo.astype(dtype), hi.astype(dtype)))]


def _lerp_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    s1, s2 = broadcastable_pair(rng)
    return [
        Sample((rand(rng, s1, dtype), rand(rng, s2, dtype), rand(rng, s1, dtype, -0.5, 1.5))),
        Sample((rand(rng, s2, dtype), rand(rng, s1, dtype), 0.25)),
    ]


def _softplus_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng)
    kinked = _signed(rng, shape, 0.1, 0.4) + 0.5
    return [
        Sample((rand(rng, shape, dtype, -30, 30),)),
        Sample((kinked.astype(dtype),), {"beta": 2.0, "threshold": 1.0}),
    ]


def _logit_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng)
    inside = rand(rng, shape, dtype, 0.05, 0.95)
    apart = rng.choice([0.1, 0.5, 0.9], size=shape) + rng.uniform(-0.05, 0.05, size=shape)
    return [Sample((inside,)), Sample((apart.astype(dtype),), {"eps": 0.25})]


def _np_logit(x: np.ndarray, eps: float | None = None) -> np.ndarray:
    if eps is not None:
        x = _np_keep_bfloat16(np.clip(x, eps, 1 - eps), x.dtype)
    return np.log(x / (1 - x))


def _np_softplus(x: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    z = x.astype(np.float64) * beta
    out = np.where(z > threshold, x, np.logaddexp(0.0, z) / beta)
    return out.astype(x.dtype) if dtypes.is_inexact(x.dtype) else out


def _np_lerp(start: np.ndarray, end: np.ndarray, weight: Any) -> np.ndarray:
    return (start + weight * (end - start)).astype(np.result_type(start, end))


def _np_keep_bfloat16(out: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """NumPy's clip computes bfloat16 in float32; neurarust keeps bfloat16."""
    return out.astype(dtype) if dtype == dtypes.bfloat16 else out


def _np_clip(x: np.ndarray, lo: Any = None, hi: Any = None, **bounds: Any) -> np.ndarray:
    lo, hi = bounds.get("min", lo), bounds.get("max", hi)
    return _np_keep_bfloat16(np.clip(x, lo, hi), x.dtype)


def _round_samples(rng: np.random.Generator, dtype: np.dtype) -> list[Sample]:
    shape = rand_shape(rng)
    x = rand(rng, shape, dtype, -50, 50)
    return [Sample((x,)), Sample((x,), {"decimals": 1}), Sample((x,), {"decimals": -1})]


def _sigmoid_ref(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


_SMOOTH_UNARY = [
    # name, function, reference, sample range, forward dtypes
    ("exp", exp, np.exp, (-2, 2), _FLOAT_IN),
    ("expm1", expm1, np.expm1, (-2, 2), _FLOAT_IN),
    ("log", log, np.log, (0.5, 3), _FLOAT_IN),
    ("log1p", log1p, np.log1p, (-0.5, 3), _FLOAT_IN),
    ("log2", log2, np.log2, (0.5, 3), _FLOAT_IN),
    ("log10", log10, np.log10, (0.5, 3), _FLOAT_IN),
    ("sqrt", sqrt, np.sqrt, (0.5, 3), _FLOAT_IN),
    ("rsqrt", rsqrt, lambda x: 1 / np.sqrt(x), (0.5, 3), _FLOAT_IN),
    ("reciprocal", reciprocal, np.reciprocal, (0.5, 2), (_F32, _F64, _F16, _BF16, _C64)),
    ("square", square, np.square, (-2, 2), _NUMBERS),
    ("sin", sin, np.sin, (-2, 2), _FLOAT_IN),
    ("cos", cos, np.cos, (-2, 2), _FLOAT_IN),
    ("tan", tan, np.tan, (-1.2, 1.2), _FLOAT_IN),
    ("asin", asin, np.arcsin, (-0.9, 0.9), _FLOAT_IN),
    ("acos", acos, np.arccos, (-0.9, 0.9), _FLOAT_IN),
    ("atan", atan, np.arctan, (-2, 2), _FLOAT_IN),
    ("sinh", sinh, np.sinh, (-2, 2), _FLOAT_IN),
    ("cosh", cosh, np.cosh, (-2, 2), _FLOAT_IN),
    ("tanh", tanh, np.tanh, (-2, 2), _FLOAT_IN),
    ("asinh", asinh, np.arcsinh, (-2, 2), _FLOAT_IN),
    ("acosh", acosh, np.arccosh, (1.2, 3), _FLOAT_IN),
    ("atanh", atanh, np.arctanh, (-0.9, 0.9), _FLOAT_IN),
    ("erf", erf, _in_float64_ref(math.erf), (-3, 3), _REAL_IN),
    ("erfc", erfc, _in_float64_ref(math.erfc), (-3, 6), _REAL_IN),
    ("sigmoid", sigmoid, _sigmoid_ref, (-8, 8), _FLOAT_IN),
]

_SMOOTH_BINARY = [
    # name, function, reference, samples, forward dtypes, derivative samples
    ("add", add, np.add, binary_samples(), (*_NUMBERS, dtypes.bool_), None),
    ("subtract", subtract, np.subtract, binary_samples(), _NUMBERS, None),
    ("multiply", multiply, np.multiply, binary_samples(), (*_NUMBERS, dtypes.bool_), None),
    ("divide", divide, np.divide, binary_samples(low2=0.5, high2=2.0), _FLOAT_IN, None),
    ("atan2", atan2, np.arctan2, binary_samples(), _REAL_IN, _away_from_zero_pairs),
    ("hypot", hypot, np.hypot, binary_samples(), _REAL_IN, _away_from_zero_pairs),
    ("logaddexp", logaddexp, np.logaddexp, binary_samples(), _REAL_IN, None),
    ("copysign", copysign, np.copysign, binary_samples(), _REAL_IN, _away_from_zero_pairs),
]

register(
    *(
        OpInfo(name, fn, ref, (name,), unary_samples(*bounds), dtypes=fwd)
        for name, fn, ref, bounds, fwd in _SMOOTH_UNARY
    ),
    *(
        OpInfo(name, fn, ref, (name,), samples, dtypes=fwd, grad_samples=grad_samples)
        for name, fn, ref, samples, fwd, grad_samples in _SMOOTH_BINARY
    ),
    OpInfo("negative", negative, np.negative, ("negative",), unary_samples(), dtypes=_NUMBERS),
    OpInfo("positive", positive, np.positive, (), unary_samples(), dtypes=_NUMBERS),
    OpInfo(
        "abs",
        abs,
        np.abs,
        ("abs",),
        unary_samples(),
        dtypes=(*_NUMBERS, dtypes.bool_),
        grad_samples=_away_from_zero(),
    ),
    OpInfo(
        "relu",
        relu,
        lambda x: np.maximum(x, 0),
        ("relu",),
        unary_samples(),
        dtypes=_REALS,
        grad_samples=_away_from_zero(),
    ),
    OpInfo(
        "pow",
        pow,
        np.power,
        ("pow",),
        _pow_samples,
        dtypes=(_F32, _F64, _F16, _BF16, _C64, _I8, _I64),
    ),
    OpInfo(
        "remainder",
        remainder,
        np.remainder,
        ("remainder",),
        binary_samples(),
        dtypes=_REALS,
        grad_samples=_remainder_grad_samples,
    ),
    OpInfo(
        "floor_divide",
        floor_divide,
        np.floor_divide,
        ("floor_divide",),
        binary_samples(),
        dtypes=_REALS,
        grad=False,
    ),
    OpInfo(
        "maximum",
        maximum,
        np.maximum,
        ("maximum",),
        binary_samples(),
        dtypes=_REALS,
        grad_samples=_tie_free_pairs,
    ),
    OpInfo(
        "minimum",
        minimum,
        np.minimum,
        ("minimum",),
        binary_samples(),
        dtypes=_REALS,
        grad_samples=_tie_free_pairs,
    ),
    OpInfo("maximum_ties", maximum, np.maximum, ("maximum",), _ties, second_order=False),
    OpInfo(
        "clip",
        clip,
        _np_clip,
        ("clip",),
        _clip_samples,
        dtypes=_REALS,
        grad_samples=_clip_grad_samples,
    ),
    OpInfo(
        "clamp",
        clamp,
        _np_clip,
        ("clip",),
        _clip_samples,
        dtypes=(_F32, _F64, _I64),
        grad_samples=_clip_grad_samples,
    ),
    OpInfo(
        "lerp", lerp, _np_lerp, ("lerp",), _lerp_samples, dtypes=(_F32, _F64, _F16, _BF16, _C64)
    ),
    OpInfo("softplus", softplus, _np_softplus, ("softplus",), _softplus_samples, dtypes=_REAL_IN),
    OpInfo(
        "logit",
        logit,
        _np_logit,
        ("logit", "clip"),
        _logit_samples,
        dtypes=_REAL_IN,
        grad_samples=unary_samples(0.15, 0.85),  # finite differences lose accuracy near 0 and 1
    ),
    OpInfo(
        "nan_to_num",
        nan_to_num,
        np.nan_to_num,
        ("nan_to_num",),
        _with_specials,
        dtypes=(_F32, _F64, _F16, _C64),
        grad_samples=unary_samples(),
    ),
    OpInfo("real", real, np.real, ("real",), unary_samples(), dtypes=(_C64, _F32, _F64)),
    OpInfo("imag", imag, np.imag, ("imag",), unary_samples(), dtypes=(_C64, _F32, _F64)),
    OpInfo("conj", conj, np.conj, ("conj",), unary_samples(), dtypes=(_C64, _F32, _F64)),
    *(
        OpInfo(name, fn, ref, (name,), unary_samples(-3, 3), dtypes=_REALS, grad=False)
        for name, fn, ref in [
            ("floor", floor, np.floor),
            ("ceil", ceil, np.ceil),
            ("trunc", trunc, np.trunc),
            ("sign", sign, np.sign),
            ("signbit", signbit, np.signbit),
        ]
    ),
    OpInfo("round", round, np.round, ("round",), _round_samples, dtypes=_NUMBERS, grad=False),
    OpInfo(
        "nextafter",
        nextafter,
        np.nextafter,
        ("nextafter",),
        binary_samples(),
        dtypes=(_F32, _F64, _F16, _BF16),
        grad=False,
    ),
    *(
        OpInfo(name, fn, ref, (name,), binary_samples(), dtypes=fwd, grad=False)
        for name, fn, ref, fwd in [
            ("equal", equal, np.equal, (*_NUMBERS, dtypes.bool_)),
            ("not_equal", not_equal, np.not_equal, (*_NUMBERS, dtypes.bool_)),
            ("less", less, np.less, _REALS),
            ("less_equal", less_equal, np.less_equal, _REALS),
            ("greater", greater, np.greater, _REALS),
            ("greater_equal", greater_equal, np.greater_equal, _REALS),
            ("logical_and", logical_and, np.logical_and, (dtypes.bool_, _F32, _I64)),
            ("logical_or", logical_or, np.logical_or, (dtypes.bool_, _F32, _I64)),
            ("logical_xor", logical_xor, np.logical_xor, (dtypes.bool_, _F32, _I64)),
            ("bitwise_and", bitwise_and, np.bitwise_and, _INTEGERS),
            ("bitwise_or", bitwise_or, np.bitwise_or, _INTEGERS),
            ("bitwise_xor", bitwise_xor, np.bitwise_xor, _INTEGERS),
        ]
    ),
    *(
        OpInfo(name, fn, ref, (name,), unary_samples(), dtypes=fwd, grad=False)
        for name, fn, ref, fwd in [
            ("logical_not", logical_not, np.logical_not, (dtypes.bool_, _F32, _I64)),
            ("bitwise_invert", bitwise_invert, np.invert, _INTEGERS),
            ("isnan", isnan, np.isnan, _NUMBERS),
            ("isinf", isinf, np.isinf, _NUMBERS),
            ("isfinite", isfinite, np.isfinite, _NUMBERS),
        ]
    ),
    OpInfo(
        "bitwise_left_shift",
        bitwise_left_shift,
        np.left_shift,
        ("bitwise_left_shift",),
        _int_pairs(-8, 8, 0, 4),
        dtypes=_INTEGERS[:-1],
        grad=False,
    ),
    OpInfo(
        "bitwise_right_shift",
        bitwise_right_shift,
        np.right_shift,
        ("bitwise_right_shift",),
        _int_pairs(-8, 8, 0, 4),
        dtypes=_INTEGERS[:-1],
        grad=False,
    ),
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

defelementwise(*list(REGISTRY.values())[_FIRST_PRIMITIVE:])
