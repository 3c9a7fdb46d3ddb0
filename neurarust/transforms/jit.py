"""``jit`` and ``make_graph``: trace once per input signature, simplify, replay.

A jitted function traces its Python body once for each *signature* of its arguments (the tree
structure, each array's shape, dtype and device, and the values of static arguments and of
Python scalars), simplifies the graph (common subexpressions, dead code; constants fold while
tracing) and compiles it to one Python function over the backend's buffers. Later calls with
the same signature run that function directly. Python side effects in the body (printing,
appending to a list, ...) therefore happen while tracing only.

Under another transform (``grad``, ``vmap``, an enclosing ``jit``) the cached graph is replayed
one primitive at a time through that transform, so every composition works.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .. import tree
from ..core.array import Array, wrap
from ..core.errors import InvalidArgumentError, NeurarustError
from ..core.primitive import top_trace
from .executor import compile_graph
from .graph import Graph, eval_graph
from .passes import simplify
from .staging import trace_to_graph

RETRACE_WARNING_LIMIT = 8


class RetraceWarning(UserWarning):
    """A jitted function was traced again and again because an argument keeps changing."""


class DonatedArrayError(NeurarustError):
    """An array whose buffer was donated to a jitted function was used afterwards."""


class _Donated:
    """The buffer slot of an array donated to a jitted call: any use raises."""

    __slots__ = ("fn",)

    def __init__(self, fn: str) -> None:
        self.fn = fn

    def __getattr__(self, name: str) -> Any:
        raise DonatedArrayError(
            f"this array was donated to {self.fn} (donate_argnums) and its buffer may have "
            "been reused for the results; use the function's outputs instead"
        )


class CacheInfo(NamedTuple):
    """Counts of a jitted function's cache: calls that reused a trace, traces, and entries."""

    hits: int
    misses: int
    size: int


@dataclass
class _Entry:
    graph: Graph
    dynamic: list[bool]
    run: Callable[..., Any] | None = None


def _as_leaf(x: Any) -> Any:
    """NumPy arrays become arrays (traced); other non-array leaves stay static values."""
    if isinstance(x, (np.ndarray, np.generic)):
        from ..core.ops import asarray

        return asarray(x)
    return x


def _leaf_signature(x: Any) -> Any:
    if isinstance(x, Array):
        return (tuple(x.shape), x.dtype, x._device())
    return ("value", type(x), x)


def _describe_signature(sig: Any) -> str:
    if isinstance(sig, tuple) and sig and sig[0] == "static":
        return f"value {sig[1]!r}"
    leaves = sig[1]
    if len(leaves) == 1 and leaves[0][0] == "value":
        return f"value {leaves[0][2]!r}"
    if len(leaves) == 1:
        shape, dtype, _ = leaves[0]
        return f"shape {shape} dtype {dtype}"
    parts = [f"{s[2]!r}" if s[0] == "value" else f"{s[1]}{list(s[0])}" for s in leaves[:6]]
    return f"structure {sig[0]} with leaves [{', '.join(parts)}]"


