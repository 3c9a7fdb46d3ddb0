"""``nr.linalg``: the array API linear algebra extension (2024.12), plus ``norm`` and
``LinAlgError``.

Loaded on first use of ``nr.linalg``. The functions live in ``neurarust/core/ops/``:
``linalg.py`` (products), ``linalg_ext.py`` (solvers, determinants, ``cholesky``),
``linalg_spectral.py`` (``eigh``, ``qr``, ``svd``, ``pinv``) and ``linalg_norms.py``.

Examples
--------
>>> import neurarust as nr
>>> a = nr.asarray([[4.0, 2.0], [2.0, 3.0]])
>>> nr.linalg.solve(a, nr.asarray([2.0, 1.0])).tolist()
[0.5, 0.0]
"""

from .core.ops.linalg import matmul, outer, tensordot, vecdot
from .core.ops.linalg_ext import (
    LinAlgError,
    SlogdetResult,
    cholesky,
    cross,
    det,
    diagonal,
    inv,
    matrix_power,
    slogdet,
    solve,
    trace,
)
from .core.ops.linalg_norms import matrix_norm, norm, vector_norm
from .core.ops.linalg_spectral import (
    EighResult,
    QRResult,
    SVDResult,
    eigh,
    eigvalsh,
    matrix_rank,
    pinv,
    qr,
    svd,
    svdvals,
)
from .core.ops.shape import matrix_transpose

__all__ = [
    "EighResult",
    "LinAlgError",
    "QRResult",
    "SVDResult",
    "SlogdetResult",
    "cholesky",
    "cross",
    "det",
    "diagonal",
    "eigh",
    "eigvalsh",
    "inv",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "matrix_transpose",
    "norm",
    "outer",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "tensordot",
    "trace",
    "vecdot",
    "vector_norm",
]
