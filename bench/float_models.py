"""Float32 versions of the MLPerf Tiny architectures (untrained Keras models, converted by TensorFlow without
quantization; the float reference models themselves are not in ../shared): TFLM's float reference kernels as
tinygen compiles them. Prints MACs, mismatching output bytes against TFLM on the host, and on an emulated
Cortex-M4 the instructions per inference, per MAC, and the worst difference (newlib's expf in SOFTMAX).

Usage: python -m bench.float_models [--count 100]   (prints the markdown section)
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from tests.support.helpers import float_tflite, keras_model  # the tests' model builders, run from the repo root


def ds_cnn():
    import tensorflow as tf

    L = tf.keras.layers
    layers = [L.Conv2D(16, (10, 4), strides=2, padding="same"), L.BatchNormalization(), L.ReLU()]
    for _ in range(2):
        layers += [L.DepthwiseConv2D(3, padding="same"), L.BatchNormalization(), L.ReLU(),
                   L.Conv2D(16, 1), L.BatchNormalization(), L.ReLU()]
    layers += [L.AveragePooling2D((5, 3)), L.Flatten(), L.Dense(12), L.Softmax()]
    return keras_model(layers, (49, 10, 1), seed=1)


def resnet():
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        y = L.ReLU()(L.Conv2D(8, 3, padding="same")(x))
        for _ in range(2):
            r = L.Conv2D(8, 3, padding="same")(L.ReLU()(L.Conv2D(8, 3, padding="same")(y)))
            y = L.ReLU()(L.Add()([y, r]))
        y = L.Flatten()(L.AveragePooling2D(4)(L.Conv2D(16, 3, strides=2, padding="same")(y)))
        return L.Softmax()(L.Dense(10)(y))
    return keras_model(build, (16, 16, 3), seed=2)


def autoencoder():
    import tensorflow as tf

    L = tf.keras.layers
    layers = [L.Dense(64), L.BatchNormalization(), L.ReLU(), L.Dense(8), L.BatchNormalization(), L.ReLU(),
              L.Dense(64), L.BatchNormalization(), L.ReLU(), L.Dense(160)]
    return keras_model(layers, (160,), seed=3)


def mobilenet():
    import tensorflow as tf

    L = tf.keras.layers
    layers = [L.Conv2D(8, 3, strides=2, padding="same"), L.ReLU(6.0)]
    for channels, stride in ((16, 1), (24, 2), (24, 1)):
        layers += [L.DepthwiseConv2D(3, strides=stride, padding="same"), L.ReLU(6.0), L.Conv2D(channels, 1),
                   L.ReLU(6.0)]
    layers += [L.GlobalAveragePooling2D(), L.Dense(2), L.Softmax()]
    return keras_model(layers, (32, 32, 3), seed=4)


MODELS = {"ds_cnn": ds_cnn, "resnet": resnet, "autoencoder": autoencoder, "mobilenet": mobilenet}


def main() -> None:
    from tinygen.compiler import compile_model
    from tinygen.emulation import emulate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100, help="random inputs compared on the host")
    args = parser.parse_args()
    print("| model (float32) | MACs | host: mismatching bytes | Cortex-M4 instructions | per MAC | "
          "Cortex-M4 worst difference |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in MODELS.items():
            path = Path(tmp) / f"{name}.tflite"
            path.write_bytes(float_tflite(build()))
            macs = sum(layer.macs for layer in compile_model(path).layers)
            host = emulate(path, count=args.count, seed=5)
            m4 = emulate(path, count=1, seed=5, target="cortex-m4")
            instructions = sum(m4.instructions) / len(m4.instructions)
            print(f"| {name} | {macs:,} | {host.mismatched_bytes} of {host.outputs.nbytes:,} | "
                  f"{instructions:,.0f} | {instructions / macs:.1f} | {m4.max_abs_diff:.3g} |")


if __name__ == "__main__":
    main()
