"""User-defined derivative rules: ``custom_vjp`` and ``custom_jvp`` (JAX's API), and
``checkpoint`` (recompute instead of store).

Each is a function wrapper that looks for the highest active trace among its arguments. A
reverse trace records one :class:`FunctionNode` whose backward runs the user's rule (or, for
``checkpoint``, a fresh VJP of the function); a forward trace applies the JVP rule. Any other
case simply calls the function.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .. import tree
from ..core.primitive import top_trace
from ._args import as_array_leaf, zeros_like_leaf
from .forward import JVPTrace, JVPTracer
from .forward import jvp as jvp_transform
from .reverse import FunctionNode, ReverseTrace, vjp


def _flat_args(args: tuple[Any, ...]) -> tuple[list[Any], Any]:
    leaves, treedef = tree.flatten(args)
    return [as_array_leaf("custom rule", x) for x in leaves], treedef


def _record(
    trace: ReverseTrace,
    leaves: list[Any],
    primals: list[Any],
    parents: list[tuple[int, int, int]],
    out: Any,
    backward: Callable[[Any], list[Any]],
    forward: Callable[[list[Any]], Any],
) -> Any:
    """Record a FunctionNode for an output pytree ``out``; returns ``out`` wrapped as tracers."""
    out_leaves, out_tree = tree.flatten(out)
    out_leaves = [as_array_leaf("custom rule", o) for o in out_leaves]
    multi = tuple(out_leaves)

    def node_backward(g: Any) -> list[Any]:
        cts = backward(tree.unflatten(out_tree, list(g)))
        return [cts[argpos] for argpos, _, _ in parents]

    def node_forward(tangents: list[Any]) -> Any:
        return tuple(tree.leaves(forward(tangents)))

    node = FunctionNode(node_backward, node_forward, primals, multi, parents)
    wrapped = trace.record(node, multi)
    return tree.unflatten(out_tree, list(wrapped))


class custom_vjp:  # noqa: N801 - JAX's name
    """A function with a user-defined reverse-mode rule.

    Examples
    --------
    >>> @nr.custom_vjp
    ... def log1pexp(x):
    ...     return nr.log1p(nr.exp(x))
    >>> def fwd(x):
    ...     return log1pexp(x), x
    >>> def bwd(x, g):
    ...     return (g * nr.sigmoid(x),)
    >>> log1pexp.defvjp(fwd, bwd)

    ``fwd(*args) -> (out, residuals)``; ``bwd(residuals, g) -> tuple`` with one cotangent per
    positional argument. Under forward mode the function itself is differentiated.
    """

    def __init__(self, fun: Callable[..., Any]) -> None:
        self.fun = fun
        self.fwd: Callable[..., Any] | None = None
        self.bwd: Callable[..., Any] | None = None
        functools.update_wrapper(self, fun)

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any]) -> custom_vjp:
        """Set the forward (``-> (out, residuals)``) and backward (``-> cotangents``) rules."""
        self.fwd, self.bwd = fwd, bwd
        return self

    def __call__(self, *args: Any) -> Any:
        if self.fwd is None or self.bwd is None:
            raise TypeError(
                f"custom_vjp {getattr(self.fun, '__name__', 'function')}: call defvjp(fwd, bwd) "
                "before calling the function"
            )
        leaves, in_tree = _flat_args(args)
        trace = top_trace(leaves)
        if not isinstance(trace, ReverseTrace):
            return self.fun(*args)
        primals, parents = trace.unwrap(leaves)
        out, residuals = self.fwd(*tree.unflatten(in_tree, primals))
        bwd, fun = self.bwd, self.fun

        def backward(g: Any) -> list[Any]:
            cts = bwd(residuals, g)
            if not isinstance(cts, tuple) or len(cts) != len(args):
                raise TypeError(
                    f"custom_vjp: bwd must return a tuple with one cotangent per positional "
                    f"argument ({len(args)}), got {type(cts).__name__}"
                    + (f" of length {len(cts)}" if isinstance(cts, tuple) else "")
                )
            ct_leaves = []
            for arg, ct in zip(args, cts, strict=True):
                n = len(tree.leaves(arg))
                ct_leaves.extend([None] * n if ct is None else tree.leaves(ct))
            return ct_leaves

        def forward(tangents: list[Any]) -> Any:
            t = [
                zeros_like_leaf(p) if v is None else v
                for p, v in zip(primals, tangents, strict=True)
            ]
            return jvp_transform(
                lambda *a: fun(*a),
                tuple(tree.unflatten(in_tree, primals)),
                tuple(tree.unflatten(in_tree, t)),
            )[1]

        return _record(trace, leaves, primals, parents, out, backward, forward)


class custom_jvp:  # noqa: N801 - JAX's name
    """A function with a user-defined forward-mode rule.

    ``jvp_rule(primals, tangents) -> (out, tangent_out)`` with ``primals`` and ``tangents``
    tuples of the positional arguments. Reverse mode transposes the rule (it is linear in the
    tangents) with one extra reverse pass.
    """

    def __init__(self, fun: Callable[..., Any]) -> None:
        self.fun = fun
        self.jvp_rule: Callable[..., Any] | None = None
        functools.update_wrapper(self, fun)

    def defjvp(self, jvp_rule: Callable[..., Any]) -> Callable[..., Any]:
        """Set the rule ``jvp_rule(primals, tangents) -> (out, tangent_out)``."""
        self.jvp_rule = jvp_rule
        return jvp_rule

    def __call__(self, *args: Any) -> Any:
        if self.jvp_rule is None:
            raise TypeError(
                f"custom_jvp {getattr(self.fun, '__name__', 'function')}: call defjvp(rule) "
                "before calling the function"
            )
        leaves, in_tree = _flat_args(args)
        trace = top_trace(leaves)
        rule = self.jvp_rule
        if isinstance(trace, JVPTrace):
            primals, tangents = trace.unwrap(leaves)
            tangents = [
                zeros_like_leaf(p) if t is None else t
                for p, t in zip(primals, tangents, strict=True)
            ]
            out, t_out = rule(
                tuple(tree.unflatten(in_tree, primals)), tuple(tree.unflatten(in_tree, tangents))
            )
            o_leaves, o_tree = tree.flatten(out)
            t_leaves = tree.leaves(t_out)
            return tree.unflatten(
                o_tree,
                [
                    JVPTracer(trace, as_array_leaf("custom_jvp", o), as_array_leaf("custom_jvp", t))
                    for o, t in zip(o_leaves, t_leaves, strict=True)
                ],
            )
        if not isinstance(trace, ReverseTrace):
            return self.fun(*args)
        primals, parents = trace.unwrap(leaves)
        primal_tree = tuple(tree.unflatten(in_tree, primals))
        out = self.fun(*primal_tree)

        def tangent_map(*tangent_leaves: Any) -> Any:
            return rule(primal_tree, tuple(tree.unflatten(in_tree, list(tangent_leaves))))[1]

        def backward(g: Any) -> list[Any]:
            _, pull = vjp(tangent_map, *[zeros_like_leaf(p) for p in primals])
            return list(pull(g))

        def forward(tangents: list[Any]) -> Any:
            t = [
                zeros_like_leaf(p) if v is None else v
                for p, v in zip(primals, tangents, strict=True)
            ]
            return tangent_map(*t)

        return _record(trace, leaves, primals, parents, out, backward, forward)


def checkpoint(f: Callable[..., Any], policy: str | None = None) -> Callable[..., Any]:
    """``f`` whose intermediate values are not kept for the backward pass but recomputed.

    Gradients are identical; peak memory falls for deep chains. ``policy`` may be None (save
    nothing but the inputs) or ``"everything_saveable"`` (an ordinary call, for comparison).
    """
    if policy not in (None, "nothing_saveable", "everything_saveable"):
        raise ValueError(
            "checkpoint: argument 'policy' expected None, 'nothing_saveable' or "
            f"'everything_saveable', got {policy!r}"
        )

    @functools.wraps(f)
    def wrapped(*args: Any) -> Any:
        leaves, in_tree = _flat_args(args)
        trace = top_trace(leaves)
        if policy == "everything_saveable" or not isinstance(trace, ReverseTrace):
            return f(*args)
        primals, parents = trace.unwrap(leaves)
        out = f(*tree.unflatten(in_tree, primals))

        def flat_f(*flat: Any) -> Any:
            return f(*tree.unflatten(in_tree, list(flat)))

        def backward(g: Any) -> list[Any]:
            _, pull = vjp(flat_f, *primals)
            return list(pull(g))

        def forward(tangents: list[Any]) -> Any:
            t = [
                zeros_like_leaf(p) if v is None else v
                for p, v in zip(primals, tangents, strict=True)
            ]
            return jvp_transform(flat_f, tuple(primals), tuple(t))[1]

        return _record(trace, leaves, primals, parents, out, backward, forward)

    return wrapped


remat = checkpoint
