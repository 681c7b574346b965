"""The glassnet command (placeholder main job until the full CLI lands)."""
import numpy as np


def main():
    import glassnet as gn
    from sklearn.datasets import make_moons
    X, y = make_moons(500, noise=0.2, random_state=0)
    net = gn.Network([2, 16, 8, 1], activations="relu", output="sigmoid", random_state=0)
    history = gn.train(net, X[:400], y[:400], optimizer="adam", lr=0.01, epochs=200,
                       batch_size=32, random_state=0, print_every=20)
    print(net.summary())
    print(f"test accuracy: {np.mean(net.predict(X[400:]) == y[400:]):.3f}")
