"""Gesture recognition: a GRU over accelerometer-like sequences (unrolled: plain int8 operators), 4 classes.

The data is synthetic, so this runs offline: each gesture is a 3-axis motion over 16 time steps (a circle, a
shake, a swipe left, a swipe right) at a random speed, phase and amplitude under sensor noise. train → int8
quantization with calibration (float I/O) → projects for a Nucleo-F446RE (Cortex-M4) and an ESP32-C3 →
generated C emulated bit-exact → accuracy float vs int8 vs generated C.

    pip install -e ".[examples]"
    python examples/gestures/train.py          # about a minute on 2 cores; --quick for CI
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import common  # noqa: E402

SEED = 0
STEPS, AXES, CLASSES = 16, 3, 4


def gestures(count: int, rng: np.random.Generator):
    labels = rng.integers(0, CLASSES, count)
    t = np.linspace(0, 1, STEPS, dtype=np.float32)[None, :]
    speed = rng.uniform(0.7, 1.3, (count, 1)).astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, (count, 1)).astype(np.float32)
    gain = rng.uniform(0.6, 1.4, (count, 1)).astype(np.float32)
    w = 2 * np.pi * speed * t
    x = np.zeros((count, STEPS, AXES), np.float32)
    circle, shake, left, right = (labels == k for k in range(CLASSES))
    x[circle, :, 0], x[circle, :, 1] = np.sin(w + phase)[circle], np.cos(w + phase)[circle]
    x[shake, :, 0] = np.sin(4 * w + phase)[shake]
    ramp = np.tanh(6 * (t - 0.5 + 0.2 * np.sin(phase)))
    x[left, :, 1], x[right, :, 1] = -ramp[left], ramp[right]
    x[..., 2] += 0.3 * np.cos(w)  # gravity wobble common to every gesture
    x *= gain[:, :, None]
    x += rng.normal(0, 0.25, x.shape).astype(np.float32)
    return x.astype(np.float32), labels


def gru_classifier(units: int = 16):
    import keras

    keras.utils.set_random_seed(SEED)
    inputs = keras.Input((STEPS, AXES))
    x = keras.layers.GRU(units, unroll=True)(inputs)  # unrolled: no WHILE loop, which TFLite cannot make int8
    outputs = keras.layers.Dense(CLASSES, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="gestures_gru")


def main() -> dict:
    args = common.arguments(__doc__.splitlines()[0], HERE)
    rng = np.random.default_rng(SEED)
    x_train, y_train = gestures(800 if args.quick else 3000, rng)
    x_test, y_test = gestures(160 if args.quick else 600, rng)
    net = gru_classifier()
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    net.fit(x_train, y_train, epochs=6 if args.quick else 15, batch_size=32, verbose=0)
    return common.run(net, "gestures", x_train[:200], x_test, y_test, lambda out, x, y: common.accuracy(out, y),
                      "accuracy", args.out, io="float", qemu_samples=args.qemu_samples or (10 if args.quick else 50))


if __name__ == "__main__":
    sys.exit(0 if main()["exact"] else 1)
