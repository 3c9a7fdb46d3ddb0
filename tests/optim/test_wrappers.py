"""Building blocks and wrappers: chain, apply_updates, groups, masks, accumulation, skipping
non-finite steps, injected hyper-parameters, clipping."""

from __future__ import annotations

import numpy as np
import pytest

import neurarust as nr


def params_tree() -> dict:
    return {
        "encoder": {"weight": nr.ones((2, 3)), "bias": nr.zeros(3)},
        "head": {"weight": nr.full((3, 1), 2.0), "bias": nr.zeros(1)},
    }


def grads_like(params: dict, value: float = 1.0) -> dict:
    return nr.tree.map(lambda p: nr.full_like(p, value), params)


# ------------------------------------------------------------------ base


def test_apply_updates_keeps_dtypes_and_skips_non_floats():
    params = {"a": nr.asarray([1.0], dtype=nr.bfloat16), "n": nr.asarray([1]), "none": None}
    updates = {"a": nr.asarray([0.5], dtype=nr.float32), "n": nr.asarray([5]), "none": None}
    out = nr.optim.apply_updates(params, updates)
    assert out["a"].dtype == nr.bfloat16 and float(out["a"][0]) == 1.5
    assert int(out["n"][0]) == 1 and out["none"] is None


def test_chain_composes_and_step_is_update_then_apply():
    opt = nr.optim.chain(nr.optim.scale(2.0), nr.optim.scale_by_learning_rate(0.1))
    params = {"w": nr.asarray([1.0, 2.0])}
    state = opt.init(params)
    updates, _ = opt.update({"w": nr.ones(2)}, state, params)
    np.testing.assert_allclose(updates["w"].numpy(), [-0.2, -0.2])
    stepped, _ = opt.step(params, {"w": nr.ones(2)}, state)
    np.testing.assert_allclose(stepped["w"].numpy(), [0.8, 1.8])
    with pytest.raises(TypeError, match="chain: argument 1 expected a GradientTransformation"):
        nr.optim.chain(nr.optim.scale(1.0), "adam")


def test_trace_and_add_decayed_weights():
    opt = nr.optim.chain(nr.optim.add_decayed_weights(0.5), nr.optim.trace(0.9, nesterov=True))
    w = nr.asarray([2.0], dtype=nr.float64)
    state = opt.init(w)
    u, state = opt.update(nr.asarray([1.0], dtype=nr.float64), state, w)
    # g = 1 + 0.5 * 2 = 2; buf = 2; nesterov: g + 0.9 * buf = 3.8
    assert float(u[0]) == pytest.approx(3.8)
    with pytest.raises(ValueError, match="add_decayed_weights: update needs the parameters"):
        nr.optim.add_decayed_weights(0.1).update(w, nr.optim.add_decayed_weights(0.1).init(w))


def test_set_to_zero_and_scale_by_schedule():
    params = params_tree()
    u, _ = nr.optim.zero_grads().update(grads_like(params), nr.optim.set_to_zero().init(params))
    assert all(float(nr.abs(x).sum()) == 0 for x in nr.tree.leaves(u))
    tx = nr.optim.scale_by_schedule(lambda t: 2.0 ** nr.astype(t, nr.float64))
    state = tx.init(None)
    for expected in [1.0, 2.0, 4.0]:
        u, state = tx.update({"w": nr.ones(1)}, state)
        assert float(u["w"][0]) == expected
    with pytest.raises(TypeError, match=r"for a schedule use nr\.optim\.scale_by_schedule"):
        nr.optim.scale(lambda t: 1.0)


