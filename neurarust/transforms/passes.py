"""Graph simplification passes: dead-code and common-subexpression elimination.

Constant folding needs no pass: while tracing, a primitive whose operands are all concrete
runs at once (``bind`` only hands it to the staging trace when an operand is abstract), so a
graph never holds an equation without an input-dependent operand.
"""

from __future__ import annotations

from typing import Any

from .graph import Equation, Graph, Var


def eliminate_dead_code(graph: Graph) -> Graph:
    """Drop equations (and constants and captured values) that no output depends on."""
    live: set[Var] = set(graph.outputs)
    kept: list[Equation] = []
    for eqn in reversed(graph.equations):
        if any(v in live for v in eqn.outputs):
            kept.append(eqn)
            live.update(eqn.inputs)
    kept.reverse()
    return Graph(
        inputs=graph.inputs,
        equations=kept,
        outputs=graph.outputs,
        constants={v: c for v, c in graph.constants.items() if v in live},
        captured={v: c for v, c in graph.captured.items() if v in live},
        in_tree=graph.in_tree,
        out_tree=graph.out_tree,
    )


def _params_key(params: dict[str, Any]) -> Any:
    """A hashable key for equal params, or None when a param cannot be compared by value."""
    try:
        key = tuple(sorted(params.items()))
        hash(key)
    except TypeError:
        return None
    return key


def eliminate_common_subexpressions(graph: Graph) -> Graph:
    """Reuse the result of an earlier equation with the same operation, inputs and params."""
    seen: dict[Any, list[Var]] = {}
    rename: dict[Var, Var] = {}
    equations: list[Equation] = []
    for eqn in graph.equations:
        inputs = [rename.get(v, v) for v in eqn.inputs]
        params_key = _params_key(eqn.params)
        key = None if params_key is None else (eqn.op, tuple(inputs), params_key)
        if key is not None and key in seen:
            rename.update(zip(eqn.outputs, seen[key], strict=True))
            continue
        if key is not None:
            seen[key] = eqn.outputs
        equations.append(Equation(eqn.op, inputs, eqn.params, eqn.outputs))
    return Graph(
        inputs=graph.inputs,
        equations=equations,
        outputs=[rename.get(v, v) for v in graph.outputs],
        constants=graph.constants,
        captured=graph.captured,
        in_tree=graph.in_tree,
        out_tree=graph.out_tree,
    )


def simplify(graph: Graph) -> Graph:
    """Common-subexpression elimination, then dead-code elimination."""
    return eliminate_dead_code(eliminate_common_subexpressions(graph))
