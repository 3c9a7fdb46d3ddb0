"""``Module``: a frozen dataclass that is also a pytree.

A layer is its field declarations, an ``__init__`` taking a key, and ``__call__``. Fields are
assigned only inside ``__init__``; afterwards the module is immutable and changes are made
functionally with :meth:`Module.replace`. When ``__init__`` returns, every field is classified
by its value: arrays and sub-modules (also inside lists, tuples and dicts) and ``None`` are
*children* (pytree subtrees); everything else — ints, floats, strings, tuples of them,
functions, the ``training`` flag — is *static* and lives in the tree structure. Rebuilding a
module from its leaves (``nr.tree.unflatten``, ``nr.tree.map``, ``grad``) bypasses ``__init__``.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, dataclass_transform

import numpy as np
import optree

from .. import tree
from ..core.array import Array
from ..core.dtypes import canonicalize, is_float
from ..core.errors import ImmutableError, NeurarustError

_LAYOUT = "__nr_layout__"
_INIT = "__nr_init_depth__"
_INTERNAL = frozenset({_LAYOUT, _INIT})

# Set by ``nr.nn.summary``: a list that every module call appends ``(module, output)`` to.
call_recorder: contextvars.ContextVar[list[tuple[Any, Any]] | None] = contextvars.ContextVar(
    "neurarust_nn_call_recorder", default=None
)


def field(*, buffer: bool = False, **kwargs: Any) -> Any:
    """Declare a Module field; ``buffer=True`` marks non-trainable arrays (running statistics).

    Other keyword arguments (``default``, ``default_factory``, ...) go to
    :func:`dataclasses.field`.

    Examples
    --------
    >>> class Counter(nr.nn.Module):
    ...     count: nr.Array = nr.nn.field(buffer=True)
    """
    metadata = {**(kwargs.pop("metadata", None) or {}), "buffer": buffer}
    return dataclasses.field(metadata=metadata, **kwargs)


class _Layout(NamedTuple):
    """Which fields a module instance has (in order), and which are children or static."""

    names: tuple[str, ...]
    children: tuple[str, ...]
    static: tuple[str, ...]


def _layout(names: tuple[str, ...], static: set[str] | frozenset[str]) -> _Layout:
    return _Layout(
        names, tuple(n for n in names if n not in static), tuple(n for n in names if n in static)
    )


def is_module(x: Any) -> bool:
    """True for a :class:`Module` (used as ``is_leaf`` to stop tree traversals at modules)."""
    return isinstance(x, Module)


def _is_dynamic_leaf(x: Any) -> bool:
    return isinstance(x, (Array, np.ndarray, Module)) or hasattr(x, "__cuda_array_interface__")


def _is_static(value: Any) -> bool:
    """A hyper-parameter: not None, and holding no array and no module at any depth."""
    if value is None:
        return False
    return not any(_is_dynamic_leaf(x) for x in tree.leaves(value, is_leaf=is_module))


def _flatten(module: Module) -> tuple[list[Any], tuple[_Layout, tuple[Any, ...]], tuple[str, ...]]:
    d = module.__dict__
    layout = d[_LAYOUT]
    return (
        [d[n] for n in layout.children],
        (layout, tuple(d[n] for n in layout.static)),
        layout.children,
    )


def _unflatten(cls: type, aux: tuple[_Layout, tuple[Any, ...]], children: Any) -> Module:
    layout, static_values = aux
    module = object.__new__(cls)
    d = module.__dict__
    d.update(zip(layout.children, children, strict=True))
    d.update(zip(layout.static, static_values, strict=True))
    d[_LAYOUT] = layout
    return module


def _finish_init(module: Module) -> None:
    """Fill defaults, check every declared field is set, and record the layout."""
    d = module.__dict__
    cls = type(module)
    declared = [f.name for f in dataclasses.fields(cls)]
    missing = []
    for f in dataclasses.fields(cls):
        if f.name in d:
            continue
        if f.default is not dataclasses.MISSING:
            d[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            d[f.name] = f.default_factory()
        else:
            missing.append(f.name)
    if missing:
        raise TypeError(
            f"{cls.__name__}.__init__ did not set field(s) {', '.join(map(repr, missing))}; "
            f"assign each declared field in __init__, e.g. `self.{missing[0]} = ...`"
        )
    extra = [n for n in d if n not in _INTERNAL and n not in declared]
    names = tuple(declared + extra)
    d[_LAYOUT] = _layout(names, {n for n in names if _is_static(d[n])})


def _wrap_init(init: Callable[..., None], custom: bool) -> Callable[..., None]:
    @functools.wraps(init)
    def __init__(self: Module, *args: Any, **kwargs: Any) -> None:  # noqa: N807
        d = self.__dict__
        depth = d.get(_INIT, 0)
        d[_INIT] = depth + 1
        try:
            init(self, *args, **kwargs)
        finally:
            if depth:
                d[_INIT] = depth
            else:
                del d[_INIT]
        if not depth:
            _finish_init(self)

    __init__._nr_custom = custom  # type: ignore[attr-defined]
    return __init__


def iter_modules(module: Module, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple, Any, bool]]:
    """``(path, node, is_buffer)`` in tree order: each module (pre-order) and each leaf."""
    yield path, module, False
    d = module.__dict__
    buffers = type(module).__nr_buffers__
    for name in d[_LAYOUT].children:
        pairs, _ = tree.flatten_with_path(d[name], is_leaf=is_module)
        for sub, x in pairs:
            if isinstance(x, Module):
                yield from iter_modules(x, (*path, name, *sub))
            else:
                yield (*path, name, *sub), x, name in buffers


def _locate(err: NeurarustError, module: Module) -> None:
    """Prefix an error raised inside ``module`` with the layer type and its path."""
    info = err.__dict__.get("_nr_location")
    if info is None:
        info = err._nr_location = [module, module, ""]  # type: ignore[attr-defined]
        err._nr_message = str(err.args[0]) if err.args else ""  # type: ignore[attr-defined]
    else:
        _, last, path = info
        if last is None:
            return
        found = [p for p, m, _ in iter_modules(module) if m is last]
        if not found:
            info[1] = None
            return
        sub = tree.keystr(found[0])
        info[1], info[2] = module, ".".join(p for p in (sub, path) if p)
    where = f" at '{info[2]}'" if info[2] else ""
    text = f"{type(info[0]).__name__}{where}: {err._nr_message}"  # type: ignore[attr-defined]
    err.args = (text, *err.args[1:])


def _located(call: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``__call__``: errors name the layer and its path; ``summary`` sees outputs."""

    @functools.wraps(call)
    def __call__(self: Module, *args: Any, **kwargs: Any) -> Any:  # noqa: N807
        try:
            out = call(self, *args, **kwargs)
        except NeurarustError as err:
            _locate(err, self)
            raise
        recorder = call_recorder.get()
        if recorder is not None:
            recorder.append((self, out))
        return out

    return __call__


