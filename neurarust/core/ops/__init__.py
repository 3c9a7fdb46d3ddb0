"""Every public array function, gathered from the family modules."""

from .arguments import asarray, astype, to_device
from .convert import stop_gradient
from .creation import empty, empty_like, full, full_like, ones, ones_like, zeros, zeros_like
from .elementwise import (
    add,
    cos,
    divide,
    exp,
    greater,
    log,
    multiply,
    negative,
    sin,
    sqrt,
    subtract,
    tanh,
    where,
)
from .reduction import sum
from .shape import broadcast_to, expand, expand_dims, permute_dims, reshape, squeeze, transpose
