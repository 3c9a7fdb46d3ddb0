"""Running a graph on concrete buffers: the graph becomes one generated Python function.

Each equation turns into one kernel call on local variables, so a jitted call pays neither
the public functions' argument handling nor any dispatch. Elementwise kernels that are NumPy
ufuncs write into the buffer of an operand that dies at that equation, when that buffer was
made by a kernel that always returns a new one (a ufunc, or one marked ``fresh_output`` such
as matmul) or was donated, has the result's shape and dtype, and no value that may be a view
of it is read later or returned. Chains of elementwise operations then reuse one buffer
instead of allocating a new one per step.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from ..core.dtypes import bfloat16
from .graph import Graph, Var


def _ufunc_of(kernel: Any) -> np.ufunc | None:
    if isinstance(kernel, np.ufunc):
        return kernel
    inner = getattr(kernel, "ufunc", None)
    return inner if isinstance(inner, np.ufunc) else None


def _is_fresh(op: Any) -> bool:
    """Whether ``op``'s kernel returns a new buffer every call (never a view of an input)."""
    impl = getattr(op, "impl", None)
    return impl is not None and (
        _ufunc_of(impl) is not None or getattr(impl, "fresh_output", False)
    )


def _buffer_ends(graph: Graph) -> dict[Var, int]:
    """For each Var that starts a buffer (an input, a constant, a fresh kernel's result), the
    last equation reading it or any value that may be a view of it (the equation count when
    an output may be one). Results of other kernels (reshape, slicing, control flow, ...) are
    assumed to share the buffers of all their operands."""
    roots: dict[Var, frozenset[Var]] = {
        v: frozenset((v,)) for v in (*graph.inputs, *graph.captured, *graph.constants)
    }
    end: dict[Var, int] = {}
    for i, eqn in enumerate(graph.equations):
        for v in eqn.inputs:
            for r in roots[v]:
                end[r] = i
        if _is_fresh(eqn.op):
            roots.update((o, frozenset((o,))) for o in eqn.outputs)
        else:
            shared = frozenset().union(*(roots[v] for v in eqn.inputs))
            roots.update((o, shared) for o in eqn.outputs)
    for v in graph.outputs:
        for r in roots[v]:
            end[r] = len(graph.equations)
    return end


def compile_graph(
    graph: Graph, donated: Collection[int] = (), reuse_buffers: bool = True
) -> Callable[..., tuple[Any, ...]]:
    """A function ``run(*input_buffers, *captured_buffers) -> output buffers`` for ``graph``.

    ``donated`` lists input positions whose buffers the caller gives up (they may be written
    over). With ``reuse_buffers=False`` no buffer is written in place.
    """
    names: dict[Var, str] = {}
    scope: dict[str, Any] = {}
    for k, v in enumerate(graph.inputs):
        names[v] = f"a{k}"
    for k, v in enumerate(graph.captured):
        names[v] = f"k{k}"
    for k, (v, c) in enumerate(graph.constants.items()):
        names[v] = f"c{k}"
        scope[f"c{k}"] = c._buffer()
    buffer_end = _buffer_ends(graph)
    owned = {graph.inputs[k] for k in donated} if reuse_buffers else set()
    lines = []
    for i, eqn in enumerate(graph.equations):
        for k, v in enumerate(eqn.outputs):
            names[v] = f"v{i}_{k}"
        outs = ", ".join(names[v] for v in eqn.outputs)
        args = ", ".join(names[v] for v in eqn.inputs)
        op = eqn.op
        if not hasattr(op, "impl"):
            scope[f"f{i}"] = op.compile(eqn.params, reuse_buffers)
            lines.append(f"    {outs}, = f{i}({args})")
            continue
        ufunc = _ufunc_of(op.impl) if reuse_buffers else None
        out = eqn.outputs[0]
        target = None
        if ufunc is not None and out.aval.shape and out.aval.dtype != bfloat16:
            for v in eqn.inputs:
                if v in owned and buffer_end[v] == i and v.aval == out.aval:
                    target = v
                    break
        if target is not None:
            scope[f"u{i}"] = ufunc
            lines.append(f"    {outs} = u{i}({args}, out={names[target]})")
        else:
            scope[f"f{i}"] = op.impl
            kwargs = []
            for name, value in eqn.params.items():
                scope[f"p{i}_{name}"] = value
                kwargs.append(f"{name}=p{i}_{name}")
            call = ", ".join([args, *kwargs]) if args else ", ".join(kwargs)
            comma = "," if op.multiple_results else ""
            lines.append(f"    {outs}{comma} = f{i}({call})")
        if _is_fresh(op) and out.aval.shape:
            owned.add(out)
    params = [names[v] for v in graph.inputs] + [names[v] for v in graph.captured]
    result = "".join(names[v] + ", " for v in graph.outputs)
    source = f"def run({', '.join(params)}):\n" + "\n".join(lines) + f"\n    return ({result})\n"
    code = compile(source, "<neurarust.jit>", "exec")
    exec(code, scope)  # the source is generated above from the graph
    run = scope["run"]
    run.source = source
    return run
