"""The Module machinery: fields, immutability, pytree structure, introspection, containers."""

from __future__ import annotations

import numpy as np
import pytest

import neurarust as nr
from neurarust.core.errors import ImmutableError, ShapeError


class MLP(nr.nn.Module):
    fc1: nr.nn.Linear
    fc2: nr.nn.Linear
    act: object

    def __init__(self, key: int, act: object = nr.nn.functional.relu) -> None:
        k1, k2 = nr.random.split(nr.random.key(key))
        self.fc1 = nr.nn.Linear(3, 4, key=k1)
        self.fc2 = nr.nn.Linear(4, 2, key=k2)
        self.act = act

    def __call__(self, x: nr.Array) -> nr.Array:
        return self.fc2(self.act(self.fc1(x)))


class Scaled(nr.nn.Module):
    """A generated __init__ (no custom one), with a default."""

    weight: nr.Array
    factor: float = 2.0

    def __call__(self, x: nr.Array) -> nr.Array:
        return x * self.weight * self.factor


def test_fields_are_assigned_in_init_only() -> None:
    model = MLP(0)
    with pytest.raises(ImmutableError, match=r"model.replace\(fc1=value\)|replace\(fc1=value\)"):
        model.fc1 = model.fc2
    with pytest.raises(ImmutableError):
        del model.fc1


def test_missing_field_is_an_error() -> None:
    class Broken(nr.nn.Module):
        w: nr.Array

        def __init__(self) -> None:
            pass

    with pytest.raises(TypeError, match=r"did not set field\(s\) 'w'"):
        Broken()


def test_static_fields_live_in_the_structure() -> None:
    model = MLP(0)
    leaves = nr.tree.leaves(model)
    assert len(leaves) == 4 and all(isinstance(x, nr.Array) for x in leaves)
    other = MLP(0, act=nr.tanh)
    assert nr.tree.structure(model) != nr.tree.structure(other)
    assert nr.tree.structure(model) == nr.tree.structure(MLP(1))
    assert nr.tree.structure(model) != nr.tree.structure(model.eval())


def test_unflatten_bypasses_init_and_keeps_structure() -> None:
    model = MLP(0)
    shapes = nr.tree.map(lambda x: x.shape, model)
    assert isinstance(shapes, MLP) and shapes.fc1.weight == (4, 3)
    doubled = nr.tree.map(lambda x: x * 2, model)
    np.testing.assert_allclose(doubled.fc1.weight.numpy(), 2 * model.fc1.weight.numpy())
    assert doubled.act is model.act


def test_generated_init_and_replace() -> None:
    layer = Scaled(nr.ones(3))
    assert layer.factor == 2.0 and nr.tree.leaves(layer)[0].shape == (3,)
    other = layer.replace(factor=3.0)
    assert other.factor == 3.0 and layer.factor == 2.0
    np.testing.assert_allclose(other(nr.ones(3)).numpy(), [3.0, 3.0, 3.0])
    with pytest.raises(TypeError, match="unknown field"):
        layer.replace(nope=1)
    assert nr.nn.replace(layer, weight=nr.zeros(3)).weight.tolist() == [0.0, 0.0, 0.0]


def test_forward_method_is_call() -> None:
    class Double(nr.nn.Module):
        def forward(self, x: nr.Array) -> nr.Array:
            return x * 2

    assert Double()(nr.asarray([1.0])).tolist() == [2.0]


def test_train_eval_set_the_flag_everywhere() -> None:
    model = nr.nn.Sequential(nr.nn.Linear(2, 2, key=0), nr.nn.Dropout(0.5))
    evaluated = model.eval()
    assert model.training and model[1].training
    assert not evaluated.training and not evaluated[0].training and not evaluated[1].training
    assert evaluated.train()[1].training


