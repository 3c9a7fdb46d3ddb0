"""Structured control flow: ``cond``, ``switch``, ``while_loop``, ``fori_loop``, ``scan``.

Each works in every context:

- with concrete values (eagerly, and under ``grad``/``jvp``, which are eager) it runs the
  Python branch or loop directly, so differentiation sees exactly the operations that ran;
- under ``vmap`` with a predicate that differs per example, ``cond``/``switch`` run every
  branch and select per example, and ``while_loop`` runs until every example is done, keeping
  finished examples' values;
- under ``jit``/``make_graph`` with an abstract predicate or a loop over traced values, they
  record one graph equation holding the traced sub-graphs (branches, loop body), which the
  compiled function runs as a real branch or loop.

A ``jit`` inside ``grad`` replays such an equation by calling these functions again on the
outer transform's values, so it is differentiated like the eager code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import tree
from ..core.array import Array
from ..core.backend import namespace
from ..core.errors import ConcretizationError, InvalidArgumentError, ShapeError
from ..core.primitive import ShapedArray, Tracer, top_trace
from .batching import BatchTrace, BatchTracer
from .executor import compile_graph
from .graph import Graph, aval_str, eval_graph
from .passes import simplify
from .reverse import ReverseTrace, vjp
from .staging import StagingTrace, StagingTracer, abstract, trace_to_graph


def _asarray(x: Any) -> Any:
    from ..core.ops import asarray

    return x if isinstance(x, Array) else asarray(x)


def _is_concrete(x: Any) -> bool:
    try:
        x._buffer()
    except ConcretizationError:
        return False
    return True


def _staging_owner(key: Any, leaves: Sequence[Any]) -> StagingTrace | None:
    """The staging trace that makes ``key`` abstract, if the operation can be recorded there:
    ``key`` is its tracer and no operand belongs to a transform above it."""
    if key.__class__ is not StagingTracer:
        return None
    trace = key._trace
    for x in leaves:
        if isinstance(x, Tracer) and x._trace.level > trace.level:
            return None
    return trace


def _trace_sub(
    parent: StagingTrace,
    what: str,
    fn: Callable[..., Any],
    avals: Sequence[ShapedArray],
    in_tree: Any,
) -> Graph:
    """Trace ``fn(*args)`` (``args`` of structure ``in_tree``, a tuple) inside ``parent``."""
    return simplify(
        trace_to_graph(f"{parent.name} {what}", fn, list(avals), in_tree, parent=parent)
    )


def _single_arg_tree(in_tree: Any, n: int) -> Any:
    """The structure of a one-argument tuple holding a value of structure ``in_tree``."""
    return tree.structure((tree.unflatten(in_tree, [0] * n),))


def _graph_fn(graph: Graph, captured: Sequence[Any]) -> Callable[..., list[Any]]:
    def run(*leaves: Any) -> list[Any]:
        return eval_graph(graph, leaves, captured)

    return run


def _check_same_outputs(op: str, graphs: Sequence[Graph], what: str) -> None:
    first = graphs[0]
    for k, g in enumerate(graphs[1:], 1):
        if g.out_tree != first.out_tree or g.out_avals != first.out_avals:
            raise ShapeError(
                f"{op}: every {what} must return the same structure, shapes and dtypes; "
                f"{what} 0 returns {first.out_tree} "
                f"[{', '.join(aval_str(a) for a in first.out_avals)}] but {what} {k} returns "
                f"{g.out_tree} [{', '.join(aval_str(a) for a in g.out_avals)}]"
            )


# ------------------------------------------------------------------------- switch / cond


class SwitchOp:
    """The graph operation of a staged ``switch``: inputs are the index, the operand leaves,
    then each branch's captured values; params hold the branch graphs."""

    name = "switch"
    multiple_results = True

    def apply(self, ins: Sequence[Any], params: dict[str, Any]) -> list[Any]:
        n = params["n_operands"]
        branches = []
        start = 1 + n
        for g in params["branches"]:
            caps = ins[start : start + len(g.captured)]
            start += len(g.captured)
            branches.append(_graph_fn(g, caps))
        return switch(ins[0], branches, *ins[1 : 1 + n])

    def compile(self, params: dict[str, Any], reuse_buffers: bool) -> Callable[..., Any]:
        n = params["n_operands"]
        runs = []
        start = 1 + n
        for g in params["branches"]:
            runs.append((compile_graph(g, (), reuse_buffers), start, start + len(g.captured)))
            start += len(g.captured)
        last = len(runs) - 1

        def run(index: Any, *rest: Any) -> Any:
            i = min(max(int(index), 0), last)
            fn, lo, hi = runs[i]
            return fn(*rest[:n], *rest[lo - 1 : hi - 1])

        return run


