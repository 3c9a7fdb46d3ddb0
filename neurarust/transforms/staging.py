"""Staging: tracing a function with abstract values into a :class:`~.graph.Graph`.

A :class:`StagingTracer` knows only its shape and dtype. Each primitive applied to one records
an equation (its shape rule gives the result's abstract value). Primitives whose operands are
all concrete run at once instead (constant folding at trace time), so the graph holds only the
work that depends on the inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import tree
from ..core.array import Array
from ..core.backend import CPU
from ..core.errors import ConcretizationError
from ..core.primitive import Primitive, ShapedArray, Trace, Tracer
from .graph import Equation, Graph, Var, aval_str


class StagingTracer(Tracer):
    """An abstract value: a graph Var, with a shape and dtype but no contents."""

    __slots__ = ("_var",)

    def __init__(self, trace: StagingTrace, var: Var) -> None:
        self._v = None
        self._trace = trace
        self._var = var

    @property
    def shape(self) -> tuple[int, ...]:
        return self._var.aval.shape

    @property
    def dtype(self) -> np.dtype:
        return self._var.aval.dtype

    def _namespace(self) -> Any:
        return self._trace.xp

    def _device(self) -> Any:
        return self._trace.device

    def _buffer(self) -> Any:
        trace = self._trace
        raise ConcretizationError(
            f"{trace.name}: {trace.describe(self._var)} is abstract while the function is "
            "traced (it has a shape and dtype but no value yet), so Python if/while, bool(), "
            "float(), int(), .item() and printing cannot use it. Use nr.cond(pred, true_fn, "
            "false_fn, *operands) or nr.switch for branches and nr.while_loop / nr.fori_loop "
            "for loops, or make the argument static (static_argnums / static_argnames)."
        )


class StagingTrace(Trace):
    """Records primitives applied to its tracers as graph equations."""

    __slots__ = (
        "equations",
        "constants",
        "captured",
        "_memo",
        "_keep",
        "_count",
        "labels",
        "xp",
        "device",
    )

    def __init__(self, name: str, xp: Any = np, device: Any = CPU) -> None:
        super().__init__(name)
        self.equations: list[Equation] = []
        self.constants: dict[Var, Any] = {}
        self.captured: dict[Var, Any] = {}
        self._memo: dict[Any, Var] = {}
        self._keep: list[Any] = []  # operands stay alive while their id() is a memo key
        self._count = 0
        self.labels: dict[Var, str] = {}
        self.xp = xp
        self.device = device

    def new_var(self, aval: ShapedArray, prefix: str = "v") -> Var:
        """A fresh Var named ``prefix`` + a counter."""
        self._count += 1
        return Var(f"{prefix}{self._count}", ShapedArray(tuple(aval.shape), np.dtype(aval.dtype)))

    def new_input(self, aval: ShapedArray, label: str) -> StagingTracer:
        """A tracer standing for an argument described by ``label``."""
        var = self.new_var(aval, "a")
        self.labels[var] = label
        return StagingTracer(self, var)

    def describe(self, var: Var) -> str:
        """Where a Var comes from, in words (for error messages)."""
        label = self.labels.get(var)
        if label is not None:
            return f"the value {var.name} ({aval_str(var.aval)}, {label})"
        for eqn in self.equations:
            if var in eqn.outputs:
                ins = ", ".join(v.name for v in eqn.inputs)
                return (
                    f"the value {var.name} ({aval_str(var.aval)}, computed by {eqn.op.name}({ins}))"
                )
        return f"the value {var.name} ({aval_str(var.aval)})"

    def to_var(self, x: Any) -> Var:
        """The Var of an operand: this trace's tracer, a constant, or a captured outer value."""
        if x.__class__ is StagingTracer and x._trace is self:
            return x._var
        key = id(x)
        var = self._memo.get(key)
        if var is not None:
            return var
        aval = ShapedArray(tuple(x.shape), x.dtype)
        if isinstance(x, Tracer):
            var = self.new_var(aval, "k")
            self.captured[var] = x
        else:
            value_key = _constant_key(x._v)
            var = self._memo.get(value_key) if value_key is not None else None
            if var is None:
                var = self.new_var(aval, "c")
                self.constants[var] = x
                if value_key is not None:
                    self._memo[value_key] = var
        self._memo[key] = var
        self._keep.append(x)
        return var

    def process(self, prim: Primitive, args: tuple[Any, ...], params: dict[str, Any]) -> Any:
        ins = [self.to_var(a) for a in args]
        out_aval = prim.shape_rule(*[v.aval for v in ins], **params)
        if prim.multiple_results:
            outs = [self.new_var(a) for a in out_aval]
            self.equations.append(Equation(prim, ins, dict(params), outs))
            return tuple(StagingTracer(self, v) for v in outs)
        out = self.new_var(out_aval)
        self.equations.append(Equation(prim, ins, dict(params), [out]))
        return StagingTracer(self, out)

    def add_equation(
        self, op: Any, args: Sequence[Any], params: dict[str, Any], avals: Sequence[ShapedArray]
    ) -> list[StagingTracer]:
        """Record an equation of a non-primitive operation (structured control flow)."""
        ins = [self.to_var(a) for a in args]
        outs = [self.new_var(a) for a in avals]
        self.equations.append(Equation(op, ins, params, outs))
        return [StagingTracer(self, v) for v in outs]


