"""One MultiheadAttention training step: ``nr.nn.MultiheadAttention`` vs PyTorch (CPU, eager).

Self-attention over a batch of 16 sequences of 128 tokens, embedding 256, 8 heads,
batch-first, no dropout, mean squared error against a random target and plain SGD. Each side
does the whole step: forward (attention weights not returned, as in a Transformer layer),
backward, update. Both start from the same weights and the script checks that their losses
agree. Times are medians of steps interleaved between the two, so a busy machine slows both
alike.

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 1 python benchmarks/attention_step.py``
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

import neurarust as nr
from neurarust.nn.attention import MultiheadAttention

BATCH, SEQ, DIM, HEADS = 16, 128, 256, 8
LR = 0.01
REPEAT = 20


def loss_fn(mha: MultiheadAttention, x: nr.Array, y: nr.Array) -> nr.Array:
    out, _ = mha(x, x, x, need_weights=False)
    return nr.nn.functional.mse_loss(out, y)


grad_fn = nr.value_and_grad(loss_fn)


def interleaved_medians(steps: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Median seconds per step of each function, timed in turn REPEAT times."""
    for step in steps.values():
        step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(REPEAT):
        for name, step in steps.items():
            t0 = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, SEQ, DIM), dtype=np.float32)
    y = rng.standard_normal((BATCH, SEQ, DIM), dtype=np.float32)
    mha = MultiheadAttention(DIM, HEADS, batch_first=True, key=0)
    xs, ys = nr.asarray(x), nr.asarray(y)
    box = [mha]

    def nr_step() -> None:
        _, grads = grad_fn(box[0], xs, ys)
        box[0] = nr.tree.map(lambda p, g: p - LR * g, box[0], grads)

    steps: dict[str, Callable[[], object]] = {"neurarust": nr_step}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(1)
        tm = torch.nn.MultiheadAttention(DIM, HEADS, batch_first=True)
        tm.load_state_dict(
            {k: torch.from_numpy(np.array(v)) for k, v in nr.nn.state_dict(mha).items()}
        )
        opt = torch.optim.SGD(tm.parameters(), lr=LR)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def torch_step() -> None:
            opt.zero_grad()
            out, _ = tm(tx, tx, tx, need_weights=False)
            torch.nn.functional.mse_loss(out, ty).backward()
            opt.step()

        with torch.no_grad():
            t_loss = float(torch.nn.functional.mse_loss(tm(tx, tx, tx)[0], ty))
        n_loss = float(loss_fn(mha, xs, ys))
        assert abs(t_loss - n_loss) < 1e-5 * max(1.0, abs(t_loss)), (t_loss, n_loss)
        steps["torch"] = torch_step

    t = interleaved_medians(steps)
    print(
        f"MultiheadAttention training step: batch {BATCH}, seq {SEQ}, dim {DIM}, {HEADS} heads, "
        f"self-attention, MSE, SGD (median of {REPEAT})"
    )
    print(f"  neurarust                {t['neurarust'] * 1e3:8.2f} ms")
    if "torch" in t:
        print(
            f"  torch (eager, 1 thread)  {t['torch'] * 1e3:8.2f} ms   neurarust / torch "
            f"{t['neurarust'] / t['torch']:.2f}x"
        )
    else:
        print("  torch                    not installed")


if __name__ == "__main__":
    main()
