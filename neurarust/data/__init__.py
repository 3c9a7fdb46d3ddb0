"""Data loading: datasets, samplers, the DataLoader, bundled datasets and augmentation.

- Datasets (anything with ``__len__`` and ``__getitem__``; items are pytrees):
  :class:`ArrayDataset`, :class:`ListDataset`, :class:`Subset`, :class:`ConcatDataset`,
  :class:`MapDataset`, :func:`random_split`.
- Samplers: :class:`SequentialSampler`, :class:`RandomSampler`, :class:`SubsetRandomSampler`,
  :class:`WeightedRandomSampler`, :class:`BatchSampler`, :class:`DistributedSampler`.
- :class:`DataLoader` and :func:`default_collate`.
- ``nr.data.datasets``: digits, a text corpus, synthetic sets, MNIST/CIFAR-10 file readers.
- ``nr.data.transforms``: keyed augmentation (crop, flip, rotation, jitter, normalize).

All randomness comes from explicit keys: the same key gives the same batches.

>>> digits = nr.data.datasets.digits()
>>> loader = nr.data.DataLoader(
...     nr.data.ArrayDataset(*digits), batch_size=64, shuffle=True, key=0, num_workers=2
... )
"""

from . import datasets, transforms
from .collate import default_collate
from .dataset import (
    ArrayDataset,
    ConcatDataset,
    Dataset,
    ListDataset,
    MapDataset,
    Subset,
    random_split,
)
from .errors import DataError, DataFileError
from .loader import DataLoader
from .samplers import (
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "Dataset",
    "ArrayDataset",
    "ListDataset",
    "Subset",
    "ConcatDataset",
    "MapDataset",
    "random_split",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
    "DistributedSampler",
    "DataLoader",
    "default_collate",
    "DataError",
    "DataFileError",
    "datasets",
    "transforms",
]
