"""nr.save / nr.load: round trips of pytrees, templates, flat dicts and foreign files."""

from __future__ import annotations

import os
from typing import Any, NamedTuple

import numpy as np
import pytest
import safetensors.numpy
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust.io import CheckpointError


class AdamState(NamedTuple):
    count: Any
    mu: Any
    nu: Any


class Tiny(nr.nn.Module):
    weight: nr.Array
    bias: nr.Array
    blocks: list
    scale: float

    def __init__(self, key: Any) -> None:
        k1, k2 = nr.random.split(nr.random.key(key))
        self.weight = nr.random.normal(k1, (3, 2))
        self.bias = nr.zeros(3)
        self.blocks = [{"w": nr.random.normal(k2, (2,))}, {"w": nr.ones(2, dtype=nr.bfloat16)}]
        self.scale = 2.0


def _equal(a: Any, b: Any) -> bool:
    la, ta = nr.tree.flatten(a)
    lb, tb = nr.tree.flatten(b)
    if ta != tb or len(la) != len(lb):
        return False
    for x, y in zip(la, lb, strict=True):
        if type(x) is not type(y):
            return False
        if isinstance(x, (nr.Array, np.ndarray)):
            if x.dtype != y.dtype or x.shape != y.shape:
                return False
            if np.asarray(x).tobytes() != np.asarray(y).tobytes():
                return False
        elif x != y:
            return False
    return True


@pytest.fixture
def path(tmp_path: Any) -> str:
    return str(tmp_path / "ckpt.safetensors")


def test_round_trip_model_optimizer_state_and_step(path: str) -> None:
    model = Tiny(0)
    params = nr.tree.leaves(model)
    opt = AdamState(nr.asarray(5), [nr.zeros_like(p) for p in params], [p * p for p in params])
    state = {"model": model, "opt": opt, "step": 100, "lr": 1e-3, "name": "run-1"}
    nr.save(path, state, metadata={"epoch": 3, "note": "ok"})
    template = {"model": Tiny(1), "opt": opt, "step": 0, "lr": 0.0, "name": ""}
    back = nr.load(path, like=template)
    assert _equal(back, state)
    assert isinstance(back["model"], Tiny) and isinstance(back["opt"], AdamState)
    assert back["model"].scale == 2.0 and back["step"] == 100
    assert nr.io.load_metadata(path) == {"epoch": 3, "note": "ok"}


def test_bfloat16_float16_complex_and_every_dtype_round_trip(path: str) -> None:
    tree = {
        d.name: nr.asarray(np.arange(6).reshape(2, 3)).astype(d)
        for d in (
            nr.bfloat16,
            nr.float16,
            nr.float32,
            nr.float64,
            nr.int8,
            nr.int16,
            nr.int32,
            nr.int64,
            nr.uint8,
            nr.uint16,
            nr.uint32,
            nr.uint64,
            nr.bool,
            nr.complex64,
        )
    }
    tree["complex128"] = nr.asarray(np.array([1 + 2j, -3.5j]))
    tree["scalar"] = nr.asarray(np.float32(1.5))
    tree["empty"] = nr.zeros((0, 4))
    nr.save(path, tree)
    back = nr.load(path)
    assert _equal(back, tree)
    assert back["bfloat16"].dtype == nr.bfloat16
    assert back["complex128"].tolist() == [1 + 2j, -3.5j]


@given(
    st.lists(st.floats(allow_nan=False, width=32), min_size=0, max_size=20),
    st.integers(-(2**62), 2**62),
    st.text(max_size=10),
)
def test_round_trip_values_hypothesis(tmp_path_factory: Any, xs: list, n: int, s: str) -> None:
    path = str(tmp_path_factory.mktemp("h") / "x.safetensors")
    tree = {"x": nr.asarray(np.array(xs, dtype=np.float32)), "n": n, "s": s, "f": 0.1, "b": True}
    nr.save(path, tree)
    assert _equal(nr.load(path), tree)
    assert _equal(nr.load(path, like=tree), tree)


def test_without_like_lists_become_int_keyed_dicts(path: str) -> None:
    w0, w1 = nr.ones(2), nr.zeros(3)
    nr.save(path, {"layers": [w0, (w1, np.arange(2))]})
    back = nr.load(path)
    assert set(back) == {"layers"} and set(back["layers"]) == {0, 1}
    assert back["layers"][1][0].tolist() == [0, 0, 0]
    assert isinstance(back["layers"][1][1], np.ndarray)  # NumPy leaves stay NumPy
    flat = nr.load(path, flat=True)
    assert list(flat) == ["layers.0", "layers.1.0", "layers.1.1"]


def test_single_array_and_empty_trees(path: str) -> None:
    nr.save(path, nr.arange(3))
    assert nr.load(path).tolist() == [0, 1, 2]
    nr.save(path, {})
    assert nr.load(path) == {}
    assert nr.load(path, like={}) == {}


