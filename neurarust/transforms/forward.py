"""Forward mode: ``jvp`` and ``linearize``.

A :class:`JVPTrace` carries a tangent beside every primal value and applies each primitive's
per-argument JVP rules as the function runs (dual numbers). ``linearize`` records a reverse
tape once and then pushes tangents forward along it, so ``f_jvp`` never re-runs ``f``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import tree
from ..core.dtypes import is_inexact
from ..core.errors import ShapeError
from ..core.primitive import Primitive, Trace, Tracer, bind
from ._args import as_array_leaf, zeros_like_leaf
from .reverse import FunctionNode, ReverseTrace, ReverseTracer, _strip


class JVPTracer(Tracer):
    """A primal value ``_v`` with its tangent ``_t``."""

    __slots__ = ("_t",)

    def __init__(self, trace: JVPTrace, primal: Any, tangent: Any) -> None:
        self._v = primal
        self._trace = trace
        self._t = tangent


def _sum_tangents(acc: Any, t: Any) -> Any:
    if acc is None:
        return t
    if isinstance(t, tuple):
        return tuple(_sum_tangents(a, b) for a, b in zip(acc, t, strict=True))
    return acc if t is None else acc + t


def apply_jvp_rules(
    prim: Primitive, tangents: list[Any], out: Any, primals: list[Any], params: dict[str, Any]
) -> Any:
    """The output tangent of ``prim``: the sum of its per-argument JVP rules."""
    rules = prim.jvp
    if rules is None:
        raise NotImplementedError(f"{prim.name}: this primitive has no forward-mode rule")
    t_out = None
    for i, t in enumerate(tangents):
        if t is not None and rules[i] is not None:
            t_out = _sum_tangents(t_out, rules[i](t, out, *primals, **params))
    return t_out


class JVPTrace(Trace):
    """Propagates tangents forward alongside the primal computation."""

    __slots__ = ()

    def unwrap(self, args: Any) -> tuple[list[Any], list[Any]]:
        """Primal values and tangents (None where an argument is not this trace's)."""
        primals, tangents = [], []
        for a in args:
            if a.__class__ is JVPTracer and a._trace is self:
                primals.append(a._v)
                tangents.append(a._t)
            else:
                primals.append(a)
                tangents.append(None)
        return primals, tangents

    def wrap(self, out: Any, t_out: Any) -> Any:
        """Tracers for float outputs with a tangent; other outputs pass through."""
        if isinstance(out, tuple):
            t_out = t_out if t_out is not None else (None,) * len(out)
            return tuple(self.wrap(o, t) for o, t in zip(out, t_out, strict=True))
        if t_out is None or not is_inexact(out.dtype):
            return out
        return JVPTracer(self, out, t_out)

    def process(self, prim: Primitive, args: tuple[Any, ...], params: dict[str, Any]) -> Any:
        primals, tangents = self.unwrap(args)
        out = bind(prim, primals, params)
        if not prim.differentiable:
            return out
        return self.wrap(out, apply_jvp_rules(prim, tangents, out, primals, params))


def _check_tangents(primals: list[Any], tangents: list[Any]) -> None:
    for k, (p, t) in enumerate(zip(primals, tangents, strict=True)):
        if tuple(p.shape) != tuple(t.shape):
            raise ShapeError(
                f"jvp: tangent leaf {k} expected shape {tuple(p.shape)} (its primal's), "
                f"got {tuple(t.shape)}"
            )


def jvp(f: Callable[..., Any], primals: Any, tangents: Any) -> tuple[Any, Any]:
    """Evaluate ``f(*primals)`` and its directional derivative along ``tangents``.

    Returns ``(out, tangent_out)``. ``primals`` and ``tangents`` are tuples (or lists) of
    pytrees with the same structure.

    Examples
    --------
    >>> nr.jvp(nr.sin, (nr.asarray(0.0),), (nr.asarray(2.0),))
    (Array(0., dtype=float32), Array(2., dtype=float32))
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(
            "jvp: arguments 'primals' and 'tangents' expected tuples or lists, got "
            f"{type(primals).__name__} and {type(tangents).__name__}"
        )
    p_flat, p_tree = tree.flatten(tuple(primals))
    t_flat, t_tree = tree.flatten(tuple(tangents))
    if p_tree != t_tree:
        raise ValueError(
            f"jvp: argument 'tangents' expected the structure of 'primals' {p_tree}, got {t_tree}"
        )
    p_flat = [as_array_leaf("jvp", x) for x in p_flat]
    t_flat = [as_array_leaf("jvp", x) for x in t_flat]
    _check_tangents(p_flat, t_flat)
    with JVPTrace("jvp") as trace:
        inputs = [
            JVPTracer(trace, p, t.astype(p.dtype) if t.dtype != p.dtype else t)
            if is_inexact(p.dtype)
            else p
            for p, t in zip(p_flat, t_flat, strict=True)
        ]
        out = f(*tree.unflatten(p_tree, inputs))
    out_leaves, out_tree = tree.flatten(out)
    primal_out, tangent_out = [], []
    for o in out_leaves:
        o = as_array_leaf("jvp", o)
        if o.__class__ is JVPTracer and o._trace is trace:
            primal_out.append(o._v)
            tangent_out.append(o._t)
        else:
            primal_out.append(o)
            tangent_out.append(zeros_like_leaf(o))
    return tree.unflatten(out_tree, primal_out), tree.unflatten(out_tree, tangent_out)


def linearize(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """Evaluate ``f(*primals)`` once and return ``(out, f_jvp)``, where ``f_jvp(*tangents)``
    gives the directional derivative at ``primals`` without evaluating ``f`` again."""
    flat, in_tree = tree.flatten(primals)
    flat = [as_array_leaf("linearize", x) for x in flat]
    with ReverseTrace("linearize") as trace:
        inputs = [trace.new_input(x) if is_inexact(x.dtype) else x for x in flat]
        out = f(*tree.unflatten(in_tree, inputs))
    out_leaves, out_tree = tree.flatten(out)
    out_leaves = [as_array_leaf("linearize", o) for o in out_leaves]
    out_primals, slots = _strip(trace, out_leaves)
    tape = trace.tape

    def f_jvp(*tangents: Any) -> Any:
        t_flat, t_tree = tree.flatten(tangents)
        if t_tree != in_tree:
            raise ValueError(
                f"linearize: the tangents expected the structure of the primals {in_tree}, "
                f"got {t_tree}"
            )
        t_flat = [as_array_leaf("linearize", t) for t in t_flat]
        _check_tangents(flat, t_flat)
        values: list[Any] = [None] * len(tape)
        for x, t in zip(inputs, t_flat, strict=True):
            if isinstance(x, ReverseTracer):
                values[x._node] = t.astype(x.dtype) if t.dtype != x.dtype else t
        for i, node in enumerate(tape):
            if node is None:
                continue
            tangents_in: list[Any] = [None] * max(len(node.primals), 1)
            any_tangent = False
            for argpos, pidx, ppos in node.parents:
                t = values[pidx]
                if t is not None and ppos >= 0:
                    t = t[ppos]
                if t is not None:
                    tangents_in[argpos] = t
                    any_tangent = True
            if not any_tangent:
                continue
            if isinstance(node, FunctionNode):
                values[i] = node.push_forward(tangents_in)
            else:
                values[i] = apply_jvp_rules(
                    node.prim, tangents_in, node.out, node.primals, node.params
                )
        result = []
        for o, slot in zip(out_primals, slots, strict=True):
            t = None
            if slot is not None:
                t = values[slot[0]]
                if t is not None and slot[1] >= 0:
                    t = t[slot[1]]
            result.append(zeros_like_leaf(o) if t is None else t)
        return tree.unflatten(out_tree, result)

    return tree.unflatten(out_tree, out_primals), f_jvp
