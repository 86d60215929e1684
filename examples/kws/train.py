"""Keyword spotting: a DS-CNN (MLPerf Tiny's architecture) on synthetic MFCC-like features, 12 classes.

The data is synthetic, so this runs offline: each keyword is a fixed random time-frequency pattern (49 frames ×
10 coefficients), heard at a random time shift and loudness under noise. train → int8 quantization (float I/O:
the generated C quantizes and dequantizes) → projects for a Nucleo-F446RE (Cortex-M4) and an ESP32-C3 →
generated C emulated bit-exact → accuracy float vs int8 vs generated C.

    pip install -e ".[examples]"
    python examples/kws/train.py               # a few minutes on 2 cores; --quick for CI
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import common  # noqa: E402

SEED = 0
FRAMES, COEFFS, CLASSES = 49, 10, 12


def synthetic_keywords(count: int, rng: np.random.Generator, patterns: np.ndarray):
    labels = rng.integers(0, CLASSES, count)
    shifts = rng.integers(-6, 7, count)
    gains = rng.uniform(0.6, 1.4, count).astype(np.float32)
    x = np.stack([np.roll(patterns[k], s, axis=0) for k, s in zip(labels, shifts)]) * gains[:, None, None]
    x += rng.normal(0, 2.0, x.shape).astype(np.float32)
    return x[..., np.newaxis].astype(np.float32), labels


def data(quick: bool):
    rng = np.random.default_rng(SEED)
    # Smooth along time (speech changes over several frames): a 5-frame moving average of white noise.
    raw = rng.normal(0, 1, (CLASSES, FRAMES + 4, COEFFS))
    patterns = (sum(raw[:, i:i + FRAMES] for i in range(5)) / np.sqrt(5) * 1.2).astype(np.float32)
    x_train, y_train = synthetic_keywords(1200 if quick else 4000, rng, patterns)
    x_test, y_test = synthetic_keywords(240 if quick else 600, rng, patterns)
    return x_train, x_test, y_train, y_test


def ds_cnn(filters: int = 64):
    """MLPerf Tiny's DS-CNN: a strided 10×4 convolution, four depthwise-separable blocks, average pooling."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(SEED)
    x = inputs = keras.Input((FRAMES, COEFFS, 1))
    x = layers.Conv2D(filters, (10, 4), strides=(2, 2), padding="same", use_bias=False)(x)
    x = layers.ReLU()(layers.BatchNormalization(momentum=0.9)(x))
    for _ in range(4):
        x = layers.DepthwiseConv2D(3, padding="same", use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization(momentum=0.9)(x))
        x = layers.Conv2D(filters, 1, use_bias=False)(x)
        x = layers.ReLU()(layers.BatchNormalization(momentum=0.9)(x))
    x = layers.AveragePooling2D(pool_size=x.shape[1:3])(x)
    x = layers.Flatten()(x)
    outputs = layers.Dense(CLASSES, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="kws_dscnn")


def main() -> dict:
    args = common.arguments(__doc__.splitlines()[0], HERE)
    x_train, x_test, y_train, y_test = data(args.quick)
    net = ds_cnn()
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    net.fit(x_train, y_train, epochs=3 if args.quick else 8, batch_size=64, verbose=0)
    return common.run(net, "kws", x_train[:200], x_test, y_test, lambda out, x, y: common.accuracy(out, y),
                      "accuracy", args.out, io="float", qemu_samples=args.qemu_samples or (10 if args.quick else 50))


if __name__ == "__main__":
    sys.exit(0 if main()["exact"] else 1)