NONE_GRAD_OPTIMIZERS = {
    "adamw": lambda: nr.optim.adamw(0.1, weight_decay=0.5),
    "sgd_chain": lambda: nr.optim.chain(
        nr.optim.clip_by_global_norm(1.0), nr.optim.sgd(0.1, momentum=0.9, weight_decay=0.1)
    ),
    "groups": lambda: nr.optim.multi_transform(
        {"a": nr.optim.adam(0.1), "b": nr.optim.rmsprop(0.1)}, {"*.bias": "a", "*": "b"}
    ),
    "masked": lambda: nr.optim.masked(nr.optim.adamw(0.1), "*.weight"),
    "accumulated": lambda: nr.optim.multi_steps(nr.optim.nadam(0.1), 2),
    "finite": lambda: nr.optim.apply_if_finite(nr.optim.lion(0.1, weight_decay=1.0), 2),
}


@pytest.mark.parametrize("name", list(NONE_GRAD_OPTIMIZERS))
def test_none_gradients_leave_their_parameters_alone(name):
    # nr.grad(..., wrt=...) gives None for the leaves it leaves out, like p.grad is None.
    opt = NONE_GRAD_OPTIMIZERS[name]()
    params = params_tree()
    state = opt.init(params)

    def loss(p):
        return sum((x * x).sum() for x in nr.tree.leaves(p))

    for _ in range(4):
        grads = nr.grad(loss, wrt="head.*")(params)
        assert grads["encoder"]["weight"] is None
        new, state = opt.step(params, grads, state)
        assert new["encoder"]["weight"] is params["encoder"]["weight"]
        assert new["encoder"]["bias"] is params["encoder"]["bias"]
        params = new
    assert float(params["head"]["weight"][0, 0]) < 2.0


# --------------------------------------------------------------- multi_transform


def test_multi_transform_routes_each_leaf_to_its_group():
    params = params_tree()
    transforms = {
        "fast": nr.optim.scale(10.0),
        "slow": nr.optim.scale(0.1),
        "frozen": nr.optim.set_to_zero(),
    }
    expected = {
        "encoder": {"weight": 0.0, "bias": 10.0},
        "head": {"weight": 0.1, "bias": 10.0},
    }
    label_specs = [
        {"*.bias": "fast", "encoder.*": "frozen", "*": "slow"},  # glob patterns, first wins
        lambda path, leaf: "fast" if path.endswith("bias") else (
            "frozen" if path.startswith("encoder") else "slow"
        ),
        {
            "encoder": {"weight": "frozen", "bias": "fast"},
            "head": {"weight": "slow", "bias": "fast"},
        },
    ]  # fmt: skip
    for labels in label_specs:
        opt = nr.optim.multi_transform(transforms, labels)
        state = opt.init(params)
        updates, state = opt.update(grads_like(params), state, params)
        got = nr.tree.map(lambda u: float(u.reshape(-1)[0]), updates)
        assert nr.tree.structure(got) == nr.tree.structure(expected)
        assert nr.tree.leaves(got) == pytest.approx(nr.tree.leaves(expected))
        assert set(state.inner_states) == {"fast", "slow", "frozen"}


def test_multi_transform_groups_with_different_optimizers():
    params = params_tree()
    opt = nr.optim.multi_transform(
        {"decay": nr.optim.adamw(0.1, weight_decay=0.5), "nodecay": nr.optim.adam(0.1)},
        {"*.bias": "nodecay", "*": "decay"},
    )
    state = opt.init(params)
    zero = grads_like(params, 0.0)
    new, state = opt.step(params, zero, state)
    # zero gradients: only the decayed weights move, by lr * wd * w
    np.testing.assert_allclose(new["encoder"]["weight"].numpy(), 1 - 0.1 * 0.5, rtol=1e-6)
    np.testing.assert_allclose(new["head"]["weight"].numpy(), 2 - 0.1 * 0.5 * 2, rtol=1e-6)
    np.testing.assert_array_equal(new["encoder"]["bias"].numpy(), 0.0)