SWITCH = SwitchOp()


def _index_array(op: str, index: Any) -> Any:
    index = _asarray(index)
    if index.shape != ():
        raise ShapeError(f"{op}: argument 'index' expected a scalar, got shape {index.shape}")
    if index.dtype.kind not in "biu":
        raise InvalidArgumentError(
            f"{op}: argument 'index' expected an integer or bool scalar, got dtype {index.dtype}"
        )
    return index


def switch(index: Any, branches: Sequence[Callable[..., Any]], *operands: Any) -> Any:
    """Apply ``branches[index](*operands)``; an out-of-range index is clamped.

    Every branch must return the same structure, shapes and dtypes.
    """
    branches = list(branches)
    if not branches or not all(callable(b) for b in branches):
        raise InvalidArgumentError(
            "switch: argument 'branches' expected a non-empty sequence of callables"
        )
    index = _index_array("switch", index)
    if _is_concrete(index):
        i = min(max(int(index), 0), len(branches) - 1)
        return branches[i](*operands)
    leaves, in_tree = tree.flatten(operands)
    leaves = [_asarray(x) for x in leaves]
    trace = _staging_owner(index, leaves)
    if trace is not None:
        return _staged_switch(trace, index, branches, leaves, in_tree)
    if index.__class__ is StagingTracer and isinstance(top_trace(leaves), ReverseTrace):
        return _differentiated_switch(index, branches, operands)
    return _select_switch(index, branches, operands)


def _differentiated_switch(
    index: Any, branches: list[Callable[..., Any]], operands: tuple[Any, ...]
) -> Any:
    """A staged ``switch`` under reverse mode inside ``jit``: the forward pass and the pullback
    are each one staged ``switch``, so only the chosen branch runs in either direction."""
    from .custom import custom_vjp

    def pullback(k: int) -> Callable[[Any, Any], Any]:
        def run(ops: tuple[Any, ...], g: Any) -> Any:
            return vjp(branches[k], *ops)[1](g)

        return run

    def fwd(*ops: Any) -> tuple[Any, tuple[Any, ...]]:
        return switch(index, branches, *ops), ops

    def bwd(ops: tuple[Any, ...], g: Any) -> tuple[Any, ...]:
        return tuple(switch(index, [pullback(k) for k in range(len(branches))], ops, g))

    staged = custom_vjp(lambda *ops: switch(index, branches, *ops))
    staged.defvjp(fwd, bwd)
    return staged(*operands)


def _staged_switch(
    trace: StagingTrace,
    index: Any,
    branches: list[Callable[..., Any]],
    leaves: list[Any],
    in_tree: Any,
) -> Any:
    avals = [abstract(x) for x in leaves]
    graphs = [
        _trace_sub(trace, f"switch branch {k}", lambda *a, b=b: b(*a), avals, in_tree)
        for k, b in enumerate(branches)
    ]
    _check_same_outputs("switch", graphs, "branch")
    from ..core.ops import astype

    index = astype(index, np.int32) if index.dtype != np.int32 else index
    captured = [c for g in graphs for c in g.captured.values()]
    outs = trace.add_equation(
        SWITCH,
        [index, *leaves, *captured],
        {"branches": tuple(graphs), "n_operands": len(leaves)},
        graphs[0].out_avals,
    )
    return tree.unflatten(graphs[0].out_tree, outs)


def _select_switch(
    index: Any, branches: list[Callable[..., Any]], operands: tuple[Any, ...]
) -> Any:
    """Run every branch and pick each example's result (``index`` differs per example)."""
    from ..core.ops import astype, where

    results = [branches[k](*operands) for k in range(len(branches))]
    flat = [tree.flatten(r) for r in results]
    first_leaves, first_tree = flat[0]
    for k, (lv, tr) in enumerate(flat[1:], 1):
        if tr != first_tree or [(tuple(x.shape), x.dtype) for x in map(_asarray, lv)] != [
            (tuple(x.shape), x.dtype) for x in map(_asarray, first_leaves)
        ]:
            raise ShapeError(
                f"switch: every branch must return the same structure, shapes and dtypes; "
                f"branch 0 and branch {k} differ"
            )
    index = astype(index, np.int32)
    last = len(branches) - 1
    out = [_asarray(x) for x in flat[last][0]]
    for k in range(last - 1, -1, -1):
        chosen = index <= k
        out = [where(chosen, _asarray(a), b) for a, b in zip(flat[k][0], out, strict=True)]
    return tree.unflatten(first_tree, out)


