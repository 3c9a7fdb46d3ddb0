"""Every public array function, gathered from the family modules (each lists its ``__all__``)."""

from . import (
    convert,
    creation,
    elementwise,
    indexing,
    linalg,
    reduction,
    shape,
    softmax_ops,
    sorting,
    updates,
)
from .arguments import asarray, astype, to_device
from .convert import *  # noqa: F403
from .creation import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .indexing import *  # noqa: F403
from .linalg import *  # noqa: F403
from .reduction import *  # noqa: F403
from .shape import *  # noqa: F403
from .softmax_ops import *  # noqa: F403
from .sorting import *  # noqa: F403
from .updates import *  # noqa: F403

__all__ = ["asarray", "astype", "to_device"] + [
    name
    for family in (
        convert,
        creation,
        elementwise,
        indexing,
        linalg,
        reduction,
        shape,
        softmax_ops,
        sorting,
        updates,
    )
    for name in family.__all__
]