def test_multi_transform_unknown_label_and_unmatched_path():
    params = params_tree()
    with pytest.raises(
        ValueError, match=r"'encoder\.bias' has label 'nodecay', which is not a key"
    ):
        nr.optim.multi_transform(
            {"decay": nr.optim.adam()}, {"*.bias": "nodecay", "*": "decay"}
        ).init(params)
    with pytest.raises(ValueError, match=r"matches the parameter 'encoder\.weight'"):
        nr.optim.multi_transform({"a": nr.optim.adam()}, {"*.bias": "a"}).init(params)
    with pytest.raises(TypeError, match="'labels' expected a tree with the parameters' structure"):
        nr.optim.multi_transform({"a": nr.optim.adam()}, ["a"]).init(params)


def test_masked_applies_inner_to_selected_leaves_only():
    params = params_tree()
    for mask in ["*.weight", ["encoder.weight", "head.weight"], lambda p, x: x.ndim == 2]:
        opt = nr.optim.masked(nr.optim.scale(3.0), mask)
        u, _ = opt.update(grads_like(params), opt.init(params), params)
        got = nr.tree.map(lambda x: float(x.reshape(-1)[0]), u)
        assert got == {
            "encoder": {"weight": 3.0, "bias": 1.0},
            "head": {"weight": 3.0, "bias": 1.0},
        }
    mask_tree = {
        "encoder": {"weight": False, "bias": True},
        "head": {"weight": False, "bias": True},
    }
    opt = nr.optim.masked(nr.optim.adam(0.1), mask_tree)
    state = opt.init(params)
    new, state = opt.step(params, grads_like(params), state)
    np.testing.assert_allclose(new["encoder"]["bias"].numpy(), -0.1, rtol=1e-5)
    # the leaves left out get the gradient itself as their update: 1 + 1
    np.testing.assert_allclose(new["encoder"]["weight"].numpy(), 2.0)


# ------------------------------------------------------------------ multi_steps


@pytest.mark.parametrize("k", [1, 2, 3])
def test_multi_steps_equals_one_step_on_the_mean(k):
    rng = np.random.default_rng(k)
    params = {"w": nr.asarray(rng.standard_normal(4)), "b": nr.asarray(rng.standard_normal(2))}
    acc = nr.optim.multi_steps(nr.optim.adam(0.1), every_k=k)
    plain = nr.optim.adam(0.1)
    s_acc, s_plain = acc.init(params), plain.init(params)
    p_acc = p_plain = params
    for _ in range(3):  # three outer steps
        batch = [nr.tree.map(lambda p: nr.asarray(rng.standard_normal(p.shape)), params)
                 for _ in range(k)]  # fmt: skip
        for i, g in enumerate(batch):
            before = p_acc
            p_acc, s_acc = acc.step(p_acc, g, s_acc)
            if i < k - 1:  # the calls in between change nothing
                assert nr.tree.all(nr.tree.map(lambda a, b: nr.all(a == b), before, p_acc))
        mean = nr.tree.map(lambda *gs: sum(gs[1:], gs[0]) / k, *batch)
        p_plain, s_plain = plain.step(p_plain, mean, s_plain)
        for a, b in zip(nr.tree.leaves(p_acc), nr.tree.leaves(p_plain), strict=True):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    assert int(s_acc.gradient_step) == 3
    with pytest.raises(ValueError, match="'every_k' expected an int >= 1"):
        nr.optim.multi_steps(nr.optim.adam(), 0)


# -------------------------------------------------------------- apply_if_finite