def cond(
    pred: Any, true_fn: Callable[..., Any], false_fn: Callable[..., Any], *operands: Any
) -> Any:
    """``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``.

    ``pred`` is a scalar (bool or number). Both branches must return the same structure,
    shapes and dtypes. Under ``jit`` only the chosen branch runs; under ``vmap`` with a
    per-example ``pred`` both run and each example takes its own result.

    Examples
    --------
    >>> nr.cond(nr.asarray(2.0) > 1, lambda x: x * 10, lambda x: x, nr.asarray(3.0))
    Array(30., dtype=float32)
    """
    if not callable(true_fn) or not callable(false_fn):
        raise InvalidArgumentError("cond: arguments 'true_fn' and 'false_fn' must be callable")
    pred = _asarray(pred)
    if pred.shape != ():
        raise ShapeError(f"cond: argument 'pred' expected a scalar, got shape {pred.shape}")
    if _is_concrete(pred):
        return true_fn(*operands) if bool(pred) else false_fn(*operands)
    index = pred != 0 if pred.dtype.kind != "b" else pred
    return switch(index, [false_fn, true_fn], *operands)


# ------------------------------------------------------------------------------ loops


def _check_carry(op: str, before: Any, after: Any) -> None:
    b_leaves, b_tree = tree.flatten(before)
    a_leaves, a_tree = tree.flatten(after)
    if a_tree != b_tree:
        raise ShapeError(
            f"{op}: the loop body must return the structure of the carry {b_tree}, got {a_tree}"
        )
    for k, (x, y) in enumerate(zip(b_leaves, a_leaves, strict=True)):
        x, y = _asarray(x), _asarray(y)
        if tuple(x.shape) != tuple(y.shape) or x.dtype != y.dtype:
            raise ShapeError(
                f"{op}: the loop body changed carry leaf {k} from {x.dtype}{list(x.shape)} to "
                f"{y.dtype}{list(y.shape)}; a carry must keep its shape and dtype"
            )


class WhileOp:
    """The graph operation of a staged ``while_loop``: inputs are the carry leaves, then the
    condition's and the body's captured values."""

    name = "while_loop"
    multiple_results = True

    def apply(self, ins: Sequence[Any], params: dict[str, Any]) -> list[Any]:
        n, cg, bg = params["n_carry"], params["cond"], params["body"]
        c_caps = ins[n : n + len(cg.captured)]
        b_caps = ins[n + len(cg.captured) :]
        cond_fn = _graph_fn(cg, c_caps)
        return while_loop(lambda c: cond_fn(*c)[0], _graph_fn(bg, b_caps), list(ins[:n]))

    def compile(self, params: dict[str, Any], reuse_buffers: bool) -> Callable[..., Any]:
        n, cg, bg = params["n_carry"], params["cond"], params["body"]
        cond_run, body_run = (
            compile_graph(cg, (), reuse_buffers),
            compile_graph(bg, (), reuse_buffers),
        )
        nc = len(cg.captured)

        def run(*ins: Any) -> Any:
            carry = ins[:n]
            c_caps, b_caps = ins[n : n + nc], ins[n + nc :]
            while bool(cond_run(*carry, *c_caps)[0]):
                carry = body_run(*carry, *b_caps)
            return carry

        return run


WHILE = WhileOp()


def _check_pred(op: str, p: Any) -> Any:
    p = _asarray(p)
    if p.shape != ():
        raise ShapeError(f"{op}: cond_fun must return a scalar, got shape {p.shape}")
    return p


def while_loop(
    cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], init_val: Any
) -> Any:
    """``val = init_val; while cond_fun(val): val = body_fun(val)``; returns ``val``.

    The body must keep the carry's structure, shapes and dtypes. Differentiable in reverse
    mode when the values are concrete (eagerly); inside ``jit`` the trip count is unknown
    while tracing, so use ``fori_loop`` or ``scan`` there for reverse-mode derivatives.

    Examples
    --------
    >>> nr.while_loop(lambda x: x < 10, lambda x: x * 2, nr.asarray(1))
    Array(16, dtype=int32)
    """
    val = init_val
    p = _check_pred("while_loop", cond_fun(val))
    if _is_concrete(p):
        while bool(p):
            new = body_fun(val)
            _check_carry("while_loop", val, new)
            val = new
            p = _check_pred("while_loop", cond_fun(val))
            if not _is_concrete(p):
                return _abstract_while(p, cond_fun, body_fun, val)
        return val
    return _abstract_while(p, cond_fun, body_fun, val)


