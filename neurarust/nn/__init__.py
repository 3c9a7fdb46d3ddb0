"""Neural networks: modules as pytrees, layers, losses, initialisers (PyTorch's names).

A model is a :class:`Module` — a frozen dataclass that is also a pytree — so ``nr.grad``,
optimizers and ``nr.tree`` functions take it whole. See docs/architecture.md for running
statistics.

>>> import neurarust as nr
>>> k1, k2 = nr.random.split(nr.random.key(0))
>>> model = nr.nn.Sequential(nr.nn.Linear(4, 8, key=k1), nr.nn.relu, nr.nn.Linear(8, 2, key=k2))
>>> model(nr.ones((3, 4))).shape
(3, 2)
"""

from ..tree import path_filter
from . import functional, init
from .activations import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSoftmax,
    Mish,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    log_softmax,
    mish,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from .attention import MultiheadAttention
from .containers import Lambda, Sequential
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d
from .embedding import Embedding
from .errors import MissingKeyError, StateCollectionError, StateDictError
from .filters import combine, mask, partition
from .flatten import Flatten, Unflatten
from .introspection import (
    buffers,
    children,
    modules,
    named_buffers,
    named_children,
    named_modules,
    named_parameters,
    num_parameters,
    parameter_filter,
    parameters,
)
from .linear import Bilinear, Identity, Linear
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module, field, replace
from .normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LayerNorm,
    RMSNorm,
)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .state import apply_with_state, update_state
from .state_dict import load_state_dict, state_dict
from .summary import summary
from .transformer import TransformerEncoder, TransformerEncoderLayer

__all__ = [
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "MultiheadAttention",
    "RNN",
    "RNNCell",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "AlphaDropout",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "Bilinear",
    "CosineEmbeddingLoss",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "ELU",
    "Embedding",
    "Flatten",
    "GELU",
    "GroupNorm",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "KLDivLoss",
    "L1Loss",
    "Lambda",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MarginRankingLoss",
    "Mish",
    "MissingKeyError",
    "Module",
    "MSELoss",
    "NLLLoss",
    "ReLU",
    "RMSNorm",
    "Sequential",
    "Sigmoid",
    "SiLU",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "StateCollectionError",
    "StateDictError",
    "Tanh",
    "Unflatten",
    "apply_with_state",
    "buffers",
    "children",
    "combine",
    "elu",
    "field",
    "functional",
    "gelu",
    "hardtanh",
    "init",
    "leaky_relu",
    "load_state_dict",
    "log_softmax",
    "mask",
    "mish",
    "modules",
    "named_buffers",
    "named_children",
    "named_modules",
    "named_parameters",
    "num_parameters",
    "parameter_filter",
    "parameters",
    "partition",
    "path_filter",
    "relu",
    "replace",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "state_dict",
    "summary",
    "tanh",
    "update_state",
]
