"""Jacobians and Hessians: ``jacrev`` (one VJP per output element), ``jacfwd`` (one JVP per
input element, after a single ``linearize``) and ``hessian``.

For a function from a pytree to a pytree, the result has the output's structure whose leaves
have the selected argument's structure; each Jacobian block has shape
``out_leaf.shape + in_leaf.shape``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import tree
from ._args import as_array_leaf, select_args
from .forward import linearize
from .reverse import _split_aux, vjp


def _basis(leaf: Any, index: int) -> Any:
    from ..core.ops import asarray

    e = np.zeros(int(np.prod(leaf.shape, dtype=np.int64)), dtype=np.float64)
    e[index] = 1.0
    return asarray(e.reshape(tuple(leaf.shape)), dtype=leaf.dtype)


def _stack_blocks(
    blocks: list[Any], lead: tuple[int, ...], tail: tuple[int, ...], lead_first: bool
) -> Any:
    """Stack per-element results into one block of shape lead+tail (or tail+lead moved)."""
    from ..core.ops import moveaxis, reshape, stack, zeros

    if not blocks:
        return zeros(lead + tail)
    stacked = stack([as_array_leaf("jacobian", b) for b in blocks], axis=0)
    if lead_first:
        return reshape(stacked, lead + tail)
    # stacked: (in_size, *out_shape) -> (*out_shape, *in_shape)
    out_ndim = stacked.ndim - 1
    moved = moveaxis(stacked, 0, -1) if out_ndim else stacked
    return reshape(moved, tail + lead)


def jacrev(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The Jacobian of ``f`` by reverse mode (efficient for few outputs)."""

    def jac_f(*args: Any) -> Any:
        diff, rebuild = select_args("jacrev", args, argnums, allow_int=False)
        result = vjp(lambda *d: f(*rebuild(d)), *diff, has_aux=has_aux)
        out, pull = result[0], result[1]
        out_leaves, out_tree = tree.flatten(out)
        out_leaves = [as_array_leaf("jacrev", o) for o in out_leaves]
        in_leaves, in_tree = tree.flatten(diff)
        blocks_per_out = []
        for k, o in enumerate(out_leaves):
            rows: list[list[Any]] = [[] for _ in in_leaves]
            for e in range(o.size):
                cts = [_zeros(ol) for ol in out_leaves]
                cts[k] = _basis(o, e)
                grads = tree.leaves(pull(tree.unflatten(out_tree, cts)))
                for j, g in enumerate(grads):
                    rows[j].append(g)
            blocks = [
                _stack_blocks(rows[j], tuple(o.shape), tuple(x.shape), True)
                for j, x in enumerate(in_leaves)
            ]
            inner = tree.unflatten(in_tree, blocks)
            blocks_per_out.append(inner[0] if isinstance(argnums, int) else inner)
        jac = tree.unflatten(out_tree, blocks_per_out)
        return (jac, result[2]) if has_aux else jac

    return jac_f


def _zeros(leaf: Any) -> Any:
    from ..core.ops import zeros_like

    return zeros_like(leaf)


def jacfwd(
    f: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The Jacobian of ``f`` by forward mode (efficient for few inputs)."""

    def jac_f(*args: Any) -> Any:
        diff, rebuild = select_args("jacfwd", args, argnums, allow_int=False)
        aux_box: list[Any] = []

        def g(*d: Any) -> Any:
            out, aux = _split_aux("jacfwd", f(*rebuild(d)), has_aux)
            aux_box.append(aux)
            return out

        out, f_jvp = linearize(g, *diff)
        out_leaves, out_tree = tree.flatten(out)
        in_leaves, in_tree = tree.flatten(diff)
        in_leaves = [as_array_leaf("jacfwd", x) for x in in_leaves]
        columns: list[list[list[Any]]] = [[[] for _ in in_leaves] for _ in out_leaves]
        for j, x in enumerate(in_leaves):
            for e in range(x.size):
                tangents = [_zeros(leaf) for leaf in in_leaves]
                tangents[j] = _basis(x, e)
                t_out = tree.leaves(f_jvp(*tree.unflatten(in_tree, tangents)))
                for k, t in enumerate(t_out):
                    columns[k][j].append(t)
        per_out = []
        for k, o in enumerate(out_leaves):
            blocks = [
                _stack_blocks(
                    columns[k][j], tuple(x.shape), tuple(as_array_leaf("jacfwd", o).shape), False
                )
                for j, x in enumerate(in_leaves)
            ]
            inner = tree.unflatten(in_tree, blocks)
            per_out.append(inner[0] if isinstance(argnums, int) else inner)
        jac = tree.unflatten(out_tree, per_out)
        return (jac, aux_box[0]) if has_aux else jac

    return jac_f


def hessian(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Hessian of scalar-valued ``f``: ``jacfwd(jacrev(f))``."""
    return jacfwd(jacrev(f, argnums), argnums)
