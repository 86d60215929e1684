"""Digit classifier: a small CNN on scikit-learn's bundled 8×8 digits (1797 images, no download).

train → int8 quantization → projects for a Nucleo-F446RE (Cortex-M4) and an ESP32-C3 → generated C emulated
bit-exact → accuracy float vs int8 vs generated C.

    pip install -e ".[examples]"
    python examples/digits/train.py            # about half a minute on 2 cores; --quick for CI

`--release` also refreshes the files committed beside this script (digits_int8.tflite, sample_inputs.npy,
sample_labels.npy), which the README's first command uses.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import common  # noqa: E402

SEED = 0


def data():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[..., np.newaxis]  # pixel values 0..16 → 0..1
    return train_test_split(x, digits.target, test_size=0.2, random_state=SEED, stratify=digits.target)


def model():
    import keras

    keras.utils.set_random_seed(SEED)
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ], name="digits")


def main() -> dict:
    args = common.arguments(__doc__.splitlines()[0], HERE,
                            release="refresh digits_int8.tflite and the sample inputs committed beside this script")
    x_train, x_test, y_train, y_test = data()
    net = model()
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    net.fit(x_train, y_train, epochs=8 if args.quick else 20, batch_size=32, verbose=0)
    result = common.run(net, "digits", x_train[:300], x_test, y_test,
                        lambda out, x, y: common.accuracy(out, y), "accuracy", args.out, io="int8",
                        qemu_samples=args.qemu_samples or (40 if args.quick else len(x_test)))
    if args.release:
        shutil.copyfile(result["tflite"], HERE / "digits_int8.tflite")
        from tinygen.frontend.tflite import read_tflite
        from tinygen.report_quant import model_inputs

        graph = read_tflite(result["tflite"])
        np.save(HERE / "sample_inputs.npy", model_inputs(x_test[:100], graph.tensors[graph.inputs[0]]))
        np.save(HERE / "sample_labels.npy", y_test[:100].astype(np.int8))
    return result


if __name__ == "__main__":
    sys.exit(0 if main()["exact"] else 1)
