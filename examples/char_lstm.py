"""A character-level LSTM language model on English text that ships with Python.

Run: ``python examples/char_lstm.py`` (about 30 s on 2 CPU cores). The text is a slice of
``nr.data.datasets.text_corpus()`` (the pydoc help topics bundled with CPython, so nothing is
downloaded). The model embeds characters, runs an ``nr.nn.LSTM`` and predicts the next
character at every position; training samples random windows with a key per step and uses
Adam with gradient clipping. It prints the loss falling (in nats per character; a uniform
guess over the vocabulary is ``log(vocab)``) and then a string sampled one character at a time
with ``nr.random.categorical``, carrying the LSTM state ``(h, c)`` between steps.
"""

from __future__ import annotations

import math

import numpy as np
from tqdm import tqdm

import neurarust as nr


class CharLSTM(nr.nn.Module):
    """Embedding -> LSTM -> Linear: next-character logits for every position."""

    def __init__(self, vocab: int, embed: int, hidden: int, *, key: nr.Array) -> None:
        k1, k2, k3 = nr.random.split(key, 3)
        self.embed = nr.nn.Embedding(vocab, embed, key=k1)
        self.lstm = nr.nn.LSTM(embed, hidden, batch_first=True, key=k2)
        self.head = nr.nn.Linear(hidden, vocab, key=k3)

    def __call__(self, tokens: nr.Array, state: tuple | None = None) -> tuple[nr.Array, tuple]:
        """``tokens`` ``(N, L)`` int -> logits ``(N, L, vocab)`` and the final ``(h, c)``."""
        out, state = self.lstm(self.embed(tokens), state)
        return self.head(out), state


def loss_fn(model: CharLSTM, tokens: nr.Array) -> nr.Array:
    """Mean cross-entropy of predicting ``tokens[:, 1:]`` from ``tokens[:, :-1]``."""
    logits, _ = model(tokens[:, :-1])
    vocab = logits.shape[-1]
    return nr.nn.functional.cross_entropy(
        nr.reshape(logits, (-1, vocab)), nr.reshape(tokens[:, 1:], (-1,))
    )


def sample(
    model: CharLSTM, key: nr.Array, prompt: list[int], length: int, temperature: float
) -> list[int]:
    """Feed ``prompt``, then draw ``length`` characters one by one from the softmax."""
    logits, state = model(nr.asarray([prompt]))
    out: list[int] = []
    for k in nr.random.split(key, length):
        token = nr.random.categorical(k, logits[0, -1] / temperature)
        out.append(int(token))
        logits, state = model(nr.reshape(token, (1, 1)), state)
    return out


def main(
    steps: int = 500,
    batch_size: int = 32,
    seq_len: int = 64,
    hidden: int = 128,
    chars: int = 100_000,
    lr: float = 1e-2,
    sample_len: int = 200,
    seed: int = 0,
) -> tuple[float, float, str]:
    """Train for ``steps`` steps; print the loss every so often and a sample. Returns the mean
    losses of the first and of the last ``steps // 10`` steps, and the sampled text."""
    text = nr.data.datasets.text_corpus()[:chars]
    vocab = sorted(set(text))
    index = {ch: i for i, ch in enumerate(vocab)}
    data = np.array([index[ch] for ch in text], dtype=np.int64)
    print(f"text: {len(text)} characters, {len(vocab)} distinct (uniform guess: "
          f"{math.log(len(vocab)):.3f} nats/char)")  # fmt: skip

    key_model, key_data, key_sample = nr.random.split(nr.random.key(seed), 3)
    model = CharLSTM(len(vocab), 32, hidden, key=key_model)
    opt = nr.optim.chain(
        nr.optim.clip_by_global_norm(1.0),
        nr.optim.adam(lr=nr.optim.schedules.cosine_annealing_lr(lr, T_max=steps)),
    )
    opt_state = opt.init(model)
    step_fn = nr.value_and_grad(loss_fn)
    window = np.arange(seq_len + 1)

    losses: list[float] = []
    every = max(steps // 6, 1)
    for step in (bar := tqdm(range(steps), desc="training", unit="step")):
        starts = nr.random.randint(
            nr.random.fold_in(key_data, step), (batch_size,), 0, len(data) - seq_len - 1
        )
        tokens = nr.asarray(data[starts.numpy()[:, None] + window])
        loss, grads = step_fn(model, tokens)
        model, opt_state = opt.step(model, grads, opt_state)
        losses.append(float(loss))
        bar.set_postfix(loss=f"{losses[-1]:.3f}")
        if step % every == 0 or step == steps - 1:
            bar.write(f"step {step:5d}  loss {losses[-1]:.3f}")

    n = max(steps // 10, 1)
    first, last = sum(losses[:n]) / n, sum(losses[-n:]) / n
    print(f"loss: {first:.3f} over the first {n} steps -> {last:.3f} over the last {n}")
    prompt = [index[ch] for ch in "The "]
    drawn = sample(model.eval(), key_sample, prompt, sample_len, temperature=0.8)
    sampled = "The " + "".join(vocab[i] for i in drawn)
    print(f"sample: {sampled!r}")
    return first, last, sampled


if __name__ == "__main__":
    main()
