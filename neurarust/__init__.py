"""neurarust: a functional array framework — NumPy on the CPU, CuPy on NVIDIA GPUs.

Arrays are immutable; differentiation, batching and staging are function transforms.
"""

import math as _math

from . import tree
from .core.array import Array
from .core.dtypes import (
    bfloat16,
    can_cast,
    complex64,
    complex128,
    finfo,
    float16,
    float32,
    float64,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    isdtype,
    promote_types,
    result_type,
    uint8,
    uint16,
    uint32,
    uint64,
)
from .core.dtypes import (
    bool_ as bool,  # noqa: A004 - the array API name
)
from .core.errors import (
    AxisError,
    ConcretizationError,
    DeviceError,
    DTypeError,
    IndexBoundsError,
    InvalidArgumentError,
    NeurarustError,
    ShapeError,
    TracerLeakError,
)
from .core.info import __array_namespace_info__
from .core.ops import *  # noqa: F403 - the array functions are the top-level namespace
from .transforms.batching import vmap
from .transforms.control_flow import cond, fori_loop, scan, switch, while_loop
from .transforms.custom import checkpoint, custom_jvp, custom_vjp, remat
from .transforms.forward import jvp, linearize
from .transforms.jacobian import hessian, jacfwd, jacrev
from .transforms.jit import jit, make_graph
from .transforms.reverse import grad, value_and_grad, vjp

e = _math.e
inf = _math.inf
nan = _math.nan
pi = _math.pi
newaxis = None

__version__ = "0.1.0"
__array_api_version__ = "2024.12"

# Submodules load on first use, so `import neurarust` stays fast.
_SUBMODULES = frozenset(
    {"random", "linalg", "fft", "nn", "optim", "data", "io", "test_util", "transforms"}
)
_LAZY_NAMES = {
    "save": "io",
    "load": "io",
    "rand": "random",
    "randn": "random",
}


def __getattr__(name: str) -> object:
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY_NAMES[name]}"), name)
    raise AttributeError(f"module 'neurarust' has no attribute {name!r}")
