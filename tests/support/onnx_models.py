"""Small float ONNX models built with the onnx package's own helpers (no PyTorch): the layouts and operators
PyTorch exports use (NCHW, Conv with explicit pads, BatchNormalization, Gemm, Flatten)."""
from __future__ import annotations

import numpy as np


class OnnxBuilder:
    """One graph under construction: initializers with deterministic random values, nodes named in order."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.initializers, self.count = [], [], 0

    def const(self, array) -> str:
        from onnx import numpy_helper

        name = f"c{len(self.initializers)}"
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def weights(self, *shape, scale: float = 0.3) -> str:
        return self.const((self.rng.standard_normal(shape) * scale).astype(np.float32))

    def op(self, kind: str, *inputs: str, **attrs) -> str:
        from onnx import helper

        self.count += 1
        out = f"t{self.count}"
        self.nodes.append(helper.make_node(kind, list(inputs), [out], name=f"{kind.lower()}_{self.count}", **attrs))
        return out

    # ---- layers ----
    def conv(self, x: str, c_in: int, c_out: int, k: int = 3, group: int = 1, **attrs) -> str:
        kernel = (k, k) if isinstance(k, int) else tuple(k)
        attrs.setdefault("pads", [kernel[0] // 2, kernel[-1] // 2] * 2 if len(kernel) == 2 else [kernel[0] // 2] * 2)
        return self.op("Conv", x, self.weights(c_out, c_in // group, *kernel), self.weights(c_out, scale=0.1),
                       group=group, **attrs)

    def batch_norm(self, x: str, c: int) -> str:
        scale = self.const((1 + 0.2 * self.rng.standard_normal(c)).astype(np.float32))
        bias = self.weights(c, scale=0.1)
        mean = self.weights(c, scale=0.1)
        var = self.const(self.rng.uniform(0.5, 1.5, c).astype(np.float32))
        return self.op("BatchNormalization", x, scale, bias, mean, var, epsilon=1e-5)

    def gemm(self, x: str, n_in: int, n_out: int) -> str:
        return self.op("Gemm", x, self.weights(n_out, n_in, scale=0.2), self.weights(n_out, scale=0.1), transB=1)

    def head(self, x: str, c: int, classes: int = 5) -> str:
        """GlobalAveragePool → Flatten → Gemm → Softmax, as torchvision classifiers end."""
        return self.op("Softmax", self.gemm(self.op("Flatten", self.op("GlobalAveragePool", x)), c, classes), axis=1)

    def model(self, x_shape, y: str, name: str):
        """The model, its output's shape found by ONNX's shape inference (as exporters write it)."""
        from onnx import TensorProto, helper, shape_inference

        def build(output):
            graph = helper.make_graph(self.nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                                       x_shape)],
                                      [output], self.initializers)
            model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                      producer_name="tinygen-tests")
            model.ir_version = 8  # what onnxruntime releases of the last years all read
            return model

        inferred = shape_inference.infer_shapes(build(helper.make_empty_tensor_value_info(y)))
        return build(next(v for v in inferred.graph.output if v.name == y))


def conv_bn_relu():
    b = OnnxBuilder(1)
    x = b.op("Relu", b.batch_norm(b.conv("x", 3, 8), 8))
    x = b.op("Relu", b.batch_norm(b.conv(x, 8, 16, strides=[2, 2]), 16))
    return b.model([1, 3, 12, 12], b.head(x, 16), "conv_bn_relu")


def depthwise_separable():
    b = OnnxBuilder(2)
    x = b.op("Relu", b.conv("x", 3, 8, strides=[2, 2]))
    x = b.op("Clip", b.conv(x, 8, 8, group=8), b.const(np.float32(0)), b.const(np.float32(6)))  # ReLU6
    x = b.op("Relu", b.conv(x, 8, 16, k=1))
    return b.model([1, 3, 16, 16], b.head(x, 16), "depthwise_separable")


def residual():
    b = OnnxBuilder(3)
    stem = b.op("Relu", b.conv("x", 2, 8))
    x = b.conv(b.op("Relu", b.conv(stem, 8, 8)), 8, 8)
    x = b.op("MaxPool", b.op("Relu", b.op("Add", x, stem)), kernel_shape=[2, 2], strides=[2, 2])
    y = b.gemm(b.op("Flatten", x), 8 * 5 * 5, 4)
    return b.model([1, 2, 10, 10], y, "residual")


def mlp():
    b = OnnxBuilder(4)
    x = b.op("Relu", b.gemm("x", 20, 32))
    x = b.op("Sigmoid", b.gemm(x, 32, 3))
    return b.model([1, 20], x, "mlp")


def pooling():
    b = OnnxBuilder(5)
    x = b.op("Relu", b.conv("x", 1, 6, k=5, pads=[0, 0, 0, 0]))
    x = b.op("AveragePool", b.op("MaxPool", x, kernel_shape=[2, 2], strides=[2, 2]), kernel_shape=[3, 3],
             strides=[1, 1])
    x = b.op("Flatten", x)  # 6 x 4 x 4 values in NCHW order
    y = b.op("Add", b.op("MatMul", x, b.weights(96, 7, scale=0.1)), b.weights(7, scale=0.1))
    return b.model([1, 1, 16, 16], y, "pooling")


def concat():
    b = OnnxBuilder(6)
    left = b.op("Relu", b.conv("x", 3, 4, k=1))
    right = b.op("Relu", b.conv("x", 3, 6, k=3))
    x = b.op("Relu", b.conv(b.op("Concat", left, right, axis=1), 10, 8, k=1))
    return b.model([1, 3, 8, 8], b.head(x, 8), "concat")


def resize():
    b = OnnxBuilder(7)
    x = b.op("Relu", b.conv("x", 2, 4, strides=[2, 2]))
    scales = b.const(np.array([1, 1, 2, 2], np.float32))
    x = b.op("Resize", x, "", scales, mode="nearest")
    x = b.conv(x, 4, 3)  # an image-to-image model: the output stays 4-D
    return b.model([1, 2, 8, 8], x, "resize")


def strided_dilated():
    """Asymmetric pads, stride 2 on one axis, dilation: what a PyTorch Conv2d(padding=(1, 2)) exports."""
    b = OnnxBuilder(8)
    x = b.op("Relu", b.conv("x", 3, 6, k=3, pads=[1, 2, 1, 2], strides=[1, 2]))
    x = b.op("Relu", b.conv(x, 6, 6, k=3, dilations=[2, 2], pads=[2, 2, 2, 2]))
    return b.model([1, 3, 9, 14], b.head(x, 6), "strided_dilated")


def activations():
    b = OnnxBuilder(9)
    x = b.op("LeakyRelu", b.conv("x", 3, 8), alpha=0.1)
    x = b.op("HardSwish", b.conv(x, 8, 8))
    x = b.op("Tanh", b.conv(x, 8, 8, k=1))
    return b.model([1, 3, 8, 8], b.head(x, 8), "activations")


def conv1d():
    """A 1-D audio model: [N, C, T] in, Conv1d stack, mean over time."""
    b = OnnxBuilder(10)
    x = b.op("Relu", b.conv("x", 4, 8, k=(5,), pads=[2, 2]))
    x = b.op("Relu", b.conv(x, 8, 8, k=(3,), pads=[1, 1], strides=[2]))
    x = b.op("ReduceMean", x, axes=[2], keepdims=0)
    return b.model([1, 4, 32], b.gemm(x, 8, 3), "conv1d")


ARCHITECTURES = {f.__name__: f for f in (conv_bn_relu, depthwise_separable, residual, mlp, pooling, concat, resize,
                                         strided_dilated, activations, conv1d)}
