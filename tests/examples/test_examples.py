"""Smoke tests of the examples: each one's ``main`` runs with a tiny budget and does its job."""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytest.importorskip("tqdm")


def load(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` as a module (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_digits_cnn_trains_checkpoints_saves_and_resumes(tmp_path, capsys):
    pytest.importorskip("sklearn")
    digits_cnn = load("digits_cnn")
    out, ckpt = tmp_path / "model.safetensors", tmp_path / "checkpoints"
    kwargs = {"epochs": 1, "checkpoint_dir": str(ckpt), "out": str(out)}
    acc = digits_cnn.main(**kwargs)
    text = capsys.readouterr().out
    assert acc > 0.5  # chance is 0.1; one epoch reaches about 0.8
    assert re.search(r"^test accuracy: \d\.\d{4}$", text, re.M)
    assert text.rstrip().endswith(f"test accuracy: {acc:.4f}")
    assert "same accuracy: True" in text
    assert out.exists()
    assert [p.name for p in ckpt.iterdir()] == ["ckpt-23.safetensors"]
    # A second run with the same folder restores the finished run instead of training again.
    assert digits_cnn.main(**kwargs) == acc
    assert "resumed from" in capsys.readouterr().out


def test_mlp_regression_loss_falls(capsys):
    pytest.importorskip("sklearn")
    losses = load("mlp_regression").main(epochs=4)
    assert len(losses) == 4
    assert losses[-1] < 0.8 * losses[0]
    assert "test R^2" in capsys.readouterr().out


def test_char_lstm_loss_falls_and_samples(capsys):
    first, last, text = load("char_lstm").main(
        steps=30, batch_size=16, seq_len=24, hidden=48, chars=20_000, sample_len=15
    )
    assert last < first - 0.5  # from about log(vocab) towards the character frequencies
    assert text.startswith("The ") and len(text) == 4 + 15  # the prompt, then the sample
    assert f"sample: {text!r}" in capsys.readouterr().out


def test_optimizers_and_schedules_table(capsys):
    results = load("optimizers_and_schedules").main(steps=20, n=96)
    initial = results.pop("(initial model)")
    assert all(math.isfinite(v) and v < initial for v in results.values())
    # gradient accumulation over 4 micro-batches equals one step on the whole batch
    assert results["adam lr=1e-2, 4 micro-batches"] == pytest.approx(
        results["adam lr=1e-2"], abs=1e-4
    )
    text = capsys.readouterr().out
    assert "optimizer" in text and "accuracy" in text


def test_resume_training_is_bit_identical(capsys):
    pytest.importorskip("sklearn")
    assert load("resume_training").main(steps=30, stop_at=13) is True
    assert "bit-identical (9 arrays, buffers included): True" in capsys.readouterr().out


def test_linear_regression_recovers_the_weights(capsys):
    load("linear_regression").main(steps=100)
    text = capsys.readouterr().out
    assert "learned b: 1.000" in text


def test_data_loading_resumes_at_the_next_batch(capsys, tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    monkeypatch.chdir(tmp_path)
    load("data_loading").main()
    text = capsys.readouterr().out
    assert "0 vs 2 workers give identical batches: True" in text
    assert "matches batch 11 of an uninterrupted epoch 0: True" in text


def test_per_example_gradients_match_a_loop_and_train(capsys):
    pytest.importorskip("sklearn")
    import neurarust as nr

    module = load("per_example_gradients")
    x, y, _, _ = module.load_data(nr.random.key(0))
    k1, k2 = nr.random.split(nr.random.key(1))
    model = nr.nn.Sequential(
        nr.nn.Linear(64, 16, key=k1), nr.nn.ReLU(), nr.nn.Linear(16, 10, key=k2)
    )
    batched = module.per_example_grads(model, x[:5], y[:5])
    looped = module.loop_grads(model, x[:5], y[:5])
    for i, single in enumerate(looped):
        for b, s in zip(nr.tree.leaves(batched), nr.tree.leaves(single), strict=True):
            assert float(nr.abs(b[i] - s).max()) < 1e-5
    acc = module.main(epochs=2)
    text = capsys.readouterr().out
    assert acc > 0.6  # chance is 0.1
    assert re.search(r"vmap [\d.]+ ms, jit\(vmap\) [\d.]+ ms, Python loop [\d.]+ ms", text)
    assert f"test accuracy after 2 epochs of DP-SGD: {acc:.4f}" in text
