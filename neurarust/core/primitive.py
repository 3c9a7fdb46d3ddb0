"""Primitives, the registry, and the dispatch of a primitive to the active transform.

A :class:`Primitive` is the unit every transform understands. It is declared once, in the file
of its family, with

- ``impl``: the forward kernel, written against the array namespace of its buffers;
- ``shape_rule``: ``(*avals, **params) -> ShapedArray`` (or a tuple of them);
- ``jvp``: one rule per argument, ``rule(tangent, out, *primals, **params) -> tangent_out``;
- ``vjp``: one rule per argument, ``rule(cotangent, out, *primals, **params) -> cotangent_in``;
- ``batch``: the slot for its vmap rule.

Primitives take arrays of equal shapes and dtypes where they combine several inputs: the public
functions above them do broadcasting and promotion, so rules never un-broadcast.

Transforms are *traces* kept on a stack with increasing levels (JAX's design). ``bind`` finds
the highest-level trace among its arguments' tracers and lets it process the primitive; with no
tracer among the arguments the kernel runs at once on the buffers (the eager fast path).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .array import Array, wrap
from .errors import TracerLeakError

REGISTRY: dict[str, Primitive] = {}


class ShapedArray(NamedTuple):
    """The abstract value of an array: its shape and dtype."""

    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)


# What a primitive's derivative rules read of its inputs and output, so that reverse mode
# keeps only that alive: the values, only their shapes and dtypes, or nothing at all.
VALUES = "values"
SHAPES = "shapes"
NOTHING = "nothing"


class Primitive:
    """One operation that transforms know how to differentiate, batch and stage.

    ``residuals`` says what the derivative rules read of the primal inputs and output:
    ``VALUES`` (the default), ``SHAPES`` (only ``.shape``/``.dtype``/``.ndim``) or
    ``NOTHING``; reverse mode keeps no more than that alive until the backward pass.
    """

    __slots__ = (
        "name",
        "impl",
        "shape_rule",
        "jvp",
        "vjp",
        "batch",
        "multiple_results",
        "differentiable",
        "residuals",
    )

    def __init__(
        self,
        name: str,
        impl: Callable[..., Any],
        shape_rule: Callable[..., Any],
        *,
        multiple_results: bool = False,
        differentiable: bool = True,
    ) -> None:
        if name in REGISTRY:
            raise ValueError(f"Primitive {name!r} is defined twice")
        self.name = name
        self.impl = impl
        self.shape_rule = shape_rule
        self.multiple_results = multiple_results
        self.differentiable = differentiable
        self.jvp: tuple[Callable[..., Any] | None, ...] | None = None
        self.vjp: tuple[Callable[..., Any] | None, ...] | None = None
        self.batch: Callable[..., Any] | None = None
        self.residuals = VALUES
        REGISTRY[name] = self

    def defjvp(self, *rules: Callable[..., Any] | None) -> Primitive:
        """Set one forward-mode rule per argument (``None`` for a non-differentiable one)."""
        self.jvp = rules
        return self

    def defvjp(self, *rules: Callable[..., Any] | None) -> Primitive:
        """Set one reverse-mode rule per argument (``None`` for a non-differentiable one)."""
        self.vjp = rules
        return self

    def defbatch(self, rule: Callable[..., Any]) -> Primitive:
        """Set the vmap rule."""
        self.batch = rule
        return self

    def bind(self, *args: Any, **params: Any) -> Any:
        """Apply the primitive to arrays (or tracers); see the module docstring."""
        return bind(self, args, params)

    def __repr__(self) -> str:
        return f"Primitive({self.name})"


class Trace:
    """A transform in progress. Subclasses implement :meth:`process`."""

    __slots__ = ("level", "alive", "name")

    def __init__(self, name: str) -> None:
        self.level = len(TRACE_STACK) + 1
        self.alive = True
        self.name = name

    def process(self, prim: Primitive, args: tuple[Any, ...], params: dict[str, Any]) -> Any:
        raise NotImplementedError  # every concrete trace overrides this

    def __enter__(self) -> Trace:
        TRACE_STACK.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        TRACE_STACK.pop()
        self.alive = False


TRACE_STACK: list[Trace] = []


def _leak(prim: Primitive, trace: Trace) -> TracerLeakError:
    return TracerLeakError(
        f"{prim.name}: an argument is a value recorded by a {trace.name} transform that has "
        "already returned (a tracer leak). Values computed inside a transformed function are "
        "only valid until it returns: return them from the function instead of storing them "
        "in a global or an object."
    )


def bind(prim: Primitive, args: tuple[Any, ...] | list[Any], params: dict[str, Any]) -> Any:
    """Run ``prim`` on ``args``: at the highest active trace among them, else eagerly."""
    top: Trace | None = None
    for a in args:
        if a.__class__ is not Array:
            t = a._trace
            if not t.alive:
                raise _leak(prim, t)
            if top is None or t.level > top.level:
                top = t
    if top is None:
        out = prim.impl(*[a._v for a in args], **params)
        if prim.multiple_results:
            return tuple(wrap(o) for o in out)
        result = _new(Array)
        result._v = out
        return result
    return top.process(prim, args, params)


_new = object.__new__


class Tracer(Array):
    """An array value seen by a transform. ``_v`` holds the primal value one level down."""

    __slots__ = ("_trace",)

    def __new__(cls, *args: Any) -> Tracer:
        return object.__new__(cls)

    def _buffer(self) -> Any:
        return self._v._buffer()

    def _namespace(self) -> Any:
        return self._v._namespace()

    def _device(self) -> Any:
        return self._v._device()


def top_trace(leaves: Any) -> Trace | None:
    """The highest-level live trace among the tracers in ``leaves`` (None if there are none)."""
    top: Trace | None = None
    for a in leaves:
        if isinstance(a, Tracer):
            t = a._trace
            if not t.alive:
                raise TracerLeakError(
                    f"a value recorded by a {t.name} transform was used after that transform "
                    "returned (a tracer leak); return it from the transformed function instead"
                )
            if top is None or t.level > top.level:
                top = t
    return top