_SMALL_CONSTANT = 64


def _constant_key(buf: Any) -> Any:
    """A key equal for equal small constants and equal fills (scalar broadcasts), so that
    repeated constants share one Var; None for other constants."""
    if not isinstance(buf, (np.ndarray, np.generic)):
        return None  # device buffers: reading them back to compare costs a transfer
    shape, dtype = buf.shape, buf.dtype
    buf = np.asarray(buf)
    if buf.size <= _SMALL_CONSTANT:
        return ("small", shape, dtype, buf.tobytes())
    if not any(buf.strides):
        return ("fill", shape, dtype, buf.reshape(-1)[:1].tobytes())
    return None


def abstract(x: Any) -> ShapedArray:
    """The abstract value of an array or tracer."""
    return ShapedArray(tuple(x.shape), np.dtype(x.dtype))


def trace_to_graph(
    name: str,
    f: Callable[..., Any],
    leaves: Sequence[Any],
    in_tree: Any,
    labels: Sequence[str] | None = None,
    parent: StagingTrace | None = None,
) -> Graph:
    """Trace ``f`` on abstract values like ``leaves`` (arrays, tracers or ShapedArrays).

    ``f`` receives ``tree.unflatten(in_tree, tracers)`` unpacked as positional arguments.
    A sub-graph (a branch, a loop body) names its enclosing trace as ``parent``, whose device
    its constants live on.
    """
    xp, device = (np, CPU) if parent is None else (parent.xp, parent.device)
    for x in leaves:
        if isinstance(x, Array):
            xp, device = x._namespace(), x._device()
            break
    from ..core.ops import asarray

    with StagingTrace(name, xp, device) as trace:
        inputs = []
        for i, x in enumerate(leaves):
            aval = x if isinstance(x, ShapedArray) else abstract(x)
            label = labels[i] if labels is not None else f"input {i}"
            inputs.append(trace.new_input(aval, label))
        out = f(*tree.unflatten(in_tree, inputs))
        out_leaves, out_tree = tree.flatten(out)
        out_vars = [trace.to_var(o if isinstance(o, Array) else asarray(o)) for o in out_leaves]
    return Graph(
        inputs=[t._var for t in inputs],
        equations=trace.equations,
        outputs=out_vars,
        constants=trace.constants,
        captured=trace.captured,
        in_tree=in_tree,
        out_tree=out_tree,
    )
