"""Transformations of transformations: masks, parameter groups, gradient accumulation and
skipping non-finite steps.

Branches on array values go through :func:`~neurarust.optim.base.cond`, which selects with
``nr.where`` when the step is traced, so a whole step can be staged.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, NamedTuple

import neurarust as nr

from .. import tree
from ..core.array import Array
from .base import (
    GradientTransformation,
    cond,
    flatten,
    is_float,
    map_leaves,
    map_updates,
    paths,
    tree_mismatch,
    unflatten,
    zero_count,
    zeros_state,
)
from .labels import leaf_labels, leaf_mask


def _check_transformation(op: str, name: str, tx: Any) -> None:
    if not isinstance(tx, GradientTransformation):
        raise TypeError(
            f"{op}: argument '{name}' expected a GradientTransformation, got {type(tx).__name__}"
        )


def _select(x: Any, keep: list[bool]) -> Any:
    """``x`` with ``None`` in place of the leaves not kept."""
    if x is None:
        return None
    leaves, treedef = flatten(x)
    return unflatten(treedef, [v if k else None for v, k in zip(leaves, keep, strict=True)])


def _merge(updates: Any, parts: list[tuple[list[bool], Any]]) -> Any:
    """``updates`` with the kept leaves of each part replaced by that part's leaves."""
    out, treedef = flatten(updates)
    for keep, part in parts:
        for i, new in enumerate(flatten(part)[0]):
            if keep[i]:
                out[i] = new
    return unflatten(treedef, out)


def _reference(op: str, updates: Any, params: Any) -> Any:
    """The tree labels are computed on: ``params`` when given (checked against ``updates``)."""
    if params is None:
        return updates
    if flatten(params)[1] != flatten(updates)[1]:
        raise tree_mismatch(op, "updates", updates, params, "'params'")
    return params


class MaskedState(NamedTuple):
    """The inner state of :func:`masked` (over the selected leaves only)."""

    inner_state: Any


def masked(inner: GradientTransformation, mask: Any) -> GradientTransformation:
    """Apply ``inner`` to the leaves ``mask`` selects; the other updates pass through unchanged.

    ``mask`` is a tree of bools shaped like the parameters, a function ``(path, leaf) ->
    bool``, a glob pattern or a list of them (``"*.weight"``). To freeze leaves instead, give
    them :func:`~neurarust.optim.set_to_zero` in :func:`multi_transform`.

    Examples
    --------
    >>> decay_weights = nr.optim.masked(nr.optim.add_decayed_weights(1e-4), "*.weight")
    """
    _check_transformation("masked", "inner", inner)

    def init(params: Any) -> MaskedState:
        keep = leaf_mask("masked", mask, params)
        return MaskedState(inner.init(_select(params, keep)))

    def update(
        updates: Any, state: MaskedState, params: Any = None, **extra: Any
    ) -> tuple[Any, MaskedState]:
        keep = leaf_mask("masked", mask, _reference("masked", updates, params))
        part, inner_state = inner.update(
            _select(updates, keep), state.inner_state, _select(params, keep), **extra
        )
        return _merge(updates, [(keep, part)]), MaskedState(inner_state)

    return GradientTransformation(init, update)


class MultiTransformState(NamedTuple):
    """The state of each group of :func:`multi_transform`, by label."""

    inner_states: dict[Hashable, Any]


def multi_transform(
    transforms: dict[Hashable, GradientTransformation], labels: Any
) -> GradientTransformation:
    """Parameter groups: each leaf goes to the transformation of its label.

    ``labels`` is a tree of labels shaped like the parameters, a function ``(path, leaf) ->
    label`` (``path`` dotted, e.g. ``"encoder.0.bias"``), or a dict of glob patterns
    ``{"*.bias": "nodecay", "*": "decay"}`` (the first matching pattern wins).

    Examples
    --------
    >>> opt = nr.optim.multi_transform(
    ...     {"decay": nr.optim.adamw(1e-3), "nodecay": nr.optim.adam(1e-3)},
    ...     {"*.bias": "nodecay", "*": "decay"})
    """
    if not isinstance(transforms, dict) or not transforms:
        raise TypeError(
            f"multi_transform: argument 'transforms' expected a non-empty dict label -> "
            f"GradientTransformation, got {transforms!r}"
        )
    for label, tx in transforms.items():
        _check_transformation("multi_transform", f"transforms[{label!r}]", tx)

    def groups(ref: Any) -> dict[Hashable, list[bool]]:
        labs = leaf_labels("multi_transform", labels, ref)
        leaves = flatten(ref)[0]
        for path, leaf, lab in zip(paths(ref), leaves, labs, strict=True):
            if leaf is not None and lab not in transforms:
                raise ValueError(
                    f"multi_transform: the parameter {path!r} has label {lab!r}, "
                    f"which is not a key of 'transforms' ({', '.join(map(repr, transforms))})"
                )
        return {k: [lab == k for lab in labs] for k in transforms}

    def init(params: Any) -> MultiTransformState:
        keep = groups(params)
        return MultiTransformState(
            {k: tx.init(_select(params, keep[k])) for k, tx in transforms.items()}
        )

    def update(
        updates: Any, state: MultiTransformState, params: Any = None, **extra: Any
    ) -> tuple[Any, MultiTransformState]:
        keep = groups(_reference("multi_transform", updates, params))
        parts, new_states = [], {}
        for k, tx in transforms.items():
            part, new_states[k] = tx.update(
                _select(updates, keep[k]), state.inner_states[k], _select(params, keep[k]), **extra
            )
            parts.append((keep[k], part))
        return _merge(updates, parts), MultiTransformState(new_states)

    return GradientTransformation(init, update)