class _Text(str):
    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _short(value: Any) -> Any:
    if isinstance(value, Array):
        return _Text(f"{value.dtype}{list(value.shape)}")
    if isinstance(value, Module):
        return _Text(repr(value))
    return value


@dataclass_transform(field_specifiers=(dataclasses.field, field))
class Module:
    """Base class of layers and models: a frozen dataclass and a pytree.

    Subclasses declare their fields, assign them in ``__init__`` (or get a generated
    ``__init__`` when they define none), and implement ``__call__`` (or PyTorch's
    ``forward``).

    Examples
    --------
    >>> class MLP(nr.nn.Module):
    ...     fc1: nr.nn.Linear
    ...     fc2: nr.nn.Linear
    ...     def __init__(self, key):
    ...         k1, k2 = nr.random.split(key)
    ...         self.fc1 = nr.nn.Linear(4, 8, key=k1)
    ...         self.fc2 = nr.nn.Linear(8, 2, key=k2)
    ...     def __call__(self, x):
    ...         return self.fc2(nr.nn.functional.relu(self.fc1(x)))
    >>> model = MLP(nr.random.key(0))
    >>> [name for name, _ in nr.nn.named_parameters(model)]
    ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    >>> model = model.eval()              # a copy with training=False everywhere
    """

    training: bool = dataclasses.field(default=True, init=False, repr=False)
    __nr_buffers__ = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = "__init__" in cls.__dict__
        inherited_custom = not own and getattr(cls.__init__, "_nr_custom", False)
        dataclasses.dataclass(cls, init=not (own or inherited_custom), repr=False, eq=False)
        if "__init__" in cls.__dict__:
            cls.__init__ = _wrap_init(cls.__dict__["__init__"], custom=own)  # type: ignore[method-assign]
        if "__call__" in cls.__dict__:
            cls.__call__ = _located(cls.__dict__["__call__"])  # type: ignore[method-assign]
        cls.__nr_buffers__ = frozenset(
            f.name for f in dataclasses.fields(cls) if f.metadata.get("buffer")
        )
        optree.register_pytree_node(
            cls, _flatten, functools.partial(_unflatten, cls), namespace=tree.NAMESPACE
        )

    def __setattr__(self, name: str, value: Any) -> None:
        if self.__dict__.get(_INIT):
            object.__setattr__(self, name, value)
            return
        raise ImmutableError(
            f"{type(self).__name__} is immutable after __init__, so `module.{name} = value` "
            f"cannot change it; write the functional update instead:\n"
            f"    module = module.replace({name}=value)   # or nr.nn.replace(module, "
            f"{name}=value)"
        )

    def __delattr__(self, name: str) -> None:
        raise ImmutableError(
            f"{type(self).__name__} is immutable: `del module.{name}` is not allowed; use "
            f"module.replace({name}=None) for an optional field"
        )

    @_located
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        forward = getattr(type(self), "forward", None)
        if forward is None:
            raise NotImplementedError(
                f"{type(self).__name__}: define __call__ (or forward) to make the module callable"
            )
        return forward(self, *args, **kwargs)

    def __repr__(self) -> str:
        d = self.__dict__
        parts = [
            f"{n}={_short(v) if is_module(v) else tree.map(_short, v, is_leaf=is_module)!r}"
            for n, v in ((n, d[n]) for n in d[_LAYOUT].names)
            if n != "training"
        ]
        line = f"{type(self).__name__}({', '.join(parts)})"
        if len(line) <= 100 and "\n" not in line:
            return line
        body = ",\n".join("  " + p.replace("\n", "\n  ") for p in parts)
        return f"{type(self).__name__}(\n{body}\n)"

    # ----------------------------------------------------------- functional updates
    def replace(self, **changes: Any) -> Any:
        """A copy with some fields changed; ``__init__`` is not called again.

        Examples
        --------
        >>> layer = nr.nn.Linear(2, 3, key=0)
        >>> layer = layer.replace(bias=nr.zeros(3))
        """
        d = self.__dict__
        layout = d[_LAYOUT]
        unknown = [n for n in changes if n not in layout.names]
        if unknown:
            raise TypeError(
                f"{type(self).__name__}.replace: unknown field(s) {', '.join(map(repr, unknown))}; "
                f"the fields are {', '.join(layout.names)}"
            )
        static = set(layout.static)
        for name, value in changes.items():
            if value is not None:
                (static.add if _is_static(value) else static.discard)(name)
        return self._with(changes, layout if static == set(layout.static) else None, static)

    def _with(
        self, changes: dict[str, Any], layout: _Layout | None = None, static: Any = ()
    ) -> Any:
        new = object.__new__(type(self))
        d = new.__dict__
        d.update(self.__dict__)
        d.update(changes)
        if layout is None:
            layout = _layout(self.__dict__[_LAYOUT].names, frozenset(static))
        d[_LAYOUT] = layout
        return new

    def apply(self, fn: Callable[[Any], Any]) -> Any:
        """A new model where ``fn`` replaced every sub-module, children first (post-order).

        ``fn(module)`` returns the new module (``None`` keeps it unchanged).

        Examples
        --------
        >>> def zero_bias(m):
        ...     if isinstance(m, nr.nn.Linear):
        ...         return m.replace(bias=nr.zeros_like(m.bias))
        >>> model = model.apply(zero_bias)
        """

        def visit(module: Module) -> Module:
            d = module.__dict__
            changes = {
                n: visit(d[n])
                if isinstance(d[n], Module)
                else tree.map(lambda x: visit(x) if is_module(x) else x, d[n], is_leaf=is_module)
                for n in d[_LAYOUT].children
            }
            rebuilt = module._with(changes, d[_LAYOUT])
            result = fn(rebuilt)
            if result is None:
                return rebuilt
            if not isinstance(result, Module):
                raise TypeError(
                    f"Module.apply: fn must return a Module (or None to keep it), got "
                    f"{type(result).__name__} for {type(module).__name__}"
                )
            return result

        return visit(self)

    def train(self, mode: bool = True) -> Any:
        """A copy with ``training=mode`` in this module and every sub-module."""
        return self.apply(
            lambda m: m if m.training == mode else m._with({"training": mode}, m.__dict__[_LAYOUT])
        )

    def eval(self) -> Any:
        """A copy in evaluation mode (``training=False`` everywhere)."""
        return self.train(False)

    def to(self, device: Any) -> Any:
        """A copy with every array leaf moved to ``device``."""
        return tree.map(lambda x: x.to(device) if isinstance(x, Array) else x, self)

    def astype(self, dtype: Any) -> Any:
        """A copy with every floating-point array leaf converted to ``dtype``."""
        dtype = canonicalize(dtype, "Module.astype")
        return tree.map(
            lambda x: x.astype(dtype) if isinstance(x, Array) and is_float(x.dtype) else x, self
        )

    # -------------------------------------------- PyTorch-style introspection methods
    def named_parameters(self) -> list[tuple[str, Array]]:
        """See :func:`neurarust.nn.named_parameters`."""
        from .introspection import named_parameters

        return named_parameters(self)

    def parameters(self) -> list[Array]:
        """See :func:`neurarust.nn.parameters`."""
        from .introspection import parameters

        return parameters(self)

    def named_buffers(self) -> list[tuple[str, Array]]:
        """See :func:`neurarust.nn.named_buffers`."""
        from .introspection import named_buffers

        return named_buffers(self)

    def named_modules(self) -> list[tuple[str, Module]]:
        """See :func:`neurarust.nn.named_modules`."""
        from .introspection import named_modules

        return named_modules(self)

    def modules(self) -> list[Module]:
        """See :func:`neurarust.nn.modules`."""
        from .introspection import modules

        return modules(self)

    def named_children(self) -> list[tuple[str, Module]]:
        """See :func:`neurarust.nn.named_children`."""
        from .introspection import named_children

        return named_children(self)

    def children(self) -> list[Module]:
        """See :func:`neurarust.nn.children`."""
        from .introspection import children

        return children(self)

    def state_dict(self) -> dict[str, Array]:
        """See :func:`neurarust.nn.state_dict`."""
        from .state_dict import state_dict

        return state_dict(self)

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> Any:
        """See :func:`neurarust.nn.load_state_dict`; returns the new model."""
        from .state_dict import load_state_dict

        return load_state_dict(self, state_dict, strict)


dataclasses.dataclass(Module, init=True, repr=False, eq=False)
Module.__init__ = _wrap_init(Module.__init__, custom=False)  # type: ignore[method-assign]
optree.register_pytree_node(
    Module, _flatten, functools.partial(_unflatten, Module), namespace=tree.NAMESPACE
)


def replace(module: Module, **changes: Any) -> Any:
    """Function form of :meth:`Module.replace`: ``nr.nn.replace(model, fc1=new_fc1)``."""
    return module.replace(**changes)


def field_names(module: Module) -> tuple[str, ...]:
    """The names of ``module``'s fields in order (declared ones first, then those added in
    ``__init__``, such as Sequential's ``"0"``, ``"1"``, ...)."""
    return module.__dict__[_LAYOUT].names
