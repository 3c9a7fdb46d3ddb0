"""Random keys and distributions: determinism (with golden values), independent streams,
statistics of every distribution with fixed keys, and errors.

Statistical tolerances are about five standard errors for the sample size, so a correct
sampler fails with negligible probability and every key below is fixed: the tests are
deterministic.
"""

import math

import numpy as np
import pytest

import neurarust as nr
from neurarust import random as rnd
from neurarust.core.errors import AxisError, DTypeError, ShapeError

N = 200_000
KEY = rnd.key(1234)


def host(x):
    return np.asarray(x.numpy())


def normal_cdf(x):
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def normal_pdf(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def chi_square(counts, expected):
    counts = np.asarray(counts, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    return float(((counts - expected) ** 2 / expected).sum())


def chi_square_limit(df, z=4.5):
    """Wilson-Hilferty upper quantile of chi2(df) at ``z`` standard normal units (~3e-6)."""
    c = 2.0 / (9.0 * df)
    return df * (1.0 - c + z * math.sqrt(c)) ** 3


def assert_moments(sample, mean, var):
    sample = np.asarray(sample, dtype=np.float64).ravel()
    n = sample.size
    assert abs(sample.mean() - mean) < 5 * math.sqrt(var / n), sample.mean()
    assert abs(sample.var() - var) < 0.02 * var + 5 * var * math.sqrt(2.0 / n), sample.var()


def ks_statistic(sample, cdf):
    sample = np.sort(np.asarray(sample, dtype=np.float64).ravel())
    f = np.array([cdf(v) for v in sample])
    n = sample.size
    return max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n))


# ------------------------------------------------------------------------------ keys


def test_key_layout():
    assert rnd.key(0).dtype == nr.uint32 and rnd.key(0).shape == (2,)
    assert rnd.key(0).tolist() == [0, 0]
    assert rnd.key(42).tolist() == [0, 42]
    assert rnd.key(2**32 + 5).tolist() == [1, 5]
    assert rnd.key(-1).tolist() == [2**32 - 1, 2**32 - 1]
    assert rnd.key(np.int64(7)).tolist() == [0, 7]


def test_golden_values_key0():
    k = rnd.key(0)
    np.testing.assert_array_equal(
        host(rnd.uniform(k, (4,))),
        np.array(
            [0.034741878509521484, 0.011546730995178223, 0.6119502186775208, 0.24154919385910034],
            dtype=np.float32,
        ),
    )
    np.testing.assert_array_equal(
        host(rnd.uniform(k, (3,), nr.float64)),
        [0.011546754286331562, 0.24154919656271812, 0.11142585551493822],
    )
    np.testing.assert_array_equal(
        host(rnd.normal(k, (4,))),
        np.array(
            [0.00808869581669569, 0.1521921306848526, -0.4468097388744354, -0.1914038062095642],
            dtype=np.float32,
        ),
    )
    np.testing.assert_array_equal(
        host(rnd.normal(rnd.key(1), (3,), nr.float64)),
        [0.4943877442845478, -0.6922074110439179, 0.5715938418833231],
    )
    assert rnd.randint(k, (6,), 0, 100).tolist() == [59, 58, 49, 56, 3, 25]
    assert rnd.split(k).tolist() == [[3493329091, 4188131702], [3226943899, 1277232997]]
    assert rnd.fold_in(k, 1).tolist() == [3520582178, 2658246099]


