"""Running a graph on concrete buffers: the graph becomes one generated Python function.

Each equation turns into one kernel call on local variables, so a jitted call pays neither
the public functions' argument handling nor any dispatch. Elementwise kernels that are NumPy
ufuncs write into the buffer of an operand that dies at that equation (when the operand's
buffer was made by such a kernel in this run, or was donated, and has the result's shape and
dtype): chains of elementwise operations then reuse one buffer instead of allocating a new
one per step. Kernels marked ``fresh_output`` (matmul) also hand over a new buffer each call.
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
    last_use: dict[Var, int] = {}
    for i, eqn in enumerate(graph.equations):
        for v in eqn.inputs:
            last_use[v] = i
    for v in graph.outputs:
        last_use[v] = len(graph.equations)
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
                if v in owned and last_use[v] == i and v.aval == out.aval:
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
        if (ufunc is not None or getattr(op.impl, "fresh_output", False)) and out.aval.shape:
            owned.add(out)
    params = [names[v] for v in graph.inputs] + [names[v] for v in graph.captured]
    result = "".join(names[v] + ", " for v in graph.outputs)
    source = f"def run({', '.join(params)}):\n" + "\n".join(lines) + f"\n    return ({result})\n"
    code = compile(source, "<neurarust.jit>", "exec")
    exec(code, scope)  # the source is generated above from the graph
    run = scope["run"]
    run.source = source
    return run