def _abstract_while(
    p: Any, cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], val: Any
) -> Any:
    leaves, in_tree = tree.flatten(val)
    leaves = [_asarray(x) for x in leaves]
    if p.__class__ is BatchTracer:
        return _batched_while(cond_fun, body_fun, tree.unflatten(in_tree, leaves))
    trace = _staging_owner(p, leaves)
    if trace is None:
        raise ConcretizationError(
            "while_loop: the loop condition is abstract under a transform applied inside "
            "jit (for example grad inside jit), where the number of iterations cannot be "
            "known while tracing; use nr.fori_loop with static bounds or nr.scan"
        )
    avals = [abstract(x) for x in leaves]
    arg_tree = _single_arg_tree(in_tree, len(leaves))
    cg = _trace_sub(trace, "while_loop cond", cond_fun, avals, arg_tree)
    if len(cg.out_avals) != 1 or cg.out_avals[0].shape != ():
        raise ShapeError("while_loop: cond_fun must return one scalar")
    bg = _trace_sub(trace, "while_loop body", body_fun, avals, arg_tree)
    _check_body_graph("while_loop", bg, avals, in_tree)
    outs = trace.add_equation(
        WHILE,
        [*leaves, *cg.captured.values(), *bg.captured.values()],
        {"cond": cg, "body": bg, "n_carry": len(leaves)},
        avals,
    )
    return tree.unflatten(in_tree, outs)


def _check_body_graph(op: str, g: Graph, avals: Sequence[ShapedArray], in_tree: Any) -> None:
    if g.out_tree != in_tree or g.out_avals[: len(avals)] != list(avals):
        raise ShapeError(
            f"{op}: the loop body must return the carry's structure, shapes and dtypes "
            f"{in_tree} [{', '.join(aval_str(a) for a in avals)}], got {g.out_tree} "
            f"[{', '.join(aval_str(a) for a in g.out_avals)}]"
        )


def _batched_while(cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], val: Any) -> Any:
    """``while_loop`` whose condition differs per example: step while any example continues;
    examples that are done keep their value."""
    from ..core.ops import any as any_
    from ..core.ops import where

    while True:
        p = _check_pred("while_loop", cond_fun(val))
        if p.__class__ is not BatchTracer:
            if not bool(p):
                return val
            val = body_fun(val)
            continue
        going = any_(p._v)
        if not _is_concrete(going):
            return _staged_batched_while(p._trace, cond_fun, body_fun, val)
        if not bool(going):
            return val
        new = body_fun(val)
        _check_carry("while_loop", val, new)
        val = tree.map(lambda n, o, p=p: where(p, n, o), new, val)


def _staged_batched_while(
    trace: BatchTrace, cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], val: Any
) -> Any:
    """``vmap`` of a ``while_loop`` inside ``jit``: one staged ``while_loop`` over the batched
    carry (batch axis first), stepping while any example continues."""
    from ..core.batching import to_front
    from ..core.ops import any as any_
    from ..core.ops import where

    leaves, in_tree = tree.flatten(val)
    size = trace.axis_size

    def raw(x: Any) -> Any:
        x = _asarray(x)
        if x.__class__ is BatchTracer and x._trace is trace:
            return to_front(x._v, x._bdim)
        return to_front(x, None, size)

    def example_view(carry: list[Any]) -> Any:
        return tree.unflatten(in_tree, [BatchTracer(trace, c, 0) for c in carry])

    def going(carry: list[Any]) -> Any:
        return any_(raw(_check_pred("while_loop", cond_fun(example_view(carry)))))

    def step(carry: list[Any]) -> list[Any]:
        view = example_view(carry)
        p = cond_fun(view)
        new = body_fun(view)
        _check_carry("while_loop", view, new)
        return [
            raw(where(p, n, o)) for n, o in zip(tree.leaves(new), tree.leaves(view), strict=True)
        ]

    out = while_loop(going, step, [raw(x) for x in leaves])
    return example_view(out)


