"""The immutable :class:`Array`.

An Array holds one backend buffer (``numpy.ndarray``/``numpy.generic`` on the CPU,
``cupy.ndarray`` on CUDA) in ``_v`` and never writes to it. Transforms use subclasses of Array
(tracers, see :mod:`neurarust.core.primitive`); every method therefore goes through the public
functions unless ``self`` is a plain Array, when the common operators take a fast path straight
to the backend kernel.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from . import backend
from .errors import ConcretizationError

_new = object.__new__


class Array:
    """An immutable n-dimensional array (NumPy on the CPU, CuPy on CUDA).

    Create arrays with :func:`neurarust.asarray` or the creation functions; ``Array(data)``
    is the same as ``nr.asarray(data)``.

    Examples
    --------
    >>> import neurarust as nr
    >>> x = nr.asarray([[1.0, 2.0]])
    >>> x * 2
    Array([[2., 4.]], dtype=float32)
    """

    __slots__ = ("_v",)
    __array_priority__ = 100
    __hash__ = None  # type: ignore[assignment]  # elementwise ==, so not hashable

    def __new__(cls, data: Any = None, dtype: Any = None, device: Any = None) -> Array:
        return _ops.asarray(data, dtype=dtype, device=device)

    # ----------------------------------------------------------------- attributes
    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each dimension."""
        return self._v.shape

    @property
    def dtype(self) -> np.dtype:
        """The element type (a NumPy dtype object such as ``nr.float32``)."""
        return self._v.dtype

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return len(self.shape)

    @property
    def size(self) -> int:
        """The number of elements."""
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def device(self) -> backend.Device:
        """The device holding the buffer."""
        return self._device()

    @property
    def T(self) -> Array:
        """The array with its two dimensions swapped (2-D arrays only)."""
        return _ops.array_T(self)

    @property
    def mT(self) -> Array:
        """The array with its last two dimensions swapped."""
        return _ops.matrix_transpose(self)

    @property
    def at(self) -> Any:
        """Functional updates: ``x.at[idx].set(v)``, ``.add(v)``, ... return new arrays."""
        return _ops.AtIndexer(self)

    @property
    def real(self) -> Array:
        """The real part."""
        return _ops.real(self)

    @property
    def imag(self) -> Array:
        """The imaginary part."""
        return _ops.imag(self)

    # ----------------------------------------------------------- concrete values
    def _buffer(self) -> Any:
        """The concrete backend buffer (tracers look through to their primal value)."""
        return self._v

    def _namespace(self) -> Any:
        """The array namespace of the buffer (known without a concrete value)."""
        return backend.namespace(self._v)

    def _device(self) -> backend.Device:
        """The device of the buffer (known without a concrete value)."""
        return backend.device_of(self._v)

    def _scalar(self, kind: str) -> Any:
        v = self._buffer()
        if v.size != 1:
            raise TypeError(
                f"{kind}: only one-element arrays convert to Python scalars, got shape {self.shape}"
            )
        return v.reshape(()).item() if hasattr(v, "reshape") else v.item()

    def __bool__(self) -> bool:
        return bool(self._scalar("bool"))

    def __float__(self) -> float:
        return float(self._scalar("float"))

    def __int__(self) -> int:
        return int(self._scalar("int"))

    def __complex__(self) -> complex:
        return complex(self._scalar("complex"))

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise TypeError(f"__index__: expected an integer array, got dtype {self.dtype}")
        return int(self._scalar("__index__"))

    def item(self) -> Any:
        """The value of a one-element array as a Python scalar."""
        return self._scalar("item")

    def tolist(self) -> Any:
        """The values as nested Python lists."""
        return np.asarray(self.numpy()).tolist()

    def numpy(self) -> np.ndarray:
        """The values as a read-only NumPy array (a view on the CPU, a copy from a GPU)."""
        v = self._buffer()
        if not isinstance(v, np.ndarray):
            v = v.get() if hasattr(v, "get") and not isinstance(v, np.generic) else np.asarray(v)
            v.flags.writeable = False
            return v
        view = v.view()
        view.flags.writeable = False
        return view

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        out = self.numpy()
        if dtype is not None and np.dtype(dtype) != out.dtype:
            return out.astype(dtype)
        if copy:
            return out.copy()
        return out

    def __dlpack__(self, **kwargs: Any) -> Any:
        v = self._buffer()
        if isinstance(v, np.generic):
            v = np.asarray(v)
        return v.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple[int, int]:
        v = self._buffer()
        if isinstance(v, np.generic):
            v = np.asarray(v)
        return v.__dlpack_device__()

    def __array_namespace__(self, *, api_version: str | None = None) -> Any:
        import neurarust

        if api_version not in (None, "2021.12", "2022.12", "2023.12", "2024.12"):
            raise ValueError(
                f"__array_namespace__: argument 'api_version' expected one of 2021.12 to "
                f"2024.12, got {api_version!r}"
            )
        return neurarust

    def to(self, device: Any) -> Array:
        """A copy of this array on ``device`` (itself when it is already there)."""
        return _ops.to_device(self, device)

    def to_device(self, device: Any, /, *, stream: Any = None) -> Array:
        """Array API spelling of :meth:`to`."""
        return _ops.to_device(self, device)

    # --------------------------------------------------------------- printing
    def __repr__(self) -> str:
        try:
            v = self._buffer()
        except ConcretizationError:
            return f"{type(self).__name__}(shape={self.shape}, dtype={self.dtype})"
        text = np.array2string(np.asarray(self.numpy()), separator=", ", prefix="Array(")
        return f"Array({text}, dtype={self.dtype})" if v is not None else "Array(?)"

    def __str__(self) -> str:
        return np.array2string(np.asarray(self.numpy()))

    def __format__(self, spec: str) -> str:
        if self.ndim == 0 and spec:
            return format(self.item(), spec)
        return str(self)

    # -------------------------------------------------------------- sequences
    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d array")
        return self.shape[0]

    def __iter__(self) -> Any:
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, key: Any) -> Array:
        return _ops.getitem(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError(
            "neurarust arrays are immutable: instead of `x[idx] = v` write `x = x.at[idx].set(v)`"
        )

    def __getattr__(self, name: str) -> Any:
        if name.endswith("_") and not name.endswith("__"):
            raise AttributeError(_inplace_hint(name))
        raise AttributeError(f"'Array' object has no attribute {name!r}")

    # ------------------------------------------------------- methods (public ops)
    def astype(self, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Array:
        """This array converted to ``dtype`` (float to int truncates toward zero)."""
        return _ops.astype(self, dtype, copy=copy, device=device)

    def reshape(self, *shape: Any) -> Array:
        """The same values in a new shape (``-1`` infers one dimension)."""
        return _ops.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes: Any) -> Array:
        """Permute the dimensions (reverse them when no axes are given)."""
        if len(axes) == 1 and axes[0] is not None and not isinstance(axes[0], int):
            axes = tuple(axes[0])
        return _ops.transpose(self, axes or None)

    def permute(self, *dims: Any) -> Array:
        """PyTorch spelling of :meth:`transpose` with explicit dims."""
        return _ops.permute_dims(self, dims[0] if len(dims) == 1 else dims)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Array:
        """Merge dimensions ``start_dim..end_dim`` into one."""
        return _ops.flatten(self, start_dim, end_dim)

    def squeeze(self, axis: Any = None) -> Array:
        """Drop dimensions of size one."""
        return _ops.squeeze(self, axis)

    def unsqueeze(self, dim: int) -> Array:
        """Insert a dimension of size one at ``dim``."""
        return _ops.expand_dims(self, dim)

    def expand(self, *shape: Any) -> Array:
        """Broadcast to ``shape`` (``-1`` keeps a dimension)."""
        return _ops.expand(self, shape[0] if len(shape) == 1 else shape)

    def sum(self, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Array:
        """Sum over ``axis``."""
        return _ops.sum(self, axis=axis, keepdims=keepdims, dtype=dtype)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Array:
        """Mean over ``axis``."""
        return _ops.mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Array:
        """Maximum over ``axis``."""
        return _ops.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> Array:
        """Minimum over ``axis``."""
        return _ops.min(self, axis=axis, keepdims=keepdims)

    def prod(self, axis: Any = None, keepdims: bool = False) -> Array:
        """Product over ``axis``."""
        return _ops.prod(self, axis=axis, keepdims=keepdims)

    def var(self, axis: Any = None, correction: float = 0.0, keepdims: bool = False) -> Array:
        """Variance over ``axis`` (``correction=1`` for the unbiased estimate)."""
        return _ops.var(self, axis=axis, correction=correction, keepdims=keepdims)

    def std(self, axis: Any = None, correction: float = 0.0, keepdims: bool = False) -> Array:
        """Standard deviation over ``axis``."""
        return _ops.std(self, axis=axis, correction=correction, keepdims=keepdims)

    def cumsum(self, axis: int | None = None) -> Array:
        """Cumulative sum along ``axis`` (over the flattened array when None)."""
        return _ops.cumsum(self, axis=axis)

    def sort(self, axis: int = -1, descending: bool = False) -> Array:
        """The values sorted along ``axis``."""
        return _ops.sort(self, axis=axis, descending=descending)

    def argsort(self, axis: int = -1, descending: bool = False) -> Array:
        """The indices that sort the values along ``axis``."""
        return _ops.argsort(self, axis=axis, descending=descending)

    def argmax(self, axis: Any = None, keepdims: bool = False) -> Array:
        """Index of the maximum over ``axis``."""
        return _ops.argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis: Any = None, keepdims: bool = False) -> Array:
        """Index of the minimum over ``axis``."""
        return _ops.argmin(self, axis=axis, keepdims=keepdims)

    def all(self, axis: Any = None, keepdims: bool = False) -> Array:
        """Whether every element over ``axis`` is true."""
        return _ops.all(self, axis=axis, keepdims=keepdims)

    def any(self, axis: Any = None, keepdims: bool = False) -> Array:
        """Whether any element over ``axis`` is true."""
        return _ops.any(self, axis=axis, keepdims=keepdims)

    def clip(self, min: Any = None, max: Any = None) -> Array:  # noqa: A002 - NumPy's names
        """Values limited to ``[min, max]``."""
        return _ops.clip(self, min, max)

    def detach(self) -> Array:
        """The value with no derivative flowing through it (``nr.stop_gradient``)."""
        return _ops.stop_gradient(self)

    def conj(self) -> Array:
        """The complex conjugate."""
        return _ops.conj(self)

    # -------------------------------------------------------------- operators
    def __neg__(self) -> Array:
        return _ops.negative(self)

    def __pos__(self) -> Array:
        return _ops.positive(self)

    def __abs__(self) -> Array:
        return _ops.abs(self)

    def __invert__(self) -> Array:
        return _ops.bitwise_invert(self)


def wrap(buffer: Any) -> Array:
    """An Array around a backend buffer that nothing else will write to."""
    out = _new(Array)
    out._v = buffer
    return out


def _fast_binary(kernel: Any, public: str, reflected: bool) -> Any:
    """An operator method: straight to ``kernel`` for plain arrays whose result dtype needs no
    promotion, otherwise through the public function ``public`` (promotion, transforms,
    errors)."""
    is_comparison = public in _COMPARISONS
    is_ordering = public in _ORDERINGS

    def method(self: Array, other: Any) -> Any:
        if self.__class__ is Array:
            oc = other.__class__
            if oc is Array:
                a = self._v
                b = other._v
                if a.dtype is b.dtype and not (is_ordering and a.dtype.kind == "c"):
                    try:
                        r = kernel(b, a) if reflected else kernel(a, b)
                    except (ValueError, TypeError):
                        pass
                    else:
                        if r.dtype is a.dtype or r.dtype is _BOOL:
                            out = _new(Array)
                            out._v = r
                            return out
            elif oc is float or oc is int:
                a = self._v
                try:
                    r = kernel(other, a) if reflected else kernel(a, other)
                except (ValueError, TypeError, OverflowError):
                    pass
                else:
                    if r.dtype is a.dtype or (
                        is_comparison
                        and r.dtype is _BOOL
                        and not (is_ordering and a.dtype.kind == "c")
                    ):
                        out = _new(Array)
                        out._v = r
                        return out
        elif not isinstance(other, _OPERAND_TYPES):
            return NotImplemented
        fn = getattr(_ops, public)
        return fn(other, self) if reflected else fn(self, other)

    method.__name__ = f"__{'r' if reflected else ''}{public}__"
    return method


_BOOL = np.dtype(np.bool_)
_COMPARISONS = frozenset({"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"})
_ORDERINGS = frozenset({"less", "less_equal", "greater", "greater_equal"})
_OPERAND_TYPES = (Array, int, float, complex, bool, np.ndarray, np.generic, list, tuple)

_OPERATORS = {
    "add": (operator.add, "add", True),
    "sub": (operator.sub, "subtract", True),
    "mul": (operator.mul, "multiply", True),
    "truediv": (operator.truediv, "divide", True),
    "floordiv": (operator.floordiv, "floor_divide", True),
    "mod": (operator.mod, "remainder", True),
    "pow": (operator.pow, "pow", True),
    "matmul": (operator.matmul, "matmul", True),
    "and": (operator.and_, "bitwise_and", True),
    "or": (operator.or_, "bitwise_or", True),
    "xor": (operator.xor, "bitwise_xor", True),
    "lshift": (operator.lshift, "bitwise_left_shift", True),
    "rshift": (operator.rshift, "bitwise_right_shift", True),
    "lt": (operator.lt, "less", False),
    "le": (operator.le, "less_equal", False),
    "gt": (operator.gt, "greater", False),
    "ge": (operator.ge, "greater_equal", False),
    "eq": (operator.eq, "equal", False),
    "ne": (operator.ne, "not_equal", False),
}

for _name, (_kernel, _public, _has_reflected) in _OPERATORS.items():
    setattr(Array, f"__{_name}__", _fast_binary(_kernel, _public, False))
    if _has_reflected:
        setattr(Array, f"__r{_name}__", _fast_binary(_kernel, _public, True))

_INPLACE_HINTS = {
    "add_": "x = x + y   (or x = x.at[idx].add(y) for part of x)",
    "sub_": "x = x - y   (or x = x.at[idx].subtract(y))",
    "mul_": "x = x * y   (or x = x.at[idx].multiply(y))",
    "div_": "x = x / y   (or x = x.at[idx].divide(y))",
    "pow_": "x = x ** y   (or x = x.at[idx].power(y))",
    "fill_": "x = nr.fill(x, value)",
    "zero_": "x = nr.zeros_like(x)",
    "clamp_": "x = nr.clamp(x, min, max)",
    "clip_": "x = nr.clamp(x, min, max)",
    "copy_": "x = nr.asarray(src)",
    "masked_fill_": "x = nr.masked_fill(x, mask, value)",
    "index_put_": "x = nr.index_put(x, indices, values)",
    "scatter_": "x = nr.scatter(x, dim, index, src)",
    "scatter_add_": "x = nr.scatter_add(x, dim, index, src)",
    "index_add_": "x = nr.index_add(x, dim, index, source)",
    "uniform_": "x = nr.random.uniform(key, x.shape)",
    "normal_": "x = nr.random.normal(key, x.shape)",
}


def _inplace_hint(name: str) -> str:
    fix = _INPLACE_HINTS.get(name, f"x = x.{name[:-1]}(...)  (or the matching nr.{name[:-1]})")
    return (
        f"'Array' object has no attribute {name!r}: neurarust arrays are immutable, so there "
        f"are no in-place methods. Write the functional form instead: {fix}"
    )


from . import ops as _ops  # noqa: E402  - the public functions need Array defined first
