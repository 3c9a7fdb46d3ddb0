"""The OpInfo-driven suite: every registered primitive is run against its NumPy reference,
checked by ``check_grads`` (order 1 and 2, both modes) and by its shape rule."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core import dtypes
from neurarust.core.opinfo import OPINFOS, OpInfo
from neurarust.core.primitive import REGISTRY, ShapedArray, Trace, Tracer, bind
from neurarust.test_util import check_grads

SEEDS = st.integers(0, 2**32 - 1)


def _to_nr(x: Any) -> Any:
    if isinstance(x, (np.ndarray, np.generic)):
        return nr.asarray(x)
    if isinstance(x, (list, tuple)) and x and all(isinstance(e, np.ndarray) for e in x):
        return type(x)(nr.asarray(e) for e in x)
    return x


def _to_np(x: Any) -> Any:
    return np.asarray(x.numpy()) if isinstance(x, nr.Array) else x


def _leaves(x: Any) -> list[Any]:
    if isinstance(x, (tuple, list)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


def _expected_dtype(want: np.ndarray, inputs: list[Any]) -> np.dtype:
    """NumPy computes integer inputs of float functions in float64; neurarust in float32."""
    in_dtypes = [np.asarray(a).dtype for a in inputs if isinstance(a, (np.ndarray, np.generic))]
    if (
        want.dtype == np.float64
        and np.dtype(np.float64) not in in_dtypes
        and not any(d == np.complex128 for d in in_dtypes)
    ):
        return np.dtype(np.float32)
    if want.dtype == np.complex128 and not any(d in (np.float64, np.complex128) for d in in_dtypes):
        return np.dtype(np.complex64)
    return want.dtype


def _tolerances(info: OpInfo, dtype: np.dtype) -> tuple[float, float]:
    if dtype in (dtypes.float64, dtypes.complex128):
        return 1e-10, 1e-12
    if dtype in (dtypes.float16, dtypes.bfloat16):
        return 1e-2, 1e-2
    return info.rtol, info.atol


@pytest.mark.parametrize("info", OPINFOS, ids=lambda i: i.name)
@given(seed=SEEDS, data=st.data())
def test_forward_matches_reference(info: OpInfo, seed: int, data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from(info.dtypes))
    rng = np.random.default_rng(seed)
    for sample in info.samples(rng, dtype):
        got = info.fn(*[_to_nr(a) for a in sample.args], **sample.kwargs)
        with np.errstate(all="ignore"):
            want = info.ref(*sample.args, **sample.kwargs)
        got_leaves, want_leaves = _leaves(got), _leaves(want)
        assert len(got_leaves) == len(want_leaves), info.name
        for g, w in zip(got_leaves, want_leaves, strict=True):
            w = np.asarray(w)
            g_np = _to_np(g)
            assert tuple(np.shape(g_np)) == w.shape, (info.name, sample)
            if info.check_dtype:
                assert g.dtype == _expected_dtype(w, _leaves(sample.args)), (info.name, g.dtype)
            rtol, atol = _tolerances(info, np.dtype(getattr(g, "dtype", w.dtype)))
            np.testing.assert_allclose(
                np.asarray(g_np).astype(w.dtype) if w.dtype != bool else g_np,
                w,
                rtol=rtol,
                atol=atol,
                equal_nan=True,
                err_msg=f"{info.name} {sample}",
            )


def _grad_cases() -> list[OpInfo]:
    return [i for i in OPINFOS if i.grad]


@pytest.mark.parametrize("info", _grad_cases(), ids=lambda i: i.name)
@given(seed=SEEDS, data=st.data())
def test_gradients(info: OpInfo, seed: int, data: st.DataObject) -> None:
    choices = [d for d in (dtypes.float64, dtypes.float32) if d in info.dtypes] or [dtypes.float64]
    dtype = data.draw(st.sampled_from(choices))
    rng = np.random.default_rng(seed)
    for sample in (info.grad_samples or info.samples)(rng, dtype):
        args = [_to_nr(a) for a in sample.args]
        argnums = info.grad_argnums
        if argnums is None:
            argnums = tuple(
                i
                for i, a in enumerate(args)
                if isinstance(a, nr.Array) and dtypes.is_inexact(a.dtype)
            )
        if not argnums:
            continue

        def f(
            *diff: Any,
            args: list[Any] = args,
            argnums: tuple[int, ...] = argnums,
            kwargs: dict[str, Any] = sample.kwargs,
        ) -> Any:
            full = list(args)
            for k, v in zip(argnums, diff, strict=True):
                full[k] = v
            return info.fn(*full, **kwargs)

        check_grads(
            f, [args[k] for k in argnums], order=2 if info.second_order else 1, seed=seed % 1000
        )


class ShapeCheckTrace(Trace):
    """Checks each primitive's shape rule against the shape and dtype it really produced."""

    def process(self, prim, args, params):  # type: ignore[override]
        primals = [a._v if isinstance(a, _ShapeTracer) and a._trace is self else a for a in args]
        out = bind(prim, primals, params)
        avals = [ShapedArray(tuple(p.shape), p.dtype) for p in primals]
        rule = prim.shape_rule(*avals, **params)
        outs = out if prim.multiple_results else (out,)
        rules = rule if prim.multiple_results else (rule,)
        for o, r in zip(outs, rules, strict=True):
            assert tuple(r.shape) == tuple(o.shape), (prim.name, r, o.shape)
            assert r.dtype == o.dtype, (prim.name, r, o.dtype)
        self.seen.add(prim.name)
        if prim.multiple_results:
            return tuple(_ShapeTracer(self, o) for o in out)
        return _ShapeTracer(self, out)


class _ShapeTracer(Tracer):
    __slots__ = ()

    def __init__(self, trace: Trace, value: Any) -> None:
        self._trace = trace
        self._v = value


@pytest.mark.parametrize("info", OPINFOS, ids=lambda i: i.name)
def test_shape_rules(info: OpInfo) -> None:
    rng = np.random.default_rng(0)
    with ShapeCheckTrace("shape check") as trace:
        trace.seen = set()
        for sample in info.samples(rng, info.dtypes[0]):
            args = [
                _ShapeTracer(trace, a) if isinstance(a, nr.Array) else a
                for a in (_to_nr(x) for x in sample.args)
            ]
            info.fn(*args, **sample.kwargs)
    missing = set(info.primitives) - trace.seen
    assert not missing, f"{info.name} never reached primitives {missing}"


def test_every_primitive_has_an_opinfo() -> None:
    covered = {p for info in OPINFOS for p in info.primitives}
    missing = sorted(set(REGISTRY) - covered)
    assert not missing, f"primitives without an OpInfo: {missing}"


def test_every_differentiable_primitive_has_rules() -> None:
    missing = [
        name
        for name, p in REGISTRY.items()
        if p.differentiable and (p.jvp is None or p.vjp is None)
    ]
    assert not missing, f"differentiable primitives without JVP/VJP rules: {missing}"
