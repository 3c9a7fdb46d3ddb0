"""The graph IR: what ``make_graph`` returns, ``jit`` runs, and exporters read.

A :class:`Graph` is a straight-line program in SSA form, a plain data structure:

- ``inputs``: the :class:`Var` of each flattened argument leaf, in order;
- ``constants``: concrete arrays the function closed over or built, each bound to a Var;
- ``captured``: values from an enclosing transform that the function closed over (tracers
  of an outer ``grad``, ``vmap`` or ``jit``), each bound to a Var;
- ``equations``: one :class:`Equation` per primitive application, in execution order: the
  operation (a :class:`~neurarust.core.primitive.Primitive`, or a structured control-flow
  operation whose params hold sub-graphs), its input Vars, its static params and its output
  Vars;
- ``outputs``: the Vars of the flattened result leaves;
- ``in_tree`` / ``out_tree``: the pytree structures of the arguments and the result.

Every Var carries its abstract value (shape and dtype). ``str(graph)`` prints one equation a
line with shapes and dtypes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.primitive import ShapedArray, bind

_SHORT = {
    "float16": "f16",
    "bfloat16": "bf16",
    "float32": "f32",
    "float64": "f64",
    "complex64": "c64",
    "complex128": "c128",
    "bool": "bool",
}


def aval_str(aval: ShapedArray) -> str:
    """``f32[8,8]``-style text for an abstract value."""
    name = np.dtype(aval.dtype).name
    short = _SHORT.get(name, name.replace("uint", "u").replace("int", "i"))
    return f"{short}[{','.join(str(d) for d in aval.shape)}]"


@dataclass(eq=False)
class Var:
    """A value in the graph: a name and an abstract value (shape and dtype)."""

    name: str
    aval: ShapedArray

    def __repr__(self) -> str:
        return f"{self.name}:{aval_str(self.aval)}"


@dataclass(eq=False)
class Equation:
    """``outputs = op(*inputs, **params)``."""

    op: Any
    inputs: list[Var]
    params: dict[str, Any]
    outputs: list[Var]

    def lines(self) -> list[str]:
        """The text form: the equation, then any sub-graph params indented below it."""
        outs = " ".join(repr(v) for v in self.outputs)
        ins = " ".join(v.name for v in self.inputs)
        shown, subgraphs = [], []
        for key, value in self.params.items():
            graphs = _graphs_in(value)
            if graphs:
                subgraphs.extend(
                    (f"{key}[{k}]" if len(graphs) > 1 else key, g) for k, g in enumerate(graphs)
                )
            else:
                shown.append(f"{key}={_param_str(value)}")
        params = f"[{', '.join(shown)}]" if shown else ""
        text = [f"{outs} = {self.op.name}{params} {ins}".rstrip()]
        for label, g in subgraphs:
            text.append(f"  {label}:")
            text.extend("    " + line for line in str(g).splitlines())
        return text

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _graphs_in(value: Any) -> list[Graph]:
    if isinstance(value, Graph):
        return [value]
    if isinstance(value, tuple) and value and all(isinstance(g, Graph) for g in value):
        return list(value)
    return []


def _constant_value(c: Any) -> str:
    """`` = value`` for a constant of at most 4 elements, else nothing."""
    if int(np.prod(c.shape)) > 4:
        return ""
    values = np.asarray(c).reshape(-1).tolist()
    text = repr(values[0]) if not c.shape else repr(values)
    return f" = {text}"


def _param_str(value: Any) -> str:
    if isinstance(value, np.dtype):
        return value.name
    if isinstance(value, (np.ndarray, np.generic)):
        return f"array{list(np.shape(value))}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(eq=False)
class Graph:
    """A traced function; see the module docstring."""

    inputs: list[Var]
    equations: list[Equation]
    outputs: list[Var]
    constants: dict[Var, Any] = field(default_factory=dict)
    captured: dict[Var, Any] = field(default_factory=dict)
    in_tree: Any = None
    out_tree: Any = None

    def __str__(self) -> str:
        head = "graph(" + ", ".join(repr(v) for v in self.inputs) + ")"
        lines = [head]
        for v, c in self.constants.items():
            lines.append(f"  const {v!r}{_constant_value(c)}")
        for v in self.captured:
            lines.append(f"  captured {v!r}")
        for eqn in self.equations:
            lines.extend("  " + line for line in eqn.lines())
        lines.append("  return (" + ", ".join(v.name for v in self.outputs) + ")")
        return "\n".join(lines)

    __repr__ = __str__

    @property
    def in_avals(self) -> list[ShapedArray]:
        """The abstract value of each input."""
        return [v.aval for v in self.inputs]

    @property
    def out_avals(self) -> list[ShapedArray]:
        """The abstract value of each output."""
        return [v.aval for v in self.outputs]


def eval_graph(
    graph: Graph, args: Sequence[Any], captured: Sequence[Any] | None = None
) -> list[Any]:
    """Run ``graph`` on ``args`` (arrays or tracers) one equation at a time through ``bind``.

    This is how a graph meets another transform (``grad`` of a jitted function, a jitted
    function inside another ``jit``, ...): each equation goes to the active transforms exactly
    as if the traced function had run again. Returns the flattened outputs.
    """
    env: dict[Var, Any] = dict(graph.constants)
    if captured is None:
        env.update(graph.captured)
    else:
        env.update(zip(graph.captured, captured, strict=True))
    env.update(zip(graph.inputs, args, strict=True))
    for eqn in graph.equations:
        ins = [env[v] for v in eqn.inputs]
        op = eqn.op
        if hasattr(op, "apply"):
            outs = op.apply(ins, eqn.params)
        else:
            out = bind(op, ins, eqn.params)
            outs = out if op.multiple_results else (out,)
        env.update(zip(eqn.outputs, outs, strict=True))
    return [env[v] for v in graph.outputs]
