"""Argument handling shared by the transforms: leaf conversion, argnums, output checks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import tree
from ..core.array import Array, wrap
from ..core.dtypes import is_inexact
from ..core.primitive import ShapedArray

_SCALARS = (bool, int, float, complex)


def as_array_leaf(op: str, x: Any) -> Array:
    """``x`` as an Array: Arrays pass through, Python scalars and NumPy arrays convert."""
    if isinstance(x, Array):
        return x
    if isinstance(x, (*_SCALARS, np.ndarray, np.generic)):
        from ..core.ops import asarray

        return asarray(x)
    raise TypeError(
        f"{op}: expected arrays, Python scalars or pytrees of them, got {type(x).__name__}"
    )


def zeros_like_leaf(x: Any) -> Array:
    """Zeros with the shape and dtype of leaf ``x`` (an array or a ShapedArray)."""
    from ..core.ops import zeros, zeros_like

    if isinstance(x, ShapedArray):
        return zeros(x.shape, dtype=x.dtype)
    return zeros_like(as_array_leaf("zeros_like", x))


def ones_like_leaf(x: Any) -> Array:
    """Ones with the shape and dtype of leaf ``x`` (on its device)."""
    x = as_array_leaf("ones_like", x)
    return wrap(x._namespace().ones(x.shape, dtype=x.dtype))


def check_scalar_output(op: str, value: Any) -> None:
    """Raise TypeError unless ``value`` is a scalar float array (what ``grad`` needs)."""
    if not isinstance(value, Array):
        raise TypeError(
            f"{op}: the function must return a scalar array, got {type(value).__name__} "
            "(for a pytree of outputs use nr.vjp or nr.jacrev)"
        )
    if value.shape != ():
        raise TypeError(
            f"{op}: the function must return a scalar (shape ()), got an array of shape "
            f"{tuple(value.shape)}; reduce it first (e.g. .sum() or .mean()) or use nr.vjp / "
            "nr.jacrev for non-scalar outputs"
        )
    if not is_inexact(value.dtype):
        raise TypeError(f"{op}: the function must return a float scalar, got dtype {value.dtype}")


def _leaf_dtype(leaf: Any) -> np.dtype | None:
    if isinstance(leaf, bool):
        return np.dtype(np.bool_)
    if isinstance(leaf, int):
        return np.dtype(np.int64)
    dtype = getattr(leaf, "dtype", None)
    return None if dtype is None else np.dtype(dtype)


def all_float(leaves: Sequence[Any]) -> bool:
    """Whether every leaf has a float or complex dtype (Python floats count)."""
    for leaf in leaves:
        dtype = _leaf_dtype(leaf)
        if dtype is not None and not is_inexact(dtype):
            return False
    return True


def check_float_leaves(op: str, argnum: int, pairs: Sequence[tuple[Any, Any]]) -> None:
    """Raise TypeError naming the path of the first integer or bool leaf among ``pairs``."""
    for path, leaf in pairs:
        dtype = _leaf_dtype(leaf)
        if dtype is not None and not is_inexact(dtype):
            where = f"argument {argnum}" + (f" at path '{tree.keystr(path)}'" if path else "")
            raise TypeError(
                f"{op}: {where} has dtype {dtype}; only float and complex inputs can "
                "be differentiated. Pass allow_int=True for zero gradients, or move "
                "the argument out of argnums (or out of wrt=)."
            )


def normalize_argnums(op: str, argnums: int | Sequence[int], nargs: int) -> tuple[int, ...]:
    """``argnums`` as a tuple of non-negative positions, each checked against ``nargs``."""
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    out = []
    for n in nums:
        if not isinstance(n, int) or not -nargs <= n < nargs:
            raise ValueError(
                f"{op}: argument 'argnums' expected positions in [{-nargs}, {nargs}) for a call "
                f"with {nargs} positional arguments, got {argnums!r}"
            )
        out.append(n % nargs)
    return tuple(out)


def select_args(
    op: str, args: tuple[Any, ...], argnums: int | Sequence[int], allow_int: bool
) -> tuple[tuple[Any, ...], Callable[[Sequence[Any]], list[Any]]]:
    """The arguments selected by ``argnums`` and a function putting new values in their place.

    Integer and bool leaves raise TypeError naming their path unless ``allow_int``.
    """
    nums = normalize_argnums(op, argnums, len(args))
    selected = tuple(args[i] for i in nums)
    if not allow_int:
        for n, arg in zip(nums, selected, strict=True):
            if not all_float(tree.leaves(arg)):  # paths only when there is one to name
                check_float_leaves(op, n, tree.flatten_with_path(arg)[0])

    def rebuild(values: Sequence[Any]) -> list[Any]:
        full = list(args)
        for i, v in zip(nums, values, strict=True):
            full[i] = v
        return full

    return selected, rebuild