class JitFunction:
    """A function compiled by :func:`jit`; call it like the original."""

    def __init__(
        self,
        f: Callable[..., Any],
        static_argnums: Sequence[int],
        static_argnames: Sequence[str],
        donate_argnums: Sequence[int],
    ) -> None:
        functools.update_wrapper(self, f)
        self._f = f
        self._name = f"jit({getattr(f, '__name__', 'function')})"
        try:
            params = list(inspect.signature(f).parameters.values())
        except (TypeError, ValueError):
            params = []
        self._param_names = [
            p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        nums = set(static_argnums)
        names = set(static_argnames)
        for k, n in enumerate(self._param_names):
            if n in names:
                nums.add(k)
            if k in nums:
                names.add(n)
        self._static_nums = frozenset(nums)
        self._static_names = frozenset(names)
        self._donate = frozenset(donate_argnums)
        overlap = self._static_nums & self._donate
        if overlap:
            raise InvalidArgumentError(
                f"{self._name}: arguments {sorted(overlap)} are both static and donated; "
                "only array arguments can be donated"
            )
        self._cache: dict[Any, _Entry] = {}
        self._plain = not (self._static_nums or self._static_names or self._donate)
        self._fast: dict[Any, Callable[[tuple[Any, ...]], Any]] = {}
        self._hits = 0
        self._misses = 0
        self._last_key: tuple[Any, ...] | None = None
        self._warned = False

    # ----------------------------------------------------------------- introspection
    def cache_info(self) -> CacheInfo:
        """How often a call reused a trace (hits), traced (misses), and the cache size."""
        return CacheInfo(self._hits, self._misses, len(self._cache))

    def clear_cache(self) -> None:
        """Forget every trace."""
        self._cache.clear()
        self._fast.clear()

    def _arg_name(self, k: int | str) -> str:
        if isinstance(k, str):
            return f"argument '{k}'"
        if k < len(self._param_names):
            return f"argument '{self._param_names[k]}' (position {k})"
        return f"argument {k}"

    # ------------------------------------------------------------------------ calls
    def _static_value(self, k: int | str, value: Any) -> Any:
        try:
            hash(value)
        except TypeError as err:
            raise InvalidArgumentError(
                f"{self._name}: static {self._arg_name(k)} must be hashable (it is part of the "
                f"cache key), got {type(value).__name__} {value!r}; pass a tuple instead of a "
                "list, or make it an array argument"
            ) from err
        return ("static", value)

    def _signature(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], list[Any], list[Any], Any, list[int]]:
        """The cache key (one entry per argument), the dynamic leaves, and how to rebuild."""
        key: list[Any] = []
        dyn_args: list[Any] = []
        leaves: list[Any] = []
        donated: list[int] = []
        for k, a in enumerate(args):
            if k in self._static_nums:
                key.append(self._static_value(k, a))
                dyn_args.append(None)
                continue
            flat, treedef = tree.flatten(a)
            flat = [_as_leaf(x) for x in flat]
            if k in self._donate:
                donated.extend(range(len(leaves), len(leaves) + len(flat)))
            leaves.extend(flat)
            dyn_args.append(a)
            key.append((treedef, tuple(_leaf_signature(x) for x in flat)))
        dyn_kwargs: dict[str, Any] = {}
        for name in sorted(kwargs):
            v = kwargs[name]
            if name in self._static_names:
                key.append((name, self._static_value(name, v)))
                continue
            flat, treedef = tree.flatten(v)
            flat = [_as_leaf(x) for x in flat]
            leaves.extend(flat)
            dyn_kwargs[name] = v
            key.append((name, (treedef, tuple(_leaf_signature(x) for x in flat))))
        try:
            hash(tuple(key))
        except TypeError as err:
            raise InvalidArgumentError(
                f"{self._name}: an argument holds an unhashable non-array leaf or pytree "
                f"metadata ({err}); make it an array, or pass it as a static argument"
            ) from err
        return tuple(key), leaves, dyn_args, dyn_kwargs, donated

    def _trace(
        self,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        leaves: list[Any],
        dyn_args: list[Any],
        dyn_kwargs: dict[str, Any],
    ) -> _Entry:
        dynamic = [isinstance(x, Array) for x in leaves]
        arrays = [x for x, d in zip(leaves, dynamic, strict=True) if d]
        _, struct = tree.flatten((dyn_args, dyn_kwargs))

        def body(*arrays_in: Any) -> Any:
            it = iter(arrays_in)
            flat = [next(it) if d else x for x, d in zip(leaves, dynamic, strict=True)]
            a_args, a_kwargs = tree.unflatten(struct, flat)
            full = [args[k] if k in self._static_nums else a for k, a in enumerate(a_args)]
            static_kw = {n: v for n, v in kwargs.items() if n in self._static_names}
            return self._f(*full, **a_kwargs, **static_kw)

        labels = [f"an argument of {self._name}"] * len(arrays)
        graph = trace_to_graph(self._name, body, arrays, tree.structure(tuple(arrays)), labels)
        return _Entry(simplify(graph), dynamic)

    def _note_retrace(self, key: tuple[Any, ...]) -> None:
        previous = self._last_key
        self._last_key = key
        if self._warned or self._misses <= RETRACE_WARNING_LIMIT or previous is None:
            return
        self._warned = True
        change = "its arguments"
        if len(previous) == len(key):
            for k, (old, new) in enumerate(zip(previous, key, strict=True)):
                if old != new:
                    name = self._arg_name(old[0] if isinstance(old[0], str) else k)
                    if isinstance(old[0], str):
                        old, new = old[1], new[1]
                    change = (
                        f"{name}, which changed from {_describe_signature(old)} to "
                        f"{_describe_signature(new)}"
                    )
                    break
        warnings.warn(
            f"{self._name} has been traced {self._misses} times; each new signature of "
            f"{change} triggers a new trace. Pass values that change as arrays (not Python "
            "scalars or static arguments), or keep their shapes fixed.",
            RetraceWarning,
            stacklevel=3,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not kwargs and self._plain:
            signature = []
            for a in args:
                if a.__class__ is not Array:
                    break
                v = a._v
                signature.append((v.shape, v.dtype, v.__class__))
            else:
                fast = self._fast.get(tuple(signature))
                if fast is not None:
                    self._hits += 1
                    return fast(args)
        key, leaves, dyn_args, dyn_kwargs, donated = self._signature(args, kwargs)
        entry = self._cache.get(key)
        if entry is None:
            self._misses += 1
            self._note_retrace(key)
            entry = self._trace(args, kwargs, leaves, dyn_args, dyn_kwargs)
            if not entry.graph.captured:
                self._cache[key] = entry
        else:
            self._hits += 1
        arrays = [x for x, d in zip(leaves, entry.dynamic, strict=True) if d]
        graph = entry.graph
        if graph.captured or top_trace(arrays) is not None:
            outs = eval_graph(graph, arrays)
            return tree.unflatten(graph.out_tree, outs)
        buffers = [a._v for a in arrays]
        if donated:
            donated_inputs = self._donated_inputs(entry, donated)
            for i in donated_inputs:
                b = buffers[i]
                if not (isinstance(b, np.ndarray) and b.flags.writeable and b.flags.owndata):
                    buffers[i] = b.copy()
        else:
            donated_inputs = ()
        if entry.run is None:
            on_host = _reuses_buffers(buffers)
            entry.run = compile_graph(graph, donated_inputs, on_host)
            # The flat key has no device, so it serves host buffers only.
            if on_host and self._plain and not kwargs and all(a.__class__ is Array for a in args):
                self._fast[tuple((b.shape, b.dtype, b.__class__) for b in buffers)] = _fast_call(
                    entry.run, graph.out_tree
                )
        outs = entry.run(*buffers)
        for i in donated_inputs:
            arrays[i]._v = _Donated(self._name)
        return tree.unflatten(graph.out_tree, [wrap(o) for o in outs])

    @staticmethod
    def _donated_inputs(entry: _Entry, donated: list[int]) -> tuple[int, ...]:
        """Graph input positions of the donated leaves."""
        positions = []
        k = 0
        wanted = set(donated)
        for i, d in enumerate(entry.dynamic):
            if d:
                if i in wanted:
                    positions.append(k)
                k += 1
        return tuple(positions)

    def graph(self, *args: Any, **kwargs: Any) -> Graph:
        """The simplified graph this function runs for these arguments (traced if needed)."""
        key, leaves, dyn_args, dyn_kwargs, _ = self._signature(args, kwargs)
        entry = self._cache.get(key) or self._trace(args, kwargs, leaves, dyn_args, dyn_kwargs)
        return entry.graph


def _fast_call(run: Callable[..., Any], out_tree: Any) -> Callable[[tuple[Any, ...]], Any]:
    """The whole call for arguments that are plain arrays of a known signature."""
    if tree.structure(0) == out_tree:

        def call_one(args: tuple[Any, ...]) -> Any:
            out = _new(Array)
            out._v = run(*[a._v for a in args])[0]
            return out

        return call_one

    def call(args: tuple[Any, ...]) -> Any:
        return tree.unflatten(out_tree, [wrap(o) for o in run(*[a._v for a in args])])

    return call


_new = object.__new__


def _reuses_buffers(buffers: list[Any]) -> bool:
    return all(isinstance(b, (np.ndarray, np.generic)) for b in buffers)


def _check_positions(name: str, value: Any) -> tuple[int, ...]:
    nums = (value,) if isinstance(value, int) else tuple(value)
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in nums):
        raise InvalidArgumentError(
            f"jit: argument '{name}' expected non-negative argument positions, got {value!r}"
        )
    return nums


