"""Bundled and synthetic datasets: digits, text_corpus, make_regression, make_spirals."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import pytest

import neurarust as nr
from neurarust.data import DataError, datasets


def test_digits() -> None:
    images, labels = datasets.digits()
    assert images.shape == (1797, 1, 8, 8) and images.dtype == nr.float32
    assert labels.shape == (1797,) and labels.dtype == nr.int64
    x = images.numpy()
    assert x.min() == 0.0 and x.max() == 1.0
    assert sorted(set(labels.tolist())) == list(range(10))
    assert labels.tolist()[:5] == [0, 1, 2, 3, 4]


def test_digits_without_scikit_learn(monkeypatch: Any) -> None:
    real_import = builtins.__import__

    def no_sklearn(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("sklearn"):
            raise ImportError("no sklearn")
        return real_import(name, *args, **kwargs)

    datasets._digits_arrays.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    try:
        with pytest.raises(ImportError, match=r"digits: needs scikit-learn.*pip install"):
            datasets.digits()
    finally:
        monkeypatch.undo()
        datasets._digits_arrays.cache_clear()


def test_text_corpus() -> None:
    text = datasets.text_corpus()
    assert isinstance(text, str) and len(text) > 100_000
    assert text.startswith('The "assert" statement') and "lambda" in text


def test_make_regression_is_linear_and_deterministic() -> None:
    x, y = datasets.make_regression(nr.random.key(0), 200, n_features=5, bias=3.0)
    assert x.shape == (200, 5) and y.shape == (200,) and y.dtype == nr.float32
    design = np.c_[x.numpy(), np.ones(200)]
    coef, residual, *_ = np.linalg.lstsq(design, y.numpy(), rcond=None)
    assert residual[0] < 1e-6 and abs(coef[-1] - 3.0) < 1e-4
    again = datasets.make_regression(nr.random.key(0), 200, n_features=5, bias=3.0)
    assert np.array_equal(again.y.numpy(), y.numpy())
    _, noisy = datasets.make_regression(0, 200, n_features=5, bias=3.0, noise=0.5)
    assert 0.3 < float(np.std(noisy.numpy() - y.numpy())) < 0.7
    _, multi = datasets.make_regression(0, 10, n_targets=3)
    assert multi.shape == (10, 3)


def test_make_spirals() -> None:
    x, y = datasets.make_spirals(nr.random.key(1), 300, n_classes=3)
    assert x.shape == (300, 2) and y.tolist() == [0] * 100 + [1] * 100 + [2] * 100
    radius = np.linalg.norm(x.numpy(), axis=1)
    assert radius.max() <= 1.0
    noisy, _ = datasets.make_spirals(1, 300, n_classes=3, noise=0.1)
    assert not np.allclose(noisy.numpy(), x.numpy())


@pytest.mark.parametrize(
    ("fn", "kwargs", "match"),
    [
        (datasets.make_regression, {"n": -1}, "make_regression: argument 'n'"),
        (datasets.make_regression, {"n": 5, "n_features": 0}, "'n_features'"),
        (datasets.make_regression, {"n": 5, "noise": -1.0}, "'noise' expected a number >= 0"),
        (datasets.make_spirals, {"n": 5, "n_classes": 0}, "'n_classes'"),
        (datasets.make_spirals, {"n": 5, "turns": 0}, "'turns' expected a number > 0"),
        (datasets.make_spirals, {"n": 2.5}, "'n' expected an int"),
    ],
)
def test_generator_errors(fn: Any, kwargs: dict, match: str) -> None:
    with pytest.raises(DataError, match=match):
        fn(nr.random.key(0), **kwargs)
    with pytest.raises(DataError, match="'key' expected a key"):
        fn("key", 3)