DRAWS = {
    "bits": lambda k: rnd.bits(k, (5,), nr.uint64),
    "uniform": lambda k: rnd.uniform(k, (5,)),
    "normal": lambda k: rnd.normal(k, (5,), nr.float64),
    "truncated_normal": lambda k: rnd.truncated_normal(k, -1.0, 2.0, (5,)),
    "randint": lambda k: rnd.randint(k, (5,), -(2**40), 2**40),
    "bernoulli": lambda k: rnd.bernoulli(k, 0.5, (64,)),
    "categorical": lambda k: rnd.categorical(k, nr.zeros(1000), shape=(5,)),
    "permutation": lambda k: rnd.permutation(k, 50),
    "choice": lambda k: rnd.choice(k, 1000, (5,), replace=False),
    "gumbel": lambda k: rnd.gumbel(k, (5,)),
    "exponential": lambda k: rnd.exponential(k, (5,)),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_same_key_same_bits_and_new_keys_new_bits(name):
    draw = DRAWS[name]
    a, b = host(draw(KEY)), host(draw(rnd.key(1234)))
    assert a.dtype == b.dtype
    np.testing.assert_array_equal(a.view(np.uint8), b.view(np.uint8))
    others = [draw(k) for k in (*rnd.split(KEY, 3), rnd.fold_in(KEY, 0), rnd.key(1235))]
    for other in others:
        assert not np.array_equal(host(other), a)


def test_split_and_fold_in_give_distinct_keys_and_streams():
    keys = host(rnd.split(KEY, 1000))
    assert keys.shape == (1000, 2) and keys.dtype == np.uint32
    folded = np.stack([host(rnd.fold_in(KEY, i)) for i in range(1000)])
    all_keys = np.concatenate([keys, folded, host(KEY)[None]])
    assert len({tuple(k) for k in all_keys.tolist()}) == 2001
    streams = np.stack([host(rnd.uniform(k, (1000,), nr.float64)) for k in keys[:20]])
    corr = np.corrcoef(np.concatenate([streams, host(rnd.uniform(KEY, (1, 1000), nr.float64))]))
    off_diagonal = corr[~np.eye(21, dtype=bool)]
    assert np.abs(off_diagonal).max() < 5 / math.sqrt(1000)
    assert rnd.split(KEY, 0).shape == (0, 2)
    assert rnd.fold_in(KEY, nr.asarray(3)).tolist() == rnd.fold_in(KEY, 3).tolist()
    assert rnd.fold_in(KEY, -1).tolist() == rnd.fold_in(KEY, 2**64 - 1).tolist()


def test_numpy_keys_and_split_rows_are_keys():
    row = rnd.split(KEY)[1]
    np.testing.assert_array_equal(host(rnd.uniform(row, (3,))), host(rnd.uniform(host(row), (3,))))


# ------------------------------------------------------------------------- uniform


@pytest.mark.parametrize(
    ("dtype", "step"),
    [
        (nr.float32, 2.0**-24),
        (nr.float64, 2.0**-53),
        (nr.float16, 2.0**-11),
        (nr.bfloat16, 2.0**-8),
    ],
)
def test_uniform_unit_interval(dtype, step):
    x = rnd.uniform(KEY, (N,), dtype)
    assert x.dtype == dtype and x.shape == (N,)
    v = host(x).astype(np.float64)
    assert v.min() >= 0.0 and v.max() < 1.0
    assert np.all(np.mod(v, step) == 0)  # every value is a whole number of unit steps
    assert_moments(v, 0.5, 1 / 12)
    assert ks_statistic(v[:20_000], lambda t: t) < 1.95 / math.sqrt(20_000) + step


def test_uniform_range_and_array_bounds():
    v = host(rnd.uniform(KEY, (N,), nr.float64, -3.0, 5.0))
    assert v.min() >= -3.0 and v.max() < 5.0
    assert_moments(v, 1.0, 64 / 12)
    lo = nr.asarray([0.0, 10.0, -1.0])
    hi = nr.asarray([1.0, 20.0, -0.5])
    w = host(rnd.uniform(KEY, (N // 10, 3), minval=lo, maxval=hi))
    assert np.all(w >= host(lo)) and np.all(w < host(hi))
    np.testing.assert_allclose(w.mean(0), [0.5, 15.0, -0.75], atol=0.05)


def test_uniform_stays_below_maxval_after_rounding():
    v = host(rnd.uniform(KEY, (N,), nr.bfloat16, 1.0, 1.0 + 2.0**-6))
    assert v.min() >= 1.0 and v.max() < 1.0 + 2.0**-6
    assert host(rnd.uniform(KEY, (4,), nr.float32, 2.0, 2.0)).tolist() == [2.0] * 4


def test_rand_is_uniform():
    np.testing.assert_array_equal(host(nr.rand(KEY, 2, 3)), host(rnd.uniform(KEY, (2, 3))))
    np.testing.assert_array_equal(host(nr.rand(KEY, (4,))), host(rnd.uniform(KEY, (4,))))
    assert nr.rand(KEY).shape == ()
    assert nr.rand(KEY, 3, dtype=nr.float64).dtype == nr.float64


# -------------------------------------------------------------------------- normal


@pytest.mark.parametrize("dtype", [nr.float32, nr.float64, nr.float16, nr.bfloat16])
def test_normal_moments_and_shape(dtype):
    x = rnd.normal(KEY, (N // 4, 4), dtype)
    assert x.dtype == dtype and x.shape == (N // 4, 4)
    v = host(x).astype(np.float64).ravel()
    assert_moments(v, 0.0, 1.0)
    kurtosis = np.mean(v**4) / np.mean(v**2) ** 2
    assert abs(kurtosis - 3.0) < 0.1
    assert abs(np.mean(np.abs(v) < 1.0) - 0.6826894921) < 0.005


def test_normal_distribution_ks():
    v = host(rnd.normal(KEY, (20_000,), nr.float64))
    assert ks_statistic(v, normal_cdf) < 1.95 / math.sqrt(20_000)


def test_normal_complex():
    z = host(rnd.normal(KEY, (N,), nr.complex64))
    assert z.dtype == np.complex64
    assert_moments(z.real, 0.0, 0.5)
    assert_moments(z.imag, 0.0, 0.5)
    assert abs(np.mean(z.real * z.imag)) < 5 * 0.5 / math.sqrt(N)


def test_randn_is_normal():
    np.testing.assert_array_equal(host(nr.randn(KEY, 3, 2)), host(rnd.normal(KEY, (3, 2))))
    np.testing.assert_array_equal(host(nr.randn(KEY, [5])), host(rnd.normal(KEY, (5,))))


# ----------------------------------------------------------------- truncated normal


def truncated_moments(a, b):
    z = normal_cdf(b) - normal_cdf(a)
    pa, pb = normal_pdf(a), normal_pdf(b)
    mean = (pa - pb) / z
    ta = a * pa if math.isfinite(a) else 0.0
    tb = b * pb if math.isfinite(b) else 0.0
    var = 1.0 + (ta - tb) / z - mean**2
    return mean, var


@pytest.mark.parametrize(
    ("lower", "upper"), [(-2.0, 2.0), (-1.0, 0.5), (0.5, 3.0), (6.0, math.inf), (-math.inf, -4.0)]
)
def test_truncated_normal_bounds_and_moments(lower, upper):
    x = rnd.truncated_normal(KEY, lower, upper, (N,), nr.float64)
    v = host(x)
    assert v.min() >= lower and v.max() <= upper
    assert np.all(np.isfinite(v))
    assert_moments(v, *truncated_moments(lower, upper))


def test_truncated_normal_float32_bounds_and_array_bounds():
    v = host(rnd.truncated_normal(KEY, -2.0, 2.0, (N,)))
    assert v.dtype == np.float32 and v.min() >= -2.0 and v.max() <= 2.0
    lower = nr.asarray([-1.0, 0.0, 3.0])
    upper = nr.asarray([1.0, math.inf, 3.5])
    x = rnd.truncated_normal(KEY, lower, upper)
    assert x.shape == (3,)
    w = host(rnd.truncated_normal(KEY, lower, upper, (N // 10, 3), nr.float64))
    assert np.all(w >= host(lower)) and np.all(w <= host(upper))
    expected = [truncated_moments(a, b)[0] for a, b in [(-1, 1), (0, math.inf), (3, 3.5)]]
    np.testing.assert_allclose(w.mean(0), expected, atol=0.02)


# ---------------------------------------------------------------- gumbel, exponential


def test_gumbel_moments():
    v = host(rnd.gumbel(KEY, (N,), nr.float64))
    assert np.all(np.isfinite(v))
    assert_moments(v, 0.5772156649015329, math.pi**2 / 6)
    assert ks_statistic(v[:20_000], lambda t: math.exp(-math.exp(-t))) < 1.95 / math.sqrt(20_000)
    assert rnd.gumbel(KEY, (3,), nr.bfloat16).dtype == nr.bfloat16


def test_exponential_moments():
    v = host(rnd.exponential(KEY, (N,), nr.float64))
    assert v.min() >= 0.0 and np.all(np.isfinite(v))
    assert_moments(v, 1.0, 1.0)
    assert ks_statistic(v[:20_000], lambda t: 1.0 - math.exp(-t)) < 1.95 / math.sqrt(20_000)
    assert rnd.exponential(KEY, (2, 2)).dtype == nr.float32


# ------------------------------------------------------------------------- randint


@pytest.mark.parametrize(
    ("low", "high", "dtype"),
    [(0, 10, nr.int64), (-3, 4, nr.int8), (5, 12, nr.uint16), (-7, 0, nr.int32)],
)
def test_randint_uniform_chi_square(low, high, dtype):
    x = rnd.randint(KEY, (N,), low, high, dtype)
    assert x.dtype == dtype and x.shape == (N,)
    v = host(x).astype(np.int64)
    assert v.min() == low and v.max() == high - 1
    counts = np.bincount(v - low, minlength=high - low)
    df = high - low - 1
    assert chi_square(counts, [N / (high - low)] * (high - low)) < chi_square_limit(df)


def test_randint_is_unbiased_for_awkward_ranges():
    # 3 * 2**62 values: taking raw % span would make the lower two thirds twice as likely.
    span = 3 * 2**62
    v = host(rnd.randint(KEY, (30_000,), 0, span, nr.uint64)).astype(np.float64)
    thirds = np.bincount((v // 2**62).astype(int), minlength=3)
    assert chi_square(thirds, [10_000] * 3) < chi_square_limit(2)


def test_randint_full_ranges():
    for dtype in (nr.int64, nr.uint64, nr.int8, nr.uint8):
        info = np.iinfo(dtype)
        v = host(rnd.randint(KEY, (N,), int(info.min), int(info.max) + 1, dtype))
        assert v.dtype == dtype
        top_bit = (v.astype(np.uint64) >> np.uint64(info.bits - 1)) & np.uint64(1)
        assert abs(top_bit.mean() - 0.5) < 5 * 0.5 / math.sqrt(N)


def test_randint_array_bounds():
    low = nr.asarray([0, 100, -5])
    high = nr.asarray([2, 103, -4])
    v = host(rnd.randint(KEY, (1000, 3), low, high))
    assert set(v[:, 0]) == {0, 1} and set(v[:, 1]) == {100, 101, 102} and set(v[:, 2]) == {-5}


# ----------------------------------------------------------------------- bernoulli


@pytest.mark.parametrize("p", [0.5, 0.1, 0.97])
def test_bernoulli_mean(p):
    x = rnd.bernoulli(KEY, p, (N,))
    assert x.dtype == nr.bool and x.shape == (N,)
    assert abs(host(x).mean() - p) < 5 * math.sqrt(p * (1 - p) / N)


def test_bernoulli_array_p_and_default_shape():
    p = nr.asarray([0.0, 0.25, 1.0])
    assert rnd.bernoulli(KEY, p).shape == (3,)
    v = host(rnd.bernoulli(KEY, p, (N // 10, 3)))
    assert not v[:, 0].any() and v[:, 2].all()
    assert abs(v[:, 1].mean() - 0.25) < 5 * math.sqrt(0.25 * 0.75 / (N // 10))
    assert rnd.bernoulli(KEY).shape == ()


# --------------------------------------------------------------------- categorical


def test_categorical_chi_square():
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    x = rnd.categorical(KEY, nr.asarray(logits), shape=(N,))
    assert x.dtype == nr.int64 and x.shape == (N,)
    counts = np.bincount(host(x), minlength=4)
    assert chi_square(counts, N * np.exp(logits)) < chi_square_limit(3)


def test_categorical_axis_batch_and_impossible_classes():
    logits = nr.asarray([[0.0, -math.inf, 0.0], [-math.inf, 5.0, -math.inf]])
    x = rnd.categorical(KEY, logits)
    assert x.shape == (2,)
    v = host(rnd.categorical(KEY, logits, shape=(N // 10, 2)))
    assert set(v[:, 0]) == {0, 2} and set(v[:, 1]) == {1}
    assert abs(np.mean(v[:, 0] == 0) - 0.5) < 5 * 0.5 / math.sqrt(N // 10)
    columns = nr.asarray(np.log([[0.9, 0.5], [0.1, 0.5]]))
    w = host(rnd.categorical(KEY, columns, axis=0, shape=(N // 10, 2)))
    assert abs(np.mean(w[:, 0] == 0) - 0.9) < 5 * math.sqrt(0.09 / (N // 10))
    assert abs(np.mean(w[:, 1] == 0) - 0.5) < 5 * math.sqrt(0.25 / (N // 10))


# ---------------------------------------------------------------------- permutation


def test_permutation_is_a_permutation():
    p = rnd.permutation(KEY, 1000)
    assert p.dtype == nr.int64
    assert sorted(p.tolist()) == list(range(1000))
    assert p.tolist() != list(range(1000))
    assert rnd.permutation(KEY, 0).shape == (0,)


def test_permutation_is_uniform_over_orders():
    counts: dict[tuple[int, ...], int] = {}
    for k in rnd.split(KEY, 3000):
        order = tuple(rnd.permutation(k, 3).tolist())
        counts[order] = counts.get(order, 0) + 1
    assert len(counts) == 6
    assert chi_square(list(counts.values()), [500] * 6) < chi_square_limit(5)


def test_permutation_of_array_along_axis():
    x = nr.asarray(np.arange(12).reshape(4, 3))
    rows = host(rnd.permutation(KEY, x))
    assert sorted(map(tuple, rows.tolist())) == sorted(map(tuple, np.arange(12).reshape(4, 3)))
    cols = host(rnd.permutation(KEY, x, axis=1))
    np.testing.assert_array_equal(np.sort(cols, axis=1), host(x))
    assert np.all(cols[1] - cols[0] == 3)  # whole columns move together


# --------------------------------------------------------------------------- choice


def test_choice_with_replacement_is_uniform():
    x = rnd.choice(KEY, 6, (N,))
    assert x.dtype == nr.int64
    assert chi_square(np.bincount(host(x), minlength=6), [N / 6] * 6) < chi_square_limit(5)


def test_choice_with_p():
    p = [0.5, 0.0, 0.2, 0.3]
    v = host(rnd.choice(KEY, 4, (N,), p=nr.asarray(p)))
    counts = np.bincount(v, minlength=4)
    assert counts[1] == 0
    assert chi_square(counts[[0, 2, 3]], N * np.array([0.5, 0.2, 0.3])) < chi_square_limit(2)
    unnormalised = host(rnd.choice(KEY, 4, (N,), p=[5, 0, 2, 3]))
    np.testing.assert_array_equal(unnormalised, v)


def test_choice_without_replacement_has_no_repeats():
    x = host(rnd.choice(KEY, 100, (10, 10), replace=False))
    assert x.shape == (10, 10) and sorted(x.ravel().tolist()) == list(range(100))
    y = host(rnd.choice(KEY, 1000, (50,), replace=False))
    assert len(set(y.tolist())) == 50 and y.min() >= 0 and y.max() < 1000


def test_choice_without_replacement_with_p():
    p = np.array([0.1, 0.0, 0.6, 0.3])
    firsts = []
    for k in rnd.split(KEY, 4000):
        draw = rnd.choice(k, 4, (3,), replace=False, p=p).tolist()
        assert len(set(draw)) == 3 and 1 not in draw
        firsts.append(draw[0])
    counts = np.bincount(firsts, minlength=4)
    assert chi_square(counts[[0, 2, 3]], 4000 * p[[0, 2, 3]]) < chi_square_limit(2)


def test_choice_from_array_along_axis():
    a = nr.asarray([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    rows = rnd.choice(KEY, a, (5,))
    assert rows.shape == (5, 3)
    assert {tuple(r) for r in host(rows).tolist()} <= {(1.0, 2.0, 3.0), (4.0, 5.0, 6.0)}
    cols = rnd.choice(KEY, a, (2, 2), axis=1)
    assert cols.shape == (2, 2, 2)
    np.testing.assert_array_equal(host(cols)[1] - host(cols)[0], 3.0)
    assert rnd.choice(KEY, 5).shape == ()


# ----------------------------------------------------------------------------- bits


def test_bits_dtypes_and_uniformity():
    for dtype in (nr.uint8, nr.uint16, nr.uint32, nr.uint64):
        x = rnd.bits(KEY, (N,), dtype)
        assert x.dtype == dtype and x.shape == (N,)
    v = host(rnd.bits(KEY, (N,), nr.uint8))
    assert chi_square(np.bincount(v, minlength=256), [N / 256] * 256) < chi_square_limit(255)
    np.testing.assert_array_equal(host(rnd.bits(KEY, (3,))), host(rnd.bits(KEY, (4,)))[:3])


# --------------------------------------------------------------------------- errors


KEYED = {
    "split": lambda k: rnd.split(k),
    "fold_in": lambda k: rnd.fold_in(k, 1),
    "bits": lambda k: rnd.bits(k, (2,)),
    "uniform": lambda k: rnd.uniform(k, (2,)),
    "normal": lambda k: rnd.normal(k, (2,)),
    "truncated_normal": lambda k: rnd.truncated_normal(k, -1, 1, (2,)),
    "randint": lambda k: rnd.randint(k, (2,), 0, 3),
    "bernoulli": lambda k: rnd.bernoulli(k, 0.5, (2,)),
    "categorical": lambda k: rnd.categorical(k, nr.zeros(3)),
    "permutation": lambda k: rnd.permutation(k, 3),
    "choice": lambda k: rnd.choice(k, 3),
    "gumbel": lambda k: rnd.gumbel(k, (2,)),
    "exponential": lambda k: rnd.exponential(k, (2,)),
}


@pytest.mark.parametrize("name", sorted(KEYED))
def test_bad_keys_name_the_function(name):
    call = KEYED[name]
    with pytest.raises(DTypeError, match=rf"{name}: argument 'key' expected a key.*got int 0"):
        call(0)
    with pytest.raises(DTypeError, match=rf"{name}: argument 'key'.*uint32.*got dtype int64"):
        call(nr.asarray([0, 0]))
    with pytest.raises(ShapeError, match=rf"{name}: argument 'key'.*got shape \(3, 2\)"):
        call(rnd.split(KEY, 3))
    with pytest.raises(ShapeError, match=rf"{name}: argument 'key'.*got shape \(3,\)"):
        call(np.zeros(3, dtype=np.uint32))


def test_key_and_fold_in_errors():
    with pytest.raises(DTypeError, match="key: argument 'seed' expected an int, got float"):
        rnd.key(1.5)
    with pytest.raises(DTypeError, match="key: argument 'seed'"):
        rnd.key(True)
    with pytest.raises(ValueError, match=r"key: argument 'seed' expected an int in"):
        rnd.key(2**64)
    with pytest.raises(DTypeError, match="fold_in: argument 'data' expected an int, got float"):
        rnd.fold_in(KEY, 0.5)
    with pytest.raises(ValueError, match="fold_in: argument 'data'"):
        rnd.fold_in(KEY, -(2**64))
    with pytest.raises(ShapeError, match="split: argument 'num'"):
        rnd.split(KEY, -1)


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("uniform", lambda dt: rnd.uniform(KEY, (2,), dt)),
        ("normal", lambda dt: rnd.normal(KEY, (2,), dt)),
        ("truncated_normal", lambda dt: rnd.truncated_normal(KEY, 0, 1, (2,), dt)),
        ("gumbel", lambda dt: rnd.gumbel(KEY, (2,), dt)),
        ("exponential", lambda dt: rnd.exponential(KEY, (2,), dt)),
        ("randint", lambda dt: rnd.randint(KEY, (2,), 0, 2, "float32" if dt == "int32" else dt)),
        ("bits", lambda dt: rnd.bits(KEY, (2,), dt)),
    ],
)
def test_dtype_errors(name, call):
    with pytest.raises(DTypeError, match=rf"{name}: argument 'dtype'"):
        call("int32")
    with pytest.raises(DTypeError, match=rf"{name}: argument 'dtype'"):
        call("float9")


@pytest.mark.parametrize(
    "call",
    [
        lambda s: rnd.uniform(KEY, s),
        lambda s: rnd.normal(KEY, s),
        lambda s: rnd.randint(KEY, s, 0, 3),
        lambda s: rnd.gumbel(KEY, s),
        lambda s: rnd.exponential(KEY, s),
        lambda s: rnd.bernoulli(KEY, 0.5, s),
        lambda s: rnd.choice(KEY, 5, s),
        lambda s: nr.rand(KEY, *s),
    ],
)
def test_negative_shape_errors(call):
    with pytest.raises(ShapeError, match="argument 'shape' expected a non-negative int, got -2"):
        call((3, -2))


def test_distribution_argument_errors():
    with pytest.raises(ValueError, match="uniform: arguments 'minval' and 'maxval'"):
        rnd.uniform(KEY, (2,), minval=1.0, maxval=0.0)
    with pytest.raises(ShapeError, match=r"uniform: argument 'minval'.*broadcasts to"):
        rnd.uniform(KEY, (2,), minval=nr.zeros(3))
    with pytest.raises(ValueError, match="truncated_normal: arguments 'lower' and 'upper'"):
        rnd.truncated_normal(KEY, 1.0, 1.0, (2,))
    with pytest.raises(ShapeError, match="truncated_normal: arguments 'lower' and 'upper'"):
        rnd.truncated_normal(KEY, nr.zeros(2), nr.ones(3))
    with pytest.raises(ValueError, match="randint: arguments 'low' and 'high'"):
        rnd.randint(KEY, (2,), 5, 5)
    with pytest.raises(ValueError, match=r"randint: argument 'high' expected a value in"):
        rnd.randint(KEY, (2,), 0, 300, nr.uint8)
    with pytest.raises(ValueError, match=r"randint: argument 'low' expected a value in"):
        rnd.randint(KEY, (2,), -1, 3, nr.uint8)
    with pytest.raises(DTypeError, match="randint: argument 'low' expected an int, got float"):
        rnd.randint(KEY, (2,), 0.5, 3)
    with pytest.raises(DTypeError, match="randint: argument 'high' expected integers"):
        rnd.randint(KEY, (2,), 0, nr.ones(2))
    with pytest.raises(ValueError, match=r"bernoulli: argument 'p' expected probabilities"):
        rnd.bernoulli(KEY, 1.5)
    with pytest.raises(ShapeError, match="bernoulli: argument 'p'"):
        rnd.bernoulli(KEY, nr.ones(3) / 2, (2,))


def test_discrete_argument_errors():
    with pytest.raises(AxisError, match="categorical: argument 'axis'"):
        rnd.categorical(KEY, nr.zeros(3), axis=1)
    with pytest.raises(ShapeError, match="categorical: argument 'logits'"):
        rnd.categorical(KEY, nr.asarray(0.0))
    with pytest.raises(ShapeError, match="categorical: argument 'shape'"):
        rnd.categorical(KEY, nr.zeros((2, 3)), shape=(3,))
    with pytest.raises(DTypeError, match="categorical: argument 'logits'"):
        rnd.categorical(KEY, "abc")
    with pytest.raises(ShapeError, match="permutation: argument 'n_or_array'"):
        rnd.permutation(KEY, -1)
    with pytest.raises(ShapeError, match=r"permutation: argument 'n_or_array'.*0-d"):
        rnd.permutation(KEY, nr.asarray(3.0))
    with pytest.raises(AxisError, match="permutation: argument 'axis'"):
        rnd.permutation(KEY, nr.zeros(3), axis=2)
    with pytest.raises(ShapeError, match="choice: argument 'shape' expected at most 3 samples"):
        rnd.choice(KEY, 3, (4,), replace=False)
    with pytest.raises(ShapeError, match="choice: argument 'shape' expected at most 1 samples"):
        rnd.choice(KEY, 3, (2,), replace=False, p=[0.0, 1.0, 0.0])
    with pytest.raises(ShapeError, match=r"choice: argument 'p' expected shape \(3,\)"):
        rnd.choice(KEY, 3, p=[0.5, 0.5])
    with pytest.raises(ValueError, match="choice: argument 'p' expected finite non-negative"):
        rnd.choice(KEY, 2, p=[-0.5, 1.5])
    with pytest.raises(ValueError, match="choice: argument 'p' expected finite non-negative"):
        rnd.choice(KEY, 2, p=[0.0, 0.0])
    with pytest.raises(ShapeError, match="choice: argument 'a' expected a non-empty"):
        rnd.choice(KEY, 0, (1,))
    with pytest.raises(DTypeError, match="choice: argument 'a'"):
        rnd.choice(KEY, object())


# ------------------------------------------------------------------- transforms


def test_results_are_plain_arrays_and_constants_under_grad():
    assert type(rnd.normal(KEY, (2,))) is nr.Array

    def f(x):
        noise = rnd.normal(KEY, (3,))
        assert type(noise) is nr.Array
        return nr.sum(x * noise)

    np.testing.assert_array_equal(host(nr.grad(f)(nr.ones(3))), host(rnd.normal(KEY, (3,))))


def test_permutation_and_choice_of_an_array_are_differentiable():
    weights = nr.asarray([1.0, 10.0, 100.0, 1000.0])
    order = rnd.permutation(KEY, 4).tolist()

    def shuffled(x):
        return nr.sum(rnd.permutation(KEY, x) * weights)

    expected = np.zeros(4)
    expected[order] = host(weights)
    np.testing.assert_array_equal(host(nr.grad(shuffled)(nr.arange(4.0))), expected)

    picks = rnd.choice(KEY, 2, (5,)).tolist()

    def chosen(x):
        return nr.sum(rnd.choice(KEY, x.reshape(2, 2), (5,), axis=1))

    grad = host(nr.grad(chosen)(nr.arange(4.0))).reshape(2, 2)
    np.testing.assert_array_equal(grad, np.tile(np.bincount(picks, minlength=2), (2, 1)))
