"""``check_grads``: derivatives checked against central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import tree
from ..core import dtypes
from ..core.array import Array
from ..core.ops import asarray
from ..transforms.forward import jvp
from ..transforms.reverse import vjp

_TOL = {
    np.dtype(np.float64): 1e-5,
    np.dtype(np.complex128): 1e-5,
    np.dtype(np.float32): 2e-3,
    np.dtype(np.complex64): 2e-3,
    dtypes.float16: 5e-2,
    dtypes.bfloat16: 1e-1,
}
_MAX_ELEMENTWISE = 64  # leaves up to this size get an element-by-element reverse check


def _np(x: Any) -> np.ndarray:
    return np.asarray(x.numpy() if isinstance(x, Array) else x)


def _as64(x: Any) -> Any:
    a = asarray(x)
    if a.dtype.kind == "c":
        return a.astype(dtypes.complex128)
    return a.astype(dtypes.float64) if dtypes.is_inexact(a.dtype) else a


def _random_like(rng: np.random.Generator, x: Array) -> np.ndarray:
    shape = tuple(x.shape)
    v = rng.standard_normal(shape)
    if x.dtype.kind == "c":
        v = v + 1j * rng.standard_normal(shape)
    return v


def _inner(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    return float(
        sum(np.real(np.sum(np.asarray(x) * np.asarray(y))) for x, y in zip(a, b, strict=True))
    )


class _Problem:
    """A function of a flat list of leaves, evaluated in its own dtype or in float64."""

    def __init__(self, f: Callable[..., Any], args: Sequence[Any]) -> None:
        self.f = f
        flat, self.treedef = tree.flatten(tuple(args))
        self.leaves = [asarray(x) for x in flat]
        self.paths = [tree.keystr(p) for p, _ in tree.flatten_with_path(tuple(args))[0]]
        self.diff = [i for i, x in enumerate(self.leaves) if dtypes.is_inexact(x.dtype)]
        out = self.call(self.leaves)
        self.out_leaves, self.out_tree = tree.flatten(out)
        self.out_leaves = [asarray(o) for o in self.out_leaves]

    def call(self, leaves: Sequence[Any]) -> Any:
        return self.f(*tree.unflatten(self.treedef, list(leaves)))

    def call64(self, leaves: Sequence[Any]) -> list[np.ndarray]:
        out = self.call([_as64(x) for x in leaves])
        return [
            _np(o).astype(np.complex128 if _np(o).dtype.kind == "c" else np.float64)
            for o in tree.leaves(out)
        ]

    def shifted(self, i: int, v: np.ndarray, eps: float) -> tuple[list[np.ndarray], ...]:
        base = [
            _np(x).astype(np.complex128 if x.dtype.kind == "c" else np.float64)
            if dtypes.is_inexact(x.dtype)
            else x
            for x in self.leaves
        ]
        plus, minus = list(base), list(base)
        plus[i] = base[i] + eps * v
        minus[i] = base[i] - eps * v
        return self.call64(plus), self.call64(minus)

    def fd(self, i: int, v: np.ndarray, eps: float) -> list[np.ndarray]:
        plus, minus = self.shifted(i, v, eps)
        return [(p - m) / (2 * eps) for p, m in zip(plus, minus, strict=True)]

    def jvp_leaf(self, i: int, v: np.ndarray) -> list[np.ndarray]:
        tangents = [asarray(np.zeros(x.shape), dtype=x.dtype) for x in self.leaves]
        tangents[i] = asarray(v, dtype=self.leaves[i].dtype)
        _, t_out = jvp(self.call, (self.leaves,), (tangents,))
        return [
            _np(t).astype(np.complex128 if _np(t).dtype.kind == "c" else np.float64)
            for t in tree.leaves(t_out)
        ]

    def vjp_all(self, cts: Sequence[np.ndarray]) -> list[np.ndarray]:
        _, f_vjp = vjp(lambda leaves: self.call(leaves), self.leaves)
        ct_tree = tree.unflatten(
            self.out_tree,
            [asarray(c, dtype=o.dtype) for c, o in zip(cts, self.out_leaves, strict=True)],
        )
        (grads,) = f_vjp(ct_tree)
        return [
            _np(g).astype(np.complex128 if _np(g).dtype.kind == "c" else np.float64) for g in grads
        ]


def _tolerance(dtype: np.dtype, given: float | None) -> float:
    return given if given is not None else _TOL.get(np.dtype(dtype), 1e-5)


def _close(got: np.ndarray, want: np.ndarray, atol: float, rtol: float) -> tuple[bool, int]:
    err = np.abs(got - want) - (atol + rtol * np.abs(want))
    if err.size == 0:
        return True, 0
    worst = int(np.argmax(err))
    return bool(err.reshape(-1)[worst] <= 0), worst


def _fail(
    mode: str,
    path: str,
    what: str,
    index: int,
    shape: tuple[int, ...],
    got: Any,
    want: Any,
    order: int,
) -> AssertionError:
    where = np.unravel_index(index, shape) if shape else ()
    return AssertionError(
        f"check_grads (order {order}, {mode}): derivative with respect to argument "
        f"'{path or '0'}' disagrees with finite differences; worst element {what}"
        f"{tuple(int(k) for k in where)}: autodiff {complex(got)!r}, finite differences "
        f"{complex(want)!r}"
    )


def _check_order1(
    problem: _Problem,
    modes: Sequence[str],
    eps: float,
    atol: float | None,
    rtol: float | None,
    rng: np.random.Generator,
    order: int,
) -> None:
    out_tol = max(
        (_tolerance(o.dtype, None) for o in problem.out_leaves if dtypes.is_inexact(o.dtype)),
        default=0.0,
    )
    for i in problem.diff:
        x = problem.leaves[i]
        a = max(_tolerance(x.dtype, atol), out_tol if atol is None else 0.0)
        r = max(_tolerance(x.dtype, rtol), out_tol if rtol is None else 0.0)
        path = problem.paths[i]
        v = _random_like(rng, x)
        want = problem.fd(i, v, eps)
        if "fwd" in modes:
            got = problem.jvp_leaf(i, v)
            for k, (g, w) in enumerate(zip(got, want, strict=True)):
                ok, worst = _close(g, w, a, r)
                if not ok:
                    raise _fail(
                        "fwd",
                        path,
                        f"of output {k} at ",
                        worst,
                        w.shape,
                        g.reshape(-1)[worst],
                        w.reshape(-1)[worst],
                        order,
                    )
        if "rev" in modes:
            cts = [_random_like(rng, o) for o in problem.out_leaves]
            grads = problem.vjp_all(cts)
            g_i = grads[i]
            if x.size <= _MAX_ELEMENTWISE:
                fd_grad = np.zeros(tuple(x.shape), dtype=g_i.dtype).reshape(-1)
                for e in range(x.size):
                    basis = np.zeros(x.size)
                    basis[e] = 1.0
                    col = problem.fd(
                        i,
                        basis.reshape(tuple(x.shape)).astype(
                            v.dtype if v.dtype.kind == "c" else np.float64
                        ),
                        eps,
                    )
                    fd_grad[e] = _inner(cts, col)
                ok, worst = _close(
                    g_i.reshape(-1), fd_grad, a, r * max(1.0, np.abs(fd_grad).max(initial=0.0))
                )
                if not ok:
                    raise _fail(
                        "rev",
                        path,
                        "at ",
                        worst,
                        tuple(x.shape),
                        g_i.reshape(-1)[worst],
                        fd_grad[worst],
                        order,
                    )
            lhs = _inner([g_i], [v])
            rhs = _inner(cts, want)
            scale = max(1.0, abs(rhs))
            if abs(lhs - rhs) > (a + r) * scale * 10:
                raise AssertionError(
                    f"check_grads (order {order}, rev): VJP with respect to argument "
                    f"'{path or '0'}' fails the inner-product identity <u, J v> = <J^T u, v>: "
                    f"{lhs!r} vs {rhs!r}"
                )
            if "fwd" in modes:
                jv = problem.jvp_leaf(i, v)
                ip = _inner(cts, jv)
                if abs(lhs - ip) > (a + r) * max(1.0, abs(ip)) * 10:
                    raise AssertionError(
                        f"check_grads (order {order}): VJP and JVP with respect to argument "
                        f"'{path or '0'}' disagree: <J^T u, v> = {lhs!r} but <u, J v> = {ip!r}"
                    )


def check_grads(
    f: Callable[..., Any],
    args: Sequence[Any],
    order: int = 1,
    modes: Sequence[str] = ("fwd", "rev"),
    eps: float | None = None,
    atol: float | None = None,
    rtol: float | None = None,
    seed: int = 0,
) -> None:
    """Check the derivatives of ``f`` at ``args`` against central finite differences.

    The finite differences are computed in float64 even when ``f`` runs in float32 or 16-bit
    floats, so correct low-precision rules do not fail on step-size noise. Forward mode is
    compared with the differences along a random direction; reverse mode element by element
    (for small arguments) and through the inner-product identity ``<u, J v> = <J^T u, v>``,
    which also checks VJP against JVP. ``order=2`` repeats the checks on the JVP and VJP
    functions themselves.

    Raises
    ------
    AssertionError
        Naming the mode, the argument path and the worst element.

    Examples
    --------
    >>> nr.test_util.check_grads(nr.sin, (nr.asarray([0.5, 1.0]),), order=2)
    """
    for m in modes:
        if m not in ("fwd", "rev"):
            raise ValueError(f"check_grads: argument 'modes' expected 'fwd'/'rev', got {m!r}")
    rng = np.random.default_rng(seed)
    eps = 1e-4 if eps is None else eps
    problem = _Problem(f, args)
    _check_order1(problem, modes, eps, atol, rtol, rng, 1)
    if order < 2:
        return
    leaves = problem.leaves
    if "fwd" in modes:
        vs = [_random_like(rng, x) for x in leaves]

        def f_jvp(*flat: Any) -> Any:
            tangents = [
                asarray(v, dtype=x.dtype)
                if dtypes.is_inexact(x.dtype)
                else asarray(np.zeros(x.shape), dtype=x.dtype)
                for v, x in zip(vs, flat, strict=True)
            ]
            return jvp(problem.call, (list(flat),), (tangents,))[1]

        _check_order1(_Problem(f_jvp, leaves), modes, eps, atol, rtol, rng, 2)
    if "rev" in modes:
        us = [_random_like(rng, o) for o in problem.out_leaves]

        def f_vjp(*flat: Any) -> Any:
            _, pull = vjp(lambda fl: problem.call(fl), list(flat))
            cts = tree.unflatten(
                problem.out_tree,
                [asarray(u, dtype=o.dtype) for u, o in zip(us, problem.out_leaves, strict=True)],
            )
            return [
                g
                for g, x in zip(pull(cts)[0], flat, strict=True)
                if dtypes.is_inexact(asarray(x).dtype)
            ]

        _check_order1(_Problem(f_vjp, leaves), modes, eps, atol, rtol, rng, 2)
