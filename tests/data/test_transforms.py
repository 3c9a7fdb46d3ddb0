"""Keyed augmentation: single images and batches, per-item randomness, errors."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.core.errors import DTypeError, ShapeError
from neurarust.data import DataError
from neurarust.data import transforms as tr


def _images(n: int = 16, c: int = 3, size: int = 6) -> nr.Array:
    return nr.asarray(np.arange(n * c * size * size, dtype=np.float32).reshape(n, c, size, size))


RANDOM = [
    functools.partial(tr.random_crop, size=4, padding=1),
    tr.random_flip,
    functools.partial(tr.random_flip, axis=-2, p=0.7),
    tr.random_rotation,
    functools.partial(tr.color_jitter, brightness=0.4, contrast=0.4),
]


@pytest.mark.parametrize("fn", RANDOM)
def test_single_image_is_a_batch_of_one_and_keys_decide(fn: Any) -> None:
    x = _images() / 3456.0
    key = nr.random.key(0)
    out = fn(key, x)
    assert out.shape[0] == 16 and out.dtype == x.dtype
    assert np.array_equal(fn(key, x[3]).numpy(), fn(key, x[3:4])[0].numpy())
    assert np.array_equal(fn(key, x).numpy(), out.numpy())
    assert not np.array_equal(fn(nr.random.key(1), x).numpy(), out.numpy())


def test_random_crop_windows_come_from_the_padded_image() -> None:
    x = _images()
    out = tr.random_crop(nr.random.key(0), x, size=(4, 5), padding=(1, 2)).numpy()
    padded = np.pad(x.numpy(), ((0, 0), (0, 0), (1, 1), (2, 2)))
    offsets = set()
    for i in range(16):
        found = [
            (r, c)
            for r in range(5)
            for c in range(6)
            if np.array_equal(padded[i, :, r : r + 4, c : c + 5], out[i])
        ]
        assert found
        offsets.add(found[0])
    assert len(offsets) > 1  # per-item offsets
    same = tr.random_crop(0, x, size=6)
    assert np.array_equal(same.numpy(), x.numpy())


def test_flip_and_rotation_are_per_item() -> None:
    x = _images(32)
    flipped = tr.random_flip(nr.random.key(2), x).numpy()
    was = [np.array_equal(flipped[i], x.numpy()[i, :, :, ::-1]) for i in range(32)]
    kept = [np.array_equal(flipped[i], x.numpy()[i]) for i in range(32)]
    assert all(a or b for a, b in zip(was, kept, strict=True)) and any(was) and any(kept)
    assert np.array_equal(tr.random_flip(0, x, p=1.0).numpy(), x.numpy()[..., ::-1])
    rotated = tr.random_rotation(nr.random.key(3), x).numpy()
    turns = [
        next(k for k in range(4) if np.array_equal(rotated[i], np.rot90(x.numpy()[i], k, (1, 2))))
        for i in range(32)
    ]
    assert set(turns) == {0, 1, 2, 3}


def test_normalize() -> None:
    x = nr.asarray(np.stack([np.full((2, 2), v, np.float32) for v in (1.0, 2.0, 3.0)]))
    out = tr.normalize(x, mean=[1.0, 2.0, 2.0], std=[1.0, 1.0, 0.5])
    assert out.numpy()[:, 0, 0].tolist() == [0.0, 0.0, 2.0]
    assert tr.normalize(x[None], 1.0, 2.0).shape == (1, 3, 2, 2)
    as_float = tr.normalize(nr.ones((1, 2, 2), dtype=nr.uint8), 0.5, 0.5)
    assert as_float.dtype == nr.float32 and float(as_float[0, 0, 0]) == 1.0


@given(st.floats(0, 1), st.floats(0, 1), st.integers(0, 100))
def test_color_jitter_stays_in_range(brightness: float, contrast: float, seed: int) -> None:
    x = _images(4) / 3456.0
    out = tr.color_jitter(seed, x, brightness=brightness, contrast=contrast).numpy()
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert np.array_equal(tr.color_jitter(seed, x).numpy(), x.numpy())


def test_compose_splits_keys_and_mixes_plain_functions() -> None:
    pipeline = tr.compose(
        functools.partial(tr.random_crop, size=4, padding=1),
        tr.random_flip,
        functools.partial(tr.normalize, mean=0.5, std=0.25),
    )
    x = _images() / 3456.0
    a, b = pipeline(nr.random.key(0), x), pipeline(nr.random.key(0), x)
    assert a.shape == (16, 3, 4, 4) and np.array_equal(a.numpy(), b.numpy())
    assert tr.compose(lambda v: v * 2)(None, x).shape == x.shape
    with pytest.raises(DataError, match="compose: argument 1 expected a callable"):
        tr.compose(tr.random_flip, 3)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: tr.random_flip(0, nr.zeros((4, 4))), ShapeError, r"\(C, H, W\).*got shape"),
        (lambda: tr.random_flip(0, nr.zeros((1, 2, 2)), axis=3), DataError, "'axis'"),
        (lambda: tr.random_flip(0, nr.zeros((1, 2, 2)), p=2), DataError, "'p' expected"),
        (lambda: tr.random_flip("k", nr.zeros((1, 2, 2))), DataError, "'key' expected"),
        (lambda: tr.random_crop(0, nr.zeros((1, 4, 4)), size=6), ShapeError, "padded image"),
        (lambda: tr.random_crop(0, nr.zeros((1, 4, 4)), size=0), DataError, "'size'"),
        (lambda: tr.random_crop(0, nr.zeros((1, 4, 4)), 2, padding=-1), DataError, "'padding'"),
        (lambda: tr.random_rotation(0, nr.zeros((1, 4, 5))), ShapeError, "square"),
        (lambda: tr.normalize(nr.zeros((3, 2, 2)), [0, 0], 1), ShapeError, "per channel"),
        (lambda: tr.normalize(nr.zeros((3, 2, 2)), 0, 0), DataError, "positive"),
        (lambda: tr.color_jitter(0, nr.zeros((1, 2, 2), dtype=nr.uint8)), DTypeError, "float"),
        (lambda: tr.color_jitter(0, nr.zeros((1, 2, 2)), brightness=-1), DataError, ">= 0"),
    ],
)
def test_errors(call: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()
