"""Optimizers as gradient transformations: pure ``init``/``update`` pairs with states that are
pytrees of arrays.

>>> opt = nr.optim.adamw(lr=1e-3)
>>> state = opt.init(params)
>>> updates, state = opt.update(grads, state, params)
>>> params = nr.optim.apply_updates(params, updates)      # or: opt.step(params, grads, state)

Optimizers (``sgd``, ``adam``, ...) follow ``torch.optim``'s update rules and defaults; they
are chains of the building blocks below, which compose with :func:`chain` and the wrappers.
Learning-rate schedules live in :mod:`neurarust.optim.schedules`.
"""

from . import schedules
from .alias import adadelta, adagrad, adam, adamax, adamw, lion, nadam, radam, rmsprop, sgd
from .base import (
    CountState,
    EmptyState,
    GradientTransformation,
    apply_updates,
    chain,
)
from .clipping import (
    clip_by_global_norm,
    clip_by_value,
    clip_grad_norm,
    clip_grad_value,
    global_norm,
)
from .inject import InjectHyperparamsState, inject_hyperparams
from .plateau import ReduceLROnPlateauState, reduce_on_plateau
from .rules import (
    ScaleByAdadeltaState,
    ScaleByAdagradState,
    ScaleByAdamaxState,
    ScaleByAdamState,
    ScaleByLionState,
    ScaleByNadamState,
    ScaleByRadamState,
    ScaleByRmsState,
    scale_by_adadelta,
    scale_by_adagrad,
    scale_by_adam,
    scale_by_adamax,
    scale_by_lion,
    scale_by_nadam,
    scale_by_radam,
    scale_by_rms,
)
from .transforms import (
    TraceState,
    add_decayed_weights,
    scale,
    scale_by_learning_rate,
    scale_by_schedule,
    set_to_zero,
    trace,
    zero_grads,
)
from .wrappers import (
    ApplyIfFiniteState,
    MaskedState,
    MultiStepsState,
    MultiTransformState,
    apply_if_finite,
    masked,
    multi_steps,
    multi_transform,
)

__all__ = [
    "schedules",
    # optimizers
    "sgd",
    "adam",
    "adamw",
    "rmsprop",
    "adagrad",
    "adamax",
    "nadam",
    "radam",
    "lion",
    "adadelta",
    # the shape of an optimizer
    "GradientTransformation",
    "EmptyState",
    "CountState",
    "chain",
    "apply_updates",
    "inject_hyperparams",
    "InjectHyperparamsState",
    # building blocks
    "scale",
    "scale_by_learning_rate",
    "scale_by_schedule",
    "trace",
    "TraceState",
    "add_decayed_weights",
    "set_to_zero",
    "zero_grads",
    "scale_by_adam",
    "scale_by_rms",
    "scale_by_adagrad",
    "scale_by_adamax",
    "scale_by_nadam",
    "scale_by_radam",
    "scale_by_lion",
    "scale_by_adadelta",
    "ScaleByAdamState",
    "ScaleByRmsState",
    "ScaleByAdagradState",
    "ScaleByAdamaxState",
    "ScaleByNadamState",
    "ScaleByRadamState",
    "ScaleByLionState",
    "ScaleByAdadeltaState",
    # clipping
    "clip_by_value",
    "clip_by_global_norm",
    "clip_grad_norm",
    "clip_grad_value",
    "global_norm",
    # wrappers
    "masked",
    "multi_transform",
    "multi_steps",
    "apply_if_finite",
    "MaskedState",
    "MultiTransformState",
    "MultiStepsState",
    "ApplyIfFiniteState",
    # plateau
    "reduce_on_plateau",
    "ReduceLROnPlateauState",
]