def test_apply_is_post_order_and_functional() -> None:
    model = MLP(0)
    seen = []

    def zero_bias(m: nr.nn.Module) -> nr.nn.Module | None:
        seen.append(type(m).__name__)
        if isinstance(m, nr.nn.Linear):
            return m.replace(bias=nr.zeros_like(m.bias))
        return None

    new = model.apply(zero_bias)
    assert seen == ["Linear", "Linear", "MLP"]
    assert new.fc1.bias.tolist() == [0.0] * 4 and model.fc1.bias.tolist() != [0.0] * 4


def test_astype_and_to() -> None:
    bn = nr.nn.BatchNorm1d(3)
    half = bn.astype(nr.float64)
    assert half.weight.dtype == nr.float64 and half.running_var.dtype == nr.float64
    assert half.num_batches_tracked.dtype == nr.int64
    assert bn.to("cpu").weight.device == nr.asarray(0.0).device


def test_introspection_names() -> None:
    model = MLP(0)
    assert [n for n, _ in nr.nn.named_parameters(model)] == [
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    assert [n for n, _ in nr.nn.named_modules(model)] == ["", "fc1", "fc2"]
    assert [n for n, _ in nr.nn.named_children(model)] == ["fc1", "fc2"]
    assert nr.nn.num_parameters(model) == 4 * 3 + 4 + 2 * 4 + 2
    assert nr.nn.num_parameters(model, "fc2.*") == 10
    assert len(model.parameters()) == 4 and len(nr.nn.modules(model)) == 3
    assert model.children()[0] is model.fc1


def test_buffers_are_not_parameters() -> None:
    model = nr.nn.Sequential(nr.nn.Linear(2, 3, key=0), nr.nn.BatchNorm1d(3))
    assert [n for n, _ in nr.nn.named_parameters(model)] == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
    ]
    assert [n for n, _ in nr.nn.named_buffers(model)] == [
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    keep = nr.nn.parameter_filter(model)
    assert keep("1.weight", None) and not keep("1.running_mean", None)


def test_sequential_names_index_and_slice() -> None:
    k = nr.random.split(nr.random.key(0), 2)
    seq = nr.nn.Sequential([nr.nn.Linear(4, 8, key=k[0]), nr.nn.relu, nr.nn.Linear(8, 2, key=k[1])])
    assert [n for n, _ in nr.nn.named_parameters(seq)] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]
    assert len(seq) == 3 and isinstance(seq[1], nr.nn.Lambda) and seq[-1] is seq[2]
    tail = seq[1:]
    assert [n for n, _ in nr.nn.named_parameters(tail)] == ["2.weight", "2.bias"]
    x = nr.ones((5, 4))
    np.testing.assert_allclose(seq(x).numpy(), tail(seq[0](x)).numpy(), rtol=1e-6)
    named = nr.nn.Sequential({"enc": seq[0], "dec": seq[2]})
    assert [n for n, _ in nr.nn.named_parameters(named)][:2] == ["enc.weight", "enc.bias"]


def test_sequential_splits_its_key_among_dropouts() -> None:
    seq = nr.nn.Sequential(nr.nn.Linear(4, 4, key=0), nr.nn.Dropout(0.5), nr.nn.Dropout(0.5))
    a = seq(nr.ones((2, 4)), key=1)
    b = seq(nr.ones((2, 4)), key=1)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    with pytest.raises(nr.nn.MissingKeyError, match="Dropout at '1'"):
        seq(nr.ones((2, 4)))


def test_partition_combine_and_mask() -> None:
    model = MLP(0)
    trainable, frozen = nr.nn.partition(model, "fc2.*")
    assert trainable.fc1.weight is None and frozen.fc2.weight is None
    assert nr.tree.structure(nr.nn.combine(trainable, frozen)) == nr.tree.structure(model)
    mask = nr.nn.mask(model, "*.bias")
    assert nr.tree.leaves(mask) == [False, True, False, True]

    def loss(trainable: MLP, frozen: MLP) -> nr.Array:
        return nr.sum(nr.nn.combine(trainable, frozen)(nr.ones((2, 3))))

    grads = nr.grad(loss)(trainable, frozen)
    assert grads.fc1.weight is None and grads.fc2.weight.shape == (2, 4)


