"""Containers: ``Sequential`` (layers named ``"0"``, ``"1"``, ... as in PyTorch) and ``Lambda``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import neurarust as nr

from . import init
from .module import Module, field_names

__all__ = ["Lambda", "Sequential"]


class Lambda(Module):
    """A function as a layer, e.g. ``Lambda(nr.nn.functional.relu)`` inside a Sequential.

    ``fn`` is static (part of the tree structure), so it holds no parameters.
    """

    fn: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)


@functools.cache
def _takes_key(cls: type) -> bool:
    return "key" in inspect.signature(cls.__call__).parameters


class Sequential(Module):
    """Layers applied in order; parameters are named ``"0.weight"``, ``"2.bias"``, ...

    Takes layers as arguments, one list of them, or a dict of names to layers. Plain
    functions are wrapped in :class:`Lambda`. Indexing gives a layer, slicing a Sequential
    that keeps the original names. ``key=`` is split among the layers that take one
    (Dropout).

    Examples
    --------
    >>> k1, k2 = nr.random.split(nr.random.key(0))
    >>> seq = nr.nn.Sequential(nr.nn.Linear(4, 8, key=k1), nr.nn.relu, nr.nn.Linear(8, 2, key=k2))
    >>> [name for name, _ in nr.nn.named_parameters(seq)]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> seq[1:].__class__.__name__, len(seq)
    ('Sequential', 3)
    """

    def __init__(self, *layers: Any) -> None:
        if len(layers) == 1 and isinstance(layers[0], Mapping):
            named = [(str(k), v) for k, v in layers[0].items()]
        else:
            if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
                layers = tuple(layers[0])
            named = [(str(i), layer) for i, layer in enumerate(layers)]
        for name, layer in named:
            if name in ("training", "fn") or not name or "." in name:
                raise ValueError(f"Sequential: {name!r} is not a valid layer name")
            if not isinstance(layer, Module):
                if not callable(layer):
                    raise TypeError(
                        f"Sequential: layer {name!r} expected a Module or a function, got "
                        f"{type(layer).__name__}"
                    )
                layer = Lambda(layer)
            setattr(self, name, layer)

    def _names(self) -> list[str]:
        return [n for n in field_names(self) if n != "training"]

    def __len__(self) -> int:
        return len(self._names())

    def __iter__(self) -> Iterator[Module]:
        return (getattr(self, n) for n in self._names())

    def __getitem__(self, index: int | slice | str) -> Any:
        names = self._names()
        if isinstance(index, slice):
            part = Sequential({n: getattr(self, n) for n in names[index]})
            return part if part.training == self.training else part.replace(training=self.training)
        if isinstance(index, str):
            return getattr(self, index)
        return getattr(self, names[index])

    def __call__(self, input: Any, *, key: Any = None) -> Any:  # noqa: A002
        layers = list(self)
        keys = nr.random.split(init.as_key(key), len(layers)) if key is not None else None
        out = input
        for i, layer in enumerate(layers):
            if keys is not None and _takes_key(type(layer)):
                out = layer(out, key=keys[i])
            else:
                out = layer(out)
        return out
