"""Anomaly detection: a dense autoencoder (MLPerf Tiny's AD architecture) on synthetic machine-sound features.

Offline synthetic data: a sample is 5 frames × 128 log-mel bins (640 values) of a machine whose spectrum is a
fixed set of harmonics varying along 8 hidden factors; anomalous samples add a rattle (narrow-band peaks the
normal machine never makes). The autoencoder learns normal sounds only; its reconstruction error is the anomaly
score, and the figure of merit is the ROC AUC. train → int8 quantization (float I/O) → projects for a
Nucleo-F446RE (Cortex-M4) and an ESP32-C3 → generated C emulated bit-exact → AUC float vs int8 vs generated C.

    pip install -e ".[examples]"
    python examples/anomaly/train.py           # about a minute on 2 cores; --quick for CI
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import common  # noqa: E402

SEED = 0
FRAMES, BINS, FACTORS = 5, 128, 8


class Machine:
    """The synthetic machine: base spectrum, smooth factor loadings, and how it rattles when faulty."""

    def __init__(self, rng: np.random.Generator):
        bins = np.arange(BINS)
        self.base = sum(rng.uniform(1, 3) * np.exp(-0.5 * ((bins - c) / rng.uniform(2, 6)) ** 2)
                        for c in rng.uniform(5, 120, 10))
        smooth = np.cumsum(rng.normal(0, 1, (FACTORS, BINS)), axis=1)
        self.loadings = (smooth - smooth.mean(1, keepdims=True)) / smooth.std(1, keepdims=True) * 0.3

    def sounds(self, count: int, rng: np.random.Generator, faulty: bool = False) -> np.ndarray:
        factors = rng.normal(0, 1, (count, 1, FACTORS))  # one state per sample, held across its frames
        x = self.base + factors @ self.loadings + rng.normal(0, 0.15, (count, FRAMES, BINS))
        if faulty:
            for sample in x:
                peaks = rng.integers(0, BINS, 3)
                sample[:, peaks] += rng.uniform(1.0, 2.0, 3)
        return x.reshape(count, FRAMES * BINS).astype(np.float32)


def data(quick: bool):
    rng = np.random.default_rng(SEED)
    machine = Machine(rng)
    x_train = machine.sounds(1500 if quick else 5000, rng)
    normal, faulty = machine.sounds(150, rng), machine.sounds(150, rng, faulty=True)
    x_test = np.concatenate([normal, faulty])
    y_test = np.concatenate([np.zeros(len(normal), np.int64), np.ones(len(faulty), np.int64)])
    return x_train, x_test, y_test


def autoencoder():
    """MLPerf Tiny's AD autoencoder: 640 → 4 × 128 → 8 → 4 × 128 → 640, batch-normalised ReLU layers."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(SEED)
    x = inputs = keras.Input((FRAMES * BINS,))
    for units in [128] * 4 + [8] + [128] * 4:
        x = layers.Dense(units)(x)
        x = layers.ReLU()(layers.BatchNormalization(momentum=0.9)(x))
    outputs = layers.Dense(FRAMES * BINS)(x)
    return keras.Model(inputs, outputs, name="anomaly_ae")


def reconstruction_auc(outputs: np.ndarray, x: np.ndarray, labels: np.ndarray) -> float:
    errors = np.mean((outputs.reshape(x.shape) - x) ** 2, axis=1)
    return common.auc(errors, labels)


def main() -> dict:
    args = common.arguments(__doc__.splitlines()[0], HERE)
    x_train, x_test, y_test = data(args.quick)
    net = autoencoder()
    net.compile(optimizer="adam", loss="mse")
    net.fit(x_train, x_train, epochs=10 if args.quick else 30, batch_size=64, verbose=0)
    return common.run(net, "anomaly", x_train[:300], x_test, y_test, reconstruction_auc, "ROC AUC", args.out,
                      io="float", classifier=False, qemu_samples=args.qemu_samples or (20 if args.quick else 100))


if __name__ == "__main__":
    sys.exit(0 if main()["exact"] else 1)