def test_state_dict_round_trip() -> None:
    model = nr.nn.Sequential(nr.nn.Linear(2, 3, key=0), nr.nn.BatchNorm1d(3))
    sd = nr.nn.state_dict(model)
    assert list(sd) == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    other = nr.nn.Sequential(nr.nn.Linear(2, 3, key=5), nr.nn.BatchNorm1d(3))
    loaded = other.load_state_dict({k: np.asarray(v) for k, v in sd.items()})
    for (k, a), b in zip(nr.nn.state_dict(loaded).items(), sd.values(), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    assert nr.nn.state_dict(other)["0.weight"].tolist() != sd["0.weight"].tolist()


def test_load_state_dict_lists_every_offender() -> None:
    model = nr.nn.Sequential(nr.nn.Linear(2, 3, key=0), nr.nn.Linear(3, 1, key=1))
    sd = dict(nr.nn.state_dict(model))
    del sd["1.bias"]
    sd["0.weight"] = nr.zeros((2, 3))
    sd["0.bias"] = nr.zeros(3, dtype=nr.float64)
    sd["extra.weight"] = nr.zeros(1)
    with pytest.raises(nr.nn.StateDictError) as info:
        nr.nn.load_state_dict(model, sd)
    text = str(info.value)
    for part in (
        "missing keys (1): '1.bias'",
        "unexpected keys (1): 'extra.weight'",
        "shape mismatch for '0.weight': expected (3, 2), got (2, 3)",
        "dtype mismatch for '0.bias': expected float32, got float64",
    ):
        assert part in text
    del sd["extra.weight"]
    sd["0.weight"], sd["0.bias"] = nr.zeros((3, 2)), nr.zeros(3)
    partial = nr.nn.load_state_dict(model, sd, strict=False)
    assert partial[0].weight.tolist() == [[0.0, 0.0]] * 3
    assert partial[1].bias is model[1].bias


def test_layer_errors_name_the_path_and_shapes() -> None:
    model = nr.nn.Sequential(nr.nn.Linear(4, 3, key=0), nr.nn.Sequential(nr.nn.Linear(2, 1, key=1)))
    with pytest.raises(
        ShapeError, match=r"Linear at '1\.0': .*expected shape \(\*, 2\).*got \(5, 3\)"
    ):
        model(nr.ones((5, 4)))
    with pytest.raises(ShapeError, match=r"^Linear: .*\(\*, 4\).*got \(5, 3\)"):
        model[0](nr.ones((5, 3)))

    class Net(nr.nn.Module):
        def __init__(self) -> None:
            self.bn = nr.nn.BatchNorm2d(3)

        def __call__(self, x: nr.Array) -> nr.Array:
            return self.bn(x)

    with pytest.raises(ShapeError, match=r"BatchNorm2d at 'bn': .*C=3.*got shape \(2, 4, 5, 5\)"):
        Net().eval()(nr.ones((2, 4, 5, 5)))


def test_summary_table(capsys: pytest.CaptureFixture[str]) -> None:
    model = nr.nn.Sequential(nr.nn.Linear(3, 4, key=0), nr.nn.ReLU(), nr.nn.BatchNorm1d(4))
    text = nr.nn.summary(model, nr.ones((2, 3)))
    assert text == capsys.readouterr().out.rstrip("\n")
    lines = text.splitlines()
    assert lines[0].split() == ["Layer", "Type", "Output", "shape", "Params"]
    assert lines[2].split() == ["(model)", "Sequential", "(2,", "4)", "0"]
    assert lines[3].split() == ["0", "Linear", "(2,", "4)", "16"]
    assert lines[5].split() == ["2", "BatchNorm1d", "(2,", "4)", "8"]
    assert "Total parameters: 24" in text and "Buffer elements: 9" in text