def fori_loop(lower: Any, upper: Any, body_fun: Callable[[Any, Any], Any], init_val: Any) -> Any:
    """``for i in range(lower, upper): val = body_fun(i, val)``; returns ``val``.

    ``i`` is an int32 array. With concrete bounds the trip count is fixed, so the loop is
    reverse-differentiable in every context (under ``jit`` it becomes a ``scan``); with
    traced bounds it is a ``while_loop``.

    Examples
    --------
    >>> nr.fori_loop(0, 4, lambda i, x: x + i, nr.asarray(0.0))
    Array(6., dtype=float32)
    """
    from ..core.ops import asarray

    lo, hi = _asarray(lower), _asarray(upper)
    for name, b in (("lower", lo), ("upper", hi)):
        if b.shape != () or b.dtype.kind not in "iu":
            raise InvalidArgumentError(
                f"fori_loop: argument '{name}' expected an integer scalar, got "
                f"{b.dtype}{list(b.shape)}"
            )
    if _is_concrete(lo) and _is_concrete(hi):
        start, stop = int(lo), int(hi)
        steps = max(stop - start, 0)

        def step(carry: Any, _: Any) -> tuple[Any, None]:
            i, v = carry
            return (i + 1, body_fun(i, v)), None

        (_, out), _ = scan(step, (asarray(start, dtype=np.int32), init_val), None, length=steps)
        return out
    from ..core.ops import astype

    def loop_cond(c: Any) -> Any:
        return c[0] < hi_i

    def loop_body(c: Any) -> Any:
        return c[0] + 1, body_fun(c[0], c[1])

    hi_i = astype(hi, np.int32)
    return while_loop(loop_cond, loop_body, (astype(lo, np.int32), init_val))[1]


class ScanOp:
    """The graph operation of a staged ``scan``: inputs are the carry leaves, the ``xs``
    leaves, then the body's captured values."""

    name = "scan"
    multiple_results = True

    def apply(self, ins: Sequence[Any], params: dict[str, Any]) -> list[Any]:
        nc, nx, g = params["n_carry"], params["n_xs"], params["body"]
        body = _graph_fn(g, ins[nc + nx :])

        def f(carry: Any, x: Any) -> Any:
            outs = body(*carry, *x)
            return outs[:nc], outs[nc:]

        carry, ys = scan(
            f,
            list(ins[:nc]),
            list(ins[nc : nc + nx]),
            length=params["length"],
            reverse=params["reverse"],
        )
        return [*carry, *ys]

    def compile(self, params: dict[str, Any], reuse_buffers: bool) -> Callable[..., Any]:
        nc, nx, g = params["n_carry"], params["n_xs"], params["body"]
        length, reverse = params["length"], params["reverse"]
        body = compile_graph(g, (), reuse_buffers)
        y_avals = g.out_avals[nc:]
        order = range(length - 1, -1, -1) if reverse else range(length)

        def run(*ins: Any) -> Any:
            carry = ins[:nc]
            xs = ins[nc : nc + nx]
            caps = ins[nc + nx :]
            ys: list[Any] = []
            for i in order:
                outs = body(*carry, *[x[i] for x in xs], *caps)
                carry = outs[:nc]
                if not ys:  # allocated on the device the body's results live on
                    ys = [
                        namespace(y).empty((length, *a.shape), dtype=a.dtype)
                        for y, a in zip(outs[nc:], y_avals, strict=True)
                    ]
                for buf, y in zip(ys, outs[nc:], strict=True):
                    buf[i] = y
            return (*carry, *ys)

        return run


SCAN = ScanOp()


