"""Function transforms: differentiation (reverse and forward mode), custom rules, checkpointing
and Jacobians."""

from .custom import checkpoint, custom_jvp, custom_vjp, remat
from .forward import jvp, linearize
from .jacobian import hessian, jacfwd, jacrev
from .reverse import grad, value_and_grad, vjp

__all__ = [
    "checkpoint",
    "custom_jvp",
    "custom_vjp",
    "grad",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "remat",
    "value_and_grad",
    "vjp",
]
