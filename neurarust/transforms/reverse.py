"""Reverse mode: ``vjp``, ``grad`` and ``value_and_grad``.

A :class:`ReverseTrace` runs the function eagerly and appends one :class:`Node` per primitive
to a tape, in execution order (which is a topological order). The backward pass walks the tape
from the end, calling each primitive's per-argument VJP rule and summing cotangents into the
parents — HIPS autograd's tape with JAX's trace levels, so that rules, written in neurarust
ops, are themselves recorded by any outer trace (``grad(grad(f))``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import tree
from ..core.array import Array
from ..core.dtypes import bfloat16, is_inexact
from ..core.errors import ShapeError
from ..core.primitive import SHAPES, VALUES, Primitive, ShapedArray, Trace, Tracer, bind
from ._args import (
    as_array_leaf,
    check_float_leaves,
    check_scalar_output,
    normalize_argnums,
    ones_like_leaf,
    select_args,
    zeros_like_leaf,
)


class Node:
    """One recorded primitive application: its rules, inputs, output and parents."""

    __slots__ = ("prim", "params", "primals", "out", "parents")

    def __init__(
        self,
        prim: Primitive | None,
        params: dict[str, Any],
        primals: Sequence[Any],
        out: Any,
        parents: Sequence[tuple[int, int, int]],
    ) -> None:
        self.prim = prim
        self.params = params
        self.primals = primals
        self.out = out
        self.parents = parents  # (argument position, tape index, output position or -1)

    def cotangents(self, g: Any) -> list[Any]:
        """The cotangent of each parent (in ``parents`` order) for output cotangent ``g``."""
        rules = self.prim.vjp
        prim, out, primals, params = self.prim, self.out, self.primals, self.params
        if rules is None:
            raise NotImplementedError(f"{prim.name}: this primitive has no reverse-mode rule")
        result = []
        for argpos, _, _ in self.parents:
            rule = rules[argpos]
            result.append(None if rule is None else rule(g, out, *primals, **params))
        return result


class FunctionNode(Node):
    """A node whose rules are Python functions (custom_vjp, custom_jvp, checkpoint).

    ``backward(g)`` returns one cotangent per parent; ``forward(tangents)`` takes one tangent
    per primal argument (None for none) and returns the output tangent.
    """

    __slots__ = ("backward", "forward")

    def __init__(
        self,
        backward: Callable[[Any], Sequence[Any]],
        forward: Callable[[list[Any]], Any],
        primals: Sequence[Any],
        out: Any,
        parents: Sequence[tuple[int, int, int]],
    ) -> None:
        super().__init__(None, {}, primals, out, parents)
        self.backward = backward
        self.forward = forward

    def cotangents(self, g: Any) -> list[Any]:
        return list(self.backward(g))

    def push_forward(self, tangents: list[Any]) -> Any:
        """The output tangent for the given argument tangents."""
        return self.forward(tangents)


def _aval(x: Any) -> Any:
    if isinstance(x, tuple):
        return tuple(_aval(o) for o in x)
    return ShapedArray(x.shape, x.dtype)


class ReverseTracer(Tracer):
    """A value recorded on a reverse-mode tape: the primal ``_v`` and where it came from."""

    __slots__ = ("_node", "_pos")


_new = object.__new__


def _tracer(trace: ReverseTrace, value: Any, node: int, pos: int = -1) -> ReverseTracer:
    """A ReverseTracer for ``value``, output ``pos`` of tape entry ``node`` (built without
    calling the class, which is on every recorded op's path)."""
    t = _new(ReverseTracer)
    t._v = value
    t._trace = trace
    t._node = node
    t._pos = pos
    return t


class ReverseTrace(Trace):
    """Records primitives on a tape for a later backward pass."""

    __slots__ = ("tape",)

    def __init__(self, name: str = "grad") -> None:
        super().__init__(name)
        self.tape: list[Node | None] = []

    def new_input(self, value: Array) -> ReverseTracer:
        """A tracer for an input of the differentiated function."""
        self.tape.append(None)
        return _tracer(self, value, len(self.tape) - 1)

    def unwrap(self, args: Sequence[Any]) -> tuple[list[Any], list[tuple[int, int, int]]]:
        """The primal values of ``args`` and the parents among them that are this trace's."""
        primals = []
        parents = []
        for i, a in enumerate(args):
            if a.__class__ is ReverseTracer and a._trace is self:
                primals.append(a._v)
                parents.append((i, a._node, a._pos))
            else:
                primals.append(a)
        return primals, parents

    def process(self, prim: Primitive, args: tuple[Any, ...], params: dict[str, Any]) -> Any:
        primals = []
        parents = []
        plain = True  # every primal a plain Array: run the kernel here, skipping a dispatch
        for i, a in enumerate(args):
            if a.__class__ is ReverseTracer and a._trace is self:
                parents.append((i, a._node, a._pos))
                a = a._v
            primals.append(a)
            if a.__class__ is not Array:
                plain = False
        if plain and not prim.multiple_results:
            out = _new(Array)
            out._v = prim.impl(*[p._v for p in primals], **params)
        else:
            out = bind(prim, primals, params)
        if not parents or not prim.differentiable:
            return out
        node = _new(Node)  # the slots set here, without an __init__ call on the hot path
        node.prim = prim
        node.params = params
        node.parents = parents
        kept = prim.residuals
        if kept is VALUES:
            node.primals = primals
            node.out = out
        elif kept is SHAPES:
            node.primals = [_aval(p) for p in primals]
            node.out = _aval(out)
        else:
            node.primals = [None] * len(primals)
            node.out = _aval(out) if prim.multiple_results else None
        tape = self.tape
        tape.append(node)
        if out.__class__ is tuple:
            return self._wrap_outputs(out, len(tape) - 1)
        d = out.dtype
        if d.kind in "fc" or d is bfloat16:
            return _tracer(self, out, len(tape) - 1)
        return out

    def record(self, node: Node, out: Any) -> Any:
        """Append ``node`` to the tape and wrap its float outputs as tracers."""
        tape = self.tape
        tape.append(node)
        if isinstance(out, tuple):
            return self._wrap_outputs(out, len(tape) - 1)
        return _tracer(self, out, len(tape) - 1) if is_inexact(out.dtype) else out

    def _wrap_outputs(self, out: tuple[Any, ...], index: int) -> tuple[Any, ...]:
        return tuple(
            _tracer(self, o, index, k) if is_inexact(o.dtype) else o for k, o in enumerate(out)
        )


def _add(a: Any, b: Any) -> Any:
    return b if a is None else a + b


def backward(tape: list[Node | None], seeds: Sequence[tuple[int, int, Any]]) -> list[Any]:
    """Propagate cotangents from ``seeds`` ((tape index, output position, cotangent) triples)
    back through ``tape``; returns the cotangent left at each input slot (None if zero)."""
    cts: list[Any] = [None] * len(tape)
    for index, pos, ct in seeds:
        _accumulate(tape, cts, index, pos, ct)
    for i in range(len(tape) - 1, -1, -1):
        g = cts[i]
        node = tape[i]
        if g is None or node is None:
            continue
        cts[i] = None
        if isinstance(g, list):
            g = tuple(
                zeros_like_leaf(o) if c is None else c for c, o in zip(g, node.out, strict=True)
            )
        if node.__class__ is Node:
            prim = node.prim
            rules = prim.vjp
            if rules is None:
                raise NotImplementedError(f"{prim.name}: this primitive has no reverse-mode rule")
            out, primals, params = node.out, node.primals, node.params
            for argpos, pidx, ppos in node.parents:
                rule = rules[argpos]
                if rule is None:
                    continue
                c = rule(g, out, *primals, **params)
                if c is None:
                    continue
                if ppos < 0:
                    prev = cts[pidx]
                    cts[pidx] = c if prev is None else prev + c
                else:
                    _accumulate(tape, cts, pidx, ppos, c)
            continue
        for (_, pidx, ppos), c in zip(node.parents, node.cotangents(g), strict=True):
            if c is None:
                continue
            if ppos < 0:
                prev = cts[pidx]
                cts[pidx] = c if prev is None else prev + c
            else:
                _accumulate(tape, cts, pidx, ppos, c)
    return cts


def _accumulate(tape: list[Node | None], cts: list[Any], index: int, pos: int, ct: Any) -> None:
    if pos < 0:
        cts[index] = _add(cts[index], ct)
        return
    slot = cts[index]
    if slot is None:
        slot = cts[index] = [None] * len(tape[index].out)
    slot[pos] = _add(slot[pos], ct)


def _strip(trace: ReverseTrace, out_leaves: list[Any]) -> tuple[list[Any], list[int | None]]:
    """The primal outputs and, for each, its tape slot (None for a constant output)."""
    primals, slots = [], []
    for o in out_leaves:
        if o.__class__ is ReverseTracer and o._trace is trace:
            primals.append(o._v)
            slots.append((o._node, o._pos))
        else:
            primals.append(o)
            slots.append(None)
    return primals, slots


def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """Evaluate ``f(*primals)`` and return ``(out, vjp_fn)`` (plus ``aux`` with ``has_aux``).

    ``vjp_fn(cotangent)`` takes a pytree shaped like ``out`` and returns a tuple with one
    cotangent pytree per primal. It may be called many times.

    Examples
    --------
    >>> out, f_vjp = nr.vjp(nr.sin, nr.asarray(0.0))
    >>> f_vjp(nr.asarray(1.0))
    (Array(1., dtype=float32),)
    """
    flat, in_tree = tree.flatten(primals)
    flat = [as_array_leaf("vjp", x) for x in flat]
    with ReverseTrace("vjp") as trace:
        inputs = [trace.new_input(x) if is_inexact(x.dtype) else x for x in flat]
        result = f(*tree.unflatten(in_tree, inputs))
    out, aux = _split_aux("vjp", result, has_aux)
    out_leaves, out_tree = tree.flatten(out)
    out_leaves = [as_array_leaf("vjp", o) for o in out_leaves]
    out_primals, slots = _strip(trace, out_leaves)
    tape = trace.tape
    input_slots = [t._node if isinstance(t, ReverseTracer) else None for t in inputs]

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        ct_leaves, ct_tree = tree.flatten(cotangent)
        if ct_tree != out_tree:
            raise ValueError(
                f"vjp_fn: argument 'cotangent' expected a pytree with the structure of the "
                f"function's output {out_tree}, got {ct_tree}"
            )
        seeds = []
        for k, (ct, o, slot) in enumerate(zip(ct_leaves, out_primals, slots, strict=True)):
            ct = as_array_leaf("vjp_fn", ct)
            if tuple(ct.shape) != tuple(o.shape):
                raise ShapeError(
                    f"vjp_fn: cotangent leaf {k} expected shape {tuple(o.shape)} (the output's), "
                    f"got {tuple(ct.shape)}"
                )
            if slot is not None:
                seeds.append((slot[0], slot[1], ct.astype(o.dtype) if ct.dtype != o.dtype else ct))
        cts = backward(tape, seeds)
        grads = [
            zeros_like_leaf(x) if s is None or cts[s] is None else cts[s]
            for x, s in zip(flat, input_slots, strict=True)
        ]
        return tuple(tree.unflatten(in_tree, grads))

    out_value = tree.unflatten(out_tree, out_primals)
    return (out_value, vjp_fn, aux) if has_aux else (out_value, vjp_fn)


def _split_aux(op: str, result: Any, has_aux: bool) -> tuple[Any, Any]:
    if not has_aux:
        return result, None
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError(
            f"{op}: with has_aux=True the function must return a pair (output, aux), "
            f"got {type(result).__name__}"
        )
    return result


def value_and_grad(
    f: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    allow_int: bool = False,
    wrt: tree.PathFilter | None = None,
) -> Callable[..., Any]:
    """A function returning ``(f(*args), gradient of f)`` (``((value, aux), grad)`` with aux).

    ``f`` must return a scalar float. The gradient has the structure of the argument(s)
    selected by ``argnums`` (a tuple of gradients when ``argnums`` is a tuple). ``wrt`` (a
    glob pattern on leaf paths such as ``"*.weight"``, a list of them, or a predicate
    ``(path, leaf) -> bool``) differentiates only the matching leaves: the others are
    constants that cost no backward work, and their gradient is ``None``.
    """
    match = None if wrt is None else tree.path_filter(wrt)

    def value_and_grad_f(*args: Any, **kwargs: Any) -> Any:
        diff_args, rebuild = select_args("grad", args, argnums, allow_int or match is not None)
        split = [_split_trainable(a, match) for a in diff_args]
        if match is not None and not allow_int:
            nums = normalize_argnums("grad", argnums, len(args))
            for n, (trainable, _, _) in zip(nums, split, strict=True):
                check_float_leaves("grad", n, trainable)

        def inner(*trainable: Any) -> Any:
            full = [join(t) for join, t in zip((s[1] for s in split), trainable, strict=True)]
            return f(*rebuild(full), **kwargs)

        trainables = [s[0] if match is None else [leaf for _, leaf in s[0]] for s in split]
        result = vjp(inner, *trainables, has_aux=has_aux)
        value, f_vjp = result[0], result[1]
        check_scalar_output("grad", value)
        grads = tuple(s[2](g) for s, g in zip(split, f_vjp(ones_like_leaf(value)), strict=True))
        grads = grads[0] if isinstance(argnums, int) else grads
        value = value if not has_aux else (value, result[2])
        return value, grads

    value_and_grad_f.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    value_and_grad_f.__doc__ = f.__doc__
    return value_and_grad_f


def _split_trainable(
    arg: Any, match: Callable[[str, Any], bool] | None
) -> tuple[Any, Callable[[Any], Any], Callable[[Any], Any]]:
    """``(trainable (path, leaf) pairs, join(leaves) -> full arg, expand(grads) -> full grads)``.

    Without a filter the whole argument is one trainable pytree.
    """
    if match is None:
        return arg, lambda t: t, lambda g: g
    pairs, treedef = tree.flatten_with_path(arg)
    mask = [bool(match(tree.keystr(path), leaf)) for path, leaf in pairs]
    leaves = [leaf for _, leaf in pairs]
    trainable = [pair for pair, m in zip(pairs, mask, strict=True) if m]

    def join(t: list[Any]) -> Any:
        it = iter(t)
        return tree.unflatten(
            treedef, [next(it) if m else x for x, m in zip(leaves, mask, strict=True)]
        )

    def expand(g: list[Any]) -> Any:
        it = iter(g)
        return tree.unflatten(treedef, [next(it) if m else None for m in mask])

    return trainable, join, expand


def grad(
    f: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    allow_int: bool = False,
    wrt: tree.PathFilter | None = None,
) -> Callable[..., Any]:
    """The gradient of scalar-valued ``f`` with respect to the arguments ``argnums``
    (only the leaves matching ``wrt``, if given; see :func:`value_and_grad`).

    Examples
    --------
    >>> import neurarust as nr
    >>> nr.grad(lambda x: (x ** 2).sum())(nr.asarray([1.0, 2.0]))
    Array([2., 4.], dtype=float32)
    """
    vg = value_and_grad(f, argnums, has_aux, allow_int, wrt)

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    grad_f.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    grad_f.__doc__ = f.__doc__
    return grad_f