def scan(
    f: Callable[[Any, Any], tuple[Any, Any]],
    init: Any,
    xs: Any = None,
    length: int | None = None,
    reverse: bool = False,
) -> tuple[Any, Any]:
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns
    ``(carry, ys)`` with the ``y``s stacked along a new leading axis.

    ``xs`` is a pytree of arrays sharing the leading size (or None, with ``length``). The body
    must keep the carry's structure, shapes and dtypes. Reverse-differentiable everywhere.

    Examples
    --------
    >>> carry, ys = nr.scan(lambda c, x: (c + x, c * x), nr.asarray(0.0), nr.arange(1.0, 4.0))
    >>> carry, ys
    (Array(6., dtype=float32), Array([0., 2., 9.], dtype=float32))
    """
    x_leaves, x_tree = tree.flatten(xs)
    x_leaves = [_asarray(x) for x in x_leaves]
    n = _scan_length(x_leaves, length)
    c_leaves, c_tree = tree.flatten(init)
    c_leaves = [_asarray(c) for c in c_leaves]
    everything = [*c_leaves, *x_leaves]
    top = max(
        (x for x in everything if isinstance(x, Tracer)), key=lambda t: t._trace.level, default=None
    )
    if top is not None and top.__class__ is StagingTracer and n > 0:
        return _staged_scan(top._trace, f, c_leaves, c_tree, x_leaves, x_tree, n, reverse)
    return _python_scan(f, tree.unflatten(c_tree, c_leaves), x_leaves, x_tree, n, reverse)


def _scan_length(x_leaves: list[Any], length: int | None) -> int:
    sizes = {int(x.shape[0]) for x in x_leaves if x.shape}
    if any(not x.shape for x in x_leaves):
        raise ShapeError("scan: every leaf of 'xs' needs a leading axis to scan over")
    if length is not None and (not isinstance(length, int) or length < 0):
        raise InvalidArgumentError(
            f"scan: argument 'length' expected a non-negative int, got {length!r}"
        )
    if len(sizes) > 1 or (length is not None and sizes and sizes != {length}):
        raise ShapeError(
            f"scan: the leaves of 'xs' must share one leading size (and match 'length'), got "
            f"sizes {sorted(sizes)}" + (f" with length={length}" if length is not None else "")
        )
    if sizes:
        return sizes.pop()
    if length is None:
        raise InvalidArgumentError("scan: with no 'xs', pass 'length'")
    return length


def _python_scan(
    f: Callable[[Any, Any], tuple[Any, Any]],
    carry: Any,
    x_leaves: list[Any],
    x_tree: Any,
    n: int,
    reverse: bool,
) -> tuple[Any, Any]:
    from ..core.ops import stack

    ys: list[Any] = [None] * n
    for i in range(n - 1, -1, -1) if reverse else range(n):
        x = tree.unflatten(x_tree, [leaf[i] for leaf in x_leaves])
        new, y = f(carry, x)
        _check_carry("scan", carry, new)
        carry = new
        ys[i] = y
    if n == 0:
        return carry, None
    y_leaves = [tree.leaves(y) for y in ys]
    y_tree = tree.structure(ys[0])
    stacked = [stack([_asarray(ys_k[j]) for ys_k in y_leaves]) for j in range(len(y_leaves[0]))]
    return carry, tree.unflatten(y_tree, stacked)


def _staged_scan(
    trace: StagingTrace,
    f: Callable[[Any, Any], tuple[Any, Any]],
    c_leaves: list[Any],
    c_tree: Any,
    x_leaves: list[Any],
    x_tree: Any,
    n: int,
    reverse: bool,
) -> tuple[Any, Any]:
    c_avals = [abstract(c) for c in c_leaves]
    x_avals = [ShapedArray(tuple(x.shape[1:]), x.dtype) for x in x_leaves]
    nc = len(c_leaves)
    in_tree = tree.structure(
        (tree.unflatten(c_tree, [0] * nc), tree.unflatten(x_tree, [0] * len(x_leaves)))
    )

    def body(carry: Any, x: Any) -> Any:
        new, y = f(carry, x)
        return new, y

    g = _trace_sub(trace, "scan body", body, [*c_avals, *x_avals], in_tree)
    out_c_tree = tree.structure(tree.unflatten(g.out_tree, [0] * len(g.outputs))[0])
    if out_c_tree != c_tree or g.out_avals[:nc] != c_avals:
        raise ShapeError(
            f"scan: the body must return a carry with the structure, shapes and dtypes of "
            f"'init' [{', '.join(aval_str(a) for a in c_avals)}], got "
            f"[{', '.join(aval_str(a) for a in g.out_avals[:nc])}]"
        )
    y_avals = [ShapedArray((n, *a.shape), a.dtype) for a in g.out_avals[nc:]]
    outs = trace.add_equation(
        SCAN,
        [*c_leaves, *x_leaves, *g.captured.values()],
        {"body": g, "length": n, "reverse": reverse, "n_carry": nc, "n_xs": len(x_leaves)},
        [*c_avals, *y_avals],
    )
    _, y_struct = tree.unflatten(g.out_tree, [0] * len(g.outputs))
    y_tree = tree.structure(y_struct)
    return tree.unflatten(c_tree, outs[:nc]), tree.unflatten(y_tree, outs[nc:])