def test_apply_if_finite_skips_non_finite_steps():
    opt = nr.optim.apply_if_finite(nr.optim.sgd(0.1, momentum=0.9), max_consecutive_errors=2)
    w = nr.asarray([1.0, 1.0], dtype=nr.float64)
    state = opt.init(w)
    good = nr.asarray([1.0, 1.0], dtype=nr.float64)
    bad = nr.asarray([1.0, float("nan")], dtype=nr.float64)
    w, state = opt.step(w, good, state)
    momentum_after_one = state.inner_state
    for _ in range(2):
        w2, state = opt.step(w, bad, state)
        np.testing.assert_array_equal(w2.numpy(), w.numpy())
        assert not bool(state.last_finite)
    assert nr.tree.all(
        nr.tree.map(lambda a, b: nr.all(a == b), state.inner_state, momentum_after_one)
    )
    assert int(state.notfinite_count) == 2 and int(state.total_notfinite) == 2
    w3, state = opt.step(w, bad, state)  # a third bad step in a row goes through
    assert np.isnan(w3.numpy()[1])
    _, state = opt.step(w, good, state)
    assert int(state.notfinite_count) == 0 and int(state.total_notfinite) == 3


def test_differentiating_through_a_wrapped_step():
    opt = nr.optim.apply_if_finite(nr.optim.sgd(0.5), max_consecutive_errors=0)

    def after_step(w):
        state = opt.init(w)
        new, _ = opt.step(w, w * w, state)
        return new.sum()

    g = nr.grad(after_step)(nr.asarray([1.0, 2.0], dtype=nr.float64))
    np.testing.assert_allclose(g.numpy(), [1 - 0.5 * 2 * 1.0, 1 - 0.5 * 2 * 2.0])


def test_cond_with_a_traced_predicate_runs_both_branches_and_selects():
    from neurarust.optim.base import cond

    def f(x):
        return cond(x[0], lambda: {"a": x * 2.0}, lambda: {"a": x * 3.0})["a"]

    for first, factor in [(1.0, 2.0), (0.0, 3.0)]:
        x = nr.asarray([first, 2.0])
        out, tangent = nr.jvp(f, (x,), (nr.ones(2),))
        np.testing.assert_allclose(out.numpy(), x.numpy() * factor)
        np.testing.assert_allclose(tangent.numpy(), [factor, factor])


# ----------------------------------------------------------- inject_hyperparams


def test_inject_hyperparams_reads_and_changes_the_learning_rate():
    opt = nr.optim.inject_hyperparams(nr.optim.sgd)(lr=0.1, momentum=0.0)
    w = nr.asarray([0.0], dtype=nr.float64)
    state = opt.init(w)
    assert float(state.hyperparams["lr"]) == pytest.approx(0.1)
    w, state = opt.step(w, nr.ones_like(w), state)
    assert float(w[0]) == pytest.approx(-0.1)
    state = state._replace(hyperparams={**state.hyperparams, "lr": nr.asarray(0.01)})
    w, state = opt.step(w, nr.ones_like(w), state)
    assert float(w[0]) == pytest.approx(-0.11)
    state = state._replace(hyperparams={**state.hyperparams, "momentum": nr.asarray(0.5)})
    w, state = opt.step(w, nr.ones_like(w), state)  # buf = 0.5 * 1 + 1 = 1.5
    assert float(w[0]) == pytest.approx(-0.125)


def test_inject_hyperparams_with_schedules_is_get_last_lr():
    lr = nr.optim.schedules.exponential_lr(1.0, 0.5)
    opt = nr.optim.inject_hyperparams(nr.optim.adam)(lr=lr, betas=(0.9, 0.999))
    params = {"w": nr.zeros(2)}
    state = opt.init(params)
    seen = [float(state.hyperparams["lr"])]
    for _ in range(3):
        params, state = opt.step(params, {"w": nr.ones(2)}, state)
        seen.append(float(state.hyperparams["lr"]))
    assert seen == [1.0, 0.5, 0.25, 0.125]
    assert isinstance(state.hyperparams["betas"], tuple)
    assert all(isinstance(x, nr.Array) for x in nr.tree.leaves(state))
    bad = state._replace(
        hyperparams={**state.hyperparams, "betas": (nr.asarray(1.5), nr.asarray(0.9))}
    )
    with pytest.raises(ValueError, match=r"adam: hyper-parameter 'betas\[0\]'"):
        opt.update({"w": nr.ones(2)}, bad, params)
    with pytest.raises(TypeError, match=r"inject_hyperparams\(adam\)"):
        nr.optim.inject_hyperparams(nr.optim.adam)(nonsense=1)


