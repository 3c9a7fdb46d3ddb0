"""Helpers that declare a primitive's rules in one line for the common cases.

- :func:`unary_derivative`: an elementwise ``y = f(x)`` with ``dy/dx = d(x, y)`` gets its JVP
  (``t * d``) and VJP (``g * d``) from the one derivative function.
- :func:`linear` / :func:`multilinear`: a primitive linear in its argument (or in each
  argument separately, like a product) gets its JVP (apply the primitive to the tangent) and
  its VJP (a transpose function) without repeating the math per mode.

Shape rules for the usual families live here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..primitive import SHAPES, Primitive, ShapedArray


def unary_derivative(prim: Primitive, derivative: Callable[[Any, Any], Any]) -> Primitive:
    """Rules for ``y = prim(x)`` from ``derivative(x, y) = dy/dx`` (written in nr ops)."""
    prim.defjvp(lambda t, out, x, **p: t * derivative(x, out))
    prim.defvjp(lambda g, out, x, **p: g * derivative(x, out))
    return prim


def linear(prim: Primitive, transpose: Callable[..., Any]) -> Primitive:
    """Rules for a primitive of one array argument that is linear in it.

    The JVP applies the primitive to the tangent; the VJP is
    ``transpose(g, out, x, **params)``.
    """
    prim.defjvp(lambda t, out, x, **params: prim.bind(t, **params))
    prim.defvjp(transpose)
    prim.residuals = SHAPES
    return prim


def multilinear(prim: Primitive, *transposes: Callable[..., Any]) -> Primitive:
    """Rules for a primitive linear in each argument separately (a product, a matmul).

    The JVP for argument ``i`` applies the primitive with the tangent in place of argument
    ``i``; ``transposes[i](g, out, *primals, **params)`` gives argument ``i``'s cotangent.
    """

    def jvp_rule(i: int) -> Callable[..., Any]:
        def rule(t: Any, out: Any, *primals: Any, **params: Any) -> Any:
            args = list(primals)
            args[i] = t
            return prim.bind(*args, **params)

        return rule

    prim.defjvp(*(jvp_rule(i) for i in range(len(transposes))))
    prim.defvjp(*transposes)
    return prim


def same_shape(*avals: ShapedArray, **params: Any) -> ShapedArray:
    """Shape rule of an elementwise primitive: every input's shape and dtype, unchanged."""
    return ShapedArray(tuple(avals[0].shape), avals[0].dtype)


def same_shape_as(dtype: np.dtype) -> Callable[..., ShapedArray]:
    """Shape rule of an elementwise primitive whose output has a fixed ``dtype``."""

    def rule(*avals: ShapedArray, **params: Any) -> ShapedArray:
        return ShapedArray(tuple(avals[0].shape), dtype)

    return rule
