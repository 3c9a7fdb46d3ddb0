"""nr.tree: flatten/unflatten, map, paths, None as an empty subtree, custom nodes."""

import collections
import dataclasses

import numpy as np
import optree
import pytest
from hypothesis import given
from hypothesis import strategies as st

import neurarust as nr
from neurarust import tree

leaf_values = st.one_of(st.integers(-5, 5), st.floats(-1, 1, allow_nan=False), st.none())
trees = st.recursive(
    leaf_values,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.sampled_from("abcd"), children, max_size=3),
    ),
    max_leaves=12,
)


def count_leaves(t):
    if t is None:
        return 0
    if isinstance(t, (list, tuple)):
        return sum(count_leaves(c) for c in t)
    if isinstance(t, dict):
        return sum(count_leaves(c) for c in t.values())
    return 1


@given(trees)
def test_flatten_unflatten_round_trip(t):
    leaves, treedef = tree.flatten(t)
    assert len(leaves) == count_leaves(t)
    assert tree.unflatten(treedef, leaves) == t
    assert tree.structure(t) == treedef
    assert tree.leaves(t) == leaves


@given(trees)
def test_map_applies_to_every_leaf_and_keeps_structure(t):
    doubled = tree.map(lambda x: 2 * x, t)
    assert tree.structure(doubled) == tree.structure(t)
    assert tree.leaves(doubled) == [2 * v for v in tree.leaves(t)]


def test_leaf_order_is_deterministic_and_sorted_by_key():
    t = {"b": 2, "a": [1, (3, 4)], "c": {"z": 6, "y": 5}}
    assert tree.leaves(t) == [1, 3, 4, 2, 5, 6]
    leaves, treedef = tree.flatten(t)
    rebuilt = tree.unflatten(treedef, [v * 10 for v in leaves])
    assert rebuilt == {"b": 20, "a": [10, (30, 40)], "c": {"z": 60, "y": 50}}


def test_arrays_and_numbers_are_leaves():
    x = nr.ones((2, 3))
    n = np.zeros(4)
    leaves = tree.leaves({"x": x, "n": n, "f": 1.5, "i": 2})
    assert len(leaves) == 4
    assert leaves[0] == 1.5 and leaves[1] == 2 and leaves[2] is n and leaves[3] is x


def test_none_is_an_empty_subtree():
    t = {"w": 1.0, "b": None, "sub": [None, 2.0]}
    assert tree.leaves(t) == [2.0, 1.0]  # keys sorted: "b", "sub", "w"
    out = tree.map(lambda v: v + 1, t)
    assert out == {"w": 2.0, "b": None, "sub": [None, 3.0]}
    assert tree.leaves(None) == []
    assert tree.map(lambda v: v, None) is None


def test_map_over_several_trees():
    a = {"x": nr.asarray([1.0, 2.0]), "y": (3.0, None)}
    b = {"x": nr.asarray([10.0, 20.0]), "y": (30.0, None)}
    out = tree.map(lambda u, v: u + v, a, b)
    assert out["x"].tolist() == [11.0, 22.0] and out["y"] == (33.0, None)
    with pytest.raises(ValueError):
        tree.map(lambda u, v: u + v, {"x": 1}, {"y": 1})


def test_is_leaf_stops_descent():
    t = {"pair": (1, 2), "other": [3]}
    assert tree.leaves(t, is_leaf=lambda x: isinstance(x, tuple)) == [3, (1, 2)]
    out = tree.map(lambda v: ("seen", v), t, is_leaf=lambda x: isinstance(x, tuple))
    assert out == {"pair": ("seen", (1, 2)), "other": [("seen", 3)]}


def test_map_with_path_and_keystr():
    params = {"layers": [{"weight": nr.ones((2, 2)), "bias": nr.zeros(2)}], "scale": 1.0}
    names = tree.map_with_path(lambda path, leaf: tree.keystr(path), params)
    assert names == {
        "layers": [{"weight": "layers.0.weight", "bias": "layers.0.bias"}],
        "scale": "scale",
    }
    paths = tree.flatten_with_path(params)[0]
    assert [tree.keystr(p) for p, _ in paths] == ["layers.0.bias", "layers.0.weight", "scale"]
    assert paths[1][1].shape == (2, 2)
    assert tree.keystr(()) == ""


