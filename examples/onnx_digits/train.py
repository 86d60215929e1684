"""ONNX digit classifier: a small NCHW CNN as PyTorch would export it, on scikit-learn's 8×8 digits.

The network is trained with Keras (PyTorch is not needed here), then written as an ONNX graph with the onnx
package's helpers in PyTorch's layout: NCHW input, Conv weights [out, in, kh, kw], Gemm with transB. From there on
it is what a PyTorch user hands over: digits.onnx + calibration data → onnx2tf → int8 → projects for a Nucleo-F446RE
(Cortex-M4) and an ESP32-C3 → generated C emulated bit-exact → accuracy float (ONNX Runtime) vs int8 vs C.

    pip install -e ".[examples,onnx]"
    python examples/onnx_digits/train.py       # about a minute on 2 cores; --quick for CI
    tinygen build examples/onnx_digits/build/digits.onnx --board esp32 --calibration <calib.npy>   # the same, by hand
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import common  # noqa: E402
from digits.train import SEED, data  # noqa: E402 - the same images and split as the Keras digits example


def keras_model():
    import keras

    keras.utils.set_random_seed(SEED)
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(10, activation="softmax"),
    ])


def to_onnx(net):
    """The trained layers as an ONNX graph in PyTorch's conventions (NCHW, OIHW weights, explicit pads)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    (k1, b1), (k2, b2), (w3, b3) = [layer.get_weights() for layer in net.layers if layer.get_weights()]
    weights = {"conv1.weight": k1.transpose(3, 2, 0, 1), "conv1.bias": b1,  # HWIO → OIHW
               "conv2.weight": k2.transpose(3, 2, 0, 1), "conv2.bias": b2,
               "fc.weight": w3.T, "fc.bias": b3}  # [in, out] → PyTorch's Linear [out, in]
    nodes = [
        helper.make_node("Conv", ["input", "conv1.weight", "conv1.bias"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "conv2.weight", "conv2.bias"], ["c2"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ]
    graph = helper.make_graph(nodes, "digits", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
                              [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 10])],
                              [numpy_helper.from_array(np.ascontiguousarray(v, np.float32), k)
                               for k, v in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="tinygen-example")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def onnx_runtime(model):
    """Float predictions of the ONNX model itself, one sample at a time (its batch is 1, as exported)."""
    import onnxruntime

    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return lambda x: np.concatenate([session.run(None, {"input": s[np.newaxis]})[0] for s in x])


def main() -> dict:
    import onnx

    args = common.arguments(__doc__.splitlines()[0], HERE)
    x_train, x_test, y_train, y_test = data()
    net = keras_model()
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    net.fit(x_train, y_train, epochs=15 if args.quick else 40, batch_size=32, verbose=0)
    model = to_onnx(net)
    args.out.mkdir(parents=True, exist_ok=True)
    onnx.save(model, args.out / "digits.onnx")
    nchw = (lambda x: np.ascontiguousarray(x.transpose(0, 3, 1, 2)))  # the images as a PyTorch user holds them
    return common.run(model, "onnx_digits", nchw(x_train[:300]), nchw(x_test), y_test,
                      lambda out, x, y: common.accuracy(out, y), "accuracy", args.out, io="int8",
                      qemu_samples=args.qemu_samples or (40 if args.quick else len(x_test)),
                      predict=onnx_runtime(model), source="ONNX Runtime")


if __name__ == "__main__":
    sys.exit(0 if main()["exact"] else 1)