def test_like_mismatch_lists_every_offender(path: str) -> None:
    nr.save(path, {"a": nr.zeros((2, 3)), "b": nr.zeros(2), "c": nr.zeros(1), "d": 1})
    like = {
        "a": nr.zeros((3, 2)),
        "b": nr.zeros(2, dtype=nr.float64),
        "d": nr.zeros(()),
        "e": nr.zeros(1),
    }
    with pytest.raises(CheckpointError) as info:
        nr.load(path, like=like)
    msg = str(info.value)
    assert path in msg and "does not match 'like'" in msg
    for part in ("'a'", "(3, 2)", "(2, 3)", "'b'", "float64", "missing from the file (1): e"):
        assert part in msg
    assert "not in 'like' (1): c" in msg and "'d'" in msg


def test_foreign_file_with_dotted_names(path: str) -> None:
    tensors = {
        "0.weight": np.ones((4, 3), np.float32),
        "0.bias": np.zeros(4, np.float32),
        "2.weight": np.full((2, 4), 0.5, np.float32),
    }
    safetensors.numpy.save_file(tensors, path, metadata={"format": "pt"})
    flat = nr.load(path, flat=True)
    assert set(flat) == set(tensors) and isinstance(flat["0.bias"], nr.Array)
    nested = nr.load(path)
    assert nested[0]["weight"].shape == (4, 3) and nested[2]["weight"].shape == (2, 4)
    assert nr.io.load_metadata(path) == {"format": "pt"}
    like = [{"weight": nr.zeros((4, 3)), "bias": nr.zeros(4)}, None, {"weight": nr.zeros((2, 4))}]
    back = nr.load(path, like=like)
    assert back[1] is None and back[2]["weight"].tolist()[0][0] == 0.5


def test_foreign_file_whose_names_clash_as_nested_dicts(path: str) -> None:
    safetensors.numpy.save_file({"a": np.ones(1), "a.b": np.ones(1)}, path)
    with pytest.raises(CheckpointError, match="flat=True"):
        nr.load(path)
    assert set(nr.load(path, flat=True)) == {"a", "a.b"}


def test_loaded_arrays_are_usable_and_the_file_is_plain_safetensors(path: str) -> None:
    nr.save(path, {"w": nr.arange(4).astype(nr.float32)})
    raw = safetensors.numpy.load_file(path)
    assert raw["w"].tolist() == [0, 1, 2, 3]
    w = nr.load(path)["w"]
    assert (w * 2).tolist() == [0, 2, 4, 6]


@pytest.mark.parametrize(
    ("tree", "match"),
    [
        ({"a": object()}, "of type object"),
        ({"a.b": nr.zeros(1), "a": {"b": nr.zeros(1)}}, "same dotted path"),
        ({(1, 2): nr.zeros(1)}, "key \\(1, 2\\)"),
        ({"s": np.array(["x"])}, "not a neurarust dtype"),
    ],
)
def test_save_errors(path: str, tree: Any, match: str) -> None:
    with pytest.raises(CheckpointError, match=match):
        nr.save(path, tree)
    assert not os.path.exists(path)


def test_save_metadata_errors(path: str) -> None:
    with pytest.raises(CheckpointError, match="str keys"):
        nr.save(path, {}, metadata={1: "a"})
    with pytest.raises(CheckpointError, match="JSON"):
        nr.save(path, {}, metadata={"a": object()})
    assert os.listdir(os.path.dirname(path)) == []  # no temporary file left behind


def test_load_argument_errors(path: str) -> None:
    nr.save(path, {"a": nr.zeros(1)})
    with pytest.raises(CheckpointError, match="'like' and 'flat'"):
        nr.load(path, like={"a": nr.zeros(1)}, flat=True)
    with pytest.raises(FileNotFoundError):
        nr.load(path + ".missing")


def test_save_replaces_atomically_and_leaves_no_temporary_files(path: str) -> None:
    nr.save(path, {"v": nr.zeros(3)})
    nr.save(path, {"v": nr.ones(3)})
    assert nr.load(path)["v"].tolist() == [1, 1, 1]
    assert os.listdir(os.path.dirname(path)) == ["ckpt.safetensors"]


def test_top_level_names_and_nn_state_dict_layout(path: str) -> None:
    model = Tiny(0)
    nr.save(path, model)
    flat = nr.load(path, flat=True)
    assert set(flat) == {"weight", "bias", "blocks.0.w", "blocks.1.w"}
    assert nr.save is nr.io.save and nr.load is nr.io.load


def test_pytorch_safetensors_file_into_nn_load_state_dict(path: str) -> None:
    torch = pytest.importorskip("torch")
    import safetensors.torch

    model = Tiny(0)
    torch_state = {
        name: torch.from_numpy(np.array(x.astype(nr.float32))).to(
            torch.bfloat16 if x.dtype == nr.bfloat16 else torch.float32
        )
        for name, x in nr.nn.state_dict(model).items()
    }
    safetensors.torch.save_file(torch_state, path, metadata={"format": "pt"})
    flat = nr.load(path, flat=True)
    assert flat["blocks.1.w"].dtype == nr.bfloat16
    restored = nr.nn.load_state_dict(Tiny(1), flat)
    assert _equal(restored, model)


def test_big_endian_numpy_leaves_are_stored_native(path: str) -> None:
    nr.save(path, {"x": np.arange(3, dtype=">i4")})
    x = nr.load(path)["x"]
    assert x.dtype == np.dtype("int32") and x.tolist() == [0, 1, 2]