class MultiStepsState(NamedTuple):
    """Gradient accumulation: calls since the last inner step, inner steps taken, the inner
    state and the running sum of gradients."""

    mini_step: Array
    gradient_step: Array
    inner_state: Any
    acc_grads: Any


def multi_steps(inner: GradientTransformation, every_k: int) -> GradientTransformation:
    """Gradient accumulation: sum the updates of ``every_k`` calls, then run ``inner`` on their
    mean. The other calls return zero updates.

    Examples
    --------
    >>> opt = nr.optim.multi_steps(nr.optim.adam(1e-3), every_k=4)   # 4 micro-batches a step
    """
    _check_transformation("multi_steps", "inner", inner)
    if isinstance(every_k, bool) or not isinstance(every_k, int) or every_k < 1:
        raise ValueError(f"multi_steps: argument 'every_k' expected an int >= 1, got {every_k!r}")

    def init(params: Any) -> MultiStepsState:
        return MultiStepsState(zero_count(), zero_count(), inner.init(params), zeros_state(params))

    def update(
        updates: Any, state: MultiStepsState, params: Any = None, **extra: Any
    ) -> tuple[Any, MultiStepsState]:
        _, acc = map_leaves("multi_steps", lambda g, a: (g, a + g), updates, state.acc_grads)

        def final() -> tuple[Any, MultiStepsState]:
            mean, _ = map_leaves("multi_steps", lambda g, a: (a / every_k, a), updates, acc)
            new_updates, inner_state = inner.update(mean, state.inner_state, params, **extra)
            reset = map_updates(nr.zeros_like, acc)
            return new_updates, MultiStepsState(
                zero_count(), state.gradient_step + 1, inner_state, reset
            )

        def accumulate() -> tuple[Any, MultiStepsState]:
            return map_updates(nr.zeros_like, updates), MultiStepsState(
                state.mini_step + 1, state.gradient_step, state.inner_state, acc
            )

        return cond(state.mini_step >= every_k - 1, final, accumulate)

    return GradientTransformation(init, update)


class ApplyIfFiniteState(NamedTuple):
    """Consecutive non-finite steps, whether the last one was finite, the total number of
    non-finite steps, and the inner state."""

    notfinite_count: Array
    last_finite: Array
    total_notfinite: Array
    inner_state: Any


def all_finite(tree_: Any) -> Array:
    """Whether every element of every float leaf of ``tree_`` is finite (a 0-d bool array)."""
    ok = nr.asarray(True)
    for g in tree.leaves(tree_):
        if is_float(g):
            ok = ok & nr.all(nr.isfinite(g))
    return ok


def apply_if_finite(
    inner: GradientTransformation, max_consecutive_errors: int
) -> GradientTransformation:
    """Skip steps whose updates hold NaN or Inf: they give zero updates and leave the inner
    state unchanged. After more than ``max_consecutive_errors`` such steps in a row, the
    update is applied anyway (so a diverged run shows rather than stalls).

    Examples
    --------
    >>> opt = nr.optim.apply_if_finite(nr.optim.adam(1e-3), max_consecutive_errors=5)
    """
    _check_transformation("apply_if_finite", "inner", inner)
    if (
        isinstance(max_consecutive_errors, bool)
        or not isinstance(max_consecutive_errors, int)
        or max_consecutive_errors < 0
    ):
        raise ValueError(
            f"apply_if_finite: argument 'max_consecutive_errors' expected an int >= 0, got "
            f"{max_consecutive_errors!r}"
        )

    def init(params: Any) -> ApplyIfFiniteState:
        return ApplyIfFiniteState(zero_count(), nr.asarray(True), zero_count(), inner.init(params))

    def update(
        updates: Any, state: ApplyIfFiniteState, params: Any = None, **extra: Any
    ) -> tuple[Any, ApplyIfFiniteState]:
        finite = all_finite(updates)
        notfinite_count = nr.where(finite, 0, state.notfinite_count + 1)
        total = nr.where(finite, state.total_notfinite, state.total_notfinite + 1)
        new_updates, inner_state = cond(
            finite | (notfinite_count > max_consecutive_errors),
            lambda: inner.update(updates, state.inner_state, params, **extra),
            lambda: (map_updates(nr.zeros_like, updates), state.inner_state),
        )
        return new_updates, ApplyIfFiniteState(notfinite_count, finite, total, inner_state)

    return GradientTransformation(init, update)