def jit(
    f: Callable[..., Any] | None = None,
    *,
    static_argnums: int | Sequence[int] = (),
    static_argnames: str | Sequence[str] = (),
    donate_argnums: int | Sequence[int] = (),
) -> Any:
    """Compile ``f``: trace it once per input signature into a graph, simplify, and replay.

    Parameters
    ----------
    f: a function of arrays and pytrees of arrays.
    static_argnums, static_argnames: arguments that are Python values rather than arrays
        (sizes, flags, modes); each distinct value gets its own trace, so they must be
        hashable. Python scalars inside the other arguments are treated the same way.
    donate_argnums: arguments whose buffers the caller gives up; the results may be written
        into them, and the donated arrays raise ``DonatedArrayError`` when used afterwards.

    Returns a :class:`JitFunction` (with ``cache_info()`` and ``graph(*args)``). Python side
    effects in ``f`` happen only while tracing. Usable as ``@nr.jit`` or
    ``@nr.jit(static_argnums=...)``.

    Examples
    --------
    >>> f = nr.jit(lambda x: nr.sin(x) * 2)
    >>> f(nr.asarray([0.0, 1.0]))
    Array([0.       , 1.6829419], dtype=float32)
    """
    nums = _check_positions("static_argnums", static_argnums)
    names = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames)
    donate = _check_positions("donate_argnums", donate_argnums)
    if f is None:
        return lambda g: JitFunction(g, nums, names, donate)
    if not callable(f):
        raise InvalidArgumentError(f"jit: expected a callable, got {type(f).__name__}")
    return JitFunction(f, nums, names, donate)


def make_graph(f: Callable[..., Any], **jit_options: Any) -> Callable[..., Graph]:
    """A function returning the graph ``f`` traces to for the given arguments.

    ``print(nr.make_graph(f)(x, y))`` shows one primitive a line with shapes and dtypes.
    Keyword options are those of :func:`jit` (``static_argnums``, ``static_argnames``).
    """
    jitted = jit(f, **jit_options)

    def graph_of(*args: Any, **kwargs: Any) -> Graph:
        return jitted.graph(*args, **kwargs)

    return graph_of