@pytest.mark.parametrize(
    "name",
    ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adamax", "nadam", "radam", "lion", "adadelta"],
)
def test_every_optimizer_can_be_injected_and_steps_the_same(name):
    factory = getattr(nr.optim, name)
    plain, injected = factory(), nr.optim.inject_hyperparams(factory)()
    params = params_tree()
    s_plain, s_inj = plain.init(params), injected.init(params)
    p_plain = p_inj = params
    for k in range(3):
        grads = grads_like(params, 1.0 + k)
        p_plain, s_plain = plain.step(p_plain, grads, s_plain)
        p_inj, s_inj = injected.step(p_inj, grads, s_inj)
    for a, b in zip(nr.tree.leaves(p_plain), nr.tree.leaves(p_inj), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    assert "lr" in s_inj.hyperparams


# -------------------------------------------------------------------- clipping


def test_global_norm_and_clip_grad_norm():
    grads = {"a": nr.asarray([3.0, 0.0]), "b": nr.asarray([[4.0]]), "i": nr.asarray([7])}
    assert float(nr.optim.global_norm(grads)) == pytest.approx(5.0)
    assert float(nr.optim.global_norm(grads, "inf")) == pytest.approx(4.0)
    assert float(nr.optim.global_norm(grads, 1)) == pytest.approx(7.0)
    clipped, total = nr.optim.clip_grad_norm(grads, max_norm=1.0)
    assert float(total) == pytest.approx(5.0)
    assert float(nr.optim.global_norm(clipped)) == pytest.approx(1.0, rel=1e-5)
    assert int(clipped["i"][0]) == 7
    small, _ = nr.optim.clip_grad_norm(grads, max_norm=10.0)
    np.testing.assert_array_equal(small["a"].numpy(), [3.0, 0.0])
    u, _ = nr.optim.clip_by_global_norm(1.0).update(
        grads, nr.optim.clip_by_global_norm(1.0).init(grads)
    )
    np.testing.assert_allclose(u["a"].numpy(), clipped["a"].numpy())
    with pytest.raises(ValueError, match="'norm_type' expected a positive number or 'inf'"):
        nr.optim.clip_grad_norm(grads, 1.0, norm_type=0)
    assert float(nr.optim.global_norm({})) == 0.0


def test_clip_grad_value():
    grads = {"a": nr.asarray([-3.0, 0.5, 2.0])}
    np.testing.assert_array_equal(
        nr.optim.clip_grad_value(grads, 1.0)["a"].numpy(), [-1.0, 0.5, 1.0]
    )
    tx = nr.optim.clip_by_value(0.25)
    np.testing.assert_array_equal(
        tx.update(grads, tx.init(grads))[0]["a"].numpy(), [-0.25, 0.25, 0.25]
    )
    with pytest.raises(ValueError, match="clip_grad_value: hyper-parameter 'clip_value'"):
        nr.optim.clip_grad_value(grads, -1.0)


# ------------------------------------------------------------------ saving


def test_optimizer_state_round_trips_through_nr_save(tmp_path):
    if not hasattr(nr.io, "save"):
        pytest.skip("nr.save/nr.load are not written yet")
    params = params_tree()
    opt = nr.optim.chain(nr.optim.clip_by_global_norm(1.0), nr.optim.adamw(1e-3, amsgrad=True))
    state = opt.init(params)
    params, state = opt.step(params, grads_like(params), state)
    path = tmp_path / "state.safetensors"
    nr.save(path, state)
    loaded = nr.load(path, like=opt.init(params))
    assert nr.tree.structure(loaded) == nr.tree.structure(state)
    for a, b in zip(nr.tree.leaves(state), nr.tree.leaves(loaded), strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    params, _ = opt.step(params, grads_like(params), loaded)