def test_map_with_path_over_several_trees():
    a, b = {"w": 1.0, "v": [2.0]}, {"w": 10.0, "v": [20.0]}
    out = tree.map_with_path(lambda p, x, y: (tree.keystr(p), x + y), a, b)
    assert out == {"w": ("w", 11.0), "v": [("v.0", 22.0)]}


class Pair:
    def __init__(self, first, second, label):
        self.first, self.second, self.label = first, second, label


tree.register_pytree_node(
    Pair,
    lambda p: ((p.first, p.second), p.label),
    lambda label, children: Pair(*children, label),
)


def test_register_pytree_node():
    p = Pair(1.0, [2.0, None], "meta")
    leaves, treedef = tree.flatten(p)
    assert leaves == [1.0, 2.0]
    back = tree.unflatten(treedef, [5.0, 6.0])
    assert isinstance(back, Pair) and back.first == 5.0 and back.second == [6.0, None]
    assert back.label == "meta"
    doubled = tree.map(lambda v: 2 * v, {"p": p})["p"]
    assert (doubled.first, doubled.second, doubled.label) == (2.0, [4.0, None], "meta")
    assert [tree.keystr(k) for k, _ in tree.flatten_with_path({"p": p})[0]] == ["p.0", "p.1.0"]


def test_registration_is_in_the_neurarust_namespace():
    p = Pair(1, 2, "x")
    assert optree.tree_leaves(p) == [p]  # the global optree registry is untouched
    assert tree.leaves(p) == [1, 2]


@dataclasses.dataclass
class Layer:
    weight: object
    bias: object
    activation: str = "relu"


tree.register_dataclass(Layer, data_fields=["weight", "bias"], meta_fields=["activation"])


@dataclasses.dataclass(frozen=True)
class Frozen:
    a: object
    b: object


tree.register_dataclass(Frozen)


def test_register_dataclass_data_and_meta_fields():
    layer = Layer(nr.ones(2), None, "gelu")
    leaves, treedef = tree.flatten(layer)
    assert len(leaves) == 1 and leaves[0].tolist() == [1.0, 1.0]
    back = tree.unflatten(treedef, [nr.zeros(2)])
    assert isinstance(back, Layer) and back.bias is None and back.activation == "gelu"
    assert tree.structure(Layer(1, 2, "relu")) != tree.structure(Layer(1, 2, "tanh"))
    names = tree.map_with_path(lambda p, _: tree.keystr(p), {"layers": [Layer(1, 2)]})
    assert names["layers"][0].weight == "layers.0.weight"
    assert names["layers"][0].bias == "layers.0.bias"


def test_register_dataclass_defaults_to_all_fields_and_frozen_works():
    f = Frozen(1, (2, 3))
    assert tree.leaves(f) == [1, 2, 3]
    g = tree.map(lambda v: -v, f)
    assert g == Frozen(-1, (-2, -3))


def test_reduce_all_structure():
    t = {"a": 1, "b": [2, 3], "c": None}
    assert tree.reduce(lambda x, y: x + y, t) == 6
    assert tree.reduce(lambda x, y: x * y, t, 10) == 60
    assert tree.reduce(lambda x, y: x + y, {"x": nr.ones(2), "y": nr.ones(2)}).tolist() == [2, 2]
    assert tree.all({"x": True, "y": [1, nr.asarray(True)]})
    assert not tree.all({"x": True, "y": [0]})
    assert tree.all({"nothing": None})
    s = tree.structure(t)
    assert s.num_leaves == 3
    assert tree.unflatten(s, ["x", "y", "z"]) == {"a": "x", "b": ["y", "z"], "c": None}


Point = collections.namedtuple("Point", ["x", "y"])


def test_namedtuples_round_trip():
    p = {"pt": Point(1.0, 2.0)}
    out = tree.map(lambda v: v + 1, p)
    assert isinstance(out["pt"], Point) and out["pt"] == Point(2.0, 3.0)


def test_keystr_names_namedtuple_fields():
    paths = tree.flatten_with_path({"pt": Point(1.0, 2.0)})[0]
    assert [tree.keystr(p) for p, _ in paths] == ["pt.x", "pt.y"]
