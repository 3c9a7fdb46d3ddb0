"""``nr.random`` under vmap: a batched key gives every example the numbers of its own key
(the vectorized Philox equals NumPy's, word for word), batch axes anywhere, nested vmap,
arguments that vary per example, jit with a traced key, and the errors for arguments that need
concrete values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import neurarust as nr
from neurarust import random as rnd
from neurarust.core.errors import ConcretizationError, ShapeError

B = 4
KEYS = rnd.split(rnd.key(11), B)


def _loop(f: Callable[..., Any], keys: nr.Array) -> list[np.ndarray]:
    outs = [f(keys[i]) for i in range(keys.shape[0])]
    leaves = [nr.tree.leaves(o) for o in outs]
    return [np.stack([np.asarray(o[j]) for o in leaves]) for j in range(len(leaves[0]))]


def assert_batched_keys_match_loop(f: Callable[..., Any], keys: nr.Array = KEYS) -> None:
    got = nr.tree.leaves(nr.vmap(f)(keys))
    want = _loop(f, keys)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(np.asarray(g), w)


DRAWS: dict[str, Callable[[Any], Any]] = {
    "bits8": lambda k: rnd.bits(k, (5,), nr.uint8),
    "bits16": lambda k: rnd.bits(k, (3, 3), nr.uint16),
    "bits32": lambda k: rnd.bits(k, (7,)),
    "bits64": lambda k: rnd.bits(k, (2,), nr.uint64),
    "uniform": lambda k: rnd.uniform(k, (2, 3)),
    "uniform_f16_bounds": lambda k: rnd.uniform(k, (5,), nr.float16, -1.0, 3.0),
    "uniform_f64_array_bounds": lambda k: rnd.uniform(
        k, (2, 3), nr.float64, nr.asarray([0.0, 1.0, 2.0]), 4.0
    ),
    "normal": lambda k: rnd.normal(k, (3, 1)),
    "normal_odd_length": lambda k: rnd.normal(k, (5,), nr.float64),
    "normal_complex": lambda k: rnd.normal(k, (3,), nr.complex64),
    "truncated_normal": lambda k: rnd.truncated_normal(k, nr.asarray([-1.0, 6.0]), 7.0),
    "gumbel": lambda k: rnd.gumbel(k, (4,)),
    "exponential": lambda k: rnd.exponential(k, (4,), nr.float64),
    "randint": lambda k: rnd.randint(k, (9,), -3, 4, nr.int8),
    "randint_array_bounds": lambda k: rnd.randint(k, (2, 2), nr.asarray([0, 10]), 20),
    "randint_full_range": lambda k: rnd.randint(k, (6,), -(2**63), 2**63),
    "bernoulli": lambda k: rnd.bernoulli(k, 0.3, (8,)),
    "bernoulli_device": lambda k: rnd.bernoulli(k, nr.asarray([0.2, 0.9]), device="cpu"),
    "categorical": lambda k: rnd.categorical(k, nr.asarray([[0.0, 1.0, 2.0], [2.0, 0.0, 0.0]])),
    "categorical_axis0_shape": lambda k: rnd.categorical(
        k, nr.asarray([[0.0, 1.0, 2.0], [2.0, 0.0, 0.0]]), axis=0, shape=(4, 3)
    ),
    "permutation": lambda k: rnd.permutation(k, 6),
    "permutation_of_array": lambda k: rnd.permutation(k, nr.arange(12.0).reshape(3, 4), axis=1),
    "choice": lambda k: rnd.choice(k, 5, (2, 3)),
    "choice_p": lambda k: rnd.choice(k, 4, (6,), p=[0.5, 0.0, 0.2, 0.3]),
    "choice_no_replace": lambda k: rnd.choice(k, 6, (4,), replace=False),
    "choice_no_replace_p": lambda k: rnd.choice(k, 4, (2,), replace=False, p=[0.1, 0.2, 0, 0.7]),
    "choice_of_array": lambda k: rnd.choice(k, nr.arange(6.0), (3,)),
    "split": lambda k: rnd.split(k, 3),
    "fold_in": lambda k: rnd.fold_in(k, 5),
    "fold_in_carry": lambda k: rnd.fold_in(k, 2**64 - 1),
    "rand_randn": lambda k: (rnd.rand(k, 2, 3), rnd.randn(k, (2,))),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_batched_keys_match_a_loop(name: str) -> None:
    assert_batched_keys_match_loop(DRAWS[name])


def test_draws_differ_between_keys() -> None:
    draws = np.asarray(nr.vmap(lambda k: rnd.normal(k, (8,)))(KEYS))
    assert len({row.tobytes() for row in draws}) == B


def test_randint_rejections_redraw_from_each_keys_own_stream() -> None:
    # 2**64 mod (2**62 + 1) rejects about a quarter of the words: many redraws per key
    f = lambda k: rnd.randint(k, (64,), 0, 2**62 + 1)  # noqa: E731
    assert_batched_keys_match_loop(f, rnd.split(rnd.key(5), 7))


def test_vectorized_philox_matches_numpy_word_for_word() -> None:
    """Many keys (vectorized Philox) against one key at a time (NumPy's Philox)."""
    keys = rnd.split(rnd.key(123), 16)
    assert_batched_keys_match_loop(lambda k: rnd.bits(k, (37,), nr.uint64), keys)


@pytest.mark.parametrize("axis", [1, -1])
def test_key_batch_axis_after_the_key_words(axis: int) -> None:
    keys_t = nr.moveaxis(KEYS, 0, 1)
    got = nr.vmap(lambda k: rnd.normal(k, (3,)), in_axes=axis)(keys_t)
    np.testing.assert_array_equal(np.asarray(got), _loop(lambda k: rnd.normal(k, (3,)), KEYS)[0])


def test_nested_vmap_over_a_grid_of_keys() -> None:
    grid = rnd.split(rnd.key(2), 6).reshape(2, 3, 2)
    got = nr.vmap(nr.vmap(lambda k: rnd.uniform(k, (2,), minval=-1.0, maxval=1.0)))(grid)
    want = [
        [np.asarray(rnd.uniform(grid[i, j], (2,), minval=-1.0, maxval=1.0)) for j in range(3)]
        for i in range(2)
    ]
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    split_grid = nr.vmap(nr.vmap(lambda k: rnd.split(k, 2)))(grid)
    assert split_grid.shape == (2, 3, 2, 2)
    np.testing.assert_array_equal(np.asarray(split_grid[1, 2]), np.asarray(rnd.split(grid[1, 2])))


def test_unbatched_key_gives_every_example_the_same_draw() -> None:
    xs = nr.arange(3.0)
    got = nr.vmap(lambda x: x + rnd.normal(rnd.key(0), ()))(xs)
    np.testing.assert_array_equal(
        np.asarray(got), np.arange(3, dtype=np.float32) + np.asarray(rnd.normal(rnd.key(0)))
    )


def test_fold_in_with_data_that_varies_per_example() -> None:
    key = rnd.key(9)
    data = nr.asarray([0, 3, -1, 2**40])
    got = nr.vmap(lambda i: rnd.fold_in(key, i))(data)
    want = [np.asarray(rnd.fold_in(key, i)) for i in (0, 3, -1, 2**40)]
    np.testing.assert_array_equal(np.asarray(got), np.stack(want))
    both = nr.vmap(rnd.fold_in)(KEYS, data)
    want = [np.asarray(rnd.fold_in(KEYS[i], int(data[i]))) for i in range(B)]
    np.testing.assert_array_equal(np.asarray(both), np.stack(want))


def test_arguments_that_vary_per_example() -> None:
    rng = np.random.default_rng(0)
    lo = nr.asarray(rng.uniform(-2, 0, (B, 3)).astype(np.float32))
    p = nr.asarray(rng.uniform(0, 1, (B, 5)))
    logits = nr.asarray(rng.normal(size=(B, 2, 4)))

    def draw(k: Any, lo: Any, p: Any, logits: Any) -> Any:
        return (
            rnd.uniform(k, (2, 3), minval=lo, maxval=1.0),
            rnd.bernoulli(k, p),
            rnd.categorical(k, logits, axis=-1),
        )

    got = nr.vmap(draw)(KEYS, lo, p, logits)
    for j, leaf in enumerate(got):
        want = np.stack([np.asarray(draw(KEYS[i], lo[i], p[i], logits[i])[j]) for i in range(B)])
        np.testing.assert_array_equal(np.asarray(leaf), want)
    # the same bounds with an unbatched key: only the bounds differ between examples
    shared = nr.vmap(lambda lo: rnd.uniform(rnd.key(1), (3,), minval=lo))(lo)
    assert np.all(np.asarray(shared) >= np.asarray(lo)) and np.all(np.asarray(shared) < 1)


def test_uniform_bounds_are_constants_to_differentiation() -> None:
    def f(lo: Any) -> Any:
        return nr.sum(rnd.uniform(rnd.key(0), (4,), minval=lo, maxval=2.0))

    np.testing.assert_array_equal(np.asarray(nr.grad(f)(nr.asarray(-1.0))), 0.0)


def test_jit_with_a_traced_key() -> None:
    f = nr.jit(lambda k, i: rnd.normal(rnd.fold_in(k, i), (3,)) + rnd.uniform(k, (3,)))
    key = rnd.key(4)
    want = rnd.normal(rnd.fold_in(key, 2), (3,)) + rnd.uniform(key, (3,))
    np.testing.assert_array_equal(np.asarray(f(key, nr.asarray(2))), np.asarray(want))


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda lo: rnd.truncated_normal(rnd.key(0), lo, 3.0, (2,)), "'lower'"),
        (lambda lo: rnd.randint(rnd.key(0), (2,), nr.astype(lo, nr.int64), 10), "'low'"),
        (lambda lo: rnd.choice(rnd.key(0), 3, (2,), p=nr.stack([lo, lo, lo]) + 2), "'p'"),
    ],
)
def test_host_arguments_that_vary_per_example_raise(
    call: Callable[..., Any], argument: str
) -> None:
    with pytest.raises(ConcretizationError, match=f"argument {argument} needs a concrete value"):
        nr.vmap(call)(nr.asarray([0.0, 1.0]))


def test_a_batch_of_keys_outside_vmap_names_vmap() -> None:
    with pytest.raises(ShapeError, match=r"map over them with nr\.vmap"):
        rnd.normal(KEYS, (2,))
