"""Fit a linear model by gradient descent with ``nr.grad`` — the smallest complete example.

Run: ``python examples/linear_regression.py``. Prints the learned weights next to the true ones.
"""

import numpy as np

import neurarust as nr


def main(steps: int = 200) -> None:
    rng = np.random.default_rng(0)
    true_w = np.array([2.0, -3.0, 0.5], dtype=np.float32)
    x = nr.asarray(rng.standard_normal((256, 3)).astype(np.float32))
    y = x @ nr.asarray(true_w) + 1.0

    def loss(params: dict, x: nr.Array, y: nr.Array) -> nr.Array:
        pred = x @ params["w"] + params["b"]
        return ((pred - y) ** 2).mean()

    params = {"w": nr.zeros(3), "b": nr.zeros(())}
    step = nr.value_and_grad(loss)
    for i in range(steps):
        value, grads = step(params, x, y)
        params = nr.tree.map(lambda p, g: p - 0.1 * g, params, grads)
        if i % 50 == 0:
            print(f"step {i:4d}  loss {float(value):.6f}")
    print("learned w:", np.round(params["w"].numpy(), 3), " true w:", true_w)
    print(f"learned b: {float(params['b']):.3f}  true b: 1.0")


if __name__ == "__main__":
    main()
